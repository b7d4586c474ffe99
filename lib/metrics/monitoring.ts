/**
 * The monitoring of one command run: from the `--metrics_addr` / `--metrics_public`
 * flags, a {@linkcode BotMetrics} and its endpoint, or nothing when the address is empty.
 * For entry scripts: a bad address or a port in use is a {@linkcode UsageError}.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { BotMetrics } from "./bot_metrics.ts";
import { parseMetricsAddr } from "./metrics_addr.ts";
import { type MetricsServer, startMetricsServer } from "./metrics_server.ts";

const log = getLogger(["aster", "metrics"]);

/** A command's monitoring (both absent when the endpoint is off). */
export interface Monitoring {
  readonly metrics: BotMetrics | undefined;
  readonly server: MetricsServer | undefined;
  /** Stops the endpoint. */
  close(): Promise<void>;
}

/**
 * Checks the flags, then starts the endpoint.
 *
 * @throws {UsageError} for a bad `--metrics_addr`, a public address without
 * `--metrics_public true`, or an address in use
 */
export function startMonitoring(
  flags: { readonly metrics_addr: string; readonly metrics_public: boolean },
  component: string,
): Monitoring {
  const addr = parseMetricsAddr(flags.metrics_addr, flags.metrics_public);
  if (!addr) {
    return { metrics: undefined, server: undefined, close: async () => {} };
  }
  const metrics = new BotMetrics({ component });
  const server = startMetricsServer(addr, metrics);
  log.info("Metrics on {url}/metrics, health on {url}/health", {
    url: server.url,
  });
  return { metrics, server, close: () => server.close() };
}
