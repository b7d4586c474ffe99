/**
 * Interning of symbol names read as bytes, so rows carry a small integer id.
 *
 * @module
 */
import { latin1 } from "./parse_decimal.ts";

/** Maps symbol bytes to dense ids 0, 1, 2, … in order of first appearance. */
export class SymbolTable {
  /** The names, indexed by id. */
  readonly names: string[] = [];
  #bytes: Uint8Array[] = [];

  /** The id of `bytes[start, end)`, registering it when new; `hint` is tried first. */
  id(bytes: Uint8Array, start: number, end: number, hint = -1): number {
    if (hint >= 0 && this.#equals(hint, bytes, start, end)) return hint;
    for (let id = 0; id < this.#bytes.length; id++) {
      if (this.#equals(id, bytes, start, end)) return id;
    }
    this.#bytes.push(bytes.slice(start, end));
    this.names.push(latin1(bytes, start, end));
    return this.#bytes.length - 1;
  }

  /** The number of symbols seen. */
  get size(): number {
    return this.names.length;
  }

  #equals(id: number, bytes: Uint8Array, start: number, end: number): boolean {
    const known = this.#bytes[id];
    if (known === undefined || known.length !== end - start) return false;
    for (let i = 0; i < known.length; i++) {
      if (known[i] !== bytes[start + i]) return false;
    }
    return true;
  }
}
