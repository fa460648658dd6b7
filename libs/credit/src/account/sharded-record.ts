/**
 * A record of entries under caller-chosen ids (an account's orders, draws and repayment references),
 * split into shards by a hash of the id, so that adding or changing one entry copies one shard instead
 * of the whole record.
 *
 * `evolve` never mutates its input, so it copies every container it changes. An account's orders and
 * draws grow with its history: copying them whole on each draw made folding an account quadratic in its
 * age (a five-year account spent a third of its replay copying its order map). With 64 shards a change
 * copies the shard index and about a 64th of the entries.
 *
 * The index is an array of exactly 64 slots (null for a shard with no entry yet). It was an object keyed
 * `s0`..`s63`, with keys in the order the account first touched them, so nearly every index had a hidden
 * class of its own and copying one took the engine's slow path: about 3 microseconds, against a tenth of
 * that for an array. That changed the state's shape (`STATE_SCHEMA_VERSION` 4); version 3's index still
 * reads (`shardedFromStored`), so an upgrade keeps snapshots and the projections' account states.
 *
 * Plain data (an array of slots, each a record of entries or null) apart from stored shards below, which
 * write themselves as their entries, so `JSON.stringify` of a state still sees every entry. Ids are looked
 * up as own properties only: an id such as `__proto__` or `constructor` is an ordinary key, never a
 * prototype's.
 *
 * A slot read back from a snapshot may be a `StoredShard`: the shard's JSON text, parsed the first time
 * an entry of it is asked for (state version 5, see `state-codec.ts`). An account touches one or two
 * shards per event, so a state read from its snapshot no longer parses every order and draw it ever had,
 * and a state written again writes the shards it never touched as the text they were read from. Only
 * the functions of this module look into a slot.
 */
export type ShardedRecord<T> = readonly (Readonly<Record<string, T>> | StoredShard | null)[];

export const SHARDS = 64;

/**
 * A shard as its snapshot's JSON text, not parsed yet; `parse` gives its entries (Money restored).
 *
 * A shard stored apart from its state (a fold's shard row, `deserializeApart`) may not even be read yet:
 * its text is then a function that reads it, called the first time the text or an entry is asked for.
 * That is safe as long as the holder keeps one line of states per account, each folded from the last,
 * and lets go of them when the table is emptied or rolled back under them (the fold's `forget`): a
 * stored shard's row is then replaced only by writing a state whose slot differs from this object, and
 * a state gets such a slot only by changing an entry of this shard, which reads it first. A state kept
 * past that (an older state of the account, once a newer one was written) could read a newer row.
 *
 * The repository's snapshots (envelope 4, `snapshot-body.ts`) keep shards in parts the same way, but
 * another writer may save a part under them, so their reader checks that the part it reads was saved at
 * the revision its snapshot lists, and otherwise throws (a broken shard, never an empty one).
 */
export class StoredShard {
  private source: string | (() => string);
  // Its counts, worked out once, are kept in private fields, which a frozen shard (a test's deep-frozen
  // state) still lets it fill, as it does the entries it parses (`parsedShards`). (Not its text, read once.)
  /** The text's bytes on the heap, once worked out (`textBytes`). */
  #bytes?: number;
  /** How many entries the text parsed to, once parsed (`parsedEntryCount`). */
  #parsedCount?: number;

  constructor(
    text: string | (() => string),
    private readonly parse: (text: string) => Readonly<Record<string, unknown>>,
    /** Where this text is stored apart from its state (a fold's table), if it is: see `serializeApart`. */
    readonly home?: object,
    /** Bytes a character of the text takes, where the caller knows (see `textBytes`). */
    private readonly bytesPerChar?: 1 | 2,
  ) {
    this.source = text;
  }

  /** The shard's JSON text (read from where it is stored, the first time, if it was not read with its state). */
  get text(): string {
    if (typeof this.source !== 'string') this.source = this.source();
    return this.source;
  }

