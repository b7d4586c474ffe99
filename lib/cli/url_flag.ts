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

/**
 * Checks that `--<flag>`'s value parses as a URL with one of `protocols` (with colon,
 * e.g. `"https:"`).
 *
 * @throws {UsageError} naming the flag and the value when it is not a URL or has
 * another protocol
 */
export function checkUrlFlag(
  flag: string,
  value: string,
  protocols: readonly string[],
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
}
