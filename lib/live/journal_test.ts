import assert from "node:assert/strict";
import { evaluateSignal } from "../strategy/mod.ts";
import {
  DecisionJournal,
  JOURNAL_COLUMNS,
  journalLine,
  type JournalRow,
  textCell,
} from "./journal.ts";

const PARAMS = { k: 2, n: 2, t: 30, v: 30, maxSpreadBps: 5, maxFundingBps: 10 };

function row(over: Partial<JournalRow> = {}): JournalRow {
  return {
    timeMs: 60_100,
    symbol: "BTCUSDT",
    barOpenTime: 0,
    barSource: "stream",
    gapBars: 0,
    close: "100.3",
    bid: "100.29",
    ask: "100.31",
    mark: "100.3",
    fundingRate: "0.0001",
    barAgeMs: 100,
    bookAgeMs: 50,
    markAgeMs: 400,
    decision: evaluateSignal({
      retBps: 30,
      rsVolBps: 10,
      volume: 300,
      avgVolume: 100,
      bid: 100.29,
      ask: 100.31,
      mark: 100.3,
      fundingRate: 0.0001,
    }, PARAMS),
    stale: [],
    action: "entry_placed",
    detail: "FILLED",
    ...over,
  };
}

Deno.test("journalLine() writes inputs, ages, verdicts and the action", async (t) => {
  await t.step("one cell per column with the verdicts", () => {
    const line = journalLine(row());
    assert.ok(line.endsWith("\n"));
    const cells = line.trimEnd().split(",");
    assert.equal(cells.length, JOURNAL_COLUMNS.length);
    const get = (c: (typeof JOURNAL_COLUMNS)[number]) =>
      cells[JOURNAL_COLUMNS.indexOf(c)];
    assert.equal(get("signal"), "long");
    assert.equal(get("ret_bps"), "30");
    assert.equal(get("threshold_bps"), "20");
    assert.equal(get("spread_ok"), "true");
    assert.equal(get("mark_age_ms"), "400");
    assert.equal(get("fresh_ok"), "true");
    assert.equal(get("action"), "entry_placed");
  });
  await t.step("stale inputs show in the reason; commas are quoted", () => {
    const cells = journalLine(
      row({ stale: ["book", "mark"], action: "skipped", detail: "a,b" }),
    );
    assert.match(cells, /,false,long,stale:book\+mark,skipped,"a,b"\n$/);
  });
});

Deno.test("DecisionJournal appends whole lines and continues an existing file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/decisions.csv`;
    const j = await DecisionJournal.open(path);
    j.append(row());
    await j.close();
    const j2 = await DecisionJournal.open(path);
    j2.append(row({ action: "blocked", detail: "cooldown" }));
    await j2.close();
    const lines = (await Deno.readTextFile(path)).trimEnd().split("\n");
    assert.equal(lines.length, 3);
    assert.equal(lines[0], JOURNAL_COLUMNS.join(","));
    assert.match(lines[2]!, /,blocked,cooldown$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("security: journal text cells are neutralised for spreadsheets", () => {
  for (
    const [detail, cell] of ([
      ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
      ["+1+1", "'+1+1"],
      ["-2019 Margin is insufficient.", "'-2019 Margin is insufficient."],
      ["@SUM(A1)", "'@SUM(A1)"],
      ["FILLED", "FILLED"],
    ] as const)
  ) {
    const line = journalLine(row({ action: "entry_rejected", detail }));
    assert.equal(line.endsWith(`,entry_rejected,${cell}\n`), true, line);
  }
  assert.equal(textCell("\t=1"), "'\t=1");
  assert.equal(textCell("price_band"), "price_band");
});
