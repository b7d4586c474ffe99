/**
 * Test helper: runs one of this directory's entry scripts in a fresh `deno run` with the
 * offline tools' permissions and `--quiet`, and returns its exit code and output.
 *
 * @module
 */

const ROOT = new URL("..", import.meta.url).pathname;

/** What a script run printed. */
export interface ScriptRun {
  /** Exit code. */
  readonly code: number;
  /** Standard output. */
  readonly stdout: string;
  /** Standard error. */
  readonly stderr: string;
}

/**
 * Runs `backtest/<name>` with `args` (after `--quiet`) from the repository root.
 *
 * @param name the script file, e.g. "backtest.ts"
 * @param args its arguments
 */
export async function runScript(
  name: string,
  args: readonly string[],
): Promise<ScriptRun> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      new URL(`./${name}`, import.meta.url).pathname,
      "--quiet",
      ...args,
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}
