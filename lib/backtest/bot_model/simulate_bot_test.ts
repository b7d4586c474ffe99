import { deepEqual, equal, throws } from "node:assert/strict";
import { quoteFeatures } from "../../features/formulas.ts";
import { parseSymbolInfo } from "../../exchange/exchange_info.ts";
import { orderFilters } from "../../order/filters.ts";
import { parseFeatureTable, type SymbolFeatures } from "../feature_table.ts";
import { buildSignals } from "../signals.ts";
import { syntheticTable } from "../synthetic_table.ts";
import { BotInputError, BotMarket } from "./bot_market.ts";
import { intrabarPath, PATH_POINTS } from "../../features/intrabar_path.ts";
import type { FundingSeriesKind } from "../../features/funding_rule.ts";
import { DEFAULT_ENTRY_LIMITS, priceBand } from "../../order/entry_guard.ts";
import {
  BOT_METRICS,
  type BotCosts,
  type BotTrade,
  N_BOT_METRICS,
  newBotSeries,
  simulateBot,
} from "./simulate_bot.ts";
import { N_MOMENTS, returnMoments } from "../../research/return_stats.ts";
import type { BotExitParams } from "./bot_grid.ts";

const FILTERS = orderFilters(parseSymbolInfo({
  symbol: "AAAUSDT",
  status: "TRADING",
  baseAsset: "AAA",
  quoteAsset: "USDT",
  pricePrecision: 1,
  quantityPrecision: 3,
  filters: [
    {
      filterType: "PRICE_FILTER",
      tickSize: "0.1",
      minPrice: "0.1",
      maxPrice: "1000000",
    },
    {
      filterType: "LOT_SIZE",
      stepSize: "0.001",
      minQty: "0.001",
      maxQty: "1000",
    },
    { filterType: "MIN_NOTIONAL", notional: "5" },
  ],
}));

const HEADER =
  "ts,symbol,open,high,low,close,vol1m,ret_bps,spread_bps,funding_bps,mark_price,open_loss_long_bps,open_loss_short_bps,rs_var_1m,rs_vol_10m_bps,avg_vol_10m";
const T0 = 1_748_217_600_000; // 2025-05-26 00:00 UTC, a funding time

/** Bars as [open, high, low, close] with mark = close, a 0.2 spread around it. */
function table(
  bars: number[][],
  opts: {
    mark?: (i: number, c: number) => number;
    /** funding_bps of every bar, or of bar i */
    funding?: number | ((i: number) => number);
    book?: boolean;
  } = {},
): SymbolFeatures {
  const lines = bars.map(([o, h, l, c], i) => {
    const mark = opts.mark ? opts.mark(i, c!) : c!;
    const ask = c! + 0.1, bid = c! - 0.1;
    const book = opts.book ?? true;
    const sp = book ? (ask - bid) / ((ask + bid) / 2) * 1e4 : "";
    const olL = book ? (ask - mark) / mark * 1e4 : "";
    const olS = book ? (mark - bid) / mark * 1e4 : "";
    const fund = typeof opts.funding === "function"
      ? opts.funding(i)
      : opts.funding ?? 1;
    return `${
      T0 + i * 60_000
    },AAAUSDT,${o},${h},${l},${c},10,1,${sp},${fund},${mark},${olL},${olS},0,1,1`;
  });
  return parseFeatureTable([HEADER, ...lines].join("\n")).symbols[0]!;
}

const P: BotExitParams = {
  tpBps: 40,
  slBps: 25,
  trailActivationBps: 0,
  trailCallbackPct: 0.5,
  cooldownS: 60,
  orderNotional: 100,
};
const COSTS: BotCosts = {
  takerFeeBps: 5,
  exitSlippageBps: 0,
  intrabar: "stop_first",
};

