/**
 * Snapshots of account state as JSON. Money values are tagged so they come back as Money; everything
 * else in the state is already plain data. A snapshot is a cache: `STATE_SCHEMA_VERSION` changes
 * whenever the state's shape does, and a snapshot of a version it cannot read (`READABLE_STATE_VERSIONS`)
 * is ignored and rebuilt by replay. A field added as optional, whose absence means what every state
 * written before it meant (`accrual.reversed`: nothing reversed), keeps the version.
 *
 * Both directions walk the state once: writing builds the text directly, reading leaves it to the
 * engine's native parse and then swaps the tags for Money in place. A replacer or reviver callback per
 * key costs several times more, and so did copying the tree with tags before `JSON.stringify`. The
 * projections write a state per touched account, so this is on the hot path.
 *
 * Since version 5 the records that grow with an account's history, its orders and its draws (and since
 * version 6 its repayment references), are written shard by shard as JSON text inside the state's JSON
 * (`{"$shards":[text or null, ...],"size":n}`), and read back as `StoredShard`s that are parsed only
 * when an entry of theirs is asked for (`sharded-record.ts`). A state read from a snapshot or a fold row then costs what its recent part
 * costs, not what its whole history does, and a shard it never touched is written back as the text it
 * came as.
 */
import { Money } from '../money/money';
import { copyWith, type CreditAccountState, type DrawState, initialState, type OrderRecord } from './credit-account.state';
import { emptySharded, entriesOf, type ShardedRecord, SHARDS, shardedFromStored, sizeOf, StoredShard, storedRecord, storedSharded, storedSlots, withEntries } from './sharded-record';

export const STATE_SCHEMA_VERSION = 6;

/**
 * The versions whose snapshots `deserializeState` reads, the current one included. Versions 3 to 5
 * convert (`upgradeFromBefore6`), so neither the repository's snapshots nor the projections' account
 * states are thrown away on upgrade.
 */
export const READABLE_STATE_VERSIONS: readonly number[] = [3, 4, 5, STATE_SCHEMA_VERSION];
// Only a change of representation may keep an older version readable. A fix to `evolve` (states that
// were wrong) must drop every older version, so that snapshots and fold tables are refolded from events.
// Dropping 3 to 5 also means dropping `upgradeFromBefore6`: a fold table kept from version 5 records 5 as
// the oldest version of its rows, so a build without it resets the table rather than misreading them.

const MONEY_TAG = '$money';
const SHARDS_TAG = '$shards';
/** The state's fields that are sharded records, written shard by shard. */
const SHARDED_FIELDS = new Set(['orders', 'draws', 'repayments']);

/** The state's JSON text: `write`'s, except that its sharded records are written as stored shards. */
export function serializeState(state: CreditAccountState): string {
  return writeState(state);
}

