/**
 * The `--metrics_addr` / `--metrics_public` flags shared by the live bot, paper trading
 * and the recorder, and their check: `host:port` (IPv6 in brackets), empty = no endpoint,
 * a non-loopback host only with `--metrics_public true`.
 *
 * @module
 */
import { UsageError } from "../cli/usage_error.ts";

/** The flags of the metrics endpoint (spread into a command's flag table). */
export const METRICS_FLAGS = {
  metrics_addr: {
    type: "string",
    default: "127.0.0.1:9464",
    help:
      "host:port of the /metrics and /health endpoint; empty = none (port 0 = any free port)",
  },
  metrics_public: {
    type: "boolean",
    default: false,
    help: "allow a --metrics_addr that is not a loopback address",
  },
} as const;

/** A checked listen address. */
export interface MetricsAddr {
  /** Host name or IP literal (IPv6 without brackets). */
  readonly hostname: string;
  /** TCP port, 0 = any free one. */
  readonly port: number;
}

/** Whether `hostname` is a loopback name or address (127.0.0.0/8, ::1, localhost). */
export function isLoopback(hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (h === "localhost" || h === "::1") return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return m !== null && m.slice(1).every((x) => Number(x) <= 255);
}

/**
 * Parses `--metrics_addr`.
 *
 * @returns the address, or `undefined` when the value is empty (endpoint off)
 * @throws {UsageError} naming the flag and the value when it is not `host:port`, or names
 * a non-loopback host without `allowPublic`
 */
export function parseMetricsAddr(
  value: string,
  allowPublic: boolean,
): MetricsAddr | undefined {
  const v = value.trim();
  if (v === "") return undefined;
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(v);
  const bad = (why: string) =>
    new UsageError(`Invalid --metrics_addr "${value}": ${why}`);
  if (!m) throw bad("expected host:port (e.g. 127.0.0.1:9464)");
  const hostname = m[1] ?? m[2]!;
  const port = Number(m[3]);
  if (port > 65535) throw bad(`port ${port} is not in 0..65535`);
  if (m[2] !== undefined && /^[0-9.]+$/.test(hostname)) {
    const parts = hostname.split(".");
    if (parts.length !== 4 || parts.some((p) => p === "" || Number(p) > 255)) {
      throw bad(`"${hostname}" is not an IPv4 address`);
    }
  }
  if (!allowPublic && !isLoopback(hostname)) {
    throw bad(
      `"${hostname}" is not a loopback address; add --metrics_public true to expose the endpoint beyond this machine`,
    );
  }
  return { hostname, port };
}
