/**
 * The order manager: one position per symbol, taker IOC entries with derived client ids,
 * reduce-only exchange-side exits sized to the filled quantity, a market close when an
 * exit is crossed (`-2021`) or refused for good (precision, filters, limits), sibling
 * cleanup, cooldown, unknown-outcome handling, account setup, the
 * margin kill switch, and adoption/reconciliation against the exchange. I/O only through
 * the injected {@linkcode ExchangePort}; time only through the injected clock.
 *
 * @module
 */
import { Decimal } from "decimal.js";
import type { SymbolInfo } from "../exchange/exchange_info.ts";
import { clientOrderId, type OrderPurpose } from "./client_ids.ts";
import {
  type Direction,
  entryPrice,
  entryQuantity,
  exitLevels,
  marketCloseQuantity,
  orderFilters,
  OrderSizeError,
  trailingParams,
} from "./filters.ts";
import {
  exitOrderSpec,
  type ExitPurpose,
  exitPurpose,
  exitSide,
} from "./exit_orders.ts";
import { type ExitOrder, SymbolState } from "./_symbol_state.ts";
import { FillMemory } from "./order_memory.ts";
import {
  checkEntry,
  type EntryLimits,
  type PriceBand,
  priceBand,
} from "./entry_guard.ts";
import { DEFAULT_MAX_UPSIZE } from "./entry_plan.ts";
import type {
  ExchangePort,
  MarginType,
  OrderSpec,
  PlaceResult,
  PortOrder,
  PortPosition,
  Side,
  UserEvent,
} from "./port.ts";
import type { OrderRecord, RecordAction, SkipReason } from "./records.ts";
import type { SafetyState, SafetyStatePort } from "./safety_state.ts";

/** Trailing-stop settings. */
export interface TrailingOptions {
  /** Activation distance from the fill in bp, in the profit direction. */
  readonly activationBps: number;
  /** Callback rate in percent (0.1–5). */
  readonly callbackPct: number;
}

/** Options of {@linkcode OrderManager}. */
export interface OrderManagerOptions {
  /** The traded symbols' exchange rules. */
  readonly symbols: readonly SymbolInfo[];
  /** Target notional per entry, in quote currency (USD). */
  readonly orderNotional: number;
  /** Take-profit distance in bp. */
  readonly tpBps: number;
  /** Stop-loss distance in bp. */
  readonly slBps: number;
  /** Trailing stop; none when absent. */
  readonly trailing?: TrailingOptions;
  /** Pause after every exit before the next entry, ms. @default {60000} */
  readonly cooldownMs?: number;
  /** Leverage set at start. @default {10} */
  readonly leverage?: number;
  /** Margin type set at start. @default {"ISOLATED"} */
  readonly marginType?: MarginType;
  /** Kill switch at `totalMarginBalance / totalMaintMargin <= killThreshold`. @default {1.2} */
  readonly killThreshold?: number;
  /** How long the kill switch blocks entries, ms; 0 = until {@linkcode OrderManager.clearKillSwitch}. @default {0} */
  readonly killPauseMs?: number;
  /** An unknown entry not found by the exchange after this long counts as not placed, ms. @default {10000} */
  readonly unknownGraceMs?: number;
  /** The clock. @default {Date.now} */
  readonly clock?: () => number;
  /** Waits `ms` (the market-close back-off). @default {a real timer} */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * Back-off between the attempts of a rejected or lost market close, ms: one attempt
   * plus one per entry. @default {[250, 500, 1000]}
   */
  readonly closeRetryMs?: readonly number[];
  /** A position without an open stop-loss for longer than this raises an error record, ms. @default {2000} */
  readonly unprotectedAlarmMs?: number;
  /** Called with every record as it happens. */
  readonly onRecord?: (record: OrderRecord) => void;
  /**
   * The persisted kill switch and cooldowns: restored at construction (so they block
   * entries from the first signal on) and saved after every change. None = memory only.
   */
  readonly safety?: SafetyStatePort;
  /**
   * The price band and notional caps every entry must pass ({@linkcode checkEntry}); the
   * live bot always sets them. None = unchecked (unit tests of other rules).
   */
  readonly entryLimits?: EntryLimits;
  /**
   * How long the fills applied of an order are remembered after its last report, ms
   * (manager clock; see `FillMemory`). @default {900000}
   */
  readonly fillRetentionMs?: number;
  /** The newest orders' fills always remembered, per symbol. @default {64} */
  readonly fillKeysKept?: number;
}

/** An entry signal for the manager. */
export interface EntrySignal {
  readonly symbol: string;
  readonly direction: Direction;
  /** The signal bar's open time (epoch ms): the client id key. */
  readonly barOpenTime: number;
  /** Best bid and ask as exact decimal strings. */
  readonly bid: string;
  readonly ask: string;
  /** The mark price as an exact decimal string: the entry guard's reference. */
  readonly mark?: string;
}

/** How much the manager remembers of one symbol's orders (diagnostics and tests). */
export interface OrderMemory {
  /** Orders whose applied fills are remembered. */
  readonly fillKeys: number;
  /** Client ids held as used (not counting those below the floor). */
  readonly usedIds: number;
  /** Entry ids with a key at most this count as used; -Infinity = none compacted. */
  readonly entryIdFloor: number;
  /** Exit and close ids with a key at most this count as used; -Infinity = none. */
  readonly exitIdFloor: number;
}

/** The manager's view of one symbol, for status displays and tests. */
export interface SymbolStatus {
  readonly symbol: string;
  /** Signed position amount. */
  readonly amount: string;
  readonly entryPrice: string;
  /** `none`, or the entry's state. */
  readonly entry: "none" | "pending" | "unknown";
  /** Open exit orders known: client id → purpose and quantity. */
  readonly exits: readonly {
    readonly clientOrderId: string;
    readonly purpose: ExitPurpose;
    readonly quantity: string;
    readonly state: "open" | "unknown";
  }[];
  /** Entries blocked until this time, epoch ms. */
  readonly cooldownUntil: number;
}

/**
 * Up to this many symbols, reconciliation lists open orders per symbol (weight 1 each)
 * instead of once for the account (weight 40): cheaper while there are fewer than 40
 * symbols; past ~10 the fan-out of parallel requests is not worth it.
 */
const PER_SYMBOL_OPEN_ORDERS_MAX = 9;

/** Pause before a take-profit or trailing stop rejected as crossed is placed again, ms. */
const CROSSED_RETRY_MS = 5_000;

/** The last revision {@linkcode clientOrderId} can encode (two base-36 digits). */
const MAX_REVISION = 1295;

const FINAL = new Set(["FILLED", "CANCELED", "REJECTED", "EXPIRED"]);

/**
 * Exit rejections worth retrying at the next sync (server busy, rate limits, a ban, a
 * clock error, or a request the client refused locally, code 0; a reduce-only refusal,
 * `-2022`, is handled before: the position is read over REST). Any other
 * refusal of the stop-loss closes the position at market rather than leave it
 * unprotected; of the take-profit or trailing stop, gives that exit up for the position.
 */
const TRANSIENT_REJECTS = new Set([
  0,
  -1021, // timestamp outside recvWindow: a clock resync cures it
  -1000,
  -1001,
  -1003,
  -1008,
  -1015,
  -1016,
  -2022,
]);

/**
 * The order manager. Every public method runs under a per-symbol lock (account-wide ones
 * take each symbol's lock in turn; {@linkcode OrderManager.onSignal} releases it while
 * the entry's placement call is in flight) and returns the records of what it did.
 *
 * @example
 * ```ts ignore
 * const mgr = new OrderManager(port, { symbols, orderNotional: 50, tpBps: 40, slBps: 25 });
 * await mgr.setup();
 * await mgr.reconcile();
 * await mgr.onSignal({ symbol: "BTCUSDT", direction: "long", barOpenTime, bid, ask });
 * for (const ev of userEvents) await mgr.onEvent(ev);
 * ```
 */
export class OrderManager {
  #port: ExchangePort;
  #o: Required<
    Omit<
      OrderManagerOptions,
      | "trailing"
      | "onRecord"
      | "symbols"
      | "safety"
      | "closeRetryMs"
      | "entryLimits"
      | "fillRetentionMs"
      | "fillKeysKept"
    >
  >;
  #closeRetryMs: readonly number[];
  #trailing: TrailingOptions | undefined;
  #onRecord: ((r: OrderRecord) => void) | undefined;
  #symbols = new Map<string, SymbolState>();
  #kill: KillState | undefined;
  #safety: SafetyStatePort | undefined;
  /** Persisted cooldowns of symbols this manager does not trade (kept on save). */
  #otherCooldowns: Record<string, number> = {};
  /** The entry guard's limits and each symbol's price band (none = unchecked). */
  #guard:
    | { limits: EntryLimits; bands: Map<string, PriceBand> }
    | undefined;

