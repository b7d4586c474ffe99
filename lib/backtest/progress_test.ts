import { equal, match } from "node:assert/strict";
import { formatCount, Progress } from "./progress.ts";

Deno.test("Progress draws a bar on a terminal and lines otherwise", async (t) => {
  await t.step("terminal: redrawn bar with rate and ETA", () => {
    let now = 0, text = "";
    const p = new Progress({
      write: (s) => text += s,
      tty: true,
      now: () => now,
    });
    p.update(0, 100e6);
    now = 1000;
    p.update(25e6, 100e6);
    match(
      text,
      /^\r\[#{8}\.{22}\] 25\.0% 25\.0M\/100\.0M bar-configs, 25\.0M\/s, ETA 3\.0s/,
    );
    now = 1050;
    p.update(30e6, 100e6); // within 100 ms: not drawn
    equal(text.split("\r").length, 2);
    p.finish();
    equal(text.endsWith("\n"), true);
  });
  await t.step("not a terminal: periodic plain lines, and the last one", () => {
    let now = 0;
    const lines: string[] = [];
    const p = new Progress({
      write: (s) => lines.push(s),
      tty: false,
      now: () => now,
    });
    p.update(0, 10);
    for (let i = 1; i <= 10; i++) {
      now = i * 1000;
      p.update(i, 10);
    }
    equal(lines.length, 3); // t=1s, t=6s, and done
    match(lines[2]!, /^progress: 100\.0% 10\/10 bar-configs/);
  });
  await t.step("formatCount", () => {
    equal(formatCount(1234), "1.2k");
    equal(formatCount(2.5e9), "2.50G");
  });
});
