/**
 * Security (issue 18, item 13): the deploy guide never stages files for `sudo` in a fixed,
 * predictable path under /tmp; it uses a fresh `mktemp -d`.
 */
import { equal, ok } from "node:assert/strict";

Deno.test("security: the deploy guide stages files in a fresh mktemp -d", async () => {
  const text = await Deno.readTextFile(new URL("./README.md", import.meta.url));
  const commands = [...text.matchAll(/```sh\n([\s\S]*?)```/g)]
    .flatMap((m) => m[1]!.split("\n"));
  const fixed = commands.filter((l) =>
    /\/tmp\/[A-Za-z]/.test(l.replace(/\/tmp\/tmp\.X+/g, ""))
  );
  equal(fixed.length, 0, fixed.join("\n"));
  ok(commands.some((l) => /mktemp -d/.test(l)));
});
