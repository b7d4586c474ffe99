/**
 * Test-only: run with a task's permission flags, tries what a compromised dependency would
 * (read a private file, write outside the working directories, read an unrelated variable,
 * reach an unrelated host, import remote code) and prints one JSON line of outcomes.
 *
 * @module
 */
const [secretPath, outsideDir] = Deno.args;

async function outcome(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
    return "allowed";
  } catch (error) {
    return error instanceof Error
      ? `${error.name}: ${error.message}`
      : String(error);
  }
}

const result = {
  read: await outcome(() => Deno.readTextFile(secretPath!)),
  write: await outcome(() =>
    Deno.writeTextFile(`${outsideDir}/probe.txt`, "x")
  ),
  env: await outcome(() => Promise.resolve(Deno.env.get("HOME"))),
  net: await outcome(() =>
    fetch("https://example.com/", { signal: AbortSignal.timeout(2000) })
  ),
  import: await outcome(() => import("https://esm.sh/left-pad@1.3.0")),
  ownEnv: await outcome(() => Promise.resolve(Deno.env.get("ASTER_SYMBOLS"))),
};
Deno.stdout.writeSync(new TextEncoder().encode(JSON.stringify(result) + "\n"));
