/**
 * A least-recently-used map bounded by a count and, optionally, by a total weight (an estimate of the
 * bytes each value holds). A Map iterates in insertion order, so re-inserting on every hit keeps the
 * least recently used key first, and evicting it is O(1).
 *
 * A count alone does not bound memory: a five-year account holds five times what a one-year account
 * does. With `maxWeight`, values are weighed once, when they are set, and the least recently used are
 * evicted until both bounds hold; a value heavier than the whole budget is not kept at all.
 */
export interface LruWeight<V> {
  maxWeight: number;
  weigh(value: V): number;
}

interface Entry<V> {
  value: V;
  weight: number;
}

export class LruCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();
  private totalWeight = 0;

  constructor(
    readonly capacity: number,
    private readonly bound?: LruWeight<V>,
    /**
     * Called with each value the bounds push out: the least recently used as others come in, or a value
     * heavier than the whole budget, which is not kept. Not called for `delete`, `clear` or a value set
     * again under its key. It must not use the cache.
     */
    private readonly onEvict?: (key: K, value: V) => void,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new Error(`LRU capacity must be a positive integer, got ${capacity}`);
    if (bound && !(Number.isFinite(bound.maxWeight) && bound.maxWeight > 0))
      throw new Error(`LRU weight bound must be a positive number, got ${bound.maxWeight}`);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The sum of the weights of the values held. */
  get weight(): number {
    return this.totalWeight;
  }

  /** The bound on the sum of the weights, if the cache has one. */
  get maxWeight(): number | undefined {
    return this.bound?.maxWeight;
  }

  /** Whether `key` is held, without counting as a use of it. */
  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** The weight `key` was set with, without counting as a use of it. */
  weightOf(key: K): number | undefined {
    return this.entries.get(key)?.weight;
  }

  /** Puts `value` in place of the one held under `key`, if any, keeping its weight and its place: for a value equivalent to it. */
  replace(key: K, value: V): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    entry.value = value;
    return true;
  }

  /**
   * Weighs the value held under `key` again, if any, and evicts as the bound then requires: for a value
   * that grew in place (a state whose stored shards were parsed since it was set).
   */
  reweigh(key: K): void {
    const entry = this.entries.get(key);
    if (entry === undefined || !this.bound) return;
    this.set(key, entry.value);
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Sets `key`; `weight` spares weighing a value the caller has just weighed. */
  set(key: K, value: V, weight = this.bound ? this.bound.weigh(value) : 0): void {
    // A NaN would switch the bound off for good, a negative weight would let the cache overshoot it.
    if (!Number.isSafeInteger(weight) || weight < 0) throw new Error(`LRU weight must be a non-negative integer, got ${weight}`);
    this.delete(key);
    if (this.bound && weight > this.bound.maxWeight) {
      this.onEvict?.(key, value);
      return;
    }
    this.entries.set(key, { value, weight });
    this.totalWeight += weight;
    while (this.entries.size > this.capacity || (this.bound && this.totalWeight > this.bound.maxWeight)) {
      const [oldest, entry] = this.entries.entries().next().value as [K, Entry<V>];
      this.delete(oldest);
      this.onEvict?.(oldest, entry.value);
    }
  }

  delete(key: K): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.totalWeight -= entry.weight;
  }

  clear(): void {
    this.entries.clear();
    this.totalWeight = 0;
  }
}