  /**
   * @param port the exchange
   * @param options sizing, exits and risk settings
   * @throws {RangeError} for invalid settings
   */
  constructor(port: ExchangePort, options: OrderManagerOptions) {
    this.#port = port;
    this.#o = {
      orderNotional: options.orderNotional,
      tpBps: options.tpBps,
      slBps: options.slBps,
      cooldownMs: options.cooldownMs ?? 60_000,
      leverage: options.leverage ?? 10,
      marginType: options.marginType ?? "ISOLATED",
      killThreshold: options.killThreshold ?? 1.2,
      killPauseMs: options.killPauseMs ?? 0,
      unknownGraceMs: options.unknownGraceMs ?? 10_000,
      clock: options.clock ?? Date.now,
      sleep: options.sleep ??
        ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      unprotectedAlarmMs: options.unprotectedAlarmMs ?? 2_000,
    };
    this.#closeRetryMs = options.closeRetryMs ?? [250, 500, 1000];
    this.#trailing = options.trailing;
    this.#onRecord = options.onRecord;
    const o = this.#o;
    if (!(o.orderNotional > 0) || !Number.isFinite(o.orderNotional)) {
      throw new RangeError(
        `Cannot create OrderManager: orderNotional ${o.orderNotional} is not > 0`,
      );
    }
    if (!Number.isInteger(o.leverage) || o.leverage < 1 || o.leverage > 125) {
      throw new RangeError(
        `Cannot create OrderManager: leverage ${o.leverage} is not in 1..125`,
      );
    }
    for (
      const k of [
        "cooldownMs",
        "killPauseMs",
        "unknownGraceMs",
        "unprotectedAlarmMs",
      ] as const
    ) {
      if (!(o[k] >= 0)) {
        throw new RangeError(`Cannot create OrderManager: ${k} ${o[k]} < 0`);
      }
    }
    if (!(o.killThreshold >= 1)) {
      throw new RangeError(
        `Cannot create OrderManager: killThreshold ${o.killThreshold} < 1`,
      );
    }
    for (const info of options.symbols) {
      const f = orderFilters(info);
      // validate the exit settings once, on this symbol's filters
      exitLevels(f, "long", 1, o.tpBps, o.slBps);
      if (this.#trailing) {
        trailingParams(
          f,
          "long",
          1,
          this.#trailing.activationBps,
          this.#trailing.callbackPct,
        );
      }
      this.#symbols.set(
        info.symbol,
        new SymbolState(
          f,
          new FillMemory(options.fillRetentionMs, options.fillKeysKept),
        ),
      );
    }
    if (options.entryLimits) {
      const limits = options.entryLimits;
      this.#guard = {
        limits,
        bands: new Map(
          options.symbols.map((
            info,
          ) => [info.symbol, priceBand(info, limits.maxPriceDeviationBps)]),
        ),
      };
    }
    this.#safety = options.safety;
    if (options.safety) this.#restore(options.safety.initial);
  }

  /** The safety state to persist: the kill switch and the cooldowns still running. */
  safetyState(): SafetyState {
    const now = this.#o.clock();
    const cooldowns: Record<string, number> = {};
    for (const [symbol, until] of Object.entries(this.#otherCooldowns)) {
      if (until > now) cooldowns[symbol] = until;
    }
    for (const [symbol, s] of this.#symbols) {
      if (s.cooldownUntil > now) cooldowns[symbol] = s.cooldownUntil;
    }
    const k = this.#kill;
    const unprotected: Record<string, number> = {};
    for (const [symbol, s] of this.#symbols) {
      if (s.unprotectedAlarm && s.unprotectedSince !== undefined) {
        unprotected[symbol] = s.unprotectedSince;
      }
    }
    const setupFailed = [...this.#symbols].filter(([, s]) => s.setupFailed)
      .map(([symbol]) => symbol);
    return {
      ...(Object.keys(unprotected).length > 0 ? { unprotected } : {}),
      ...(setupFailed.length > 0 ? { setupFailed } : {}),
      killSwitch: k === undefined ? null : {
        trippedAtMs: k.trippedAt,
        untilMs: Number.isFinite(k.until) ? k.until : null,
        reason: k.reason,
        ...(k.safetyMultiple === undefined
          ? {}
          : { safetyMultiple: k.safetyMultiple }),
      },
      cooldowns,
    };
  }

  /** Whether the kill switch blocks entries now (an elapsed pause clears it). */
  get killed(): boolean {
    if (this.#kill === undefined) return false;
    if (this.#o.clock() >= this.#kill.until) {
      this.#kill = undefined;
      this.#record("*", "kill_switch_cleared", "pause ended");
      void this.#persist([]);
      return false;
    }
    return true;
  }

  /** The manager's view of a symbol. */
  status(symbol: string): SymbolStatus {
    const s = this.#state(symbol);
    return {
      symbol,
      amount: s.amount.toFixed(),
      entryPrice: s.entryPrice.toFixed(),
      entry: s.entry?.state ?? "none",
      exits: [...s.exits.values()].map((e) => ({
        clientOrderId: e.id,
        purpose: e.purpose,
        quantity: e.qty.toFixed(),
        state: e.state,
      })),
      cooldownUntil: s.cooldownUntil,
    };
  }

  /** How much the manager remembers of `symbol`'s orders (bounded; see `FillMemory`). */
  memory(symbol: string): OrderMemory {
    const s = this.#state(symbol);
    return {
      fillKeys: s.fills.size,
      usedIds: s.usedIds.size,
      entryIdFloor: s.usedIds.entryFloor,
      exitIdFloor: s.usedIds.exitFloor,
    };
  }

  /** Why an entry on `symbol` would be skipped now, or `undefined` when it may go. */
  blocked(symbol: string): SkipReason | undefined {
    const s = this.#symbols.get(symbol);
    if (!s) return "unknown_symbol";
    if (this.killed) {
      return this.#kill?.restored ? "kill_switch_persisted" : "kill_switch";
    }
    if (s.setupFailed) return "setup_failed";
    if (s.stopRefused) return "stop_refused";
    if (s.entry) {
      return s.entry.state === "unknown" ? "entry_unknown" : "entry_open";
    }
    if (!s.amount.isZero()) {
      // the decision journal shows a position left without its stop
      return s.unprotectedAlarm ? "position_unprotected" : "position_open";
    }
    if (s.exits.size > 0) return "exits_open";
    if (this.#o.clock() < s.cooldownUntil) {
      return s.cooldownRestored ? "cooldown_persisted" : "cooldown";
    }
    return undefined;
  }

  /**
   * Sets leverage and margin type on every symbol (idempotent). Invariant: a symbol whose
   * setup failed gets no entry (`setup_failed`) unless the exchange already reports the
   * wanted leverage and margin type; reconcile tries the setup again.
   */
  async setup(): Promise<OrderRecord[]> {
    const out: OrderRecord[] = [];
    for (const s of this.#symbols.values()) await this.#setup(s, out);
    return out;
  }

  async #setup(s: SymbolState, out: OrderRecord[]): Promise<void> {
    const symbol = s.f.symbol;
    const want = { leverage: this.#o.leverage, marginType: this.#o.marginType };
    const was = s.setupFailed;
    try {
      await this.#port.setLeverage(symbol, want.leverage);
      await this.#port.setMarginType(symbol, want.marginType);
      s.setupFailed = false;
      out.push(this.#record(symbol, "setup", "leverage and margin type set", {
        data: want,
      }));
      if (was) await this.#persist(out);
      return;
    } catch (e) {
      out.push(this.#record(symbol, "setup_failed", errorText(e), {
        data: want,
      }));
    }
    let row: PortPosition | undefined;
    try {
      row = (await this.#port.positionRisk(symbol)).find((p) =>
        p.symbol === symbol
      );
    } catch { /* unknown: entries stay blocked */ }
    if (
      row?.leverage === want.leverage && row.marginType === want.marginType
    ) {
      s.setupFailed = false;
      out.push(this.#record(symbol, "setup", "already as wanted", {
        data: want,
      }));
      if (was) await this.#persist(out);
      return;
    }
    s.setupFailed = true;
    // the state file shows it (the doctor fails on it)
    if (!was) await this.#persist(out);
    out.push(this.#record(
      symbol,
      "error",
      "entries blocked: leverage/margin type not as configured",
      {
        data: {
          ...want,
          ...(row?.leverage === undefined ? {} : { have: row.leverage }),
          ...(row?.marginType === undefined
            ? {}
            : { haveMargin: row.marginType }),
        },
      },
    ));
  }

  /**
   * Acts on an entry signal: a LIMIT IOC at the touch with the signal's client id, unless
   * an entry, a position, leftover exits, the cooldown or the kill switch blocks it.
   *
   * Invariant: the symbol's lock is NOT held while the entry's placement call is in
   * flight (a slow or lost reply takes up to the transport timeout plus the resolving
   * queries): the pending entry blocks other entries meanwhile, and a fill the user
   * stream brings first is applied by {@linkcode onEvent} at once, which arms the
   * stop-loss without waiting for the reply. The reply (or the resolution of an unknown
   * outcome by client order id; the entry is never sent again) is applied afterwards
   * under the lock: fills are keyed by order id and cumulative quantity, so it only adds
   * what the stream did not bring.
   */
  async onSignal(signal: EntrySignal): Promise<OrderRecord[]> {
    const s = this.#symbols.get(signal.symbol);
    if (!s) {
      return [this.#record(signal.symbol, "entry_skipped", "unknown_symbol")];
    }
    let entry: PreparedEntry | undefined;
    const out = await this.#locked(s, (rec) => {
      entry = this.#prepareEntry(s, signal, rec);
      return Promise.resolve();
    });
    if (entry === undefined) return out;
    const placed = entry;
    try {
      // the lock is free: the stream's events of this symbol go on meanwhile
      const res = await this.#place(placed.spec);
      out.push(
        ...await this.#locked(
          s,
          (rec) => this.#entryReply(s, placed, res, rec),
        ),
      );
    } finally {
      if (s.entryCall === placed.call) s.entryCall = undefined;
      placed.done();
    }
    return out;
  }

  /** Applies a user-stream event, then arms, resizes or cleans up exits. */
  onEvent(event: UserEvent): Promise<OrderRecord[]> {
    const symbol = event.kind === "order"
      ? event.order.symbol
      : event.position.symbol;
    const s = this.#symbols.get(symbol);
    if (!s) return Promise.resolve([]);
    return this.#locked(s, async (out) => {
      if (event.kind === "order") {
        this.#applyOrder(s, event.order, event.time, out);
      } else this.#applyPosition(s, event.position, event.time, out);
      await this.#sync(s, out);
    });
  }

  /**
   * Reconciles every symbol against the exchange (at start and every few seconds, and
   * after a reconnect): adopts positions, rebuilds the known exits from the reduce-only
   * open orders, resolves unknown or unfinished entries, re-arms missing exits, replaces
   * wrongly sized ones and cancels leftovers on flat symbols. A symbol whose state changed while the snapshot
   * was in flight is skipped this round (`reconcile_skipped`).
   *
   * @throws when the port cannot list positions or open orders
   */
  async reconcile(): Promise<OrderRecord[]> {
    const retried: OrderRecord[] = [];
    for (const s of this.#symbols.values()) {
      if (s.setupFailed) await this.#setup(s, retried);
    }
    const versions = new Map(
      [...this.#symbols].map(([symbol, s]) => [symbol, s.version]),
    );
    const [positions, open] = await Promise.all([
      this.#port.positionRisk(),
      this.#openOrders(),
    ]);
    const out: OrderRecord[] = [...retried];
    for (const [symbol, s] of this.#symbols) {
      out.push(
        ...await this.#locked(s, async (rec) => {
          if (s.version !== versions.get(symbol)) {
            // the state moved while the snapshot was in flight: next round
            rec.push(
              this.#record(symbol, "reconcile_skipped", "stale snapshot"),
            );
            return;
          }
          if (s.entry?.inFlight) {
            const row = positions.find((p) => p.symbol === symbol);
            if (
              s.amount.isZero() && row !== undefined &&
              !new Decimal(row.amount).isZero()
            ) {
              // invariant: a fill is protected however the manager learns of it. The
              // snapshot was taken after the entry went out (the version check above),
              // the local view is flat and the exchange holds a position: the entry's
              // fill the user stream has not brought (stream down, a slow or lost
              // reply: ~10 s to over a minute live). It is applied and protected now
              // (no adoption: the entry's key stays); the late reply is then checked
              // against this snapshot (see entryReply)
              this.#applyPosition(s, row, row.updateTime, rec, true);
              await this.#sync(s, rec);
              return;
            }
            // an entry's placement call is in flight and the exchange shows no new
            // position: the call's reply syncs the exits, the next round reconciles
            rec.push(
              this.#record(symbol, "reconcile_skipped", "entry in flight"),
            );
            return;
          }
          const fills = s.fillCount;
          await this.#resolveEntry(s, rec);
          const row = positions.find((p) => p.symbol === symbol);
          const wasFlat = s.amount.isZero();
          // invariant: a snapshot taken before a fill applied since (an unknown entry
          // that filled after the snapshot, found by resolveEntry) never regresses the
          // position: the position is read again over REST (the sync below)
          const stale = s.fillCount !== fills;
          if (stale) s.verifyPosition = true;
          const adopt = !stale && wasFlat && row !== undefined &&
            !new Decimal(row.amount).isZero();
          // the REST snapshot is the truth: nothing moved while it was in flight
          if (!stale) {
            this.#applyPosition(
              s,
              row ?? { symbol, amount: "0", entryPrice: "0", updateTime: 0 },
              row ? row.updateTime : 0,
              rec,
              true,
            );
          }
          if (adopt && !s.amount.isZero()) {
            s.key = Math.max(0, Math.floor(row.updateTime));
            rec.push(
              this.#record(symbol, "position_adopted", "found on exchange", {
                data: {
                  amount: s.amount.toFixed(),
                  entryPrice: row.entryPrice,
                },
              }),
            );
          }
          const unknown = [...s.exits.values()].filter((e) =>
            e.state === "unknown"
          );
          s.exits.clear();
          s.fillingExits.clear();
          for (const o of open) {
            if (o.symbol !== symbol) continue;
            const purpose = exitPurpose(o.type);
            // a non-reduce-only conditional order is not protection (it could flip)
            if (purpose === undefined || !o.reduceOnly) continue;
            s.usedIds.add(o.clientOrderId);
            s.exits.set(o.clientOrderId, {
              id: o.clientOrderId,
              purpose,
              side: o.side,
              qty: new Decimal(o.quantity).sub(o.executedQty),
              state: "open",
            });
          }
          for (const e of unknown) {
            if (!s.exits.has(e.id)) {
              rec.push(
                this.#record(symbol, "exit_rejected", "not on exchange", {
                  clientOrderId: e.id,
                }),
              );
            }
          }
          await this.#sync(s, rec);
        }),
      );
    }
    return out;
  }

  /** Open orders of the managed symbols, in the cheaper of one or per-symbol calls. */
  async #openOrders(): Promise<PortOrder[]> {
    if (this.#symbols.size > PER_SYMBOL_OPEN_ORDERS_MAX) {
      return await this.#port.openOrders();
    }
    const lists = await Promise.all(
      [...this.#symbols.keys()].map((s) => this.#port.openOrders(s)),
    );
    return lists.flat();
  }

  /**
   * Reads the account and trips the kill switch when `totalMarginBalance /
   * totalMaintMargin <= killThreshold`: cancels entries, closes every position at market
   * (reduce-only), cancels its exits and blocks entries. While tripped, positions that
   * appear are closed too.
   *
   * @returns the safety multiple (Infinity without maintenance margin) and the records
   */
  async checkMargin(): Promise<
    { safetyMultiple: number; records: OrderRecord[] }
  > {
    const acc = await this.#port.account();
    const mb = new Decimal(acc.totalMarginBalance);
    const mm = new Decimal(acc.totalMaintMargin);
    const safety = mm.lte(0) ? Infinity : mb.div(mm).toNumber();
    const out: OrderRecord[] = [];
    if (safety <= this.#o.killThreshold) {
      const now = this.#o.clock();
      const before = this.killed ? this.#kill : undefined;
      if (before === undefined) {
        out.push(this.#record("*", "kill_switch_triggered", "margin", {
          data: {
            safetyMultiple: safety,
            threshold: this.#o.killThreshold,
            totalMarginBalance: acc.totalMarginBalance,
            totalMaintMargin: acc.totalMaintMargin,
          },
        }));
      }
      const until = this.#o.killPauseMs > 0
        ? now + this.#o.killPauseMs
        : Infinity;
      this.#kill = {
        // a restored pause keeps its end unless the margin extends it
        until: Math.max(until, before?.until ?? -Infinity),
        trippedAt: before?.trippedAt ?? now,
        reason: before?.reason ?? "margin",
        safetyMultiple: safety,
        restored: before?.restored ?? false,
      };
      // persisted before anything else: a crash while closing keeps entries blocked
      if (before === undefined || before.until !== this.#kill.until) {
        await this.#persist(out);
      }
      // every symbol at once: an entry in flight on one must not delay the others
      const done = await Promise.all(
        [...this.#symbols.values()].map((s) =>
          this.#locked(s, (rec) => this.#flatten(s, rec))
        ),
      );
      for (const recs of done) out.push(...recs);
    }
    return { safetyMultiple: safety, records: out };
  }

  /**
   * Closes every position at market (reduce-only) and cancels its exits, e.g. at a
   * shutdown that should leave nothing open. Entries stay allowed after the cooldown.
   *
   * Invariant: it closes every position, also the one an entry in flight opens (its
   * placement call does not hold the lock): a symbol with an entry in flight is
   * flattened after that call's reply is applied; the other symbols do not wait for it.
   */
  async closeAll(): Promise<OrderRecord[]> {
    const done = await Promise.all(
      [...this.#symbols.values()].map(async (s) => {
        const out: OrderRecord[] = [];
        for (;;) {
          // decided under the lock: an entry prepared just before (same tick) counts
          let waitFor: Promise<unknown> | undefined;
          out.push(
            ...await this.#locked(s, async (rec) => {
              if (s.entry?.inFlight && s.entryCall) {
                waitFor = s.entryCall;
                return;
              }
              await this.#flatten(s, rec, "close_all");
            }),
          );
          if (waitFor === undefined) return out;
          await waitFor;
        }
      }),
    );
    return done.flat();
  }

  /** Clears the kill switch (operator action) and persists that. */
  async clearKillSwitch(): Promise<OrderRecord[]> {
    if (this.#kill === undefined) return [];
    this.#kill = undefined;
    const out = [this.#record("*", "kill_switch_cleared", "operator")];
    await this.#persist(out);
    return out;
  }

  // ---- internals -------------------------------------------------------------------

  #restore(state: SafetyState): void {
    const now = this.#o.clock();
    const k = state.killSwitch;
    const until = k === null ? -Infinity : k.untilMs ?? Infinity;
    if (k !== null && until > now) {
      this.#kill = {
        until,
        trippedAt: k.trippedAtMs,
        reason: k.reason,
        ...(k.safetyMultiple === undefined
          ? {}
          : { safetyMultiple: k.safetyMultiple }),
        restored: true,
      };
      this.#record("*", "kill_switch_restored", k.reason, {
        data: {
          trippedAtMs: k.trippedAtMs,
          until: k.untilMs === null
            ? "operator clears it"
            : new Date(k.untilMs).toISOString(),
        },
      });
    }
    for (const [symbol, end] of Object.entries(state.cooldowns)) {
      if (!(end > now)) continue;
      const s = this.#symbols.get(symbol);
      if (!s) {
        this.#otherCooldowns[symbol] = end;
        continue;
      }
      s.cooldownUntil = Math.max(s.cooldownUntil, end);
      s.cooldownRestored = true;
      this.#record(symbol, "cooldown_restored", "no entry before", {
        data: { cooldownUntil: end, until: new Date(end).toISOString() },
      });
    }
  }

  /** Saves the safety state; a failure is recorded (the state stays in memory). */
  async #persist(out: OrderRecord[]): Promise<void> {
    if (!this.#safety) return;
    try {
      await this.#safety.save(this.safetyState());
    } catch (e) {
      out.push(
        this.#record(
          "*",
          "error",
          `Cannot save the safety state: ${errorText(e)}`,
        ),
      );
    }
  }

  #startCooldown(s: SymbolState): void {
    s.wasOpen = false;
    s.cooldownUntil = this.#o.clock() + this.#o.cooldownMs;
    s.cooldownRestored = false;
  }

  #state(symbol: string): SymbolState {
    const s = this.#symbols.get(symbol);
    if (!s) throw new RangeError(`Cannot find symbol ${symbol}: not managed`);
    return s;
  }

  #locked(
    s: SymbolState,
    fn: (out: OrderRecord[]) => Promise<void>,
  ): Promise<OrderRecord[]> {
    const out: OrderRecord[] = [];
    const run = s.lock.then(() => fn(out)).then(() => {
      s.version++;
      this.#forget(s);
      return out;
    }, (e) => {
      s.version++;
      this.#forget(s);
      out.push(this.#record(s.f.symbol, "error", errorText(e)));
      return out;
    });
    s.lock = run;
    return run;
  }

  /**
   * Drops what no report of an order can need any more (end of every locked operation:
   * none of the manager's own calls of the symbol is mid-way but the entry's, which is
   * live): fill keys of orders that are neither the entry nor a known exit, past the
   * retention and the newest kept (`FillMemory`); client ids of keys below the current
   * position's (`UsedIds`).
   */
  #forget(s: SymbolState): void {
    s.fills.prune(
      this.#o.clock(),
      (id) => s.entry?.id === id || s.exits.has(id) || s.fillingExits.has(id),
    );
    s.usedIds.compact(s.key);
  }

  #record(
    symbol: string,
    action: RecordAction,
    detail: string,
    extra: { clientOrderId?: string; data?: NonNullable<OrderRecord["data"]> } =
      {},
  ): OrderRecord {
    const r: OrderRecord = {
      timeMs: this.#o.clock(),
      symbol,
      action,
      detail,
      ...extra,
    };
    this.#onRecord?.(r);
    return r;
  }

  async #place(spec: OrderSpec): Promise<PlaceResult> {
    try {
      return await this.#port.placeOrder(spec);
    } catch (e) {
      return { kind: "unknown", message: errorText(e) };
    }
  }

  /**
   * Checks an entry signal and, when it may go, marks the entry pending (in flight) and
   * returns its order; under the lock.
   */
  #prepareEntry(
    s: SymbolState,
    sig: EntrySignal,
    out: OrderRecord[],
  ): PreparedEntry | undefined {
    const symbol = s.f.symbol;
    const id = clientOrderId(symbol, sig.barOpenTime, sig.direction, "entry");
    let reason = this.blocked(symbol);
    // a signal whose id was used, or whose bar is not newer than a traded bar whose ids
    // were compacted (UsedIds: bars of a symbol arrive in order), is a duplicate
    if (reason === undefined && s.usedIds.has(id)) reason = "duplicate_signal";
    if (reason !== undefined) {
      out.push(
        this.#record(symbol, "entry_skipped", reason, { clientOrderId: id }),
      );
      return undefined;
    }
    const price = entryPrice(s.f, sig.direction, sig.bid, sig.ask);
    let quantity: string;
    try {
      // a step below the target rather than above the --max_upsize allowance
      quantity = entryQuantity(
        s.f,
        this.#o.orderNotional,
        price,
        this.#guard?.limits.maxUpsize ?? DEFAULT_MAX_UPSIZE,
      );
    } catch (e) {
      if (!(e instanceof OrderSizeError)) throw e;
      out.push(this.#record(symbol, "entry_skipped", "size", {
        clientOrderId: id,
        data: { error: e.message },
      }));
      return undefined;
    }
    // invariant: no entry outside the price band or above the notional caps (entry_guard)
    const refused = this.#guard &&
      checkEntry(
        {
          symbol,
          direction: sig.direction,
          price,
          quantity,
          mark: sig.mark,
          positionAmount: s.amount,
          orderNotional: this.#o.orderNotional,
        },
        this.#guard.bands.get(symbol)!,
        this.#guard.limits,
      );
    if (refused) {
      out.push(this.#record(symbol, "entry_skipped", refused.reason, {
        clientOrderId: id,
        data: { error: refused.message, side: sig.direction, quantity, price },
      }));
      return undefined;
    }
    s.usedIds.add(id);
    s.entry = {
      id,
      direction: sig.direction,
      state: "pending",
      placedAt: this.#o.clock(),
      price,
      inFlight: true,
      snapshots: s.snapshots,
    };
    s.key = sig.barOpenTime;
    // set under the lock with the pending entry, so closeAll() finds it whenever it
    // sees the entry in flight
    let done = () => {};
    const call = new Promise<void>((resolve) => done = resolve);
    s.entryCall = call;
    const side: Side = sig.direction === "long" ? "BUY" : "SELL";
    return {
      call,
      done,
      spec: {
        symbol,
        side,
        type: "LIMIT",
        timeInForce: "IOC",
        quantity,
        price,
        reduceOnly: false,
        clientOrderId: id,
      },
      data: {
        side,
        type: "LIMIT",
        timeInForce: "IOC",
        quantity,
        price,
        notional: new Decimal(quantity).mul(price).toFixed(),
      },
    };
  }

  /**
   * Applies the reply of an entry's placement call, under the lock again: the fill
   * (only what the stream did not bring), a rejection, or an unknown outcome resolved by
   * client order id; then brings the exits in line.
   */
  async #entryReply(
    s: SymbolState,
    entry: PreparedEntry,
    res: PlaceResult,
    out: OrderRecord[],
  ): Promise<void> {
    const symbol = s.f.symbol;
    const id = entry.spec.clientOrderId;
    const e = s.entry?.id === id ? s.entry : undefined;
    if (e) e.inFlight = false;
    // the reply filled after every snapshot held only if none was applied while it was
    // in flight (a stream snapshot may already include the fill: then timestamps decide)
    const own = e !== undefined && e.snapshots === s.snapshots;
    const { data } = entry;
    if (res.kind === "placed") {
      out.push(this.#record(symbol, "entry_placed", res.order.status, {
        clientOrderId: id,
        data: { ...data, executedQty: res.order.executedQty },
      }));
      const adds = addsFill(s, res.order);
      this.#applyOrder(s, res.order, res.order.updateTime, out, own);
      // invariant: a fill is counted once. A reply that adds a fill the stream's order
      // updates did not bring, after a snapshot applied while it was in flight, may be
      // held by that snapshot already, and the reply's updateTime (the order's last
      // update) and the snapshot's time (the trade) need not be comparable: the
      // exchange's position decides before the exits are sized (one read, this race only)
      if (!own && adds) s.verifyPosition = true;
      // a non-final reply keeps the entry pending until its final state arrives
    } else if (res.kind === "rejected") {
      if (e) s.entry = undefined;
      out.push(this.#record(symbol, "entry_rejected", res.message, {
        clientOrderId: id,
        data: { ...data, code: res.code },
      }));
    } else {
      if (e) e.state = "unknown";
      out.push(this.#record(symbol, "entry_unknown", res.message, {
        clientOrderId: id,
        data,
      }));
      await this.#resolveEntry(s, out);
    }
    await this.#sync(s, out);
  }

  /**
   * Resolves an entry by its client id: an unknown outcome, or a placed entry whose final
   * state never arrived (user stream down). An entry whose placement call is still in
   * flight is left to that call (it may not have reached the exchange yet: "not found"
   * would mean nothing).
   */
  async #resolveEntry(s: SymbolState, out: OrderRecord[]): Promise<void> {
    const e = s.entry;
    if (!e || e.inFlight) return;
    let o: PortOrder | undefined;
    try {
      o = await this.#port.queryOrder(s.f.symbol, e.id);
    } catch (err) {
      out.push(this.#record(s.f.symbol, "error", errorText(err), {
        clientOrderId: e.id,
      }));
      return;
    }
    if (o) {
      out.push(this.#record(s.f.symbol, "entry_resolved", o.status, {
        clientOrderId: e.id,
        data: { executedQty: o.executedQty },
      }));
      const adds = addsFill(s, o);
      this.#applyOrder(s, o, o.updateTime, out);
      // invariant: a fill is counted once: a resolution that adds a fill after a
      // snapshot applied since the entry went out (which may hold it; the order's
      // updateTime and the snapshot's time need not be comparable) is checked against
      // the exchange's position before the exits are sized (see entryReply)
      if (adds && s.snapshots !== e.snapshots) s.verifyPosition = true;
    } else if (this.#o.clock() - e.placedAt >= this.#o.unknownGraceMs) {
      s.entry = undefined;
      out.push(this.#record(s.f.symbol, "entry_resolved", "not placed", {
        clientOrderId: e.id,
      }));
    }
  }

  /**
   * Applies an order's cumulative state: each order's fills move the position once, by
   * the growth of its cumulative filled quantity (keyed by order id), whatever their
   * timestamps — two fills in the same millisecond both count. Only an absolute position
   * snapshot decides against a fill: one strictly newer already includes it (skipped); one
   * of the same millisecond may or may not (the exchange does not order ACCOUNT_UPDATE
   * and ORDER_TRADE_UPDATE of a trade), so the next sync reads the position over REST.
   * `own`: the reply (or resolving query) of an order this manager just placed, which
   * filled after any snapshot it holds: always applied.
   */
  #applyOrder(
    s: SymbolState,
    o: PortOrder,
    time: number,
    out: OrderRecord[],
    own = false,
  ): void {
    // per order: exchange orders may share a client id (`adl_autoclose`, reuse)
    const fillKey = `${o.clientOrderId}#${o.orderId}`;
    const known = s.fills.applied(fillKey);
    const executed = new Decimal(o.executedQty);
    const isEntry = s.entry?.id === o.clientOrderId;
    // every report refreshes its order's key (kept while reports can still come)
    s.fills.seen(
      fillKey,
      o.clientOrderId,
      this.#o.clock(),
      FINAL.has(o.status),
      executed.gt(known) ? executed : undefined,
    );
    if (executed.gt(known)) {
      if (!own && time === s.snapTime) {
        s.verifyPosition = true;
      } else if (own || time > s.snapTime) {
        s.fillTime = Math.max(s.fillTime, time);
        s.fillCount++;
        const delta = executed.sub(known);
        const before = s.amount;
        s.amount = s.amount.add(o.side === "BUY" ? delta : delta.neg());
        // a new position (or one flipped through zero) is priced at this fill; a fill
        // without an average price leaves it unknown until a position update brings it
        const flipped = !before.isZero() && !s.amount.isZero() &&
          before.isNeg() !== s.amount.isNeg();
        if (isEntry || before.isZero() || flipped) {
          const avg = new Decimal(o.avgPrice || "0");
          s.entryPrice = avg.gt(0) ? avg : new Decimal(0);
          s.entryLimit = !avg.gt(0) && isEntry
            ? new Decimal(s.entry!.price)
            : undefined;
        }
        if (s.amount.isZero()) {
          s.entryPrice = new Decimal(0);
          s.entryLimit = undefined;
        }
        out.push(this.#record(s.f.symbol, "position_changed", "fill", {
          clientOrderId: o.clientOrderId,
          data: { amount: s.amount.toFixed(), fill: delta.toFixed() },
        }));
      }
    }
    if (FINAL.has(o.status)) {
      // an entry in flight ends with its placement call's reply (see onSignal)
      if (isEntry && !s.entry!.inFlight) s.entry = undefined;
      s.exits.delete(o.clientOrderId);
      s.fillingExits.delete(o.clientOrderId);
    } else if (executed.gt(0) && s.exits.has(o.clientOrderId)) {
      // a triggered exit in the middle of its fills: the exchange is closing
      s.fillingExits.add(o.clientOrderId);
    }
  }

  /**
   * Applies an absolute position: a user-stream one unless older than a fill or snapshot
   * already applied (one of a fill's millisecond that disagrees with it is checked over
   * REST instead); a REST one (`truth`: read under the lock with nothing in flight)
   * always. An unchanged amount still brings the entry price when none is known (a fill
   * reported without an average price).
   */
  #applyPosition(
    s: SymbolState,
    p: PortPosition,
    time: number,
    out: OrderRecord[],
    truth = false,
  ): void {
    if (!truth && (time < s.fillTime || time < s.snapTime)) return;
    const amount = new Decimal(p.amount);
    if (!truth && time === s.fillTime && !amount.eq(s.amount)) {
      // a snapshot of the same millisecond as an applied fill may predate it (two trades
      // of one order in one ms: the first one's ACCOUNT_UPDATE after the reply of both),
      // so it does not override the fill: the next sync reads the position over REST
      s.verifyPosition = true;
      return;
    }
    if (!truth && time === s.snapTime && !amount.eq(s.amount)) {
      // invariant: a snapshot of the same millisecond as the last one applied that
      // disagrees with it may be the older of the two (the trades of one millisecond
      // delivered out of order): neither wins, the next sync reads the position
      s.verifyPosition = true;
      return;
    }
    s.snapTime = Math.max(s.snapTime, time);
    s.snapshots++;
    const price = new Decimal(p.entryPrice || "0");
    if (amount.eq(s.amount)) {
      if (!amount.isZero() && !s.entryPrice.gt(0) && price.gt(0)) {
        s.entryPrice = price;
        out.push(
          this.#record(s.f.symbol, "position_changed", "entry price", {
            data: { amount: amount.toFixed(), entryPrice: price.toFixed() },
          }),
        );
      }
      return;
    }
    s.amount = amount;
    s.entryPrice = amount.isZero() || !price.gt(0) ? new Decimal(0) : price;
    // invariant: an entry's limit price stands in for its own fill's price only: a
    // position that goes flat drops it (however it is learnt), never pricing a later one
    if (amount.isZero()) s.entryLimit = undefined;
    out.push(this.#record(s.f.symbol, "position_changed", "position update", {
      data: { amount: amount.toFixed(), entryPrice: s.entryPrice.toFixed() },
    }));
  }

  /**
   * Reads the position of `s` over REST when a fill and a snapshot of the same
   * millisecond could not be ordered, or when no entry price is known for the exits.
   *
   * `afterReduceRefusal`: the read answers a reduce-only refusal (`-2022`) of an exit
   * (`retry`: another attempt follows the back-off; `last`: none does). Invariant: such
   * a read never undoes a fill the manager applied after it, nor, while the back-off
   * lasts, a position update applied after it: a row stamped before the newest applied
   * fill (or, on a `retry`, snapshot) that shows less than the local position is a
   * lagging read (the moment the order service does not see a fresh position is when a
   * position read lags too); it is refused with an error record and the local position
   * stays, so it keeps its alarm (unprotected after `unprotectedAlarmMs`) and blocks
   * entries until a newer read or the reconcile's snapshot decides. A reduce-only order
   * can never open a position, so keeping one is the safe side; a flat answer that
   * persists through the back-off ends a position known from a stale update. A check
   * read (no `afterReduceRefusal`) likewise never takes a row stamped before the newest
   * applied position update that shows less than the local position.
   */
  async #readPosition(
    s: SymbolState,
    out: OrderRecord[],
    afterReduceRefusal: "retry" | "last" | false = false,
  ): Promise<void> {
    s.verifyPosition = false;
    let rows: PortPosition[];
    try {
      rows = await this.#port.positionRisk(s.f.symbol);
    } catch (e) {
      out.push(this.#record(s.f.symbol, "error", errorText(e)));
      return;
    }
    const row = rows.find((r) => r.symbol === s.f.symbol) ??
      { symbol: s.f.symbol, amount: "0", entryPrice: "0", updateTime: 0 };
    // a check read (a same-ms fill, a late reply's fill): a row stamped before the
    // newest applied position update that shows less is lagging too, and is refused
    // (the reconcile's snapshot settles the size; reduce-only exits at worst too big)
    const older = afterReduceRefusal === false
      ? row.updateTime < s.snapTime
      : row.updateTime < s.fillTime ||
        (afterReduceRefusal === "retry" && row.updateTime < s.snapTime);
    if (older && new Decimal(row.amount).abs().lt(s.amount.abs())) {
      out.push(this.#record(
        s.f.symbol,
        "error",
        "position read older than the last fill or update: the position is kept",
        {
          data: {
            amount: s.amount.toFixed(),
            read: row.amount,
            readTime: row.updateTime,
            fillTime: s.fillTime,
          },
        },
      ));
      return;
    }
    this.#applyPosition(s, row, row.updateTime, out, true);
  }

  /**
   * Brings the exits in line with the position.
   *
   * Invariants (the money path; tested on the simulator under injected faults in
   * `lib/live/money_path_sim_test.ts`):
   * - from the moment a fill is known the position has a reduce-only stop-loss on the
   *   exchange, except for the round trip of its first placement: the stop-loss is
   *   placed first, then the take-profit, then the optional trailing stop;
   * - a replacement (resize) is placed before the order it replaces is cancelled
   *   (reduce-only makes the overlap safe), so a resize never leaves the position
   *   without a stop;
   * - a crossed (`-2021`/`-4142`) or refused take-profit or trailing stop never blocks
   *   the stop-loss and never closes the position by itself: a crossed one is tried
   *   again at the next sync, one refused for good is given up for this position;
   * - only a crossed stop-loss (the price is already beyond it) closes at market, and a
   *   stop-loss refused for good (nothing else can protect the position); a rejected
   *   market close is retried with bounded back-off;
   * - a position left without an open stop-loss for longer than `unprotectedAlarmMs`
   *   raises one error record (`position_unprotected`) and shows in
   *   {@linkcode OrderManager.unprotected} until a stop is back;
   * - a fill the user stream brings is applied at once, even while the entry's own
   *   placement call is in flight (the lock is free then, see `onSignal`);
   * - a stop-loss refused as reduce-only (`-2022`) never ends the exits while the
   *   position is open: the position is read over REST (flat: cleanup; open: placed
   *   again after a bounded back-off), and a read older than the last applied fill
   *   never flattens it, nor, while the back-off lasts, one older than the last applied
   *   position update (a flat answer that persists through the back-off ends it); a
   *   take-profit or trailing stop refused so while the stop-loss is live is paused
   *   like a crossed one;
   * - a stop-loss whose outcome is unknown while no other stop protects the position is
   *   resolved by its client id at once (bounded back-off) and placed again if absent;
   * - no fill price known (no avgPrice, position read failed): the entry's limit price
   *   prices the exits, never looser than asked.
   */
  async #sync(s: SymbolState, out: OrderRecord[]): Promise<void> {
    this.#watchProtection(s, out);
    // a fill of the same millisecond as a snapshot, or a position without an entry
    // price (a fill reported without avgPrice): the exchange's position decides
    if (
      s.verifyPosition || (!s.amount.isZero() && !s.entryPrice.gt(0))
    ) await this.#readPosition(s, out);
    if (!s.amount.isZero()) {
      s.wasOpen = true;
      if (this.killed) {
        await this.#flatten(s, out);
        if (s.amount.isZero()) return;
        // the close failed: protect the position until the next attempt
      }
      // one retry when an exit's outcome was unknown and the exchange does not know it;
      // none while a triggered exit is filling (its remaining fills are on the way: a
      // resize now would chase a position that is going away)
      const filling = s.fillingExits.size > 0;
      let unknownRetries = 1;
      let reduceRetries = 0;
      while (!filling) {
        const r = await this.#ensureExits(s, out);
        if (r === "no_position") {
          // invariant: a reduce-only refusal (-2022, "the exchange sees no position")
          // never ends the exits while the position is open: the position is read over
          // REST; flat → the cleanup below; still open → the exits again after a
          // bounded back-off (the alarm covers a longer stretch). A read older than the
          // last applied fill never flattens it, nor one older than the last applied
          // position update before the last attempt (see readPosition)
          await this.#readPosition(
            s,
            out,
            reduceRetries < this.#closeRetryMs.length ? "retry" : "last",
          );
          if (
            s.amount.isZero() || reduceRetries >= this.#closeRetryMs.length
          ) break;
          await this.#o.sleep(this.#closeRetryMs[reduceRetries++]!);
          if (s.amount.isZero()) break;
          continue;
        }
        if (r === "sl_crossed" || r === "sl_refused") {
          if (r === "sl_refused" && !s.stopRefused) {
            // invariant: a symbol whose stop-loss the exchange refuses for good gets no
            // new entry (each would be closed at market at once, paying spread and fees)
            s.stopRefused = true;
            out.push(this.#record(
              s.f.symbol,
              "error",
              "entries blocked until restart: the stop-loss was refused for good",
            ));
          }
          await this.#closeAtMarket(
            s,
            r === "sl_crossed" ? "exit_would_trigger" : "exit_refused",
            out,
          );
          break;
        }
        if (r !== "retry" || unknownRetries-- <= 0) break;
      }
    }
    if (s.amount.isZero()) {
      s.givenUp.clear();
      s.crossedUntil.clear();
      if (s.wasOpen) {
        this.#startCooldown(s);
        out.push(this.#record(s.f.symbol, "position_closed", "flat", {
          data: { cooldownUntil: s.cooldownUntil },
        }));
        await this.#persist(out);
      }
      for (const e of [...s.exits.values()]) {
        if (e.state === "open") await this.#cancelExit(s, e, "flat", out);
      }
    }
    this.#watchProtection(s, out);
  }

  /**
   * Symbols whose open position has had no open stop-loss on the exchange, with the
   * time (manager clock, epoch ms) since when; for metrics, the doctor and the journal.
   */
  unprotected(): { symbol: string; sinceMs: number; alarmed: boolean }[] {
    const out = [];
    for (const [symbol, s] of this.#symbols) {
      if (s.unprotectedSince !== undefined) {
        out.push({
          symbol,
          sinceMs: s.unprotectedSince,
          alarmed: s.unprotectedAlarm,
        });
      }
    }
    return out;
  }

  /**
   * Raises the unprotected alarm of every symbol whose position has been without an
   * open stop-loss for longer than `unprotectedAlarmMs` (called every housekeeping tick;
   * syncs check it too).
   */
  checkProtection(): OrderRecord[] {
    const out: OrderRecord[] = [];
    for (const s of this.#symbols.values()) this.#watchProtection(s, out);
    return out;
  }

  /** Tracks whether `s` has its stop on the exchange; see {@linkcode unprotected}. */
  #watchProtection(s: SymbolState, out: OrderRecord[]): void {
    const side = exitSide(s.direction);
    const safe = s.amount.isZero() ||
      [...s.exits.values()].some((e) =>
        e.purpose === "sl" && e.state === "open" && e.side === side
      );
    const now = this.#o.clock();
    if (safe) {
      const alarmed = s.unprotectedAlarm && s.unprotectedSince !== undefined;
      if (alarmed) {
        out.push(
          this.#record(s.f.symbol, "position_protected", "stop-loss back", {
            data: { unprotectedMs: now - s.unprotectedSince! },
          }),
        );
      }
      s.unprotectedSince = undefined;
      s.unprotectedAlarm = false;
      if (alarmed) void this.#persist(out);
      return;
    }
    s.unprotectedSince ??= now;
    const ms = now - s.unprotectedSince;
    if (!s.unprotectedAlarm && ms > this.#o.unprotectedAlarmMs) {
      s.unprotectedAlarm = true;
      out.push(this.#record(
        s.f.symbol,
        "position_unprotected",
        `no stop-loss on the exchange for ${ms} ms`,
        { data: { amount: s.amount.toFixed(), sinceMs: s.unprotectedSince } },
      ));
      // the state file shows it (the doctor fails on it)
      void this.#persist(out);
    }
  }

  async #cancelExit(
    s: SymbolState,
    e: ExitOrder,
    why: string,
    out: OrderRecord[],
  ): Promise<void> {
    let r: Awaited<ReturnType<ExchangePort["cancelOrder"]>>;
    try {
      r = await this.#port.cancelOrder(s.f.symbol, e.id);
    } catch {
      r = "unknown";
    }
    if (r !== "unknown") s.exits.delete(e.id);
    out.push(this.#record(s.f.symbol, "exit_cancelled", `${why}: ${r}`, {
      clientOrderId: e.id,
      data: { purpose: e.purpose, quantity: e.qty.toFixed() },
    }));
  }

  /**
   * Places missing exits (stop-loss first, then take-profit, then trailing) and only then
   * cancels the wrongly sized or sided ones their replacements cover.
   *
   * @returns `sl_crossed` when the stop-loss was rejected as already crossed
   * (-2021/-4142), `sl_refused` when the stop-loss was rejected for a reason a retry
   * cannot cure, `no_position` when an exit was refused as reduce-only (-2022: the
   * exchange sees no position to reduce) while no stop-loss is live, `retry` when an exit with an unknown outcome
   * turned out not to exist
   */
  async #ensureExits(
    s: SymbolState,
    out: OrderRecord[],
  ): Promise<"ok" | "sl_crossed" | "sl_refused" | "no_position" | "retry"> {
    const dir = s.direction;
    // market-type orders: sized to MARKET_LOT_SIZE, rounded up over any dust
    const qty = new Decimal(marketCloseQuantity(s.f, s.amount));
    const side = exitSide(dir);
    const wanted: ExitPurpose[] = this.#trailing
      ? ["sl", "tp", "trail"]
      : ["sl", "tp"];
    const good = new Set<ExitPurpose>();
    const stale: ExitOrder[] = [];
    for (const e of s.exits.values()) {
      if (
        e.side === side && wanted.includes(e.purpose) &&
        !good.has(e.purpose) && (e.state === "unknown" || e.qty.eq(qty))
      ) {
        good.add(e.purpose);
      } else stale.push(e);
    }
    // invariant: a position is never left without exits for want of a fill price: with
    // none known (no avgPrice and no position read), the entry's limit price stands in
    const ref = s.entryPrice.gt(0) ? s.entryPrice : s.entryLimit;
    if (ref === undefined) {
      out.push(this.#record(s.f.symbol, "error", "no entry price for exits"));
      return "ok";
    }
    let retry = false;
    let result: "ok" | "sl_crossed" | "sl_refused" | "no_position" = "ok";
    for (const purpose of wanted) {
      if (good.has(purpose) || s.givenUp.has(purpose)) continue;
      // a crossed TP/trailing is tried again after a pause, not at every event
      if ((s.crossedUntil.get(purpose) ?? -Infinity) > this.#o.clock()) {
        continue;
      }
      const id = this.#exitId(s, dir, purpose);
      const spec = exitOrderSpec(s.f, purpose, {
        direction: dir,
        quantity: qty,
        entryPrice: ref,
      }, {
        tpBps: this.#o.tpBps,
        slBps: this.#o.slBps,
        trailing: this.#trailing,
      }, id);
      s.usedIds.add(id);
      const res = await this.#place(spec);
      const data = {
        purpose,
        side: spec.side,
        type: spec.type,
        quantity: spec.quantity,
        ...(spec.stopPrice ? { stopPrice: spec.stopPrice } : {}),
        ...(spec.activationPrice
          ? {
            activationPrice: spec.activationPrice,
            callbackRate: spec.callbackRate ?? "",
          }
          : {}),
      };
      if (res.kind === "placed") {
        s.exits.set(id, { id, purpose, side, qty, state: "open" });
        good.add(purpose);
        out.push(this.#record(s.f.symbol, "exit_placed", spec.type, {
          clientOrderId: id,
          data,
        }));
        this.#applyOrder(s, res.order, res.order.updateTime, out, true);
      } else if (res.kind === "unknown") {
        out.push(this.#record(s.f.symbol, "exit_unknown", res.message, {
          clientOrderId: id,
          data,
        }));
        let found: PortOrder | undefined | null = null;
        try {
          found = await this.#port.queryOrder(s.f.symbol, id);
        } catch { /* stays unknown until the next reconcile */ }
        const stopless = ![...s.exits.values()].some((x) =>
          x.purpose === "sl" && x.side === side && x.state === "open"
        );
        if (found === null && purpose === "sl" && stopless) {
          // invariant: a stop-loss whose outcome is unknown while no other stop protects
          // the position is resolved by its client id at once (bounded back-off), not at
          // the next reconcile; absent, it is placed again (the retry below)
          found = await this.#requery(s, id);
        }
        if (found === null) {
          s.exits.set(id, { id, purpose, side, qty, state: "unknown" });
          good.add(purpose);
        } else if (found === undefined) {
          retry = true;
        } else {
          s.exits.set(id, { id, purpose, side, qty, state: "open" });
          good.add(purpose);
          out.push(this.#record(s.f.symbol, "exit_placed", "resolved", {
            clientOrderId: id,
            data,
          }));
          this.#applyOrder(s, found, found.updateTime, out, true);
        }
      } else if (res.code === -2021 || res.code === -4142) {
        out.push(this.#record(s.f.symbol, "exit_would_trigger", res.message, {
          clientOrderId: id,
          data: { ...data, code: res.code },
        }));
        // only the stop's level being crossed means the loss is already there
        if (purpose === "sl") {
          result = "sl_crossed";
          break;
        }
        s.crossedUntil.set(purpose, this.#o.clock() + CROSSED_RETRY_MS);
      } else {
        out.push(this.#record(s.f.symbol, "exit_rejected", res.message, {
          clientOrderId: id,
          data: { ...data, code: res.code },
        }));
        if (res.code === -2022) {
          // invariant: a -2022 on the take-profit or trailing stop while a stop-loss is
          // live pauses that exit like a crossed one (the stop protects; a position
          // read and back-off under the symbol's lock at every sync would buy nothing)
          const slLive = purpose !== "sl" &&
            [...s.exits.values()].some((x) =>
              x.purpose === "sl" && x.side === side && x.state === "open"
            );
          if (slLive) {
            s.crossedUntil.set(purpose, this.#o.clock() + CROSSED_RETRY_MS);
            continue;
          }
          // the exchange sees no position to reduce (it is closing or closed) and no
          // stop is live: the other exits would be refused alike; the caller reads the
          // position
          result = "no_position";
          break;
        }
        if (!TRANSIENT_REJECTS.has(res.code)) {
          // a refusal a retry cannot cure (precision, filters, notional, limits)
          if (purpose === "sl") {
            result = "sl_refused";
            break;
          }
          s.givenUp.add(purpose);
          out.push(this.#record(s.f.symbol, "exit_given_up", res.message, {
            clientOrderId: id,
            data: { purpose, code: res.code },
          }));
        }
      }
    }
    if (result !== "ok") return result;
    // replace before cancel: an old exit goes once its purpose has a live replacement,
    // or when its purpose is no longer wanted or it is on the wrong side. Invariant: a
    // replacement whose outcome is unknown (lost reply, failed query) does not count as
    // live, so the old stop stays until its replacement is confirmed open
    const live = (purpose: ExitPurpose) =>
      [...s.exits.values()].some((x) =>
        x.purpose === purpose && x.side === side && x.state === "open" &&
        !stale.includes(x)
      );
    for (const e of stale) {
      if (e.state !== "open") continue;
      const covered = live(e.purpose) || s.givenUp.has(e.purpose) ||
        e.side !== side || !wanted.includes(e.purpose);
      if (covered) await this.#cancelExit(s, e, "wrong size or side", out);
    }
    return retry ? "retry" : "ok";
  }

  /**
   * Queries an order by client id after each `closeRetryMs` pause until one query
   * answers: the order, `undefined` when the exchange does not know it, `null` when every
   * query failed.
   */
  async #requery(
    s: SymbolState,
    id: string,
  ): Promise<PortOrder | undefined | null> {
    for (const delay of this.#closeRetryMs) {
      await this.#o.sleep(delay);
      try {
        return await this.#port.queryOrder(s.f.symbol, id);
      } catch { /* the next pause */ }
    }
    return null;
  }

  #exitId(s: SymbolState, dir: Direction, purpose: OrderPurpose): string {
    // invariant: an id is always found, so a long run of refused closes or crossed
    // exits never stops the attempts: past the last revision the key moves on; a key
    // whose ids were all compacted (an adopted position's older update time) moves
    // above the floor at once
    if (s.key <= s.usedIds.exitFloor) s.key = s.usedIds.exitFloor + 1;
    for (let rev = 0;; rev++) {
      if (rev > MAX_REVISION) {
        s.key++;
        rev = 0;
      }
      const id = clientOrderId(s.f.symbol, s.key, dir, purpose, rev);
      if (!s.usedIds.has(id)) return id;
    }
  }

  /**
   * Closes the position with reduce-only MARKET orders: one attempt, then one per
   * `closeRetryMs` back-off while the position stays open (a rejection, a lost reply, a
   * partial fill or a position above MARKET_LOT_SIZE.maxQty). A `-2022` (the exchange
   * sees nothing to reduce) stops it: the next reconcile brings the truth.
   */
  async #closeAtMarket(
    s: SymbolState,
    why: string,
    out: OrderRecord[],
  ): Promise<void> {
    const delays = [0, ...this.#closeRetryMs];
    for (const delay of delays) {
      if (s.amount.isZero()) return;
      if (delay > 0) await this.#o.sleep(delay);
      if (s.amount.isZero()) return;
      const r = await this.#closeOnce(s, why, out);
      if (r === "stop") return;
    }
    if (!s.amount.isZero()) {
      out.push(this.#record(
        s.f.symbol,
        "error",
        `${why}: the position is still open after ${delays.length} market close attempts`,
        { data: { amount: s.amount.toFixed() } },
      ));
    }
  }

  /** One reduce-only MARKET close attempt. */
  async #closeOnce(
    s: SymbolState,
    why: string,
    out: OrderRecord[],
  ): Promise<"placed" | "failed" | "stop"> {
    const dir = s.direction;
    const quantity = marketCloseQuantity(s.f, s.amount);
    if (new Decimal(quantity).isZero()) {
      out.push(this.#record(s.f.symbol, "market_close_failed", "below step"));
      return "stop";
    }
    const id = this.#exitId(s, dir, "close");
    s.usedIds.add(id);
    const side: Side = dir === "long" ? "SELL" : "BUY";
    const res = await this.#place({
      symbol: s.f.symbol,
      side,
      type: "MARKET",
      quantity,
      reduceOnly: true,
      clientOrderId: id,
    });
    const data = { side, type: "MARKET", quantity };
    if (res.kind === "placed") {
      out.push(this.#record(s.f.symbol, "market_close", why, {
        clientOrderId: id,
        data: { ...data, executedQty: res.order.executedQty },
      }));
      this.#applyOrder(s, res.order, res.order.updateTime, out, true);
      return "placed";
    }
    out.push(this.#record(
      s.f.symbol,
      "market_close_failed",
      `${why}: ${res.message}`,
      {
        clientOrderId: id,
        data: {
          ...data,
          ...(res.kind === "rejected" ? { code: res.code } : {}),
        },
      },
    ));
    if (res.kind === "unknown") {
      let found: PortOrder | undefined;
      try {
        found = await this.#port.queryOrder(s.f.symbol, id);
      } catch { /* try again after the back-off */ }
      if (found) this.#applyOrder(s, found, found.updateTime, out, true);
      return "failed";
    }
    return res.code === -2022 ? "stop" : "failed";
  }
  /**
   * Kill-switch (or close-all) action on one symbol: cancel the entry, close at market,
   * then cancel every order of the symbol once it is flat.
   */
  async #flatten(
    s: SymbolState,
    out: OrderRecord[],
    why = "kill_switch",
  ): Promise<void> {
    if (s.entry) {
      try {
        await this.#port.cancelOrder(s.f.symbol, s.entry.id);
      } catch { /* IOC entries end by themselves; reconcile resolves */ }
      await this.#resolveEntry(s, out);
    }
    await this.#closeAtMarket(s, why, out);
    if (!s.amount.isZero()) {
      // the close failed or its outcome is unknown: keep the exits as protection;
      // the next check (or event) tries again
      out.push(
        this.#record(s.f.symbol, "error", `${why}: position still open`),
      );
      return;
    }
    if (s.exits.size > 0 || s.wasOpen) {
      try {
        await this.#port.cancelAll(s.f.symbol);
        for (const e of s.exits.values()) {
          out.push(this.#record(s.f.symbol, "exit_cancelled", why, {
            clientOrderId: e.id,
          }));
        }
        s.exits.clear();
      } catch (e) {
        out.push(this.#record(s.f.symbol, "error", errorText(e)));
      }
    }
    if (s.amount.isZero() && s.wasOpen) {
      this.#startCooldown(s);
      out.push(this.#record(s.f.symbol, "position_closed", why, {
        data: { cooldownUntil: s.cooldownUntil },
      }));
      await this.#persist(out);
    }
  }
}

/** An entry checked and marked in flight: its order and what the records show of it. */
interface PreparedEntry {
  readonly spec: OrderSpec & { readonly clientOrderId: string };
  /** {@linkcode SymbolState.entryCall} of this entry, and what settles it. */
  readonly call: Promise<void>;
  readonly done: () => void;
  readonly data: {
    readonly side: Side;
    readonly type: "LIMIT";
    readonly timeInForce: "IOC";
    readonly quantity: string;
    readonly price: string;
    readonly notional: string;
  };
}

/** The kill switch in memory. */
interface KillState {
  /** Epoch ms; Infinity = until an operator clears it. */
  readonly until: number;
  readonly trippedAt: number;
  readonly reason: string;
  readonly safetyMultiple?: number;
  /** Restored from the persisted state at start. */
  readonly restored: boolean;
}

/** Whether `o`'s cumulative filled quantity is above what `s` applied of that order. */
function addsFill(s: SymbolState, o: PortOrder): boolean {
  const known = s.fills.applied(`${o.clientOrderId}#${o.orderId}`);
  return new Decimal(o.executedQty).gt(known);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
