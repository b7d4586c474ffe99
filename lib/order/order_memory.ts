/**
 * The order manager's per-symbol memory of orders, bounded (private to `lib/order`): the
 * fills applied per order ({@linkcode FillMemory}) and the client order ids used
 * ({@linkcode UsedIds}). Without pruning both grow by a few keys per round trip for the
 * life of the process.
 *
 * @module
 */
import { Decimal } from "decimal.js";
import { parseClientOrderId } from "./client_ids.ts";

/** Default of {@linkcode FillMemory.retentionMs}: 15 minutes. */
export const FILL_RETENTION_MS = 15 * 60_000;

/** Default of {@linkcode FillMemory.kept}. */
export const FILL_KEYS_KEPT = 64;

/**
 * The most keys {@linkcode FillMemory} holds before it drops the keys of orders not known
 * to be final too (oldest first, past the retention): the leak bound for orders whose
 * final report was lost (the stream does not replay across a reconnect). Far above the
 * exchange's open orders per symbol.
 */
export const FILL_KEYS_CAP = 1_024;

interface FillKey {
  /** The order's cumulative filled quantity the position holds. */
  qty: Decimal;
  /** The order's client id (the manager's view of the order: entry, exit, other). */
  readonly id: string;
  /** The order's last report, manager clock, ms. */
  seenAt: number;
  /** Whether a report of the order was final (FILLED, CANCELED, EXPIRED, …). */
  final: boolean;
}

/**
 * How much of each order's fills the position holds, keyed by client id and exchange order
 * id: a report of an order (user-stream update, placement reply, resolving query) moves
 * the position only by the growth of its cumulative filled quantity, so a fill reported
 * twice is counted once.
 *
 * Invariant (what must be remembered, and for how long): a key is needed while a report
 * of its order can still arrive, since a report of a forgotten order would count its
 * fills again. Reports come from the manager's own calls only while the order is the
 * entry or a known exit, or within the locked operation that placed or closed it (a
 * market close: its reply and resolving query); the user stream delivers an order's
 * updates in order, late by the stream's lag (seconds), and never replays them after a
 * reconnect. An order still open on the exchange is different: a resting order the
 * manager does not own (a manual GTC limit) can fill again at any time, and its next
 * report carries its whole cumulative quantity. So a key is dropped only when all of
 * these hold:
 * - its order is not live for the manager (`live(id)`: the entry, a known exit);
 * - a report of it was final (FILLED, CANCELED, REJECTED, EXPIRED): no later fill can
 *   come — unless more than `cap` keys are held (then the oldest go until `cap` are
 *   left), the leak bound for orders whose final report was lost;
 * - its last report is more than `retentionMs` old (manager clock; far beyond any
 *   stream lag, transport timeout and resolving queries);
 * - at least `kept` keys were reported more recently (a sped-up or stepped clock cannot
 *   drop the latest round trips' keys).
 * Memory is then at most `kept` + the live orders + the partly filled orders still open
 * + the keys reported within `retentionMs` (bounded by the exchange's order rate), and
 * at most `cap` + the live orders + those reported within `retentionMs`.
 * {@linkcode FillMemory.prune} runs
 * at the end of every locked operation, when none of the manager's own calls of the
 * symbol is mid-way but the entry's (live).
 */
export class FillMemory {
  /** How long a key outlives its order's last report, ms. */
  readonly retentionMs: number;
  /** The newest keys always kept, whatever their age. */
  readonly kept: number;
  /** Beyond this many keys, those of orders not known final are dropped too. */
  readonly cap: number;
  /** In order of last report (re-inserted on every report), oldest first. */
  #keys = new Map<string, FillKey>();

  /**
   * @param retentionMs how long a key outlives its order's last report, ms
   * @param kept the newest keys always kept
   * @param cap beyond this many keys, those of orders not known final are dropped too
   *   (default: the larger of {@linkcode FILL_KEYS_CAP} and `kept`)
   * @throws {RangeError} for a negative or non-finite setting
   */
  constructor(
    retentionMs = FILL_RETENTION_MS,
    kept = FILL_KEYS_KEPT,
    cap = Math.max(FILL_KEYS_CAP, kept),
  ) {
    if (!(retentionMs >= 0) || !Number.isFinite(retentionMs)) {
      throw new RangeError(
        `Cannot keep fills: retention ${retentionMs} ms is not >= 0`,
      );
    }
    if (!Number.isInteger(kept) || kept < 0) {
      throw new RangeError(`Cannot keep fills: ${kept} keys is not >= 0`);
    }
    if (!Number.isInteger(cap) || cap < kept) {
      throw new RangeError(
        `Cannot keep fills: a cap of ${cap} keys is not an integer >= ${kept} (kept)`,
      );
    }
    this.retentionMs = retentionMs;
    this.kept = kept;
    this.cap = cap;
  }

