import { equal, ok, throws } from "node:assert/strict";
import { Decimal } from "decimal.js";
import { clientOrderId } from "./client_ids.ts";
import { FillMemory, UsedIds } from "./order_memory.ts";

const d = (x: string) => new Decimal(x);

Deno.test("FillMemory drops a key only past the retention, behind the newest kept, and not live", () => {
  const m = new FillMemory(1_000, 2);
  m.seen("a#1", "a", 0, true, d("1"));
  m.seen("b#2", "b", 100, true, d("1"));
  m.seen("c#3", "c", 200, true, d("1"));
  m.seen("d#4", "d", 300, true, d("1"));
  // young: nothing goes
  m.prune(1_000, () => false);
  equal(m.size, 4);
  // a and b are past the retention; c and d are the newest two (kept)
  m.prune(5_000, () => false);
  equal(m.size, 2);
  equal(m.applied("a#1").toFixed(), "0");
  equal(m.applied("c#3").toFixed(), "1");
  // a live order stays however old
  const n = new FillMemory(0, 0);
  n.seen("e#5", "e", 0, true, d("2"));
  n.seen("f#6", "f", 0, true, d("2"));
  n.prune(10, (id) => id === "e");
  equal(n.size, 1);
  equal(n.applied("e#5").toFixed(), "2");
});

Deno.test("FillMemory: every report refreshes its key, a report adding nothing creates none", () => {
  const m = new FillMemory(1_000, 0);
  m.seen("a#1", "a", 0, true, d("1"));
  m.seen("z#9", "z", 0, true);
  equal(m.size, 1);
  // the stream's late duplicate of a#1 at 900 keeps it for another retention
  m.seen("a#1", "a", 900, true);
  m.prune(1_500, () => false);
  equal(m.applied("a#1").toFixed(), "1");
  m.prune(1_901, () => false);
  equal(m.size, 0);
  throws(() => new FillMemory(-1), RangeError);
  throws(() => new FillMemory(1, 0.5), RangeError);
});

Deno.test("FillMemory keeps the key of an order not known final (it can fill again, e.g. a resting manual order), up to the cap", () => {
  const m = new FillMemory(1_000, 0, 3);
  // a resting order partly filled: its last report is PARTIALLY_FILLED
  m.seen("web_1#9", "web_1", 0, false, d("0.2"));
  m.seen("a#1", "a", 0, true, d("1"));
  m.prune(5_000, () => false);
  equal(m.size, 1);
  equal(m.applied("web_1#9").toFixed(), "0.2");
  // a late report of an earlier status does not reopen a final order
  m.seen("b#2", "b", 5_000, true, d("1"));
  m.seen("b#2", "b", 5_001, false);
  // its final report: now it can go like any other
  m.seen("web_1#9", "web_1", 5_000, true);
  m.prune(10_000, () => false);
  equal(m.size, 0);
  // beyond the cap, the oldest keys not known final go too (a lost final report), down
  // to the cap only
  for (let i = 0; i < 4; i++) m.seen(`o#${i}`, "o", i, false, d("1"));
  m.prune(10_000, () => false);
  equal(m.size, 3);
  equal(m.applied("o#0").toFixed(), "0");
  equal(m.applied("o#1").toFixed(), "1");
  throws(() => new FillMemory(1, 4, 3), RangeError);
});

Deno.test("UsedIds: compaction never frees an id; foreign ids are dropped", () => {
  const u = new UsedIds();
  const id = (key: number, rev = 0) =>
    clientOrderId("BTCUSDT", key, "long", "sl", rev);
  const entry = (key: number) => clientOrderId("BTCUSDT", key, "long", "entry");
  u.add(entry(60_000));
  u.add(id(60_000));
  u.add(id(60_000, 1));
  u.add("web_abc");
  u.add(entry(180_000));
  u.compact(180_000);
  equal(u.size, 1);
  equal(u.entryFloor, 60_000);
  equal(u.exitFloor, 60_000);
  // every id that counted as used still does, and older bars too
  ok(u.has(entry(60_000)));
  ok(u.has(id(60_000, 1)));
  ok(u.has(entry(0)));
  ok(u.has(entry(180_000)));
  // newer ones are free
  ok(!u.has(entry(120_000)));
  ok(!u.has(id(180_000)));
  ok(!u.has("web_abc"));
});

Deno.test("UsedIds: the key of an adopted position (an update time inside a bar) raises only the exit floor, never refusing that bar's entry", () => {
  const u = new UsedIds();
  const bar = 1_700_000_000_000;
  const adopted = bar + 10_000; // a manual position adopted within the bar
  u.add(clientOrderId("BTCUSDT", adopted, "long", "close"));
  u.add(clientOrderId("BTCUSDT", adopted, "long", "sl"));
  u.compact(bar + 20_000); // the next adopted position's key
  equal(u.exitFloor, adopted);
  equal(u.entryFloor, -Infinity);
  ok(u.has(clientOrderId("BTCUSDT", adopted, "long", "close")));
  ok(u.has(clientOrderId("BTCUSDT", bar, "long", "sl")));
  // the bar's signal (at its close) is not a duplicate: no entry of it was sent
  ok(!u.has(clientOrderId("BTCUSDT", bar, "long", "entry")));
});
