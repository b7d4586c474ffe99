import assert from "node:assert/strict";
import { BotMetrics } from "./bot_metrics.ts";
import { fakeState, fakeView } from "./_fake_view.ts";
import {
  formatOffline,
  formatOnline,
  journalTail,
  parseExposition,
  sampleValue,
  splitCsvLine,
} from "./status_screen.ts";

Deno.test("parseExposition reads names, labels and values (incl. +Inf)", () => {
  const s = parseExposition(
    '# HELP x y\n# TYPE x gauge\nx{a="1",b="q\\"uote"} 2.5\nup 1\nr +Inf\n',
  );
  assert.deepEqual(s, [
    { name: "x", labels: { a: "1", b: 'q"uote' }, value: 2.5 },
    { name: "up", labels: {}, value: 1 },
    { name: "r", labels: {}, value: Infinity },
  ]);
  assert.equal(sampleValue(s, "x", { a: "1" }), 2.5);
  assert.ok(Number.isNaN(sampleValue(s, "x", { a: "2" })));
});

Deno.test("formatOnline: one screen of a running bot from its /health and /metrics", async () => {
  const st = fakeState();
  const m = new BotMetrics({ component: "live", processMetrics: false });
  m.attach(fakeView(st));
  m.setReady(true);
  st.positions.BTCUSDT = {
    amount: 0.5,
    entryPrice: 90,
    exits: [{ purpose: "tp", state: "open" }],
    cooldownUntilMs: 0,
  };
  st.unprotected.BTCUSDT = st.now - 3_000;
  m.account({ totalMarginBalance: "300", totalMaintMargin: "100" });
  m.decision({
    timeMs: st.now,
    symbol: "BTCUSDT",
    gapBars: 0,
    action: "blocked",
    detail: "position_open",
    decision: { reason: undefined },
  });
  m.orderRecord({
    timeMs: st.now,
    symbol: "BTCUSDT",
    action: "exit_rejected",
    detail: "-2021 would trigger",
  });
  st.fills.push({ timeMs: st.now, realizedPnl: 4, commission: 1 });
  st.signing = {
    failingMs: 4_200,
    clockErrors: 3,
    lastError: "-1021 Timestamp for this request is outside of the recvWindow.",
  };
  const text = formatOnline(
    "http://127.0.0.1:9464",
    m.health(),
    parseExposition(await m.render()),
  );
  const lines = text.trimEnd().split("\n");
  assert.ok(lines.length <= 24, `${lines.length} lines:\n${text}`);
  assert.match(
    lines[0]!,
    /^aster bot at http:\/\/127\.0\.0\.1:9464: NOT READY \(trading\)/,
  );
  assert.match(text, /why: BTCUSDT position without a stop for 3\.0 s\n/);
  assert.match(
    text,
    /user connected \(0 reconnects\); signed requests FAILING with clock errors for 4\.2 s \(3 clock errors; last: -1021 Timestamp for this request is outside of the recvWindow\.\)\n/,
  );
  assert.match(
    text,
    /kill switch: off {3}margin ratio 3\.00 \(kill at 1\.20\) {3}REST weight 130\/2400/,
  );
  assert.match(
    text,
    /PnL today \(UTC\): realized \+4\.00, fees 1\.00, funding \+0\.00, net \+3\.00 USD/,
  );
  assert.match(
    text,
    /BTCUSDT {4}LONG {2}0\.5 @ 90 {2}mark 100\.00 {2}uPnL \+5\.00 {2}exits tp {2}NO STOP for 3\.0 s/,
  );
  assert.match(text, /ETHUSDT bar 0\.6 book 0\.2 mark 0\.8/);
  assert.match(text, /BTCUSDT {4}position_open {2}blocked position_open/);
  assert.match(text, /exit_rejected {2}-2021 would trigger/);
});

Deno.test("journalTail and formatOffline: the screen of a bot that is down", () => {
  const header = "time,symbol,x,signal,reason,action,detail";
  const t0 = Date.UTC(2026, 0, 5, 12);
  const body = [
    "partial,line,from,a,tail",
    `${t0},BTCUSDT,1,none,no_momentum,none,`,
    `${t0 + 60_000},BTCUSDT,1,long,,entry_placed,"FILLED 0.001, at 100"`,
    `${t0 + 120_000},ETHUSDT,1,short,,blocked,cooldown`,
  ].join("\n");
  const rows = journalTail(header, body, 2);
  assert.deepEqual(rows.map((r) => r.action), ["entry_placed", "blocked"]);
  assert.equal(rows[0]!.detail, "FILLED 0.001, at 100");
  assert.deepEqual(splitCsvLine('a,"b ""c""",d'), ["a", 'b "c"', "d"]);
  const text = formatOffline({
    url: "http://127.0.0.1:9464",
    why: "Connection refused",
    statePath: "/var/lib/aster/bot_state.json",
    killSwitch: "tripped (margin) at 2026-01-05T11:00:00.000Z",
    cooldowns: { BTCUSDT: t0 + 60_000, ETHUSDT: t0 - 1 },
    journalPath: "/var/log/aster/decisions.csv",
    decisions: journalTail(header, body, 10),
    nowMs: t0,
  });
  assert.match(
    text,
    /^aster bot at http:\/\/127\.0\.0\.1:9464: DOWN \(Connection refused\)\n/,
  );
  assert.match(text, /kill switch: tripped \(margin\)/);
  assert.match(text, /cooldowns: BTCUSDT until 2026-01-05T12:01:00\.000Z\n/);
  assert.match(
    text,
    /2026-01-05T12:00:00\.000Z {2}BTCUSDT {4}no_momentum {2}none\n/,
  );
  assert.match(text, /BTCUSDT {4}long {2}entry_placed FILLED 0\.001, at 100/);
  assert.match(
    formatOffline({
      url: "u",
      why: "w",
      statePath: "s",
      killSwitch: "off",
      cooldowns: {},
      journalPath: "j",
      decisions: "no journal",
      nowMs: 0,
    }),
    /last decisions in j:\n {2}no journal\n/,
  );
});
