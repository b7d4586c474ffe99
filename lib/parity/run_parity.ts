/**
 * `deno task parity`: the same 1m OHLCV data given to the live bot through the
 * simulator's replay (paper trading, in process) and to the bot-model backtest through
 * the feature builder, then compared trade by trade ({@linkcode compareTrades}). Writes
 * `parity.json`, the feature tables, the paper run's journal and both trade lists into
 * the output directory. The file and network edge of `lib/parity`.
 *
 * Both sides see one convention (`lib/sim/ohlcv_source.ts`): the replay's path through
 * each bar (open → low → high → close in an up bar; the backtest runs with `intrabar:
 * "ohlc"`), a book one tick around the last trade (the backtest's touch: the same book
 * after the bar's last trade, {@linkcode parityMarket}),
 * the mark equal to the last price, and funding settled every 8 hours: at the rates of the
 * `funding` files (given to the replay and to the feature builder alike), or at a constant
 * 1 bp (written into the feature tables) without them. Staleness budgets are widened to
 * the speed, as the backtest has no notion of a late event. PnL is compared net of fees
 * and funding: the paper side's funding is the account's income history (FUNDING_FEE
 * rows, as the exchange reports it), each payment on the trade open at its time. The
 * paper trades are rebuilt from the account's trade list (`GET /userTrades`), not from
 * the fills the bot's user stream delivered, so a fill made while the stream was down
 * (the close at the run's end, right after the exchange's 24 h connection limit) counts.
 *
 * @module
 */
import { dirname } from "node:path";
import {
  parseExchangeInfo,
  type SymbolInfo,
} from "../exchange/exchange_info.ts";
import { buildFeatureFile } from "../features/feature_files.ts";
import { checkLiveConfig } from "../live/live_config.ts";
import type { LiveConfig } from "../live/live_session.ts";
import { runLiveSession } from "../live/live_session.ts";
import type { JournalRow } from "../live/journal.ts";
import {
  fundingPayments,
  paperClient,
  startPaperExchange,
} from "../live/paper_exchange.ts";
import { accountFills } from "../live/account_fills.ts";
import { ManualClock } from "../sim/clock.ts";
import { sleepReal } from "../time/clock.ts";
import {
  DecisionBarrier,
  DEFAULT_LOCKSTEP,
  driveLockstep,
  type LockstepOptions,
  lockstepStart,
  replayDeciders,
} from "../live/lockstep.ts";
import { orderFilters } from "../order/filters.ts";
import {
  DEFAULT_ENTRY_LIMITS,
  type EntryLimits,
  priceBand,
} from "../order/entry_guard.ts";
import { OHLCV_FUNDING_RATE } from "../sim/ohlcv_source.ts";
import type { SimFaults, SourceSpec } from "../sim/mod.ts";
import { secondFileOf } from "../features/second_series.ts";
import { loadSeconds } from "../backtest/bot_model/run_bot.ts";
import { readFeatureTable } from "../backtest/read_feature_table.ts";
import type { SymbolFeatures } from "../backtest/feature_table.ts";
import { sliceSymbol } from "../backtest/walk_forward.ts";
import { buildSignals } from "../backtest/signals.ts";
import { BotMarket } from "../backtest/bot_model/bot_market.ts";
import {
  settledFundingBar,
  upcomingSettlement,
} from "../features/funding_rule.ts";
import {
  type BotTrade,
  N_BOT_METRICS,
  simulateBot,
} from "../backtest/bot_model/simulate_bot.ts";
import {
  compareTrades,
  paperTrades,
  type ParityResult,
  type ParityTrade,
} from "./compare.ts";

/** Options of {@linkcode runParity}. */
export interface ParityOptions {
  /** OHLCV files by symbol (ignored with `logDir`). */
  readonly files: Readonly<Record<string, string>>;
  /** Funding-rate files (`funding_time,funding_rate`) by symbol; absent: 1 bp per 8 h. */
  readonly funding?: Readonly<Record<string, string>>;
  /**
   * A recorded log directory instead of OHLCV files: the paper bot trades the simulator's
   * replay of the logs, the backtest runs on the table and per-second file built from them.
   */
  readonly logDir?: string;
  /** The bot's config (symbols, strategy, exits, notional, cooldown). */
  readonly config: LiveConfig;
  /** Simulated minutes of paper trading. */
  readonly minutes: number;
  /** Simulator speed. */
  readonly speed: number;
  /** Output directory. */
  readonly outDir: string;
  /**
   * Lockstep (the default): the simulator's clock is stepped by `stepMs` of sim time and
   * the bot gets `settleMs` of real time after each step (see `lockstep.ts`); `speed` is
   * then unused. `false`: the simulator runs on a scaled real-time clock at `speed`.
   */
  readonly lockstep?: LockstepOptions | false;
  /** Status lines. */
  readonly onStatus?: (line: string) => void;
  /**
   * Fault injection (tests): called with the simulator's faults and the sim time each
   * time the lockstep clock moves, before the bot sees the new time (lockstep only).
   */
  readonly simFaults?: (faults: SimFaults, now: number) => void;
}