/** Writes the state, each sharded record by `sharded` (by default, with its shards inline). */
function writeState(
  state: CreditAccountState,
  sharded: (key: string, record: ShardedRecord<unknown>) => string = (_, record) => writeSharded(storedSlots(record, writeShard), sizeOf(record)),
): string {
  if (state === null || typeof state !== 'object' || Array.isArray(state)) return write(state) ?? 'null';
  let out = '{';
  let first = true;
  for (const key in state) {
    const value = (state as unknown as Record<string, unknown>)[key];
    const text = SHARDED_FIELDS.has(key) && Array.isArray(value) ? sharded(key, value as ShardedRecord<unknown>) : write(value, key);
    if (text === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${text}`;
    first = false;
  }
  return `${out}}`;
}

/** The sharded fields written apart, by number (the `field` of a shard row). */
export const APART_FIELDS = ['orders', 'draws', 'repayments'] as const;
const APART_TAG = '$apart';

/** A shard of a state written apart, to be stored beside it: which record (`APART_FIELDS`), which slot, its text. */
export interface ApartShard {
  field: number;
  index: number;
  text: string;
}

/**
 * The state written apart, for a table that keeps an account's shards in rows of their own (the
 * projections' fold): `text` is the state with each sharded record replaced by `{"$apart":name,
 * "size":n,"slots":hex}` (which slots hold a shard), and `shards` the shards to store, which are those
 * not already stored at `home` (the table, as the caller names it). `state` is the same state with every shard a `StoredShard` at `home`,
 * for the caller to keep: written again, it stores only the shards changed since. A state read back
 * with `deserializeApart` from the same `home` has its shards there already.
 *
 * The caller must keep only states whose write committed: a kept state's shards say they are stored.
 */
export function serializeApart(state: CreditAccountState, home: object): { text: string; shards: ApartShard[]; state: CreditAccountState } {
  const shards: ApartShard[] = [];
  const written = serializeHead(state, (field, index, slot) => {
    // Stored there as it is: neither written nor even read.
    if (slot instanceof StoredShard && slot.home === home) return slot;
    const text = shardTextOf(slot);
    shards.push({ field, index, text });
    return storedShardOf(text, home);
  });
  return { text: written.head, shards, state: written.state };
}

/**
 * A state written apart (`serializeApart`), from its text and where its shards are stored. A shard is
 * read from there when an entry of it is asked for (the text lists which slots hold one), or all of them
 * at once for a text written before that list. A text written whole (`serializeState`, any readable
 * version) reads too, and reads no shard.
 */
export function deserializeApart(text: string, shards: ApartShardSource, home: object): CreditAccountState {
  let all: (string | null)[][] | undefined;
  const everyShard = (): (string | null)[][] => {
    if (all !== undefined) return all;
    all = APART_FIELDS.map(() => new Array<string | null>(SHARDS).fill(null));
    for (const { field, index, text: shardText } of shards.all()) {
      if (!(field in all) || !(index >= 0 && index < SHARDS)) throw new TypeError(`not a shard of a state written apart: field ${field}, slot ${index}`);
      all[field][index] = shardText;
    }
    return all;
  };
  return readState(text, (name, size, mask) => {
    const field = APART_FIELDS.indexOf(name as (typeof APART_FIELDS)[number]);
    if (field < 0) throw new TypeError(`not a sharded field of a state written apart: ${JSON.stringify(name)}`);
    // Since the slot list is written with the state, each shard is read only when it is asked for; a
    // row written without it (the first build that kept shards apart) reads them all now.
    if (mask === undefined) return storedSharded(everyShard()[field], size, parseShard, { home });
    const slots = slotsOfMask(mask).map((present, index) => (present ? () => shards.one(field, index) : null));
    return storedSharded(slots, size, parseShard, { home });
  });
}

/** Where `deserializeApart` reads a state's shards: one by one as they are asked for, or all at once. */
export interface ApartShardSource {
  /** The text of one stored shard (which the state's slot list says is there). */
  one(field: number, index: number): string;
  /** Every stored shard of the state. */
  all(): Iterable<ApartShard>;
}

/**
 * The state as lines of text, for a snapshot: `head` is the state with each sharded record replaced by
 * `{"$apart":name,"size":n,"slots":hex}` (as `serializeApart` writes it), and `shards` every shard it
 * holds, each to be kept on a line of its own. `state` is the same state with its sharded records held
 * as those shards' text (`StoredShard`s, keeping any it had parsed already), as `deserializeLines`
 * would give it back: a state kept after being written (a cache) holds its history as text, about a
 * third of the heap the parsed entries take, and is written again at the cost of the shards changed
 * since.
 *
 * JSON text holds no raw line break (the engine escapes one inside a string, and `write` adds no
 * whitespace), so neither the head nor a shard's text spans lines.
 */
export function serializeLines(state: CreditAccountState): { head: string; shards: ApartShard[]; state: CreditAccountState } {
  const compact: Partial<Record<string, ShardedRecord<unknown>>> = {};
  const shards: ApartShard[] = [];
  const head = writeState(state, (key, record) => {
    const field = APART_FIELDS.indexOf(key as (typeof APART_FIELDS)[number]);
    const slots = storedSlots(record, writeShard);
    compact[key] = storedSharded(slots, sizeOf(record), parseShard, { writtenFrom: record });
    for (let index = 0; index < slots.length; index++) {
      const text = slots[index];
      if (text !== null) shards.push({ field, index, text });
    }
    return apartMarker(key, sizeOf(record), slots);
  });
  return { head, shards, state: copyWith(state, compact as Partial<CreditAccountState>) };
}

/**
 * The state's head with its sharded records written apart, for a caller that stores each shard in a
 * place of its own and tracks which it has stored (the projections' fold, through `serializeApart`; the
 * repository's snapshot parts): `keep` is given each slot that holds a shard and returns the
 * `StoredShard` the kept state is to hold there, the slot itself when it is stored already, else one of
 * `shardTextOf(slot)` (`storedShardOf`) that the caller then stores.
 */
export function serializeHead(
  state: CreditAccountState,
  keep: (field: number, index: number, slot: Readonly<Record<string, unknown>> | StoredShard) => StoredShard,
): { head: string; state: CreditAccountState } {
  const kept: Partial<Record<string, ShardedRecord<unknown>>> = {};
  const head = writeState(state, (key, record) => {
    const field = APART_FIELDS.indexOf(key as (typeof APART_FIELDS)[number]);
    const slots = record.map((slot, index) => (slot === null ? null : keep(field, index, slot)));
    kept[key] = storedRecord(slots, sizeOf(record));
    return apartMarker(key, sizeOf(record), slots);
  });
  return { head, state: copyWith(state, kept as Partial<CreditAccountState>) };
}

/** A shard's text as stored: the text a stored shard was read from, or a parsed shard written. */
export function shardTextOf(slot: Readonly<Record<string, unknown>> | StoredShard): string {
  return slot instanceof StoredShard ? slot.text : writeShard(slot);
}

/**
 * A stored shard of orders, draws or repayment references from its text, or from a function that reads
 * it when first asked, stored at `home` (`StoredShard.home`) if given.
 */
export function storedShardOf(text: string | (() => string), home?: object): StoredShard {
  return new StoredShard(text, parseShard, home);
}

/**
 * A state written as lines (`serializeLines`) or as a head (`serializeHead`), from its head and the
 * text of each shard it lists, or the stored shard the caller built for it (`storedShardOf`: one whose
 * text is read when an entry of it is first asked for, say), and, where the caller knows, the bytes a
 * character of those texts takes (`StoredShard.textBytes`). No shard is parsed until an entry of it is
 * asked for. A shard the head lists and `shard` does not give, or a head without slot lists, is a
 * broken snapshot and throws.
 */
export function deserializeLines(head: string, shard: (field: number, index: number) => string | StoredShard | undefined, bytesPerChar?: 1 | 2): CreditAccountState {
  return readState(head, (name, size, mask) => {
    const field = APART_FIELDS.indexOf(name as (typeof APART_FIELDS)[number]);
    if (field < 0) throw new TypeError(`not a sharded field of a state written as lines: ${JSON.stringify(name)}`);
    if (mask === undefined) throw new TypeError(`a state written as lines lists no slots for its ${name}`);
    const slots = slotsOfMask(mask).map((present, index) => {
      if (!present) return null;
      const text = shard(field, index);
      if (text === undefined) throw new TypeError(`a state written as lines has lost shard ${index} of its ${name}`);
      return text;
    });
    return storedSharded(slots, size, parseShard, { bytesPerChar });
  });
}

/** What stands for a sharded record written apart from its state: `{"$apart":name,"size":n,"slots":hex}`. */
function apartMarker(name: string, size: number, slots: readonly unknown[]): string {
  return `{"${APART_TAG}":${JSON.stringify(name)},"size":${size},"slots":"${slotMask(slots)}"}`;
}

/** Which slots hold a shard, as 16 hex digits (slot 0 is the lowest bit of the first digit). */
export function slotMask(slots: readonly unknown[]): string {
  let out = '';
  for (let digit = 0; digit < SHARDS / 4; digit++) {
    let nibble = 0;
    for (let bit = 0; bit < 4; bit++) if (slots[digit * 4 + bit] !== null) nibble |= 1 << bit;
    out += nibble.toString(16);
  }
  return out;
}

/** The slots a slot list (`slotMask`) says hold a shard; throws for text that is not one. */
export function slotsOfMask(mask: string): boolean[] {
  if (!/^[0-9a-f]{16}$/.test(mask)) throw new TypeError(`not a slot list of a state written apart: ${JSON.stringify(mask)}`);
  const present: boolean[] = [];
  for (let digit = 0; digit < SHARDS / 4; digit++) {
    const nibble = parseInt(mask[digit], 16);
    for (let bit = 0; bit < 4; bit++) present.push((nibble & (1 << bit)) !== 0);
  }
  return present;
}

/**
 * `{"$shards":[...],"size":n}`: each shard as the JSON string of its own text (`write`'s, or the text
 * it was read as), and the number of entries.
 */
function writeSharded(slots: readonly (string | null)[], size: number): string {
  let out = `{"${SHARDS_TAG}":[`;
  for (let i = 0; i < slots.length; i++) out += `${i > 0 ? ',' : ''}${slots[i] === null ? 'null' : JSON.stringify(slots[i])}`;
  return `${out}],"size":${size}}`;
}

function writeShard(shard: Readonly<Record<string, unknown>>): string {
  return write(shard) ?? 'null';
}

/** A stored shard's entries, Money restored. */
function parseShard(text: string): Readonly<Record<string, unknown>> {
  return untagMoney(JSON.parse(text)) as Readonly<Record<string, unknown>>;
}

export function deserializeState(json: string): CreditAccountState {
  return readState(json, (name) => {
    throw new TypeError(`the state was written apart from its ${name}: read it with deserializeApart`);
  });
}

function readState(json: string, apart: (name: string, size: number, mask: string | undefined) => ShardedRecord<unknown>): CreditAccountState {
  const state = untagMoney(JSON.parse(json)) as CreditAccountState;
  if (state === null || typeof state !== 'object') return state;
  // Only the state's own sharded records (`SHARDED_FIELDS`): a `$shards` or `$apart` key anywhere else is data.
  for (const key of SHARDED_FIELDS) {
    const record = (state as unknown as Record<string, { [SHARDS_TAG]?: unknown; [APART_TAG]?: unknown; size?: unknown; slots?: unknown }>)[key];
    if (record === null || typeof record !== 'object' || Array.isArray(record)) continue;
    const stored = record[SHARDS_TAG];
    if (Array.isArray(stored)) (state as unknown as Record<string, unknown>)[key] = storedSharded(stored as (string | null)[], record.size as number, parseShard);
    else if (typeof record[APART_TAG] === 'string') {
      // Written under its own name: a record under another's would read the other's shards.
      if (record[APART_TAG] !== key) throw new TypeError(`the state's ${key} are marked as written apart as ${JSON.stringify(record[APART_TAG])}`);
      (state as unknown as Record<string, unknown>)[key] = apart(key, record.size as number, record.slots === undefined ? undefined : String(record.slots));
    }
  }
  const current = Array.isArray(state.unbilledDraws) && Array.isArray(state.repayments) ? state : upgradeFromBefore6(state as unknown as StateBefore6);
  // Written before rule revisions were recorded: the account was approved under revision 1 (copied, so
  // the field sits where a folded state has it).
  return typeof current.ruleRevision === 'number' ? current : copyWith(current, { ruleRevision: 1 });
}

