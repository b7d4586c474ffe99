/**
 * The report's "Out of sample" data: the DSR hurdle per ranking (from the manifest), PBO by
 * CSCV (`pbo.json`) and the walk-forward (`walk_forward.json`, `walk_forward_equity.csv`),
 * loaded when the run wrote them and turned into display payloads (curves min/max
 * downsampled, the IS/OOS scatter thinned). Loading is the file edge; the payload is pure.
 *
 * @module
 */
import { join } from "node:path";
import { parseCsvNumber, readCsv } from "./_csv.ts";
import { downsampleMinMax } from "./downsample.ts";
import type { ConfigCurves } from "./report_data.ts";

type Json = Record<string, unknown>;

function isObject(x: unknown): x is Json {
  return x !== null && typeof x === "object" && !Array.isArray(x);
}

/** What the run wrote about out-of-sample validity (all parts optional). */
export interface OosData {
  /** Per ranking scope: trials, hurdle, noise line (manifest `deflation`). */
  readonly deflation: Json;
  /** `pbo.json`, if written. */
  readonly pbo?: Json;
  /** `walk_forward.json`, if written. */
  readonly walkForward?: Json;
  /** The stitched OOS curves per symbol (`walk_forward_equity.csv`). */
  readonly stitched: ReadonlyMap<
    string,
    { readonly ts: Float64Array; readonly value: Float64Array }
  >;
}

async function readJsonFile(path: string): Promise<Json> {
  const raw = JSON.parse(await Deno.readTextFile(path));
  if (!isObject(raw)) throw new SyntaxError(`${path}: not a JSON object`);
  return raw;
}

/**
 * Loads the out-of-sample outputs named in the manifest's `files` (`pbo_json`,
 * `walk_forward_json`, `walk_forward_equity_csv`); undefined when the run wrote none of them
 * and the manifest has no `deflation`.
 */
export async function loadOos(
  dir: string,
  manifest: Json,
): Promise<OosData | undefined> {
  const files = isObject(manifest.files) ? manifest.files : {};
  const deflation = isObject(manifest.deflation) ? manifest.deflation : {};
  const pbo = typeof files.pbo_json === "string"
    ? await readJsonFile(join(dir, files.pbo_json))
    : undefined;
  const walkForward = typeof files.walk_forward_json === "string"
    ? await readJsonFile(join(dir, files.walk_forward_json))
    : undefined;
  const stitched = new Map<string, { ts: number[]; value: number[] }>();
  if (typeof files.walk_forward_equity_csv === "string") {
    const path = join(dir, files.walk_forward_equity_csv);
    await readCsv(path, (f, line) => {
      if (line === 1) return;
      const where = `${path} line ${line}`;
      const symbol = f[0] ?? "";
      let s = stitched.get(symbol);
      if (s === undefined) stitched.set(symbol, s = { ts: [], value: [] });
      s.ts.push(parseCsvNumber(f[1] ?? "", where));
      s.value.push(parseCsvNumber(f[2] ?? "", where));
    });
  }
  if (
    pbo === undefined && walkForward === undefined &&
    Object.keys(deflation).length === 0
  ) return undefined;
  return {
    deflation,
    ...(pbo !== undefined ? { pbo } : {}),
    ...(walkForward !== undefined ? { walkForward } : {}),
    stitched: new Map(
      [...stitched].map((
        [k, v],
      ) => [k, {
        ts: Float64Array.from(v.ts),
        value: Float64Array.from(v.value),
      }]),
    ),
  };
}

/** A display line: epoch seconds and values (null = gap). */
export interface OosLine {
  /** Epoch seconds. */
  readonly t: readonly number[];
  /** Values. */
  readonly v: readonly (number | null)[];
}

/** The embedded "Out of sample" data. */
export interface OosPayload {
  /** Per ranking scope, the DSR hurdle and the noise line. */
  readonly deflation: Json;
  /** PBO per scope with a thinned IS/OOS scatter, or null. */
  readonly pbo: Json | null;
  /** Walk-forward per symbol, with the stitched and the in-sample winner's curves, or null. */
  readonly walkForward: Json | null;
}

function round(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v)
    ? (v === 0 ? 0 : Number(v.toPrecision(7)))
    : null;
}

function lineOf(ts: Float64Array, v: Float64Array, buckets: number): OosLine {
  const d = downsampleMinMax(ts, v, buckets);
  return {
    t: Array.from(d.x, (ms) => Math.round(ms) / 1000),
    v: Array.from(d.y, round),
  };
}

/**
 * Builds the payload. `winners` maps a symbol to the full-sample (in-sample) winner's curve,
 * shown over the OOS span rebased to the stitched curve's start, for comparison.
 */
export function oosPayload(
  data: OosData,
  winners: ReadonlyMap<string, ConfigCurves>,
  buckets = 2000,
  maxPoints = 2000,
): OosPayload {
  let pbo: Json | null = null;
  if (data.pbo !== undefined) {
    const scopes: Json = {};
    const src = isObject(data.pbo.scopes) ? data.pbo.scopes : {};
    for (const [name, s] of Object.entries(src)) {
      if (!isObject(s)) continue;
      const is = Array.isArray(s.is_sharpe) ? s.is_sharpe : [];
      const oos = Array.isArray(s.oos_sharpe) ? s.oos_sharpe : [];
      const step = Math.max(1, Math.ceil(is.length / maxPoints));
      const x: (number | null)[] = [], y: (number | null)[] = [];
      for (let i = 0; i < is.length; i += step) {
        x.push(round(is[i]));
        y.push(round(oos[i]));
      }
      const { is_sharpe: _a, oos_sharpe: _b, ...rest } = s;
      scopes[name] = { ...rest, scatter: { is: x, oos: y } };
    }
    pbo = { ...data.pbo, scopes };
  }
  let walkForward: Json | null = null;
  if (data.walkForward !== undefined) {
    const symbols: Json = {};
    const src = isObject(data.walkForward.symbols)
      ? data.walkForward.symbols
      : {};
    for (const [name, s] of Object.entries(src)) {
      if (!isObject(s)) continue;
      const st = data.stitched.get(name);
      let stitched: OosLine | null = null, inSample: OosLine | null = null;
      if (st !== undefined && st.ts.length > 0) {
        stitched = lineOf(st.ts, st.value, buckets);
        const w = winners.get(name);
        if (w !== undefined) {
          const t0 = st.ts[0]!, t1 = st.ts[st.ts.length - 1]!;
          const keep: number[] = [];
          for (let i = 0; i < w.ts.length; i++) {
            if (w.ts[i]! >= t0 && w.ts[i]! <= t1) keep.push(i);
          }
          if (keep.length > 0) {
            const base = w.value[keep[0]!]!, start = st.value[0]!;
            inSample = lineOf(
              Float64Array.from(keep, (i) => w.ts[i]!),
              Float64Array.from(keep, (i) => w.value[i]! / base * start),
              buckets,
            );
          }
        }
      }
      symbols[name] = {
        ...s,
        windows: Array.isArray(s.windows) ? s.windows.slice(0, 200) : [],
        stitchedCurve: stitched,
        inSampleCurve: inSample,
        inSampleConfig: winners.get(name)?.config ?? null,
      };
    }
    walkForward = { ...data.walkForward, symbols };
  }
  return { deflation: data.deflation, pbo, walkForward };
}
