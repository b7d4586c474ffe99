/**
 * A fixed-capacity ring of items: pushing past capacity drops the oldest. Keeps the
 * simulator's memory flat however long it runs.
 *
 * @module
 */

/** A bounded FIFO that overwrites its oldest item when full. */
export class Ring<T> {
  #items: (T | undefined)[];
  #start = 0;
  #size = 0;

  /** @param capacity the most items kept (≥ 1) */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(
        `Cannot create ring: capacity ${capacity} is not a positive integer`,
      );
    }
    this.#items = new Array(capacity);
  }

  /** The number of items held. */
  get size(): number {
    return this.#size;
  }

  /** Appends an item, dropping the oldest when full. */
  push(item: T): void {
    const cap = this.#items.length;
    if (this.#size < cap) {
      this.#items[(this.#start + this.#size) % cap] = item;
      this.#size++;
    } else {
      this.#items[this.#start] = item;
      this.#start = (this.#start + 1) % cap;
    }
  }

  /** The item at `index` (0 = oldest), or undefined. */
  at(index: number): T | undefined {
    if (index < 0) index += this.#size;
    if (index < 0 || index >= this.#size) return undefined;
    return this.#items[(this.#start + index) % this.#items.length];
  }

  /** The items, oldest first, as a new array. */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.#size; i++) out.push(this.at(i) as T);
    return out;
  }

  /** The index of the first item for which `pred` is true, assuming items are sorted so that
   * `pred` is false then true (binary search); `size` when none. */
  lowerBound(pred: (item: T) => boolean): number {
    let lo = 0, hi = this.#size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pred(this.at(mid) as T)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