/** A draw as versions 3 to 5 stored it: where its principal lived, and its unbilled share, in the draw. */
type DrawBefore6 = Omit<DrawState, 'planId'> & {
  placement: { kind: 'UNBILLED' } | { kind: 'BILLED'; statementId: string } | { kind: 'INSTALLMENT'; planId: string };
  unbilledRemaining: Money;
};

/** A state as versions 3 to 5 stored it, or with some of its parts in this version's shape already. */
type StateBefore6 = Omit<CreditAccountState, 'draws' | 'orders' | 'unbilledDraws' | 'repayments'> & {
  orders: ShardedRecord<OrderRecord> | Record<string, Record<string, OrderRecord>>;
  draws: ShardedRecord<DrawBefore6 | DrawState> | Record<string, Record<string, DrawBefore6>>;
  unbilledDraws?: CreditAccountState['unbilledDraws'];
  unbilledDrawIds?: string[];
  repayments: ShardedRecord<Money> | Record<string, Money>;
};

/**
 * Versions 3 to 5 to 6, part by part: each part still in an older shape is converted.
 * - Version 3 held a sharded record's index as an object keyed `s0`..`s63` (an array of slots since 4).
 * - Versions 3 to 5 kept in each draw where its principal lived and its share of the unbilled principal;
 *   version 6 keeps only the plan a draw went into, and the unbilled draws with their shares in the
 *   state (`unbilledDraws`, in posting order), so billing touches no draw. Versions 4 and 5 listed the
 *   unbilled draws' ids there instead. Every draw is rewritten, so every shard of draws is read and
 *   parsed here.
 * - Versions 3 to 5 kept the repayment references as one object in the state's head; version 6 shards
 *   them as the orders are. (So did the first builds of version 6, which never left the round that made
 *   it: a state of theirs has only this part to convert.)
 *
 * A holder should store a converted state again soon (`wasConverted`).
 */
