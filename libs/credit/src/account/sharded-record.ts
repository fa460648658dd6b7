/**
 * A record of entries under caller-chosen ids (an account's orders and draws), split into shards by a
 * hash of the id, so that adding or changing one entry copies one shard instead of the whole record.
 *
 * `evolve` never mutates its input, so it copies every container it changes. An account's orders and
 * draws grow with its history: copying them whole on each draw made folding an account quadratic in its
 * age (a five-year account spent a third of its replay copying its order map). With 64 shards a change
 * copies the shard index and about a 64th of the entries.
 *
 * Plain data (a record of records), so a snapshot is still a JSON round trip. Ids are looked up as own
 * properties only: an id such as `__proto__` or `constructor` is an ordinary key, never a prototype's.
 */
export type ShardedRecord<T> = Record<string, Record<string, T>>;

const SHARDS = 64;

/** FNV-1a over the id's UTF-16 code units: stable across processes and versions, which snapshots need. */
function shardOf(id: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return `s${(hash >>> 0) % SHARDS}`;
}

export function emptySharded<T>(): ShardedRecord<T> {
  return {};
}

export function getEntry<T>(record: ShardedRecord<T>, id: string): T | undefined {
  const shard = ownValue(record, shardOf(id));
  return shard && ownValue(shard, id);
}

/** A copy with `id` set to `value`: the index and one shard are copied, the other shards are shared. */
export function withEntry<T>(record: ShardedRecord<T>, id: string, value: T): ShardedRecord<T> {
  // `withEntries` for one entry, without its bookkeeping: most events change exactly one entry.
  const shardKey = shardOf(id);
  const shard = { ...ownValue(record, shardKey) };
  const added = Object.hasOwn(shard, id) ? 0 : 1;
  defineOwn(shard, id, value);
  return withSizeOf(record, { ...record, [shardKey]: shard }, added);
}

/** A copy with every given entry set, copying each shard it touches once. */
export function withEntries<T>(record: ShardedRecord<T>, entries: Iterable<readonly [string, T]>): ShardedRecord<T> {
  let next: ShardedRecord<T> | undefined;
  let added = 0;
  const copied = new Set<string>();
  for (const [id, value] of entries) {
    next ??= { ...record };
    const shardKey = shardOf(id);
    if (!copied.has(shardKey)) {
      copied.add(shardKey);
      next[shardKey] = { ...ownValue(record, shardKey) };
    }
    if (!Object.hasOwn(next[shardKey], id)) added++;
    defineOwn(next[shardKey], id, value);
  }
  return next === undefined ? record : withSizeOf(record, next, added);
}

/** Every entry, shard by shard (callers that need an order sort by a field of their own, such as `seq`). */
export function entriesOf<T>(record: ShardedRecord<T>): T[] {
  const all: T[] = [];
  for (const shardKey of Object.keys(record)) {
    const shard = record[shardKey];
    for (const id of Object.keys(shard)) all.push(shard[id]);
  }
  return all;
}

/**
 * Entries per record, by record object. A record is never changed once built (a change copies it), and
 * `withEntries` carries its source's count forward, so a record is counted entry by entry only the first
 * time it is asked about (after a snapshot is read). The count is asked for each new draw's posting order
 * and each time a cache weighs a state.
 */
const sizes = new WeakMap<object, number>();

/** `next`, a copy of `record` with `added` more entries, carrying its count forward when it is known. */
function withSizeOf<T>(record: ShardedRecord<T>, next: ShardedRecord<T>, added: number): ShardedRecord<T> {
  const size = sizes.get(record);
  if (size !== undefined) sizes.set(next, size + added);
  return next;
}

export function sizeOf<T>(record: ShardedRecord<T>): number {
  let size = sizes.get(record);
  if (size === undefined) {
    size = 0;
    for (const shardKey in record) if (Object.hasOwn(record, shardKey)) size += Object.keys(record[shardKey]).length;
    sizes.set(record, size);
  }
  return size;
}

/**
 * The value a plain record holds under a caller-chosen id, as an own property only: `record[id]` would
 * answer `Object.prototype` for `__proto__` and a function for `constructor` or `toString`.
 */
export function ownValue<T>(record: Readonly<Record<string, T>>, id: string): T | undefined {
  return Object.hasOwn(record, id) ? record[id] : undefined;
}

/** Sets an own, enumerable property even for the key `__proto__` (plain assignment would set the prototype). */
function defineOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
