/**
 * The REST route table: modules register `(Request) => Response` handlers by method and
 * path, with a request weight; the market-data routes are registered by
 * `market_routes.ts`, and signed endpoints can be added the same way.
 *
 * @module
 */

/** A REST handler: a plain function, testable without a socket. */
export type Handler = (req: Request) => Response | Promise<Response>;

/** The request weight of a route, fixed or from the query parameters. */
export type Weight = number | ((params: URLSearchParams) => number);

/** One registered route. */
export interface Route {
  readonly method: string;
  readonly path: string;
  readonly weight: Weight;
  readonly handler: Handler;
}

/** The result of {@linkcode RouteTable.match}. */
export type RouteMatch =
  | { readonly kind: "found"; readonly route: Route }
  | { readonly kind: "bad-method" }
  | { readonly kind: "not-found" };

/** Routes by method and exact path. */
export class RouteTable {
  #routes = new Map<string, Map<string, Route>>();

  /**
   * Registers a handler.
   *
   * @throws {RangeError} when the method and path are already registered
   */
  add(method: string, path: string, weight: Weight, handler: Handler): void {
    let byMethod = this.#routes.get(path);
    if (!byMethod) this.#routes.set(path, byMethod = new Map());
    const m = method.toUpperCase();
    if (byMethod.has(m)) {
      throw new RangeError(`Cannot add route ${m} ${path}: already registered`);
    }
    byMethod.set(m, { method: m, path, weight, handler });
  }

  /** Finds the route of `method` and `path`. */
  match(method: string, path: string): RouteMatch {
    const byMethod = this.#routes.get(path);
    if (!byMethod) return { kind: "not-found" };
    const route = byMethod.get(method.toUpperCase()) ??
      (method.toUpperCase() === "HEAD" ? byMethod.get("GET") : undefined);
    return route ? { kind: "found", route } : { kind: "bad-method" };
  }

  /** Every registered `METHOD path`. */
  list(): string[] {
    const out: string[] = [];
    for (const [path, byMethod] of this.#routes) {
      for (const m of byMethod.keys()) out.push(`${m} ${path}`);
    }
    return out;
  }
}

/** A REST failure with the exchange's status and `{code,msg}` body; handlers throw it. */
export class ApiError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** The exchange error code. */
  readonly code: number;

  /** @param status HTTP status @param code exchange code @param msg exchange message */
  constructor(status: number, code: number, msg: string) {
    super(msg);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
  }
}

/** A `{code,msg}` JSON response. */
export function errorResponse(
  status: number,
  code: number,
  msg: string,
): Response {
  return Response.json({ code, msg }, { status });
}
