/**
 * Private: where parameters go (query string or form body) for a method.
 *
 * @module
 */
import { encodeParams, joinEncoded } from "./params.ts";
import type { SignInput } from "./signer.ts";

/** The encoded business parameters split into the query and the primary part. */
export interface Layout {
  /** For non-GET: the forced query part; for GET: empty. */
  readonly query: string;
  /** The part that carries auth params and `signature`: query for GET, body otherwise. */
  readonly primary: string;
  /** Whether `primary` is the query string (GET) or the body. */
  readonly primaryIsQuery: boolean;
}

/** Splits a request's parameters by method (see {@linkcode SignInput.queryParams}). */
export function layoutOf(input: SignInput): Layout {
  const forced = input.queryParams === undefined
    ? ""
    : encodeParams(input.queryParams);
  const params = encodeParams(input.params);
  if (input.method === "GET") {
    return {
      query: "",
      primary: joinEncoded(forced, params),
      primaryIsQuery: true,
    };
  }
  return { query: forced, primary: params, primaryIsQuery: false };
}
