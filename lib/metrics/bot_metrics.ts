/**
 * The bot's Prometheus metrics (`aster_` prefix, base units, `_total` counters) on a
 * `prom-client` registry, and the state behind `/health`.
 *
 * Two kinds of input, neither of which makes the trading path wait:
 * - events, through small synchronous recorder methods ({@linkcode BotMetrics.decision},
 *   {@linkcode BotMetrics.orderRecord}, {@linkcode BotMetrics.orderPlaced}…) that only
 *   bump counters and never throw;
 * - state, read from a {@linkcode BotView} when a scrape or a health check asks.
 *
 * Labels are bounded: symbols (fixed at start), order types, exchange error codes, a
 * fixed set of decision outcomes, REST call names. Order ids never become labels, and no
 * secret is ever read.
 *
 * @module
 */
import client from "prom-client";
import type { BotView } from "./bot_view.ts";
import { type DecisionLike, decisionOutcome } from "./decision_outcome.ts";
import { type HealthReport, healthReport, SIGNING_BUDGET_S } from "./health.ts";
import { processCollectors } from "./process_metrics.ts";

/** A decision as the metrics see it (a journal row). */
export interface DecisionEvent extends DecisionLike {
  /** Bot clock, epoch ms. */
  readonly timeMs: number;
  readonly symbol: string;
  /** Bars missing before this one. */
  readonly gapBars: number;
}

/** An order-manager record as the metrics see it. */
export interface RecordEvent {
  readonly timeMs: number;
  readonly symbol: string;
  readonly action: string;
  readonly detail: string;
}

/** A user-stream event as the metrics see it (the fields used). */
export type UserEventLike =
  | {
    readonly kind: "orderUpdate";
    readonly status: string;
    readonly origType: string;
  }
  | {
    readonly kind: "accountUpdate";
    readonly transactionTime: number;
    readonly reason: string;
    readonly balances: readonly {
      readonly asset: string;
      readonly balanceChange: string;
    }[];
  }
  | { readonly kind: string };

/** One line of the recent decisions or errors shown by `/health` and `deno task status`. */
export interface RecentLine {
  /** ISO time. */
  readonly time: string;
  readonly symbol: string;
  readonly what: string;
  readonly detail: string;
}

/** Options of {@linkcode BotMetrics}. */
export interface BotMetricsOptions {
  /** `live`, `paper` or `record` (the `component` label of `aster_info`). */
  readonly component: string;
  /** Version string for `aster_info`. @default {"dev"} */
  readonly version?: string;
  /** Export the process metrics (CPU, memory, fds). @default {true} */
  readonly processMetrics?: boolean;
  /** Recent decisions and errors kept for `/health`. @default {10} */
  readonly recent?: number;
  /** A position without a stop on the exchange for longer than this is unhealthy, s. @default {2} */
  readonly unprotectedBudgetS?: number;
  /**
   * Signed requests failing with clock errors (`-1021`) for longer than this is
   * unhealthy, s. @default {SIGNING_BUDGET_S}
   */
  readonly signingBudgetS?: number;
}

const EXIT_PURPOSES = ["tp", "sl", "trail"] as const;
const INPUTS = ["bar", "book", "mark"] as const;
const ERROR_ACTIONS = new Set([
  "setup_failed",
  "entry_rejected",
  "exit_rejected",
  "exit_would_trigger",
  "position_unprotected",
  "market_close_failed",
  "kill_switch_triggered",
  "error",
]);
const DAY_MS = 86_400_000;

/** The metrics of one bot or recorder process; see the module doc. */
export class BotMetrics {
  /** The registry `/metrics` renders. */
  readonly registry: client.Registry;
  #view: BotView | undefined;
  #ready = false;
  #stopping = false;
  #recentN: number;
  #budgetS: number;
  #signingBudgetS: number;
  #decisions: RecentLine[] = [];
  #errors: RecentLine[] = [];
  #unprotectedSince = new Map<string, number>();
  #lastDecisionMs = NaN;
  #funding = { total: 0, day: -1, today: 0 };
  #totals = new Map<string, number>();
  #barClosedAt = new Map<string, number>();
  #m;

