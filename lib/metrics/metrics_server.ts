/**
 * The HTTP endpoint of a bot or recorder: `GET /metrics` (Prometheus text exposition) and
 * `GET /health` (JSON, HTTP 200 when ready, 503 when not), on the address of
 * `--metrics_addr`. It only reads: no request changes anything in the bot.
 *
 * @module
 */
import { UsageError } from "../cli/usage_error.ts";
import type { HealthReport } from "./health.ts";
import type { MetricsAddr } from "./metrics_addr.ts";

/** What the endpoint serves. */
export interface MetricsSource {
  /** The exposition text. */
  render(): Promise<string>;
  /** Its content type. */
  readonly contentType: string;
  /** The health report. */
  health(): HealthReport;
}

/** A running endpoint. */
export interface MetricsServer {
  /** The bound address (the real port when 0 was asked). */
  readonly hostname: string;
  readonly port: number;
  /** `http://host:port`. */
  readonly url: string;
  /** Stops listening and waits for requests in flight. */
  close(): Promise<void>;
}

/** Answers one request of the endpoint. */
export async function handleMetricsRequest(
  req: Request,
  source: MetricsSource,
): Promise<Response> {
  const path = new URL(req.url).pathname;
  if (req.method !== "GET" && req.method !== "HEAD") {
    return new Response("method not allowed\n", {
      status: 405,
      headers: { allow: "GET, HEAD" },
    });
  }
  if (path === "/metrics") {
    return new Response(await source.render(), {
      headers: { "content-type": source.contentType },
    });
  }
  if (path === "/health") {
    const h = source.health();
    return new Response(JSON.stringify(h, null, 1) + "\n", {
      status: h.ready ? 200 : 503,
      headers: {
        "content-type": "application/json",
        "cache-control": "no-store",
      },
    });
  }
  return new Response("not found: try /metrics or /health\n", { status: 404 });
}

/**
 * Starts listening on `addr`.
 *
 * @throws {UsageError} when the address is in use or cannot be bound (one line, exit 2)
 */
export function startMetricsServer(
  addr: MetricsAddr,
  source: MetricsSource,
): MetricsServer {
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname: addr.hostname,
      port: addr.port,
      onListen: () => {},
      onError: () => new Response("internal error\n", { status: 500 }),
    }, (req) => handleMetricsRequest(req, source));
  } catch (error) {
    const shown = addr.hostname.includes(":")
      ? `[${addr.hostname}]:${addr.port}`
      : `${addr.hostname}:${addr.port}`;
    const why = error instanceof Deno.errors.AddrInUse
      ? "the port is in use (another bot? pick another port, or empty to turn the endpoint off)"
      : error instanceof Error
      ? error.message
      : String(error);
    throw new UsageError(`Invalid --metrics_addr "${shown}": ${why}`, {
      cause: error,
    });
  }
  const a = server.addr;
  const host = a.hostname.includes(":") ? `[${a.hostname}]` : a.hostname;
  return {
    hostname: a.hostname,
    port: a.port,
    url: `http://${host}:${a.port}`,
    close: async () => {
      await server.shutdown();
    },
  };
}
