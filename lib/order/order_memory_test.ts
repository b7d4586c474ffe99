import { equal, ok, throws } from "node:assert/strict";
import { Decimal } from "decimal.js";
import { clientOrderId } from "./client_ids.ts";
import { FillMemory, UsedIds } from "./order_memory.ts";

const d = (x: string) => new Decimal(x);

Deno.test("FillMemory drops a key only past the retention, behind the newest kept, and not live", () => {
  const m = new FillMemory(1_000, 2);
  m.seen("a#1", "a", 0, d("1"));
  m.seen("b#2", "b", 100, d("1"));
  m.seen("c#3", "c", 200, d("1"));
  m.seen("d#4", "d", 300, d("1"));
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
  n.seen("e#5", "e", 0, d("2"));
  n.seen("f#6", "f", 0, d("2"));
  n.prune(10, (id) => id === "e");
  equal(n.size, 1);
  equal(n.applied("e#5").toFixed(), "2");
});

Deno.test("FillMemory: every report refreshes its key, a report adding nothing creates none", () => {
  const m = new FillMemory(1_000, 0);
  m.seen("a#1", "a", 0, d("1"));
  m.seen("z#9", "z", 0);
  equal(m.size, 1);
  // the stream's late duplicate of a#1 at 900 keeps it for another retention
  m.seen("a#1", "a", 900);
  m.prune(1_500, () => false);
  equal(m.applied("a#1").toFixed(), "1");
  m.prune(1_901, () => false);
  equal(m.size, 0);
  throws(() => new FillMemory(-1), RangeError);
  throws(() => new FillMemory(1, 0.5), RangeError);
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
  equal(u.floor, 60_000);
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
