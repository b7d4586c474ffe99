/**
 * Client order ids derived from the signal, so a retry of the same signal reuses the same
 * id and can never open a second position.
 *
 * @module
 */
import type { Direction } from "./filters.ts";

/** What an order is for. */
export type OrderPurpose = "entry" | "tp" | "sl" | "trail" | "close";

const PURPOSE_CODE: Record<OrderPurpose, string> = {
  entry: "E",
  tp: "T",
  sl: "S",
  trail: "R",
  close: "X",
};
const CODE_PURPOSE = new Map(
  Object.entries(PURPOSE_CODE).map(([p, c]) => [c, p as OrderPurpose]),
);

/** The exchange's client order id rule. */
export const CLIENT_ID_RE = /^[\.A-Z\:/a-z0-9_-]{1,36}$/;

const PREFIX = "ak";

function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(36);
}

/**
 * The client order id of one order of a signal:
 * `ak-<symbol>-<bar open time base 36>-<L|S><E|T|S|R|X><revision>`, at most 36
 * characters (a long symbol is shortened with a hash). `revision` distinguishes a
 * replacement of an exit (0 = the first).
 *
 * @param key the signal's bar open time (epoch ms), or any integer key of the position
 * @throws {RangeError} for a bad key or revision
 */
export function clientOrderId(
  symbol: string,
  key: number,
  direction: Direction,
  purpose: OrderPurpose,
  revision = 0,
): string {
  if (!Number.isSafeInteger(key) || key < 0) {
    throw new RangeError(`Cannot derive client order id: key ${key}`);
  }
  if (!Number.isInteger(revision) || revision < 0 || revision > 1295) {
    throw new RangeError(`Cannot derive client order id: revision ${revision}`);
  }
  const tail = `-${key.toString(36)}-${direction === "long" ? "L" : "S"}${
    PURPOSE_CODE[purpose]
  }${revision === 0 ? "" : revision.toString(36)}`;
  let sym = symbol.replace(/[^A-Za-z0-9]/g, "");
  const room = 36 - PREFIX.length - 1 - tail.length;
  if (sym.length > room) {
    const h = fnv1a(symbol).slice(0, 5);
    sym = sym.slice(0, room - h.length) + h;
  }
  const id = `${PREFIX}-${sym}${tail}`;
  if (!CLIENT_ID_RE.test(id)) {
    throw new RangeError(`Cannot derive client order id: "${id}" is invalid`);
  }
  return id;
}

/** The parts of an id made by {@linkcode clientOrderId}. */
export interface ParsedClientId {
  readonly key: number;
  readonly direction: Direction;
  readonly purpose: OrderPurpose;
  readonly revision: number;
}

/** Parses an id made by {@linkcode clientOrderId}; `undefined` for a foreign id. */
export function parseClientOrderId(id: string): ParsedClientId | undefined {
  const m = /^ak-[A-Za-z0-9]+-([0-9a-z]+)-([LS])([ETSRX])([0-9a-z]*)$/.exec(id);
  if (!m) return undefined;
  const purpose = CODE_PURPOSE.get(m[3]!);
  if (purpose === undefined) return undefined;
  return {
    key: parseInt(m[1]!, 36),
    direction: m[2] === "L" ? "long" : "short",
    purpose,
    revision: m[4] === "" ? 0 : parseInt(m[4]!, 36),
  };
}
