/**
 * Test helpers for the entry scripts: run one in a child Deno with the permissions of the
 * paper task (loopback only) and a clean environment, and pick a free loopback port.
 *
 * @module
 */

/** Options of {@linkcode spawnScript}. */
export interface ScriptOptions {
  /** Environment of the child (plus NO_COLOR=1; nothing else is inherited). */
  readonly env?: Readonly<Record<string, string>>;
  /** Keep stdout (default) or drop it. */
  readonly stdout?: "piped" | "null";
}

/** Starts `live/<script>` (e.g. `"./paper.ts"`) with `args`. */
export function spawnScript(
  script: string,
  args: readonly string[],
  options: ScriptOptions = {},
): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--frozen",
      "--allow-net=127.0.0.1",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      // the live bot checks that key files belong to its user (Deno.uid), as its task does
      "--allow-sys=uid",
      new URL(script, import.meta.url).pathname,
      ...args,
    ],
    env: { NO_COLOR: "1", ...options.env },
    clearEnv: true,
    stdout: options.stdout ?? "piped",
    stderr: "piped",
  }).spawn();
}

/** Runs `live/<script>` to its end. */
export async function runScript(
  script: string,
  args: readonly string[],
  options: ScriptOptions = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await spawnScript(script, args, options).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}

/** A loopback TCP port free right now. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}