function run(
  f: SymbolFeatures,
  signals: number[],
  p: BotExitParams = P,
  costs: BotCosts = COSTS,
  fundingKind?: FundingSeriesKind,
): { row: Record<string, number>; trades: BotTrade[] } {
  const m = new BotMarket(
    f,
    FILTERS,
    undefined,
    undefined,
    undefined,
    fundingKind,
  );
  const sig = new Int8Array(f.bars);
  signals.forEach((s, i) => (sig[i] = s));
  const row = new Float64Array(N_BOT_METRICS);
  const trades: BotTrade[] = [];
  simulateBot(m, sig, p, costs, row, trades);
  const out: Record<string, number> = {};
  BOT_METRICS.forEach((k, i) => (out[k] = row[i]!));
  return { row: out, trades };
}

const close = (a: number, b: number) => Math.abs(a - b) < 1e-9;

Deno.test("simulateBot() follows the live bot's rules", async (t) => {
  await t.step(
    "entry at the ask, levels from lib/order, TP fills at its level",
    () => {
      // ask 100.1; qty ceil(100 / 100.1, 0.001) = 1; TP 100.1*1.004 -> 100.6 (up), SL -> 99.8
      const f = table([[100, 100, 100, 100], [100.2, 100.7, 100.1, 100.5]]);
      const { trades, row } = run(f, [1]);
      equal(trades.length, 1);
      const tr = trades[0]!;
      deepEqual([tr.entryPrice, tr.qty, tr.tp, tr.sl], [100.1, 1, 100.6, 99.8]);
      equal(tr.reason, "tp");
      equal(tr.exitPrice, 100.6);
      const fees = 100.1 * 0.0005 + 100.6 * 0.0005;
      equal(close(tr.pnl, 100.6 - 100.1 - fees), true);
      equal(
        close(row.net_pnl!, row.gross_pnl! - row.fees! + row.funding!),
        true,
      );
    },
  );
  await t.step(
    "a short enters at the bid; the SL triggers on the mark, not the price",
    () => {
      // bid 99.9; SL 99.9*1.0025 = 100.14975 -> 100.2 (up). Bar 1's prices stay below 100.2
      // but its mark (price * 1.002) reaches it: the SL fires at the trade price 100.2/1.002.
      const f = table([[100, 100, 100, 100], [100, 100.1, 99.95, 100]], {
        mark: (i, c) => i === 1 ? c * 1.002 : c,
      });
      const { trades } = run(f, [-1]);
      equal(trades[0]!.reason, "sl");
      equal(trades[0]!.entryPrice, 99.9);
      equal(trades[0]!.sl, 100.2);
      equal(close(trades[0]!.exitPrice, 100.2 / (100.1 * 1.002 / 100.1)), true);
    },
  );
  await t.step(
    "a bar holding both TP and SL: stop first, or the simulator's path",
    () => {
      const bars = [[100, 100, 100, 100], [100, 101, 99, 100.5]]; // an up bar
      equal(run(table(bars), [1]).trades[0]!.reason, "sl");
      const ohlc = run(table(bars), [1], P, { ...COSTS, intrabar: "ohlc" });
      equal(ohlc.trades[0]!.reason, "sl"); // up bar: O -> L -> H -> C, the low comes first
      const down = [[100, 100, 100, 100], [100, 101, 99, 99.5]];
      equal(
        run(table(down), [1], P, { ...COSTS, intrabar: "ohlc" }).trades[0]!
          .reason,
        "tp",
      );
    },
  );
  await t.step(
    "ohlc: an exit fills at the book after the replay's trade that triggers it",
    () => {
      // fill 100.1, TP 100.6. Up bar 100 -> 99.9 -> 101 -> 100.8 on the replay's path: the
      // first trade at or above 100.6 is an uptick, so the book is (trade - tick, trade)
      // and the long's TP sells at that bid
      const f = table([[100, 100, 100, 100], [100, 101, 99.9, 100.8]]);
      const { trades } = run(f, [1], P, { ...COSTS, intrabar: "ohlc" });
      const path = new Float64Array(PATH_POINTS);
      intrabarPath(100, 101, 99.9, 100.8, 0.1, path);
      const hit = path.find((x) => x >= 100.6)!;
      equal(trades[0]!.reason, "tp");
      equal(close(trades[0]!.exitPrice, hit - 0.1), true);
    },
  );
  await t.step(
    "ohlc: a take-profit exactly on a replayed trade's price fires at that trade",
    () => {
      // BTCUSDT 2025-05-25 23:01-23:19 (the cooldown-120 real-data parity run): a short at
      // the bid 109015.0, TP 109015 * 0.9975 = 108742.46 -> 108742.4 (down). The 23:19 bar's
      // path prints 108742.4 (a downtick: bid 108742.4, ask 108742.5); the simulator fires
      // there and buys at the ask, as the model must
      const f = table([
        [109224.6, 109224.6, 109015.0, 109015.1],
        [108928.3, 108948.9, 108805.4, 108823.0],
        [108822.9, 108842.5, 108704.8, 108754.5],
      ]);
      const { trades } = run(f, [-1], { ...P, tpBps: 25, slBps: 25 }, {
        ...COSTS,
        intrabar: "ohlc",
      });
      equal(trades[0]!.entryPrice, 109015);
      equal(trades[0]!.tp, 108742.4);
      equal(trades[0]!.reason, "tp");
      equal(trades[0]!.exitBar, 2);
      equal(
        close(trades[0]!.exitPrice, 108742.5),
        true,
        `${trades[0]!.exitPrice}`,
      );
    },
  );
  await t.step(
    "a gap through the SL fills at the open, with exit slippage",
    () => {
      const f = table([[100, 100, 100, 100], [99, 99.5, 98.8, 99.2]]);
      const { trades } = run(f, [1], P, { ...COSTS, exitSlippageBps: 10 });
      equal(trades[0]!.reason, "sl");
      equal(close(trades[0]!.exitPrice, 99 * 0.999), true);
    },
  );
  await t.step(
    "no reversal: an opposite signal while in position is ignored",
    () => {
      const bars = [
        [100, 100, 100, 100],
        [100, 100.2, 99.9, 100],
        [100, 100.2, 99.9, 100],
        [100.2, 100.7, 100.1, 100.5],
      ];
      const { trades } = run(table(bars), [1, -1, -1, 0]);
      equal(trades.length, 1);
      equal(trades[0]!.side, 1);
      equal(trades[0]!.exitBar, 3);
    },
  );
  await t.step(
    "the cooldown blocks signals until it has run from the exit bar's end",
    () => {
      const bars = [
        [100, 100, 100, 100],
        [100.2, 100.7, 100.1, 100.5], // TP
        [100.5, 100.5, 100.5, 100.5], // signal at its close: exit end + 60 s = this close: allowed
        [100.5, 100.5, 100.5, 100.5],
      ];
      equal(run(table(bars), [1, 0, 1, 0]).trades.length, 2);
      equal(
        run(table(bars), [1, 0, 1, 0], { ...P, cooldownS: 61 }).trades.length,
        1,
      );
      equal(
        run(table(bars), [1, 0, 0, 1], { ...P, cooldownS: 120 }).trades.length,
        2,
      );
    },
  );
  await t.step("trailing: activation, then the callback from the peak", () => {
    // fill 100.1; activation 20 bp -> 100.3002 -> 100.4 (up); callback 0.5 %.
    const bars = [
      [100, 100, 100, 100],
      [100, 100.5, 100, 100.5], // up bar: low first, then 100.5 >= 100.4 activates
      [100.5, 100.5, 99.95, 100], // falls to 100.5 * 0.995 = 99.9975 before the SL (99.8)
    ];
    const { trades } = run(table(bars), [1], {
      ...P,
      tpBps: 100,
      trailActivationBps: 20,
    });
    equal(trades[0]!.reason, "trail");
    equal(close(trades[0]!.exitPrice, 100.5 * 0.995), true);
    const none = run(table(bars), [1], { ...P, tpBps: 100 });
    equal(none.trades[0]!.reason, "end"); // without it, the SL (99.8) is not reached
  });
  await t.step(
    "funding at an 8-hour boundary the position spans; open at the end closes",
    () => {
      const bars: number[][] = [];
      for (let i = 0; i < 481; i++) bars.push([100, 100, 100, 100]);
      // enter at 00:01's close... bar 0 signal: entry at 00:01; boundary 08:00 = bar 480's open
      const { trades, row } = run(table(bars, { funding: 2 }), [1]);
      equal(trades.length, 1);
      equal(trades[0]!.reason, "end");
      // long pays qty * mark * rate = 1 * 100 * 0.0002
      equal(close(trades[0]!.funding, -0.02), true);
      equal(row.n_exit_end, 1);
    },
  );
  await t.step(
    "the settlement at 08:00 charges the 08:00 rate: the funding of the bar opening then",
    () => {
      // a settlement file: the feature table's funding is as of each bar's end, so the
      // 08:00 event (3 bp) first shows in the bar opening at 08:00, the bars before
      // carry the 00:00 rate (2 bp); the simulator's replay settles 08:00 at 3 bp
      // (lib/sim/funding_schedule.ts)
      const bars: number[][] = [];
      for (let i = 0; i < 482; i++) bars.push([100, 100, 100, 100]);
      const f = table(bars, { funding: (i) => i < 480 ? 2 : 3 });
      const { trades } = run(f, [1], P, COSTS, "settlements");
      equal(close(trades[0]!.funding, -0.03), true);
    },
  );
  await t.step(
    "recorded predictions: the settlement at 08:00 charges the last rate before it",
    () => {
      // a table built from logs (book columns): the funding column is the markPrice
      // rows' prediction; the row at 08:00 already predicts 16:00 (3 bp), the 08:00
      // settlement charges the prediction as of the bar ending at 08:00 (2 bp), as the
      // simulator's log replay does (lib/sim/log_source.ts)
      const bars: number[][] = [];
      for (let i = 0; i < 482; i++) bars.push([100, 100, 100, 100]);
      const f = table(bars, { funding: (i) => i < 480 ? 2 : 3 });
      equal(new BotMarket(f, FILTERS).fundingKind, "predictions");
      const { trades } = run(f, [1]);
      equal(close(trades[0]!.funding, -0.02), true);
    },
  );
  await t.step(
    "a table ending at a funding time: the position open at the end pays that settlement",
    () => {
      // bars 00:00-07:59: the last close is 08:00, a funding time
      const bars: number[][] = [];
      for (let i = 0; i < 480; i++) bars.push([100, 100, 100, 100]);
      const f = table(bars, { funding: 2 });
      const end = (kind: FundingSeriesKind, endBps?: number) => {
        const m = new BotMarket(
          f,
          FILTERS,
          undefined,
          undefined,
          undefined,
          kind,
          endBps,
        );
        const sig = new Int8Array(f.bars);
        sig[0] = 1;
        const trades: BotTrade[] = [];
        simulateBot(m, sig, P, COSTS, new Float64Array(N_BOT_METRICS), trades);
        equal(trades[0]!.reason, "end");
        return trades[0]!.funding;
      };
      // recorded predictions: the last one before 08:00, the last bar's (2 bp)
      equal(close(end("predictions"), -0.02), true);
      // a settlement file: the 08:00 event is past the table; given from outside
      equal(close(end("settlements", 3), -0.03), true);
      equal(end("settlements"), 0);
    },
  );
  await t.step(
    "OHLCV tables: --max_funding_bps reads the upcoming settlement's rate, as the replay shows it",
    () => {
      // an OHLCV table with a settlement file: 2 bp settled at 00:00, 8 bp at 08:00 (first
      // in the bar opening at 08:00). The simulator's replay publishes the upcoming
      // settlement's rate (premiumIndex, markPrice's r): 8 bp at every close up to 08:00,
      // then the 16:00 rate (past the table: given from outside, else the last settled)
      const bars: number[][] = [];
      for (let i = 0; i < 482; i++) bars.push([100, 100, 100, 100]);
      const f = table(bars, {
        funding: (i) => i < 480 ? 2 : 8,
        book: false,
      });
      const at = (m: BotMarket) =>
        [0, 478, 479, 480, 481].map((i) => m.features.funding[i]);
      const bare = new BotMarket(f, FILTERS, 2);
      deepEqual(at(bare), [8, 8, 8, 8, 8]);
      const given = new BotMarket(
        f,
        FILTERS,
        "replay",
        undefined,
        undefined,
        undefined,
        4,
      );
      deepEqual(at(given), [8, 8, 8, 4, 4]);
      equal(given.endFunding, NaN); // 08:02 is no funding time
      // the settlements charged are unchanged: 08:00 at 8 bp
      equal(bare.settledFunding[480], 8);
      // a tight blocker between the two rates (5 bp) refuses what the replay's bot refuses
      const key = { k: 0.5, n: 0.5, t: 10, v: 10, maxSpreadBps: 100 };
      const sig = (m: BotMarket, maxFundingBps: number) =>
        buildSignals(m.features, { ...key, maxFundingBps })[0];
      equal(sig(bare, 5), 0);
      equal(sig(bare, 10), 1);
      // a table from recorded logs: the decision reads the recorded prediction as is
      const logs = table(bars, { funding: (i) => i < 480 ? 2 : 8 });
      equal(new BotMarket(logs, FILTERS).features.funding[0], 2);
    },
  );
  await t.step("a size lib/order refuses skips the signal", () => {
    const f = table([[100, 100, 100, 100], [100, 100, 100, 100]]);
    const { trades, row } = run(f, [1], { ...P, orderNotional: 1e7 }); // above maxQty
    equal(trades.length, 0);
    equal(row.n_refused, 1);
  });
});

