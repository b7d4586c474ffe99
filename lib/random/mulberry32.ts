/**
 * mulberry32: a tiny seeded pseudo-random generator for synthetic data in benchmarks and
 * tests (the same seed gives the same numbers on every machine). Not for anything that
 * needs statistical quality or secrecy; the simulator's market uses its own `Rng`.
 *
 * @module
 */

/**
 * Returns a generator of uniform numbers in [0, 1) from a 32-bit seed.
 *
 * @example
 * ```ts
 * import { mulberry32 } from "./mulberry32.ts";
 * const rand = mulberry32(7);
 * const x = rand(); // the same value for seed 7 everywhere
 * ```
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