  /** @param options see {@linkcode BotMetricsOptions} */
  constructor(options: BotMetricsOptions) {
    this.#recentN = options.recent ?? 10;
    this.#budgetS = options.unprotectedBudgetS ?? 2;
    this.#signingBudgetS = options.signingBudgetS ?? SIGNING_BUDGET_S;
    const r = new client.Registry();
    this.registry = r;
    const gauge = (name: string, help: string, labelNames: string[] = []) =>
      new client.Gauge({ name, help, labelNames, registers: [r] });
    const counter = (name: string, help: string, labelNames: string[] = []) =>
      new client.Counter({ name, help, labelNames, registers: [r] });
    this.#m = {
      info: gauge(
        "aster_info",
        "Constant 1, labelled with the component and version.",
        [
          "component",
          "version",
        ],
      ),
      up: gauge(
        "aster_ready",
        "1 when the bot is started and healthy (see /health), else 0.",
      ),
      trading: gauge(
        "aster_trading_enabled",
        "1 when the bot places orders, 0 in a dry run or the recorder.",
      ),
      // per symbol
      size: gauge(
        "aster_position_size",
        "Absolute position size, base units.",
        ["symbol"],
      ),
      side: gauge(
        "aster_position_side",
        "Position side: 1 long, -1 short, 0 flat.",
        ["symbol"],
      ),
      notional: gauge(
        "aster_position_notional_usd",
        "Position notional at the mark price, USD.",
        ["symbol"],
      ),
      upnl: gauge(
        "aster_position_unrealized_pnl_usd",
        "Unrealized PnL at the mark price, USD.",
        ["symbol"],
      ),
      entry: gauge(
        "aster_position_entry_price",
        "Entry price of the open position (0 when flat).",
        ["symbol"],
      ),
      stop: gauge(
        "aster_position_stop_on_exchange",
        "1 when the open position's stop-loss is on the exchange (or flat), 0 while it is unprotected.",
        ["symbol"],
      ),
      exits: gauge(
        "aster_position_exit_orders",
        "Exit orders known on the exchange, by purpose.",
        ["symbol", "purpose"],
      ),
      unprot: gauge(
        "aster_position_unprotected_seconds",
        "Seconds the open position has been without a stop on the exchange (0 when protected or flat).",
        ["symbol"],
      ),
      cooldown: gauge(
        "aster_cooldown_remaining_seconds",
        "Seconds until entries are allowed again after an exit.",
        ["symbol"],
      ),
      funding: gauge(
        "aster_next_funding_timestamp_seconds",
        "Next funding time, Unix seconds.",
        ["symbol"],
      ),
      fundingRate: gauge(
        "aster_funding_rate",
        "Current funding rate (fraction per interval).",
        ["symbol"],
      ),
      mark: gauge("aster_mark_price", "Mark price.", ["symbol"]),
      age: gauge(
        "aster_input_age_seconds",
        "Age of the bot's inputs (bar, book, mark) since they were received, s.",
        ["symbol", "input"],
      ),
      stale: gauge(
        "aster_input_stale",
        "1 when the input is older than the bot's budget.",
        ["symbol", "input"],
      ),
      decisions: counter(
        "aster_decisions_total",
        "Evaluations of closed bars, by outcome (the strategy's no-signal reason, a blocker, stale, signal…).",
        ["symbol", "outcome"],
      ),
      lastDecision: gauge(
        "aster_last_decision_timestamp_seconds",
        "Unix time of the last evaluation (the start time before the first).",
      ),
      barGaps: counter(
        "aster_bar_gaps_total",
        "Closed 1m bars missing before an evaluated bar.",
        ["symbol"],
      ),
      // account
      wallet: gauge(
        "aster_wallet_balance_usd",
        "Total wallet balance at the last account read, USD.",
      ),
      marginBal: gauge(
        "aster_margin_balance_usd",
        "Total margin balance at the last account read, USD.",
      ),
      maint: gauge(
        "aster_maint_margin_usd",
        "Total maintenance margin at the last account read, USD.",
      ),
      ratio: gauge(
        "aster_margin_ratio",
        "Margin balance / maintenance margin at the last account read (+Inf without maintenance margin).",
      ),
      killThreshold: gauge(
        "aster_kill_threshold",
        "The kill switch trips at aster_margin_ratio <= this.",
      ),
      kill: gauge(
        "aster_kill_switch_tripped",
        "1 while the kill switch blocks entries.",
      ),
      realized: gauge(
        "aster_realized_pnl_usd",
        "Realized PnL of the fills, USD, since start and for the current UTC day.",
        ["period"],
      ),
      fees: gauge(
        "aster_fees_usd",
        "Commissions paid, USD, since start and for the current UTC day.",
        ["period"],
      ),
      fundingPaid: gauge(
        "aster_funding_usd",
        "Funding received (+) or paid (-), USD, since start and for the current UTC day.",
        ["period"],
      ),
      // orders
      submitted: counter(
        "aster_orders_submitted_total",
        "Orders sent to the exchange, by type.",
        ["type"],
      ),
      filled: counter(
        "aster_orders_filled_total",
        "Orders reported FILLED by the user stream, by type.",
        ["type"],
      ),
      rejected: counter(
        "aster_orders_rejected_total",
        "Orders the exchange refused, by type and exchange error code.",
        ["type", "code"],
      ),
      unknown: counter(
        "aster_orders_unknown_total",
        "Orders whose reply was lost (outcome unknown), by type.",
        ["type"],
      ),
      resolved: counter(
        "aster_orders_unknown_resolved_total",
        "Unknown outcomes resolved by a query of the client id.",
      ),
      records: counter(
        "aster_order_events_total",
        "Order-manager records, by action.",
        ["action"],
      ),
      // plumbing
      streamUp: gauge(
        "aster_stream_connected",
        "1 when the WebSocket stream is connected.",
        ["stream"],
      ),
      reconnects: counter(
        "aster_stream_reconnects_total",
        "WebSocket reconnects.",
        ["stream"],
      ),
      silences: counter(
        "aster_stream_silences_total",
        "Reconnects caused by a stream silent past its budget (a gap in the data).",
        ["stream"],
      ),
      weight: gauge(
        "aster_rest_weight_used",
        "REST request weight used in the current minute.",
      ),
      weightLimit: gauge(
        "aster_rest_weight_limit",
        "REST request weight limit per minute.",
      ),
      limited: counter("aster_rest_rate_limited_total", "HTTP 429 answers."),
      banned: counter("aster_rest_banned_total", "HTTP 418 answers (IP bans)."),
      offset: gauge(
        "aster_clock_offset_seconds",
        "Exchange clock minus local clock, s.",
      ),
      signingFailing: gauge(
        "aster_signing_failing_seconds",
        "How long signed requests have kept failing with clock errors (-1021, V3 nonce window), s; 0 while accepted.",
      ),
      clockErrors: counter(
        "aster_signing_clock_errors_total",
        "Signed requests answered with a clock error (-1021, V3 nonce window), also those a resync then cured.",
      ),
      rows: counter(
        "aster_recorder_rows_written_total",
        "Rows the recorder appended, by file.",
        ["file"],
      ),
      dropped: counter(
        "aster_recorder_rows_dropped_total",
        "Rows the recorder lost to a failed write, by file (nothing is written after one).",
        ["file"],
      ),
      latency: new client.Histogram({
        name: "aster_bar_to_order_seconds",
        help:
          "From the closed-kline event to the entry order being sent, s (bot clock).",
        buckets: [
          0.001,
          0.0025,
          0.005,
          0.01,
          0.025,
          0.05,
          0.1,
          0.25,
          0.5,
          1,
          2.5,
        ],
        registers: [r],
      }),
      rest: new client.Histogram({
        name: "aster_rest_request_duration_seconds",
        help: "Round trip of the bot's trading REST calls, s.",
        labelNames: ["call"],
        buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [r],
      }),
    };
    this.#m.info.set({
      component: options.component,
      version: options.version ?? "dev",
    }, 1);
    // unknown until read: NaN, so that no alert compares against a made-up 0 (a dry run
    // never reads the account; paper trading has no clock offset to measure)
    const m = this.#m;
    for (
      const g of [
        m.wallet,
        m.marginBal,
        m.maint,
        m.ratio,
        m.killThreshold,
        m.offset,
      ]
    ) {
      g.set(NaN);
    }
    if (options.processMetrics ?? true) processCollectors(r);
  }

  // ---- wiring ---------------------------------------------------------------------

  /** Attaches the running bot's read side (call once it exists). */
  attach(view: BotView): void {
    this.#view = view;
    if (Number.isNaN(this.#lastDecisionMs)) this.#lastDecisionMs = view.nowMs();
  }

  /** Marks the bot ready (started, account adopted) or not. */
  setReady(ready: boolean): void {
    this.#ready = ready;
  }

  /** Marks the bot stopping (not ready from now on). */
  setStopping(): void {
    this.#stopping = true;
  }

  // ---- events (synchronous, never throw) -------------------------------------------

  /** One evaluation of a closed bar. */
  decision(row: DecisionEvent): void {
    try {
      const outcome = decisionOutcome(row);
      this.#m.decisions.inc({ symbol: row.symbol, outcome });
      if (row.gapBars > 0) {
        this.#m.barGaps.inc({ symbol: row.symbol }, row.gapBars);
      }
      this.#lastDecisionMs = row.timeMs;
      this.#push(this.#decisions, {
        time: iso(row.timeMs),
        symbol: row.symbol,
        what: outcome,
        detail: row.action === "none"
          ? ""
          : `${row.action} ${row.detail}`.trim(),
      });
    } catch { /* metrics never break the bot */ }
  }

  /** One order-manager record (an action it took). */
  orderRecord(r: RecordEvent): void {
    try {
      this.#m.records.inc({ action: r.action });
      if (r.action === "entry_resolved") this.#m.resolved.inc();
      if (ERROR_ACTIONS.has(r.action)) {
        this.#push(this.#errors, {
          time: iso(r.timeMs),
          symbol: r.symbol,
          what: r.action,
          detail: r.detail.slice(0, 200),
        });
      }
      this.#trackProtection();
    } catch { /* metrics never break the bot */ }
  }

  /** An order placement and its outcome (from the metered exchange port). */
  orderPlaced(
    type: string,
    outcome:
      | { readonly kind: "placed" }
      | { readonly kind: "rejected"; readonly code: number }
      | { readonly kind: "unknown" },
  ): void {
    this.#m.submitted.inc({ type });
    if (outcome.kind === "rejected") {
      this.#m.rejected.inc({ type, code: String(outcome.code) });
    } else if (outcome.kind === "unknown") this.#m.unknown.inc({ type });
  }

  /** The round trip of one trading REST call, ms. */
  restCall(call: string, ms: number): void {
    this.#m.rest.observe({ call }, ms / 1000);
  }

  /** A closed-kline event of `symbol` arrived at bot-clock time `nowMs`. */
  barClosed(symbol: string, nowMs: number): void {
    this.#barClosedAt.set(symbol, nowMs);
  }

  /**
   * An entry order of `symbol` is being sent at bot-clock time `nowMs`: observes the
   * latency since the symbol's last closed-kline event (once per bar).
   */
  entrySent(symbol: string, nowMs: number): void {
    const at = this.#barClosedAt.get(symbol);
    if (at === undefined) return;
    this.#barClosedAt.delete(symbol);
    const ms = nowMs - at;
    if (ms >= 0 && Number.isFinite(ms)) this.#m.latency.observe(ms / 1000);
  }

  /** An account read (the kill-switch check). Values are decimal strings. */
  account(a: {
    totalMarginBalance: string;
    totalMaintMargin: string;
    totalWalletBalance?: string;
  }): void {
    const mb = Number(a.totalMarginBalance);
    const mm = Number(a.totalMaintMargin);
    this.#m.marginBal.set(mb);
    this.#m.maint.set(mm);
    this.#m.ratio.set(mm > 0 ? mb / mm : Infinity);
    if (a.totalWalletBalance !== undefined) {
      this.#m.wallet.set(Number(a.totalWalletBalance));
    }
  }

  /** A user-stream event: fills by type and funding payments. */
  userEvent(e: UserEventLike): void {
    try {
      if (e.kind === "orderUpdate" && "status" in e && e.status === "FILLED") {
        this.#m.filled.inc({ type: e.origType });
      } else if (
        e.kind === "accountUpdate" && "reason" in e &&
        e.reason === "FUNDING_FEE"
      ) {
        const sum = e.balances.reduce(
          (a, b) => a + (Number(b.balanceChange) || 0),
          0,
        );
        const day = Math.floor(e.transactionTime / DAY_MS);
        if (day !== this.#funding.day) {
          this.#funding.day = day;
          this.#funding.today = 0;
        }
        this.#funding.total += sum;
        this.#funding.today += sum;
      }
    } catch { /* metrics never break the bot */ }
  }

  /** Re-reads the protection state (call from the housekeeping tick). */
  tick(): void {
    try {
      this.#trackProtection();
    } catch { /* metrics never break the bot */ }
  }

  // ---- reads ----------------------------------------------------------------------

  /** The exposition text (refreshes the state gauges first). */
  async render(): Promise<string> {
    this.#refresh();
    return await this.registry.metrics();
  }

  /** The exposition content type. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** The `/health` report. */
  health(): HealthReport {
    const v = this.#view;
    const now = v?.nowMs() ?? Date.now();
    this.#trackProtection();
    return healthReport({
      view: v,
      nowMs: now,
      started: this.#ready,
      stopping: this.#stopping,
      unprotectedSince: this.#unprotectedSince,
      unprotectedBudgetS: this.#budgetS,
      signingBudgetS: this.#signingBudgetS,
      pnl: this.#pnl(now),
      recentDecisions: this.#decisions,
      recentErrors: this.#errors,
      lastDecisionMs: this.#lastDecisionMs,
    });
  }

  // ---- internals ------------------------------------------------------------------

  /** Brings a counter up to a total counted elsewhere (a stream's own count). */
  #count(
    c: client.Counter,
    labels: Record<string, string>,
    total: number,
  ): void {
    const key = `${(c as unknown as { name: string }).name}${
      JSON.stringify(labels)
    }`;
    const delta = total - (this.#totals.get(key) ?? 0);
    if (delta > 0) {
      c.inc(labels, delta);
      this.#totals.set(key, total);
    } else if (!this.#totals.has(key)) {
      c.inc(labels, 0);
      this.#totals.set(key, 0);
    }
  }

  #push(list: RecentLine[], line: RecentLine): void {
    list.push(line);
    if (list.length > this.#recentN) list.shift();
  }

  /** Reads which positions are without a stop, and since when, from the view. */
  #trackProtection(): void {
    const v = this.#view;
    if (!v?.unprotected) return;
    this.#unprotectedSince.clear();
    for (const u of v.unprotected()) {
      this.#unprotectedSince.set(u.symbol, u.sinceMs);
    }
  }

  #pnl(nowMs: number) {
    const dayStart = Math.floor(nowMs / DAY_MS) * DAY_MS;
    const none = { realizedPnl: 0, fees: 0 };
    const t = this.#view?.fillTotals?.(dayStart) ?? { start: none, day: none };
    return {
      start: {
        realized: t.start.realizedPnl,
        fees: t.start.fees,
        funding: this.#funding.total,
      },
      day: {
        realized: t.day.realizedPnl,
        fees: t.day.fees,
        funding: this.#funding.day === Math.floor(nowMs / DAY_MS)
          ? this.#funding.today
          : 0,
      },
    };
  }

  #refresh(): void {
    const m = this.#m;
    const v = this.#view;
    if (!v) {
      m.up.set(0);
      return;
    }
    const now = v.nowMs();
    this.#trackProtection();
    m.up.set(this.health().ready ? 1 : 0);
    m.trading.set(v.trading ? 1 : 0);
    m.lastDecision.set(this.#lastDecisionMs / 1000);
    for (const s of v.symbols) {
      const i = v.inputs(s);
      const ages = { bar: i.barMs, book: i.bookMs, mark: i.markMs };
      for (const k of INPUTS) {
        m.age.set({ symbol: s, input: k }, ages[k] / 1000);
        m.stale.set({ symbol: s, input: k }, i.stale.includes(k) ? 1 : 0);
      }
      if (i.mark) {
        m.mark.set({ symbol: s }, i.mark.price);
        m.fundingRate.set({ symbol: s }, i.mark.fundingRate);
        m.funding.set({ symbol: s }, i.mark.nextFundingTimeMs / 1000);
      }
      if (v.position) {
        const p = v.position(s);
        const markPrice = i.mark?.price ?? NaN;
        m.size.set({ symbol: s }, Math.abs(p.amount));
        m.side.set({ symbol: s }, Math.sign(p.amount));
        m.entry.set({ symbol: s }, p.entryPrice);
        m.notional.set({ symbol: s }, Math.abs(p.amount) * markPrice || 0);
        m.upnl.set(
          { symbol: s },
          p.amount === 0 ? 0 : (markPrice - p.entryPrice) * p.amount,
        );
        m.stop.set(
          { symbol: s },
          p.amount === 0 || !this.#unprotectedSince.has(s) ? 1 : 0,
        );
        for (const purpose of EXIT_PURPOSES) {
          m.exits.set(
            { symbol: s, purpose },
            p.exits.filter((e) => e.purpose === purpose).length,
          );
        }
        const since = this.#unprotectedSince.get(s);
        m.unprot.set(
          { symbol: s },
          since === undefined ? 0 : (now - since) / 1000,
        );
        m.cooldown.set(
          { symbol: s },
          Math.max(0, (p.cooldownUntilMs - now) / 1000),
        );
      }
    }
    if (v.killSwitch) {
      m.kill.set(v.killSwitch().tripped ? 1 : 0);
    }
    if (v.killThreshold !== undefined) m.killThreshold.set(v.killThreshold);
    if (v.fillTotals) {
      const pnl = this.#pnl(now);
      for (const period of ["start", "day"] as const) {
        const label = {
          period: period === "start" ? "since_start" : "utc_day",
        };
        m.realized.set(label, pnl[period].realized);
        m.fees.set(label, pnl[period].fees);
        m.fundingPaid.set(label, pnl[period].funding);
      }
    }
    const st = v.streams();
    for (const [name, sv] of Object.entries(st)) {
      if (!sv) continue;
      m.streamUp.set({ stream: name }, sv.connected ? 1 : 0);
      this.#count(m.reconnects, { stream: name }, sv.reconnects);
      this.#count(m.silences, { stream: name }, sv.silences);
    }
    const rest = v.rest?.();
    if (rest) {
      m.weight.set(rest.used);
      m.weightLimit.set(rest.limit);
      this.#count(m.limited, {}, rest.rateLimited);
      this.#count(m.banned, {}, rest.banned);
    }
    const off = v.clockOffsetMs?.();
    m.offset.set(off === undefined ? NaN : off / 1000);
    const signing = v.signing?.();
    if (signing) {
      m.signingFailing.set(signing.failingMs / 1000);
      this.#count(m.clockErrors, {}, signing.clockErrors);
    }
    const rows = v.recorderRows?.();
    if (rows) {
      for (const [file, n] of Object.entries(rows)) {
        this.#count(m.rows, { file }, n);
      }
    }
    const dropped = v.recorderDropped?.();
    if (dropped) {
      for (const [file, n] of Object.entries(dropped)) {
        this.#count(m.dropped, { file }, n);
      }
    }
  }
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : "";
}
