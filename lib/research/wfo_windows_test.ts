import assert from "node:assert/strict";
import { parseWalkForward, planWindows } from "./wfo_windows.ts";

const MIN = 60_000;
const span = (w: { isStart: number; isEnd: number; oosEnd: number }) => [
  w.isStart / MIN,
  w.isEnd / MIN,
  w.oosEnd / MIN,
];

Deno.test("walk-forward windows: the reference's 100-bar example", () => {
  const rolling = planWindows(0, 100 * MIN, parseWalkForward("is=40m,oos=20m"));
  assert.deepEqual(rolling.map(span), [[0, 40, 60], [20, 60, 80], [
    40,
    80,
    100,
  ]]);
  const anchored = planWindows(
    0,
    100 * MIN,
    parseWalkForward("is=40m,oos=20m,anchored"),
  );
  assert.deepEqual(anchored.map(span), [[0, 40, 60], [0, 60, 80], [
    0,
    80,
    100,
  ]]);
});

Deno.test("walk-forward spec: units, step, bad input", () => {
  const s = parseWalkForward("is=30d,oos=7d,step=14d");
  assert.equal(s.isMs, 30 * 86_400_000);
  assert.equal(s.stepMs, 14 * 86_400_000);
  assert.equal(parseWalkForward("oos=12h,is=2d").stepMs, 12 * 3_600_000);
  assert.throws(() => parseWalkForward("is=30d"), /needs both/);
  assert.throws(() => parseWalkForward("is=30x,oos=7d"), /not a duration/);
  assert.throws(() => parseWalkForward("is=30d,oos=7d,step=1d"), /overlap/);
  assert.throws(() => parseWalkForward("is=30d,oos=7d,foo"), /unknown part/);
  assert.throws(
    () => planWindows(0, 10 * 86_400_000, parseWalkForward("is=7d,oos=7d")),
    /longer than the data/,
  );
});
