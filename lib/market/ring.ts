/**
 * A fixed-capacity ring buffer of references: O(1) push, oldest dropped when full.
 *
 * @module
 */

/** A bounded FIFO that overwrites its oldest item when full. */
export class Ring<T> {
  /** Maximum number of items kept. */
  readonly capacity: number;
  #items: (T | undefined)[];
  #start = 0;
  #size = 0;

  /** Creates an empty ring holding at most `capacity` items. */
  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`Cannot create a ring: capacity ${capacity} < 1`);
    }
    this.capacity = capacity;
    this.#items = new Array<T | undefined>(capacity);
  }

  /** Number of items held. */
  get size(): number {
    return this.#size;
  }

  /** Appends `item`, dropping the oldest when full. */
  push(item: T): void {
    const cap = this.capacity;
    if (this.#size < cap) {
      this.#items[(this.#start + this.#size) % cap] = item;
      this.#size++;
    } else {
      this.#items[this.#start] = item;
      this.#start = (this.#start + 1) % cap;
    }
  }

  /** The newest item, or `undefined` when empty. */
  last(): T | undefined {
    if (this.#size === 0) return undefined;
    return this.#items[(this.#start + this.#size - 1) % this.capacity];
  }

  /** The newest `limit` items (all by default), oldest first. */
  toArray(limit: number = this.#size): T[] {
    const n = Math.min(Math.max(0, limit), this.#size);
    const out = new Array<T>(n);
    const first = this.#start + this.#size - n;
    for (let i = 0; i < n; i++) {
      out[i] = this.#items[(first + i) % this.capacity] as T;
    }
    return out;
  }
}