Deno.test("the live bot's entry guard refuses an upsized entry in the bot model too", () => {
  const f = table([[100, 100, 100, 100], [100, 100, 100, 100]]);
  const guard = {
    band: priceBand({
      symbol: "AAAUSDT",
      multiplierUp: "1.05",
      multiplierDown: "0.95",
    }, 0),
    limits: DEFAULT_ENTRY_LIMITS,
  };
  const run = (notional: number) => {
    const m = new BotMarket(f, FILTERS, undefined, guard);
    const sig = Int8Array.of(1, 0);
    const row = new Float64Array(N_BOT_METRICS);
    simulateBot(m, sig, { ...P, orderNotional: notional }, COSTS, row);
    return [row[4], row[16]];
  };
  // MIN_NOTIONAL 5 makes a 2 USDT target a 5 USDT order: above 2 × 1.1, refused as live
  deepEqual(run(2), [0, 1]);
  deepEqual(run(100), [1, 0]);
});

Deno.test("BotMarket needs --spread_bps exactly for tables without book columns", () => {
  const ohlcv = table([[100, 100, 100, 100]], { book: false });
  throws(() => new BotMarket(ohlcv, FILTERS), BotInputError);
  const m = new BotMarket(ohlcv, FILTERS, 2);
  equal(m.quoteSource, "spread_bps");
  equal(close(m.ask[0]!, 100.01), true);
  equal(Number.isNaN(m.features.spread[0]!), false); // the blockers see the synthetic quote
  throws(
    () => new BotMarket(table([[100, 100, 100, 100]]), FILTERS, 2),
    /book columns/,
  );
});

