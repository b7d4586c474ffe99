/**
 * Validation of a URL-valued flag (`--rest_url`, `--ws_url`).
 *
 * @module
 */
import { UsageError } from "./usage_error.ts";

/** Protocols of a REST base URL. */
export const HTTP_PROTOCOLS: readonly string[] = ["http:", "https:"];
/** Protocols of a WebSocket base URL. */
export const WS_PROTOCOLS: readonly string[] = ["ws:", "wss:"];

/** Whether `hostname` (as `URL.hostname` gives it) is this machine: 127/8, ::1, localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === "localhost" || h === "[::1]" || h === "::1" ||
    /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * Checks that `--<flag>`'s value parses as a URL with one of `protocols` (with colon,
 * e.g. `"https:"`). With `secure`, the clear-text `http:`/`ws:` are accepted only for a
 * loopback host (the simulator): anything signed or carrying the API key travels
 * encrypted.
 *
 * @throws {UsageError} naming the flag and the value when it is not a URL, has another
 * protocol, or is clear text to another host while `secure`
 */
export function checkUrlFlag(
  flag: string,
  value: string,
  protocols: readonly string[],
  options: { readonly secure?: boolean } = {},
): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`Invalid --${flag} "${value}": not a URL`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new UsageError(
      `Invalid --${flag} "${value}": expected ${protocols.join(" or ")}`,
    );
  }
  if (
    options.secure && (url.protocol === "http:" || url.protocol === "ws:") &&
    !isLoopbackHost(url.hostname)
  ) {
    throw new UsageError(
      `Invalid --${flag} "${value}": clear-text ${
        url.protocol.slice(0, -1)
      } to a host other than this machine; use ${
        url.protocol === "http:" ? "https" : "wss"
      } (credentials and signed requests must not travel in clear)`,
    );
  }
}