  /** The keys held. */
  get size(): number {
    return this.#keys.size;
  }

  /** The cumulative filled quantity of order `key` the position holds (0 = none). */
  applied(key: string): Decimal {
    return this.#keys.get(key)?.qty ?? new Decimal(0);
  }

  /**
   * Notes a report of order `key` (client id `id`) at `nowMs`: `final` whether the report
   * is of a final status (once final, an order stays final: a late report of an earlier
   * status does not reopen it); `qty` is its new cumulative filled quantity when the
   * position took its growth, none when the report added nothing (it only refreshes a
   * known key).
   */
  seen(
    key: string,
    id: string,
    nowMs: number,
    final: boolean,
    qty?: Decimal,
  ): void {
    const k = this.#keys.get(key);
    if (!k && qty === undefined) return;
    this.#keys.delete(key);
    this.#keys.set(key, {
      id,
      qty: qty ?? k!.qty,
      seenAt: Math.max(nowMs, k?.seenAt ?? -Infinity),
      final: final || (k?.final ?? false),
    });
  }

  /**
   * Drops the keys no report can need any more (see the class doc).
   *
   * @param live whether the order with this client id is live for the manager
   */
  prune(nowMs: number, live: (id: string) => boolean): void {
    let excess = this.#keys.size - this.kept;
    if (excess <= 0) return;
    for (const [key, k] of this.#keys) {
      if (excess <= 0 || nowMs - k.seenAt <= this.retentionMs) break;
      // a key of an order not known final goes only while the keys exceed the cap
      if (live(k.id) || (!k.final && this.#keys.size <= this.cap)) continue;
      this.#keys.delete(key);
      excess--;
    }
  }
}

/**
 * The client order ids a symbol has used, compacted: an id counts as used when it is held,
 * or when its key (the signal bar's open time or the position's key, see
 * `clientOrderId`) is at most its purpose's floor: entry ids have their own floor, exit
 * and close ids another.
 *
 * Invariant: the set of ids that count as used only grows — {@linkcode UsedIds.compact}
 * moves ids into a floor, never out of the set — so an id is never issued twice (a
 * client id resolves a lost reply: a reused one could find an older order). Ids are
 * generated only for the current position's key, and a new position's key is a newer bar
 * (or, adopted, a later update time), so only ids of keys below the current one are
 * compacted. Entry ids always carry a signal bar's open time, so the entry floor is the
 * newest compacted traded bar, and the cost is exactly that a signal for a bar not newer
 * than one already traded is refused as a duplicate (bars of a symbol arrive in order).
 * The keys of adopted positions (update times, inside a bar) raise only the exit floor,
 * so they never refuse the signal of the bar they fall in. Ids the manager cannot have
 * generated (foreign ones) are dropped: they can never collide.
 */
export class UsedIds {
  #ids = new Set<string>();
  #entryFloor = -Infinity;
  #exitFloor = -Infinity;

  /** Entry ids with a key at most this count as used; -Infinity before any compaction. */
  get entryFloor(): number {
    return this.#entryFloor;
  }

  /** Exit and close ids with a key at most this count as used; -Infinity before any. */
  get exitFloor(): number {
    return this.#exitFloor;
  }

  /** The ids held (not those the floor covers). */
  get size(): number {
    return this.#ids.size;
  }

  /** Marks `id` used. */
  add(id: string): void {
    this.#ids.add(id);
  }

  /** Whether `id` counts as used. */
  has(id: string): boolean {
    if (this.#ids.has(id)) return true;
    const p = parseClientOrderId(id);
    if (p === undefined) return false;
    return p.key <=
      (p.purpose === "entry" ? this.#entryFloor : this.#exitFloor);
  }

  /** Moves the ids of keys below `key` (the current position's) into their floors. */
  compact(key: number): void {
    for (const id of this.#ids) {
      const p = parseClientOrderId(id);
      if (p !== undefined && p.key >= key) continue;
      if (p?.purpose === "entry") {
        this.#entryFloor = Math.max(this.#entryFloor, p.key);
      } else if (p !== undefined) {
        this.#exitFloor = Math.max(this.#exitFloor, p.key);
      }
      this.#ids.delete(id);
    }
  }
}