function upgradeFromBefore6(stored: StateBefore6): CreditAccountState {
  const { unbilledDrawIds: _listed, ...state } = stored;
  const unbilled = Array.isArray(state.unbilledDraws)
    ? { draws: shardedFromStored(state.draws) as ShardedRecord<DrawState>, unbilledDraws: state.unbilledDraws }
    : drawsFrom5(shardedFromStored(state.draws) as ShardedRecord<DrawBefore6>);
  // In the record's own order: within a shard, the order its entries would have been added in.
  const repayments = Array.isArray(state.repayments) ? state.repayments : withEntries(emptySharded<Money>(), Object.entries(state.repayments));
  // Over a fresh state's copy, so the keys come in its order and the state has the one hidden class
  // (`copyState`): the same text as a state folded by this version.
  const upgraded = copyWith(initialState(state.accountId), { ...state, orders: shardedFromStored(state.orders), ...unbilled, repayments });
  converted.add(upgraded);
  return upgraded;
}

/** The draws without their placements, and the unbilled ones with their shares. */
function drawsFrom5(before: ShardedRecord<DrawBefore6>): { draws: ShardedRecord<DrawState>; unbilledDraws: CreditAccountState['unbilledDraws'] } {
  const old = entriesOf(before);
  const draws = withEntries<DrawState>(
    before as unknown as ShardedRecord<DrawState>,
    // One literal, in the order `evolve` builds a draw: the same text as a draw folded by this version.
    old.map((d) => [
      d.drawId,
      {
        drawId: d.drawId,
        merchant: d.merchant,
        amount: d.amount,
        postedOn: d.postedOn,
        refunded: d.refunded,
        refunds: d.refunds,
        seq: d.seq,
        planId: d.placement.kind === 'INSTALLMENT' ? d.placement.planId : null,
        reversedByDispute: d.reversedByDispute,
      },
    ]),
  );
  const unbilledDraws = old
    .filter((d) => d.placement.kind === 'UNBILLED')
    .sort((a, b) => a.seq - b.seq)
    .map((d) => ({ drawId: d.drawId, remaining: d.unbilledRemaining }));
  return { draws, unbilledDraws };
}

