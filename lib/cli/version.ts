/**
 * The toolkit's version, printed by `--version` of every `deno task` command (the compiled
 * binaries print their embedded build info instead, see deploy/build_plan.ts).
 *
 * @module
 */

/** The toolkit's release version; raise it with each release. */
export const TOOLKIT_VERSION = "0.1.0";

/**
 * The `--version` line of a command run from source: the entry script, the toolkit
 * version and the Deno runtime, e.g.
 * `backtest/backtest.ts: aster-toolkit 0.1.0 (source, deno 2.9.6)`.
 *
 * @param mainModule the entry's module URL (`Deno.mainModule`)
 */
export function versionLine(mainModule: string): string {
  const path = decodeURIComponent(new URL(mainModule).pathname);
  const entry = path.split("/").slice(-2).join("/");
  return `${entry}: aster-toolkit ${TOOLKIT_VERSION} (source, deno ${Deno.version.deno})`;
}
