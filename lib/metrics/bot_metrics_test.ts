import assert from "node:assert/strict";
import { BotMetrics } from "./bot_metrics.ts";
import { fakeState, fakeView } from "./_fake_view.ts";
import { promtoolCheckMetrics } from "./_promtool.ts";

/** The value of one sample line of the exposition text (NaN when absent). */
function sample(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(series + " "));
  return line === undefined ? NaN : Number(line.slice(series.length + 1));
}

const decision = (
  symbol: string,
  action: string,
  detail = "",
  reason?: string,
  timeMs = 0,
) => ({
  timeMs,
  symbol,
  gapBars: 0,
  action,
  detail,
  decision: { reason },
});

Deno.test("BotMetrics exports positions, account, orders and plumbing with bounded labels", async () => {
  const st = fakeState();
  const m = new BotMetrics({ component: "live", version: "1.2.3" });
  m.attach(fakeView(st));
  m.setReady(true);
  st.positions.BTCUSDT = {
    amount: -0.5,
    entryPrice: 110,
    exits: [{ purpose: "tp", state: "open" }, { purpose: "sl", state: "open" }],
    cooldownUntilMs: 0,
  };
  m.decision(decision("BTCUSDT", "none", "", "no_volume", st.now));
  m.decision(decision("BTCUSDT", "entry_placed", "filled", undefined, st.now));
  m.decision(decision("ETHUSDT", "blocked", "cooldown_persisted"));
  m.orderPlaced("LIMIT", { kind: "placed" });
  m.orderPlaced("STOP_MARKET", { kind: "rejected", code: -2021 });
  m.orderPlaced("LIMIT", { kind: "unknown" });
  m.orderRecord({
    timeMs: st.now,
    symbol: "BTCUSDT",
    action: "entry_resolved",
    detail: "",
  });
  m.userEvent({ kind: "orderUpdate", status: "FILLED", origType: "LIMIT" });
  m.userEvent({
    kind: "accountUpdate",
    transactionTime: st.now,
    reason: "FUNDING_FEE",
    balances: [{ asset: "USDT", balanceChange: "-0.25" }],
  });
  m.account({
    totalMarginBalance: "1000",
    totalMaintMargin: "250",
    totalWalletBalance: "990",
  });
  m.barClosed("BTCUSDT", st.now);
  m.entrySent("BTCUSDT", st.now + 12);
  m.restCall("place_order", 35);
  st.fills.push(
    { timeMs: st.now - 86_400_000, realizedPnl: 5, commission: 1 },
    { timeMs: st.now - 1000, realizedPnl: -2, commission: 0.5 },
  );
  const t = await m.render();
  assert.equal(sample(t, 'aster_info{component="live",version="1.2.3"}'), 1);
  assert.equal(sample(t, "aster_ready"), 1);
  assert.equal(sample(t, 'aster_position_size{symbol="BTCUSDT"}'), 0.5);
  assert.equal(sample(t, 'aster_position_side{symbol="BTCUSDT"}'), -1);
  assert.equal(sample(t, 'aster_position_notional_usd{symbol="BTCUSDT"}'), 50);
  // short 0.5 from 110 at mark 100: +5
  assert.equal(
    sample(t, 'aster_position_unrealized_pnl_usd{symbol="BTCUSDT"}'),
    5,
  );
  assert.equal(
    sample(t, 'aster_position_stop_on_exchange{symbol="BTCUSDT"}'),
    1,
  );
  assert.equal(
    sample(t, 'aster_position_exit_orders{symbol="BTCUSDT",purpose="sl"}'),
    1,
  );
  assert.equal(
    sample(t, 'aster_input_age_seconds{symbol="ETHUSDT",input="mark"}'),
    0.8,
  );
  assert.equal(
    sample(t, 'aster_decisions_total{symbol="BTCUSDT",outcome="no_volume"}'),
    1,
  );
  assert.equal(
    sample(t, 'aster_decisions_total{symbol="BTCUSDT",outcome="signal"}'),
    1,
  );
  assert.equal(
    sample(t, 'aster_decisions_total{symbol="ETHUSDT",outcome="cooldown"}'),
    1,
  );
  assert.equal(sample(t, 'aster_orders_submitted_total{type="LIMIT"}'), 2);
  assert.equal(
    sample(t, 'aster_orders_rejected_total{type="STOP_MARKET",code="-2021"}'),
    1,
  );
  assert.equal(sample(t, 'aster_orders_unknown_total{type="LIMIT"}'), 1);
  assert.equal(sample(t, "aster_orders_unknown_resolved_total"), 1);
  assert.equal(sample(t, 'aster_orders_filled_total{type="LIMIT"}'), 1);
  assert.equal(sample(t, "aster_margin_ratio"), 4);
  assert.equal(sample(t, "aster_kill_threshold"), 1.2);
  assert.equal(sample(t, "aster_wallet_balance_usd"), 990);
  assert.equal(sample(t, 'aster_realized_pnl_usd{period="since_start"}'), 3);
  assert.equal(sample(t, 'aster_realized_pnl_usd{period="utc_day"}'), -2);
  assert.equal(sample(t, 'aster_fees_usd{period="since_start"}'), 1.5);
  assert.equal(sample(t, 'aster_funding_usd{period="utc_day"}'), -0.25);
  assert.equal(sample(t, "aster_rest_weight_used"), 130);
  assert.equal(sample(t, "aster_rest_rate_limited_total"), 1);
  assert.equal(sample(t, "aster_clock_offset_seconds"), -0.012);
  assert.equal(sample(t, "aster_bar_to_order_seconds_count"), 1);
  assert.equal(sample(t, 'aster_bar_to_order_seconds_bucket{le="0.025"}'), 1);
  assert.equal(sample(t, 'aster_bar_to_order_seconds_bucket{le="0.01"}'), 0);
  assert.ok(sample(t, "process_resident_memory_bytes") > 0);
  // no order id, no free text in any label
  for (const line of t.split("\n")) {
    if (line.startsWith("#") || line === "") continue;
    assert.doesNotMatch(line, /clientOrderId|[0-9]{6,}"/, line);
  }
  // counters of a stream's own count only move by its increase
  st.reconnects = 3;
  assert.equal(
    sample(await m.render(), 'aster_stream_reconnects_total{stream="market"}'),
    3,
  );
  assert.equal(
    sample(await m.render(), 'aster_stream_reconnects_total{stream="market"}'),
    3,
  );
});

Deno.test("BotMetrics shows the order manager's unprotected positions and /health turns unhealthy past 2 s", async () => {
  const st = fakeState();
  const m = new BotMetrics({ component: "live", processMetrics: false });
  m.attach(fakeView(st));
  m.setReady(true);
  assert.equal(m.health().ready, true);
  // filled: a position, no stop yet
  st.positions.BTCUSDT = {
    amount: 0.1,
    entryPrice: 100,
    exits: [{ purpose: "tp", state: "open" }, {
      purpose: "sl",
      state: "unknown",
    }],
    cooldownUntilMs: 0,
  };
  // the order manager's own account: unprotected since the fill
  st.unprotected.BTCUSDT = st.now;
  st.now += 1_500;
  let h = m.health();
  assert.equal(h.ready, true);
  assert.equal(h.positions[0]!.unprotectedSeconds, 1.5);
  st.now += 1_000;
  h = m.health();
  assert.equal(h.ready, false);
  assert.deepEqual(h.unprotected, ["BTCUSDT"]);
  assert.match(
    h.reasons.join("|"),
    /BTCUSDT position without a stop for 2\.5 s/,
  );
  let t = await m.render();
  assert.equal(
    sample(t, 'aster_position_unprotected_seconds{symbol="BTCUSDT"}'),
    2.5,
  );
  assert.equal(
    sample(t, 'aster_position_stop_on_exchange{symbol="BTCUSDT"}'),
    0,
  );
  assert.equal(sample(t, "aster_ready"), 0);
  // the stop confirmed: protected again
  st.positions.BTCUSDT = {
    ...st.positions.BTCUSDT,
    exits: [{ purpose: "tp", state: "open" }, { purpose: "sl", state: "open" }],
  };
  delete st.unprotected.BTCUSDT;
  m.tick();
  t = await m.render();
  assert.equal(
    sample(t, 'aster_position_unprotected_seconds{symbol="BTCUSDT"}'),
    0,
  );
  assert.equal(m.health().ready, true);
});

Deno.test("BotMetrics: signed requests failing with clock errors (-1021) past the budget turn /health unhealthy, and an accepted one heals it", async () => {
  const st = fakeState();
  const m = new BotMetrics({ component: "live", processMetrics: false });
  m.attach(fakeView(st));
  m.setReady(true);
  assert.deepEqual(m.health().signing, {
    failingSeconds: 0,
    clockErrors: 0,
    lastError: null,
    lastErrorAgeSeconds: null,
  });
  const lastError =
    "-1021 Timestamp for this request is outside of the recvWindow.";
  // a resync cures most stretches at once: within the budget (15 s) still ready
  st.signing = { failingMs: 15_000, clockErrors: 3, lastError };
  assert.equal(m.health().ready, true);
  st.signing = { failingMs: 15_500, clockErrors: 4, lastError };
  const h = m.health();
  assert.equal(h.ready, false);
  assert.deepEqual(h.reasons, [
    `signed requests failing with clock errors for 15.5 s (${lastError}): no order can be placed, moved or cancelled`,
  ]);
  let t = await m.render();
  assert.equal(sample(t, "aster_ready"), 0);
  assert.equal(sample(t, "aster_signing_failing_seconds"), 15.5);
  assert.equal(sample(t, "aster_signing_clock_errors_total"), 4);
  // a stretch kept open by other failures (a 10-minute maintenance's 503s) says how
  // old its last clock error is, so the operator is not sent to NTP for nothing
  st.signing = {
    failingMs: 600_000,
    clockErrors: 4,
    lastError,
    lastErrorAgoMs: 590_000,
  };
  assert.deepEqual(m.health().reasons, [
    `signed requests failing with clock errors for 600.0 s (${lastError}; the last 590.0 s ago): no order can be placed, moved or cancelled`,
  ]);
  assert.equal(m.health().signing?.lastErrorAgeSeconds, 590);
  // the next accepted signed request ends the stretch
  st.signing = { failingMs: 0, clockErrors: 4, lastError };
  assert.equal(m.health().ready, true);
  t = await m.render();
  assert.equal(sample(t, "aster_signing_failing_seconds"), 0);
  assert.equal(sample(t, "aster_ready"), 1);
  // the budget is a setting
  const strict = new BotMetrics({
    component: "live",
    processMetrics: false,
    signingBudgetS: 1,
  });
  strict.attach(fakeView(st));
  strict.setReady(true);
  st.signing = { failingMs: 1_001, clockErrors: 5, lastError };
  assert.equal(strict.health().ready, false);
});

Deno.test("BotMetrics /health names every reason: starting, streams, stale inputs, kill switch, stopping", () => {
  const st = fakeState();
  const m = new BotMetrics({ component: "live", processMetrics: false });
  assert.deepEqual(m.health().reasons, ["starting"]);
  m.attach(fakeView(st));
  assert.deepEqual(m.health().reasons, ["starting"]);
  m.setReady(true);
  assert.deepEqual(m.health().reasons, []);
  st.userConnected = false;
  st.stale.ETHUSDT = ["bar", "book"];
  st.killed = true;
  const h = m.health();
  assert.equal(h.ready, false);
  assert.deepEqual(h.reasons, [
    "user stream disconnected",
    "ETHUSDT book stale",
    "kill switch tripped (margin): no entries",
  ]);
  assert.equal(h.killSwitch?.tripped, true);
  assert.equal(h.inputAges.BTCUSDT?.book, 0.1);
  // only the bar between closes is not a reason
  st.userConnected = true;
  st.killed = false;
  st.stale.ETHUSDT = ["bar"];
  assert.deepEqual(m.health().reasons, []);
  m.setStopping();
  assert.deepEqual(m.health().reasons, ["stopping"]);
});

Deno.test("BotMetrics keeps the last decisions and errors for /health, bounded", () => {
  const st = fakeState();
  const m = new BotMetrics({
    component: "live",
    processMetrics: false,
    recent: 3,
  });
  m.attach(fakeView(st));
  for (let i = 0; i < 5; i++) {
    m.decision(decision("BTCUSDT", "none", "", "no_momentum", st.now + i));
    m.orderRecord({
      timeMs: st.now + i,
      symbol: "BTCUSDT",
      action: i % 2 ? "exit_rejected" : "exit_placed",
      detail: `e${i}`,
    });
  }
  const h = m.health();
  assert.equal(h.recentDecisions.length, 3);
  assert.equal(h.recentDecisions[2]!.what, "no_momentum");
  assert.deepEqual(h.recentErrors.map((e) => e.detail), ["e1", "e3"]);
  st.now += 10_000;
  assert.equal(m.health().lastDecisionAgeSeconds, 9.996);
});

Deno.test("promtool check metrics passes on the exposition text", async () => {
  const st = fakeState();
  const m = new BotMetrics({ component: "paper" });
  m.attach(fakeView(st));
  m.setReady(true);
  m.decision(decision("BTCUSDT", "none", "", "spread"));
  m.orderPlaced("LIMIT", { kind: "rejected", code: -2019 });
  m.restCall("account", 12);
  const { code, output } = await promtoolCheckMetrics(await m.render());
  assert.equal(code, 0, output);
  assert.equal(output.trim(), "", output);
});

Deno.test("BotMetrics exports NaN, never a made-up 0, for what was not read yet", async () => {
  const st = fakeState();
  const m = new BotMetrics({ component: "live", processMetrics: false });
  m.attach({ ...fakeView(st), clockOffsetMs: () => undefined });
  const t = await m.render();
  // a 0 ratio against a 0 threshold would fire AsterMarginNearKillThreshold in a dry run
  for (
    const name of [
      "aster_margin_ratio",
      "aster_wallet_balance_usd",
      "aster_margin_balance_usd",
      "aster_clock_offset_seconds",
    ]
  ) {
    assert.ok(Number.isNaN(sample(t, name)), `${name}: ${sample(t, name)}`);
    // prom-client writes "Nan"; the Prometheus parser reads NaN in any case
    assert.match(t, new RegExp(`^${name} NaN$`, "im"));
  }
  assert.equal(sample(t, "aster_kill_threshold"), 1.2);
});

Deno.test("BotMetrics exports the recorder's rows written and dropped per file", async () => {
  const st = fakeState();
  const m = new BotMetrics({ component: "record", processMetrics: false });
  const rows = { kline: 10, markPrice: 12 };
  const dropped = { kline: 0, markPrice: 3 };
  m.attach({
    ...fakeView(st),
    recorderRows: () => rows,
    recorderDropped: () => dropped,
  });
  let t = await m.render();
  assert.equal(
    sample(t, 'aster_recorder_rows_written_total{file="markPrice"}'),
    12,
  );
  assert.equal(
    sample(t, 'aster_recorder_rows_dropped_total{file="markPrice"}'),
    3,
  );
  assert.equal(sample(t, 'aster_recorder_rows_dropped_total{file="kline"}'), 0);
  rows.markPrice = 20;
  dropped.markPrice = 5;
  t = await m.render();
  assert.equal(
    sample(t, 'aster_recorder_rows_written_total{file="markPrice"}'),
    20,
  );
  assert.equal(
    sample(t, 'aster_recorder_rows_dropped_total{file="markPrice"}'),
    5,
  );
});