const converted = new WeakSet<CreditAccountState>();

/**
 * Whether the state was read from an older state version and converted on the way (`upgradeFromBefore6`).
 * A holder that stores states should write it again soon: until it does, every read of the stored text
 * converts it again (for versions 3 to 5, parsing every draw the account has).
 */
export function wasConverted(state: CreditAccountState): boolean {
  return converted.has(state);
}

/**
 * JSON text of a state, with Money written as `{"$money":"1.23"}`: exactly what `JSON.stringify` gives
 * for the state with every Money replaced by its tag, in one pass that builds no copy of the tree.
 * Strings and keys are escaped by the engine's own `JSON.stringify`, other `toJSON` methods are honoured,
 * and what JSON cannot hold is left out or refused as `JSON.stringify` does (a bigint throws).
 */
function write(value: unknown, key = ''): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      throw new TypeError(`a state cannot hold a bigint (at ${JSON.stringify(key)})`);
    case 'object': {
      if (value === null) return 'null';
      // An amount's exact string is digits, a point and a sign: nothing to escape.
      if (value instanceof Money) return `{"${MONEY_TAG}":"${value.toExactString()}"}`;
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return write(toJSON.call(value, key), key);
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += `${i > 0 ? ',' : ''}${write(value[i], String(i)) ?? 'null'}`;
        return `${out}]`;
      }
      let out = '{';
      let first = true;
      for (const k in value) {
        const v = write((value as Record<string, unknown>)[k], k);
        if (v === undefined) continue;
        out += `${first ? '' : ','}${JSON.stringify(k)}:${v}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      // undefined, functions and symbols: left out of objects, null in arrays.
      return undefined;
  }
}

/** Replaces `{ $money: "1.23" }` objects with Money, in place (the parsed tree is ours alone). */
function untagMoney(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  // Only objects can hold a tag, and only a tag is replaced: writing every slot back made this walk
  // cost about as much as the parse before it.
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item !== null && typeof item === 'object') {
        const untagged = untagMoney(item);
        if (untagged !== item) value[i] = untagged;
      }
    }
    return value;
  }
  const record = value as Record<string, unknown>;
  const tagged = record[MONEY_TAG];
  if (typeof tagged === 'string') return Money.exact(tagged);
  for (const key in record) {
    const item = record[key];
    if (item !== null && typeof item === 'object') {
      const untagged = untagMoney(item);
      if (untagged !== item) record[key] = untagged;
    }
  }
  return record;
}