  /**
   * The text's bytes on the heap: the engine keeps a string of Latin-1 characters at a byte each and any
   * other at two. Worked out once, for caches that weigh the shard. A text cut out of a larger one (a
   * snapshot's line) is kept in that one's form, which its reader passes as `bytesPerChar`: one test of
   * the whole text, instead of a scan of every line.
   */
  get textBytes(): number {
    if (this.#bytes === undefined) this.#bytes = (this.bytesPerChar ?? bytesPerCharOf(this.text)) * this.text.length;
    return this.#bytes;
  }

  /** Whether the text is in memory (read with the state, or asked for since). */
  get loaded(): boolean {
    return typeof this.source === 'string';
  }

  /** The entries if they were parsed already, else undefined (parses nothing). */
  parsedEntries(): Readonly<Record<string, unknown>> | undefined {
    return parsedShards.get(this);
  }

  /** How many entries were parsed, if they were (parses nothing). */
  parsedEntryCount(): number | undefined {
    return this.#parsedCount;
  }

  /** The shard's entries, parsed once (kept beside it, so a frozen state may hold a stored shard too). */
  entries<T>(): Readonly<Record<string, T>> {
    let entries = parsedShards.get(this);
    if (entries === undefined) {
      try {
        entries = this.parse(this.text);
      } catch (error) {
        throw new BrokenStoredShardError(error);
      }
      if (entries === null || typeof entries !== 'object' || Array.isArray(entries)) throw new BrokenStoredShardError(new TypeError('the shard is not an object'));
      parsedShards.set(this, entries);
      // Counted as they are parsed (they never change), so that weighing never visits them (`state-weight.ts`).
      this.#parsedCount = countOwnKeys(entries);
    }
    return entries as Readonly<Record<string, T>>;
  }

  /** `JSON.stringify` of a state that holds one sees the entries, as it would in a shard built here. */
  toJSON(): Readonly<Record<string, unknown>> {
    return this.entries();
  }
}

/**
 * A stored shard whose text does not parse as a shard. Shards are parsed when first asked for, long after
 * the snapshot or row that held them was read, so this is how damage inside one shows: a holder that can
 * rebuild what it read (the repository, from the account's events) should do so rather than fail.
 */
export class BrokenStoredShardError extends Error {
  constructor(readonly reason: unknown) {
    super(`a stored shard does not parse: ${reason instanceof Error ? reason.message : String(reason)}`);
  }
}

/** Bytes the engine keeps a string at per character: one where every character is Latin-1, else two. */
export function bytesPerCharOf(text: string): 1 | 2 {
  return /[\u0100-\uffff]/.test(text) ? 2 : 1;
}

const parsedShards = new WeakMap<StoredShard, Readonly<Record<string, unknown>>>();

/** The own enumerable keys of a record (a shard, an account's plans), without building their array. */
export function countOwnKeys(record: object): number {
  let n = 0;
  for (const key in record) if (Object.hasOwn(record, key)) n++;
  return n;
}

/** The entries of slot `index`, or null for a shard with none. */
function shardAt<T>(record: ShardedRecord<T>, index: number): Readonly<Record<string, T>> | null {
  const slot = record[index];
  return slot instanceof StoredShard ? slot.entries<T>() : slot;
}

/**
 * A record read back from a snapshot: its slots as stored (text, a function that reads it, a stored
 * shard the caller built, or null) and its entry count, which the snapshot carries so that counting
 * does not parse every shard. Given the record the slots were written from, a slot that was a stored
 * shard already keeps that object (and whatever it parsed).
 */
export function storedSharded<T>(
  slots: readonly (string | (() => string) | StoredShard | null)[],
  size: number,
  parse: (text: string) => Readonly<Record<string, unknown>>,
  { writtenFrom, home, bytesPerChar }: { writtenFrom?: ShardedRecord<T>; home?: object; bytesPerChar?: 1 | 2 } = {},
): ShardedRecord<T> {
  const record: (StoredShard | null)[] & Counted = slots.map((text, i) => {
    if (text === null) return null;
    if (text instanceof StoredShard) return text;
    if (typeof text !== 'string' && typeof text !== 'function') throw new TypeError('not a stored sharded record: a slot is neither text nor null');
    const previous = writtenFrom?.[i];
    return previous instanceof StoredShard && previous.home === home ? previous : new StoredShard(text, parse, home, bytesPerChar);
  });
  return withCount(record, size);
}

/**
 * A record of stored shards (or nulls) built by the caller, with its entry count: the record a state
 * written apart keeps (`serializeApart`), whose untouched shards are the very objects it held.
 */
export function storedRecord<T>(slots: (StoredShard | null)[], size: number): ShardedRecord<T> {
  return withCount(slots, size);
}

function withCount<T>(record: (StoredShard | null)[] & Counted, size: number): ShardedRecord<T> {
  if (record.length !== SHARDS || !Number.isSafeInteger(size) || size < 0) throw new TypeError(`not a stored sharded record: ${record.length} slots, size ${size}`);
  // The count is trusted without parsing (it numbers the next draw), but it must at least cover the
  // stored shards, each of which holds an entry (none is ever removed): less is a corrupt record.
  const stored = record.reduce((n, slot) => (slot === null ? n : n + 1), 0);
  if (size < stored) throw new TypeError(`not a stored sharded record: size ${size} but ${stored} shards with entries`);
  record.size = size;
  record.built = 0;
  return record;
}

/**
 * Each slot as stored: null, the text a stored shard was read from, or `write`'s text of a shard built
 * since. Used by the codec to write a record.
 */
export function storedSlots<T>(record: ShardedRecord<T>, write: (shard: Readonly<Record<string, T>>) => string): (string | null)[] {
  const slots: (string | null)[] = [];
  for (const slot of record) slots.push(slot === null ? null : slot instanceof StoredShard ? slot.text : write(slot));
  return slots;
}

/** FNV-1a over the id's UTF-16 code units: stable across processes and versions, which snapshots need. */
function shardOf(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % SHARDS;
}

export function emptySharded<T>(): ShardedRecord<T> {
  const record: ShardedRecord<T> & Counted = new Array<null>(SHARDS).fill(null);
  record.size = 0;
  record.built = 0;
  return record;
}

export function getEntry<T>(record: ShardedRecord<T>, id: string): T | undefined {
  const shard = shardAt(record, shardOf(id));
  return shard ? ownValue(shard, id) : undefined;
}

/** A copy with `id` set to `value`: the index and one shard are copied, the other shards are shared. */
export function withEntry<T>(record: ShardedRecord<T>, id: string, value: T): ShardedRecord<T> {
  // `withEntries` for one entry, without its bookkeeping: most events change exactly one entry.
  const index = shardOf(id);
  const shard = copyRecord(shardAt(record, index));
  const added = Object.hasOwn(shard, id) ? 0 : 1;
  defineOwn(shard, id, value);
  const next = record.slice();
  next[index] = shard;
  return withSizeOf(record, next, added, parsedFrom(record[index]));
}

/** A copy with every given entry set, copying each shard it touches once. */
export function withEntries<T>(record: ShardedRecord<T>, entries: Iterable<readonly [string, T]>): ShardedRecord<T> {
  let next: (Record<string, T> | StoredShard | null)[] | undefined;
  let added = 0;
  let fromStored = 0;
  const copied = new Set<number>();
  for (const [id, value] of entries) {
    next ??= record.slice() as (Record<string, T> | StoredShard | null)[];
    const index = shardOf(id);
    if (!copied.has(index)) {
      copied.add(index);
      next[index] = copyRecord(shardAt(record, index));
      fromStored += parsedFrom(record[index]);
    }
    const shard = next[index] as Record<string, T>;
    if (!Object.hasOwn(shard, id)) added++;
    defineOwn(shard, id, value);
  }
  return next === undefined ? record : withSizeOf(record, next, added, fromStored);
}

/** The entries a slot just copied into a shard of its own held as a stored shard, else 0. */
function parsedFrom(slot: ShardedRecord<unknown>[number]): number {
  // The copy parsed it, so its count is known; counted here all the same, should that order ever change.
  return slot instanceof StoredShard ? (slot.parsedEntryCount() ?? countOwnKeys(slot.entries())) : 0;
}

/**
 * A writable copy of a record keyed by ids (a shard, an account's disputes, a statement's billed draws),
 * in dictionary mode; `null` gives an empty one. Such keys are ids no other object has, so a copy made
 * by spreading, given a new id, needed a hidden class of its own: the engine built one (and copied its
 * descriptors) for every id ever added, a few microseconds each, which was most of the cost of a draw's
 * fold. A prototype-less object is a hash table from the start and stays one as ids are added; it reads,
 * enumerates and serializes like the plain object it replaces.
 */
export function copyRecord<T>(record: Readonly<Record<string, T>> | null): Record<string, T> {
  const copy = Object.create(null) as Record<string, T>;
  if (record !== null) for (const id in record) copy[id] = record[id];
  return copy;
}

/**
 * A sharded record as a snapshot holds it. Snapshots of state version 3 held the index as an object
 * keyed `s0`..`s63`; the hash is unchanged, so shard `sN` is slot N and they convert without a replay.
 */
export function shardedFromStored<T>(stored: ShardedRecord<T> | Record<string, Record<string, T>>): ShardedRecord<T> {
  if (Array.isArray(stored)) return stored;
  const slots: (Record<string, T> | null)[] = new Array<null>(SHARDS).fill(null);
  for (const key of Object.keys(stored)) {
    const index = /^s(\d+)$/.exec(key);
    if (!index || Number(index[1]) >= SHARDS) throw new TypeError(`not a shard of a stored sharded record: ${JSON.stringify(key)}`);
    slots[Number(index[1])] = (stored as Record<string, Record<string, T>>)[key];
  }
  return slots;
}

/** Every entry, shard by shard (callers that need an order sort by a field of their own, such as `seq`). */
export function entriesOf<T>(record: ShardedRecord<T>): T[] {
  const all: T[] = [];
  for (let index = 0; index < record.length; index++) {
    const shard = shardAt(record, index);
    if (shard === null) continue;
    for (const id of Object.keys(shard)) all.push(shard[id]);
  }
  return all;
}

/**
 * Entries per record. A record built here carries its count in a `size` property of its own (not an
 * index, so `JSON.stringify` does not write it, and `slice` does not copy it): a record is never
 * changed once built (a change copies it), so the count is carried forward from copy to copy. The codec
 * writes the count beside the shards (state version 5) and `storedSharded` sets it again on read. A record
 * with none (a version 3 or 4 snapshot's) is counted entry by entry the first time it is asked about, and
 * that count is kept by record object. The count is asked for each new draw's posting order. (Keeping
 * every count in the WeakMap made it hold an entry per copy, a cost to each copy and to the collector.)
 * A second count, `built`, goes the same way for caches that weigh a state (`builtSizeOf`).
 *
 * The properties are plain assignments, so they are enumerable: `Object.keys` and `for...in` over a
 * record list `size` and `built` after the slots, and a deep equality (jest's `toEqual`) tells a record
 * built here from one read back. Walk a record by its slots (`for...of`, indices), and compare states by
 * their serialized text. Defining them non-enumerable cost about 0.25 microseconds a copy, as much as
 * the WeakMap did.
 */
type Counted = { size?: number; built?: number };
const counted = new WeakMap<object, number>();
const countedBuilt = new WeakMap<object, number>();

/**
 * `next`, a copy of `record` with `added` more entries, `fromStored` of its entries now in shards built
 * here rather than stored ones, carrying its counts forward.
 */
function withSizeOf<T>(record: ShardedRecord<T>, next: ShardedRecord<T>, added: number, fromStored: number): ShardedRecord<T> {
  (next as Counted).size = sizeOf(record) + added;
  (next as Counted).built = builtSizeOf(record) + added + fromStored;
  return next;
}

export function sizeOf<T>(record: ShardedRecord<T>): number {
  return carried(record, 'size', counted, countEntries);
}

function countEntries(record: ShardedRecord<unknown>): number {
  let size = 0;
  for (let index = 0; index < record.length; index++) size += Object.keys(shardAt(record, index) ?? {}).length;
  return size;
}

/** The count a record carries under `key`, or else one counted by `count` the first time, and kept by record object. */
function carried(record: ShardedRecord<unknown>, key: keyof Counted, kept: WeakMap<object, number>, count: (record: ShardedRecord<unknown>) => number): number {
  const own = (record as Counted)[key];
  if (own !== undefined) return own;
  let value = kept.get(record);
  if (value === undefined) {
    value = count(record);
    kept.set(record, value);
  }
  return value;
}

/**
 * Entries in the shards built here rather than stored ones (`StoredShard`), which caches weigh at a fixed
 * cost each: carried forward from copy to copy like the entry count (`built`), so that weighing a state
 * after each change does not count every shard's entries again, which grew with the account's history
 * (31 µs for a one-year account in a cache, a tenth of a command's time). Counted, once per record
 * object, for a record without it (a version 3 or 4 snapshot's).
 */
export function builtSizeOf<T>(record: ShardedRecord<T>): number {
  return carried(record, 'built', countedBuilt, countBuilt);
}

function countBuilt(record: ShardedRecord<unknown>): number {
  let built = 0;
  for (const slot of record) if (slot !== null && !(slot instanceof StoredShard)) built += countOwnKeys(slot);
  return built;
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