/** What a parity run found. */
export interface ParitySummary extends ParityResult {
  /** Trading window, ISO times. */
  readonly window: { readonly start: string; readonly end: string };
  /** Funding of the backtest's trades, USDT (in `pnl_backtest`). */
  readonly "funding_backtest": number;
  /** Funding the paper account received (+) or paid (-), USDT (in `pnl_paper`). */
  readonly "funding_paper": number;
  /** Paper signals skipped as stale (should be 0). */
  readonly "paper_stale_skips": number;
  /**
   * Paper fills the bot's user stream never delivered (counted from the account's trade
   * list, `GET /userTrades`, which the paper trades are rebuilt from).
   */
  readonly "paper_fills_missed_by_stream": number;
  /** Paper positions still open after the run (trades with reason `open`; should be 0). */
  readonly "paper_open_at_end": number;
}

const BAR = 60_000;
/** A log replay's staleness budget on both sides (the feature builder's default). */
const LOG_STALENESS_MS = 60_000;

/** Runs the paper session and the backtest and compares them. */
export async function runParity(
  options: ParityOptions,
): Promise<ParitySummary> {
  const status = options.onStatus ?? (() => {});
  const c = options.config;
  const dir = options.outDir;
  // the outermost directory this run creates (removed again on a bad replay file)
  let created: string | undefined;
  for (let d = dir; !(await Deno.stat(d).then(() => true, () => false));) {
    created = d;
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  await Deno.mkdir(dir, { recursive: true });
  // 1. the feature tables, with the replay's funding (its files, or the constant rate;
  // from logs: one table with its per-second file); an unreadable replay file leaves
  // nothing of this run behind
  const written: string[] = [];
  const logDir = options.logDir;
  const discard = async () => {
    for (const path of written) await Deno.remove(path).catch(() => {});
    if (created !== undefined) {
      await Deno.remove(created, { recursive: true }).catch(() => {});
    }
  };
  try {
    if (logDir !== undefined) {
      const table = `${dir}/features.csv`;
      written.push(table, secondFileOf(table));
      await buildFeatureFile({ logDir }, table, {
        windows: [c.params.t],
        volWindows: [c.params.v],
        maxStalenessMs: LOG_STALENESS_MS,
      });
    }
    for (const s of logDir === undefined ? c.symbols : []) {
      let funding = options.funding?.[s];
      if (funding === undefined) {
        funding = `${dir}/${s}_funding.csv`;
        written.push(funding);
        await Deno.writeTextFile(
          funding,
          `funding_time,funding_rate\n0,${OHLCV_FUNDING_RATE}\n`,
        );
      }
      written.push(`${dir}/${s}_features.csv`);
      await buildFeatureFile(
        { ohlcv: options.files[s]!, symbol: s, funding },
        `${dir}/${s}_features.csv`,
        { windows: [c.params.t], volWindows: [c.params.v] },
      );
    }
  } catch (error) {
    await discard();
    throw error;
  }
  const logTable = logDir === undefined
    ? undefined
    : await readFeatureTable(`${dir}/features.csv`);
  const perSecond = logTable === undefined
    ? undefined
    : await loadSeconds(`${dir}/features.csv`, logTable);
  // 2. paper trading on the replay
  // a log replay: the feature table's staleness rule (a book or mark up to 60 s old at
  // the bar's end is used), so both sides skip the same stale quotes
  const budget = Math.max(
    logDir === undefined ? 5_000 : LOG_STALENESS_MS,
    250 * options.speed,
  );
  const config: LiveConfig = {
    ...c,
    enableTrading: true,
    closeOnExit: true,
    journalPath: "",
    budgets: {
      barMs: Math.max(c.budgets.barMs, 2 * budget),
      bookMs: budget,
      markMs: budget,
    },
  };
  checkLiveConfig(config);
  const historyMinutes = Math.max(240, Math.max(c.params.t, c.params.v) + 10);
  const lockstep = options.lockstep ?? DEFAULT_LOCKSTEP;
  const source: SourceSpec = logDir !== undefined ? { kind: "logs", logDir } : {
    kind: "ohlcv",
    files: { ...options.files },
    ...(options.funding ? { funding: { ...options.funding } } : {}),
  };
  const manual = lockstep
    ? new ManualClock(await lockstepStart(source, historyMinutes))
    : undefined;
  // a replay the simulator refuses (e.g. a funding file that starts too late) leaves
  // nothing of this run behind either
  await using exchange = await startPaperExchange({
    symbols: c.symbols,
    source,
    speed: options.speed,
    historyMinutes,
    ...(manual ? { manualClock: manual } : {}),
  }).catch(async (error) => {
    await discard();
    throw error;
  });
  const injectFaults = options.simFaults;
  if (manual && injectFaults) {
    manual.onMove((now) => injectFaults(exchange.sim.faults, now));
  }
  const journal = new Map<string, JournalRow>();
  const barrier = new DecisionBarrier(
    c.symbols.length,
    undefined,
    replayDeciders(exchange.sim.market, c.symbols),
  );
  const start = exchange.sim.clock.now();
  status(
    `paper: ${options.minutes} simulated minutes ${
      lockstep
        ? `in lockstep (${lockstep.stepMs} ms steps)`
        : `at speed ${options.speed}`
    } from ${new Date(start).toISOString()}`,
  );
  let ready = false, done = false;
  // a log replay stops at the logs' last bar
  const durationMs = Math.min(
    options.minutes * 60_000,
    logTable === undefined ? Infinity : Math.max(
      60_000,
      Math.max(...logTable.symbols.map((f) => f.ts[f.bars - 1]! + BAR)) -
        start,
    ),
  );
  const session = runLiveSession({
    ...config,
    restUrl: exchange.sim.restUrl,
    wsUrl: exchange.sim.wsUrl,
  }, {
    credentials: exchange.credentials,
    clock: exchange.clock,
    serverNow: () => exchange.sim.clock.now(),
    marketSilenceBudgetMs: exchange.silenceBudgetMs,
    resolveDelaysMs: [50, 100, 200, 400],
    durationMs,
    onDecision: (row) => {
      journal.set(`${row.symbol}|${row.barOpenTime}`, row);
      barrier.decided(row.barOpenTime);
    },
    onSession: (session) => {
      barrier.follow(session);
    },
    onReady: () => {
      ready = true;
    },
  }).finally(() => {
    done = true;
  });
  if (manual && lockstep) {
    await driveLockstep(
      manual,
      lockstep,
      () => ready,
      () => done,
      async (now) => {
        await barrier.idle(now);
        if (now < start + durationMs) return;
        // the run's end: the clock waits while the session closes its positions, so
        // they close at the end's prices whatever the machine's pace (capped at 5 s)
        const until = performance.now() + 5_000;
        while (!done && performance.now() < until) await sleepReal(2);
      },
    );
  }
  const summary = await session;
  const end = exchange.sim.clock.now();
  const info = parseExchangeInfo(
    await (await fetch(`${exchange.sim.restUrl}/fapi/v1/exchangeInfo`)).json(),
  );
  const payments = await fundingPayments(exchange, c.symbols, start, end);
  // the account's fills as the exchange records them: the user stream may have missed
  // some (e.g. the end-of-run close right after the 24 h connection limit dropped it)
  const fills = await accountFills(
    paperClient(exchange),
    c.symbols,
    start,
    end,
    summary.fills.fills,
  );
  const paper = paperTrades(fills.fills, payments);
  // 3. the backtest of the same window
  const backtest: ParityTrade[] = [];
  let fundingBt = 0;
  for (const s of c.symbols) {
    const table = logTable ??
      await readFeatureTable(`${dir}/${s}_features.csv`);
    const full = table.symbols.find((x) => x.symbol === s);
    if (full === undefined) {
      throw new RangeError(`Cannot compare ${s}: no bars of it in the replay`);
    }
    // the bars closed by the end (a position still open is closed at the last close)
    const f = sliceSymbol(full, -Infinity, end - BAR + 1);
    const n = f.bars;
    const si = info.symbols.find((x) => x.symbol === s)!;
    // the first settlement at or after the run's end: an OHLCV table shows its rate only
    // in a bar after the end, so it is read from the whole table (a run ending at a
    // funding time pays it; the replay shows it to the decisions after the last one)
    const endT = n > 0 ? f.ts[n - 1]! + BAR : NaN;
    const kEnd = logDir === undefined && endT === endT
      ? settledFundingBar(full.ts, upcomingSettlement(endT), "settlements")
      : -1;
    const m = parityMarket(
      f,
      si,
      c.entryLimits ?? DEFAULT_ENTRY_LIMITS,
      perSecond?.records.get(s),
      kEnd >= 0 ? full.funding[kEnd] : undefined,
    );
    const sig = buildSignals(m.features, c.params);
    for (let i = 0; i < n; i++) {
      const close = f.ts[i]! + BAR;
      if (close <= start || close >= end) sig[i] = 0;
    }
    const trades: BotTrade[] = [];
    simulateBot(
      m,
      sig,
      {
        tpBps: c.tpBps,
        slBps: c.slBps,
        trailActivationBps: c.trailing?.activationBps ?? 0,
        trailCallbackPct: c.trailing?.callbackPct ?? 0.5,
        cooldownS: c.cooldownMs / 1000,
        orderNotional: c.orderNotional,
      },
      { takerFeeBps: 3.5, exitSlippageBps: 0, intrabar: "ohlc" },
      new Float64Array(N_BOT_METRICS),
      trades,
    );
    for (const t of trades) {
      fundingBt += t.funding;
      backtest.push({
        symbol: s,
        side: t.side,
        entryBar: f.ts[t.entryBar]!,
        // the minute the exit happened in, as the paper side counts it (with per-second
        // paths it may be a recorder gap's minute, which is no bar of the table)
        exitBar: t.exitTime === t.exitTime
          ? Math.floor(t.exitTime / BAR) * BAR
          : f.ts[t.exitBar]!,
        reason: t.reason,
        entryPrice: t.entryPrice,
        qty: t.qty,
        pnl: t.pnl,
        funding: t.funding,
      });
    }
  }
  const result = compareTrades(paper, backtest);
  const withRows = result.divergences.map((d) => ({
    ...d,
    journal: journalRow(journal.get(`${d.symbol}|${Date.parse(d.entryBar)}`)),
  }));
  const out: ParitySummary = {
    ...result,
    divergences: withRows,
    window: {
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
    },
    "funding_backtest": fundingBt,
    "funding_paper": payments.reduce((a, p) => a + p.amount, 0),
    "paper_stale_skips": summary.staleSkips,
    "paper_fills_missed_by_stream": fills.missedByStream,
    "paper_open_at_end": paper.filter((t) => t.reason === "open").length,
  };
  await Deno.writeTextFile(
    `${dir}/parity.json.partial`,
    JSON.stringify({ ...out, paper, backtest }, null, 2),
  );
  await Deno.rename(`${dir}/parity.json.partial`, `${dir}/parity.json`);
  return out;
}

/**
 * The bot model's market of one symbol as parity prepares it: the symbol's filters and
 * entry guard from the simulator's `exchangeInfo`; with per-second records (a log replay)
 * the recorded book, else the OHLCV replay's own book at each close (`"replay"`: the
 * touch the paper bot's entry IOC takes, and the spread its blockers see);
 * `endSettlementBps`: the rate of the first settlement at or after the table's end (see
 * `BotMarket`).
 */
export function parityMarket(
  f: SymbolFeatures,
  si: SymbolInfo,
  limits: EntryLimits,
  seconds?: Float64Array,
  endSettlementBps?: number,
): BotMarket {
  return new BotMarket(
    f,
    orderFilters(si),
    seconds === undefined ? "replay" : undefined,
    { band: priceBand(si, limits.maxPriceDeviationBps), limits },
    seconds,
    undefined,
    endSettlementBps,
  );
}

function journalRow(
  row: JournalRow | undefined,
): Record<string, unknown> | undefined {
  if (row === undefined) return undefined;
  const d = row.decision;
  return {
    time: new Date(row.timeMs).toISOString(),
    close: row.close,
    bid: row.bid,
    ask: row.ask,
    mark: row.mark,
    signal: d.side,
    reason: d.reason,
    "ret_bps": d.retBps,
    "threshold_bps": d.threshold,
    stale: row.stale.join("+"),
    action: row.action,
  };
}
