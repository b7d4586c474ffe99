/**
 * Test helper: `promtool check metrics` (Debian's prometheus package) on exposition text.
 *
 * @module
 */

/** `promtool check metrics` on `text`: its exit code and everything it printed. */
export async function promtoolCheckMetrics(
  text: string,
): Promise<{ code: number; output: string }> {
  const child = new Deno.Command("promtool", {
    args: ["check", "metrics"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(text));
  await w.close();
  const out = await child.output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    output: dec.decode(out.stdout) + dec.decode(out.stderr),
  };
}
