/**
 * The order manager's per-symbol state (private to `lib/order`).
 *
 * @module
 */
import { Decimal } from "decimal.js";
import type { ExitPurpose } from "./exit_orders.ts";
import type { Direction, OrderFilters } from "./filters.ts";
import type { Side } from "./port.ts";
import { FillMemory, UsedIds } from "./order_memory.ts";

/** An exit order the manager knows of. */
export interface ExitOrder {
  readonly id: string;
  readonly purpose: ExitPurpose;
  readonly side: Side;
  readonly qty: Decimal;
  state: "open" | "unknown";
}

/** The entry in flight (or with an unknown outcome). */
export interface EntryState {
  readonly id: string;
  readonly direction: Direction;
  state: "pending" | "unknown";
  readonly placedAt: number;
  /** Its limit price (a LIMIT IOC at the touch). */
  readonly price: string;
  /**
   * Its placement call has not returned yet (the symbol's lock is free meanwhile): only
   * that call's reply decides the entry's end, and the reply is checked against the
   * position snapshots applied while it was in flight.
   */
  inFlight: boolean;
  /** {@linkcode SymbolState.snapshots} when the placement call went out. */
  readonly snapshots: number;
}

/** The manager's mutable state of one symbol. */
export class SymbolState {
  readonly f: OrderFilters;
  amount = new Decimal(0);
  entryPrice = new Decimal(0);
  /**
   * The limit price of the entry whose fill came without an average price: the exits'
   * reference while no entry price is known (a buy fills at or below it, a sell at or
   * above, so exits priced from it are never looser than asked). None = not needed.
   */
  entryLimit: Decimal | undefined;
  /** Time of the newest absolute position (user stream or REST) applied, epoch ms. */
  snapTime = -Infinity;
  /** How many absolute positions (user stream or REST) were applied. */
  snapshots = 0;
  /** How many fills moved the position. */
  fillCount = 0;
  /** Time of the newest fill applied, epoch ms. */
  fillTime = -Infinity;
  /** A fill shared its millisecond with a snapshot: read the position over REST. */
  verifyPosition = false;
  /** Client id key of the current position. */
  key = 0;
  entry: EntryState | undefined;
  /**
   * The entry's placement call and the locked application of its reply, while in flight:
   * `OrderManager.closeAll` waits for it (the fill it may open is closed too).
   */
  entryCall: Promise<unknown> | undefined;
  exits = new Map<string, ExitOrder>();
  /** The fills applied per order (bounded: see {@linkcode FillMemory}). */
  fills: FillMemory;
  /** Exits partly filled and not final yet: triggered, their other fills on the way. */
  fillingExits = new Set<string>();
  /** The client ids used (compacted: see {@linkcode UsedIds}). */
  usedIds = new UsedIds();
  wasOpen = false;
  cooldownUntil = 0;
  /** The cooldown was restored from the persisted state at start. */
  cooldownRestored = false;
  /**
   * Optional exits (TP, trailing) the exchange refused for good for the current position:
   * not retried until the position is flat (a retry cannot cure a precision or filter
   * refusal, and must never close the position).
   */
  givenUp = new Set<ExitPurpose>();
  /**
   * Optional exits rejected as crossed (or as reduce-only, `-2022`, while the stop-loss
   * is live): not tried again before this time, epoch ms.
   */
  crossedUntil = new Map<ExitPurpose, number>();
  /** Since when (manager clock, ms) the open position has no open stop-loss; none = protected or flat. */
  unprotectedSince: number | undefined;
  /**
   * Leverage or margin type could not be set and the exchange does not report the wanted
   * values: no entries until a later setup succeeds.
   */
  setupFailed = false;
  /** The exchange refused the stop-loss for good: no entries until a restart. */
  stopRefused = false;
  /** The unprotected alarm (error record) was raised for the current stretch. */
  unprotectedAlarm = false;
  /** Bumped after every locked operation: a snapshot older than this is stale. */
  version = 0;
  lock: Promise<unknown> = Promise.resolve();
  /**
   * @param f the symbol's filters
   * @param fills the memory of the fills applied per order
   */
  constructor(f: OrderFilters, fills: FillMemory = new FillMemory()) {
    this.f = f;
    this.fills = fills;
  }
  /** The position's direction (long when flat). */
  get direction(): Direction {
    return this.amount.isNeg() ? "short" : "long";
  }
}