Deno.test("simulateBot() invariants on a synthetic table: one position, every entry exits once", () => {
  const f = syntheticTable({ bars: 20_000, seed: 3 }).symbols[0]!;
  const filters = orderFilters(parseSymbolInfo({
    symbol: "SYNUSDT",
    status: "TRADING",
    baseAsset: "SYN",
    quoteAsset: "USDT",
    pricePrecision: 2,
    quantityPrecision: 3,
    filters: [
      {
        filterType: "PRICE_FILTER",
        tickSize: "0.01",
        minPrice: "0.01",
        maxPrice: "1000000",
      },
      {
        filterType: "LOT_SIZE",
        stepSize: "0.001",
        minQty: "0.001",
        maxQty: "100000",
      },
    ],
  }));
  const m = new BotMarket(f, filters);
  const sig = buildSignals(m.features, {
    k: 1,
    n: 1,
    t: 10,
    v: 10,
    maxSpreadBps: 50,
    maxFundingBps: 50,
  });
  let checked = 0;
  // one series reused by every run: each run must leave only its own returns
  const series = newBotSeries(m.features.bars);
  for (const trail of [0, 15]) {
    for (const intrabar of ["stop_first", "ohlc"] as const) {
      const row = new Float64Array(N_BOT_METRICS);
      const trades: BotTrade[] = [];
      simulateBot(
        m,
        sig,
        { ...P, tpBps: 30, slBps: 20, trailActivationBps: trail },
        {
          ...COSTS,
          intrabar,
        },
        row,
        trades,
        series,
      );
      checkReturns(m.features, trades, row, series, P.orderNotional);
      let last = -1;
      let net = 0;
      for (const tr of trades) {
        equal(tr.entryBar >= last, true, "entries never overlap a position");
        equal(tr.exitBar > tr.entryBar || tr.reason === "end", true);
        last = tr.exitBar;
        net += tr.pnl;
      }
      equal(trades.length > 20, true, `only ${trades.length} trades`);
      equal(close(net, row[0]!), true);
      checked++;
    }
  }
  equal(checked, 4);
});

/**
 * The per-bar returns against the trades: zero outside the held spans; the running sum at
 * each exit bar is the PnL of the trades closed so far (plus the entry mark of a trade that
 * re-enters on that bar); the total is net PnL / notional; sharpe and moments from them.
 */
function checkReturns(
  f: SymbolFeatures,
  trades: readonly BotTrade[],
  row: Float64Array,
  series: ReturnType<typeof newBotSeries>,
  notional: number,
): void {
  const r = series.rets, n = f.bars;
  const held = new Uint8Array(n);
  for (const t of trades) held.fill(1, t.entryBar, t.exitBar + 1);
  for (let i = 0; i < n; i++) {
    if (!held[i]) equal(r[i], 0, `bar ${i} is flat`);
  }
  const cum = new Float64Array(n);
  let acc = 0;
  for (let i = 0; i < n; i++) cum[i] = acc += r[i]!;
  let closed = 0;
  trades.forEach((t, k) => {
    closed += t.pnl;
    const next = trades[k + 1];
    const reentry = next !== undefined && next.entryBar === t.exitBar
      ? next.side * next.qty * (f.close[t.exitBar]! - next.entryPrice) -
        next.qty * next.entryPrice * COSTS.takerFeeBps / 10_000
      : 0;
    equal(
      close(cum[t.exitBar]! * notional, closed + reentry),
      true,
      `trade ${k}: ${cum[t.exitBar]! * notional} vs ${closed + reentry}`,
    );
  });
  equal(close(acc * notional, row[0]!), true);
  let sum = 0;
  for (const x of r) sum += x;
  const mean = sum / n;
  let ss = 0;
  for (const x of r) ss += (x - mean) ** 2;
  const sharpe = mean / Math.sqrt(ss / (n - 1)) * Math.sqrt(525_600);
  const at = BOT_METRICS.indexOf("sharpe");
  equal(
    Math.abs(row[at]! - sharpe) <= 1e-9 * Math.abs(sharpe),
    true,
    `${row[at]} vs ${sharpe}`,
  );
  const mom = new Float64Array(N_MOMENTS);
  returnMoments(r, n, mom, 0);
  for (let k = 0; k < N_MOMENTS; k++) {
    equal(
      Math.abs(series.stats[k]! - mom[k]!) <= 1e-9 * Math.abs(mom[k]!),
      true,
    );
  }
}
Deno.test("with per-second paths: entry at the recorded touch, exit on the seconds, cooldown from the exit's second", () => {
  const N = NaN;
  // four bars; the table's close 100, the recorded book at bar 0's close 100.0/100.2
  const f = table([
    [100, 100, 100, 100],
    [100, 100.8, 99.9, 100.3],
    [100.3, 100.4, 100.2, 100.3],
    [100.3, 100.4, 100.2, 100.3],
  ]);
  const sec = (s: number, last: number, mark: number, bid: number) => [
    T0 + s * 1000,
    N,
    N,
    N,
    last,
    mark,
    bid,
    bid + 0.2,
    5,
    5,
  ];
  const rec = new Float64Array([
    ...sec(59, 100, 100, 100),
    ...sec(70, 100.5, 100.4, 100.4),
    ...sec(71, 100.8, 100.7, 100.6), // TP 100.2 * 1.004 = 100.6008 -> 100.7 (up): fires
    ...sec(150, 100.3, 100.3, 100.2),
  ]);
  const m = new BotMarket(f, FILTERS, undefined, undefined, rec);
  const sig = new Int8Array([1, 1, 1, 0]);
  const row = new Float64Array(N_BOT_METRICS);
  const trades: BotTrade[] = [];
  // cooldown 48 s: the exit's second ends at T0 + 72 s; bar 1's close (T0 + 120 s) is
  // exactly 48 s later and may enter again (with 1m bars only it could not)
  simulateBot(m, sig, { ...P, cooldownS: 48 }, COSTS, row, trades);
  equal(trades.length, 2);
  const tr = trades[0]!;
  deepEqual([tr.entryPrice, tr.tp, tr.reason, tr.exitBar], [
    100.2,
    100.7,
    "tp",
    1,
  ]);
  equal(tr.exitPrice, 100.4); // the bid before the triggering second's book row
  equal(trades[1]!.entryBar, 1);
  trades.length = 0;
  const series = newBotSeries(f.bars);
  simulateBot(m, sig, { ...P, cooldownS: 49 }, COSTS, row, trades, series);
  deepEqual(trades.map((t) => t.entryBar), [0, 2]);
  checkReturns(f, trades, row, series, P.orderNotional);
  // a position held over several bars is marked at each close, as on 1m bars
  const hold = new BotMarket(f, FILTERS, undefined, undefined, rec);
  const held = newBotSeries(f.bars);
  trades.length = 0;
  simulateBot(
    hold,
    new Int8Array([1, 0, 0, 0]),
    { ...P, tpBps: 500, slBps: 500 },
    COSTS,
    row,
    trades,
    held,
  );
  equal(trades[0]!.reason, "end");
  const q = trades[0]!.qty;
  equal(close(held.rets[2]! * P.orderNotional, q * (100.3 - 100.3)), true);
  equal(close(held.rets[1]! * P.orderNotional, q * (100.3 - 100)), true);
  checkReturns(f, trades, row, held, P.orderNotional);
  // the IOC fills at most the recorded quantity at the touch (0.3 of the 1 ordered)
  const thin = rec.slice();
  thin[9] = 0.3; // second 59's ask quantity
  const partial = new BotMarket(f, FILTERS, undefined, undefined, thin);
  trades.length = 0;
  simulateBot(partial, sig, P, COSTS, row, trades);
  equal(trades[0]!.qty, 0.3);
  equal(
    close(trades[0]!.pnl, 0.3 * (100.4 - 100.2) - 0.3 * (100.2 + 100.4) * 5e-4),
    true,
  );
});

Deno.test("with per-second paths the decision sees the mark the bot has at the close (pushed a second late), with the recorded book", () => {
  const N = NaN;
  const f = table([[100, 100, 100, 100], [100, 100, 100, 100]]);
  const rec = new Float64Array([
    ...[T0 + 57_000, N, N, N, 100, 100.5, 99.9, 100.1, 1, 1],
    // the mark of second 59 is pushed after the bar's close event: the bot has 100.5
    ...[T0 + 59_000, N, N, N, 100, 100, 100, 100.2, 1, 1],
  ]);
  const m = new BotMarket(f, FILTERS, undefined, undefined, rec);
  const q = quoteFeatures(100, 100.2, 100.5);
  equal(m.features.openLossLong[0], q.openLossLongBps);
  equal(m.features.openLossShort[0], q.openLossShortBps);
  equal(m.features.spread[0], q.spreadBps);
  deepEqual([m.bid[0], m.ask[0]], [100, 100.2]);
  // the table itself is untouched
  equal(f.openLossLong[0], (100.1 - 100) / 100 * 1e4);
});
