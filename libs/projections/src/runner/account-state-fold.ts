/**
 * Account state as of the runner's position, folded once per event with the domain's `evolve` and shared
 * by every projection. States live in a table (so a million accounts never sit in memory) with an LRU
 * cache in front.
 *
 * An account's stored state is its row plus its tail: the row is a whole state as of some position, the
 * tail the account's events after it (a few hundred bytes each). Whatever the policy below, the two
 * together always give the account's state as of the fold's checkpoint, and the checkpoint moves in the
 * same transaction as the rows it describes. The row keeps the state's orders, draws and repayment
 * references apart, a row per shard in `<table>_shard` (`serializeApart`): they are most of a state
 * after a year, and an event changes one or two of their 192 shards, so writing a state again writes
 * those shards and the rest of the state (about 3 KB after a year), and a state read back reads and
 * parses only the shards its events touch (the row lists which slots hold one; each is read when an
 * entry of it is asked for).
 *
 * Writing a state is still the dearest step of a batch, so it is done as seldom as the two ways of
 * running allow:
 * - Following the live log, every batch appends each changed account's events to its tail, and writes
 *   the whole state only once the tail would reach `maxTail` events (then empties the tail). Each state
 *   is written once per `maxTail` of its events instead of about once per event, the checkpoint stays
 *   with the projections', and a state read back costs its row plus at most `maxTail - 1` events.
 * - Replaying (rebuilds, catch-up), the fold keeps the states changed since its last write (bounded by
 *   count and bytes, and by events and time once a write carries enough events for each state) and
 *   writes them whole, with its own checkpoint, in the transaction of a later batch. Its checkpoint can
 *   then trail the projections'; after a crash the lane folds the events between the two again without
 *   applying them to any projection (`Lane.applyBatch`), which yields the same states because `evolve`
 *   is pure. A replay touches an account many times between writes, so a tail would only add work there.
 *
 * Changes of the batch in flight are kept apart until it commits, and thrown away if it rolls back, so
 * neither the cache nor the unwritten states ever run ahead of what committed.
 */
import {
  type ApartShardSource,
  approximateStateBytes,
  type CreditAccountEvent,
  type CreditAccountState,
  deserializeApart,
  evolve,
  initialState,
  serializeApart,
  READABLE_STATE_VERSIONS,
  STATE_SCHEMA_VERSION,
  wasConverted,
} from '@ledger/credit';
import { FOLD_CHECKPOINT_PREFIX } from './checkpoints';
import { LruCache } from '@ledger/event-store';
import type { Db, Statement } from './projection';

export const ACCOUNT_STATE_TABLE = 'projection_account_state';
/** A second fold used while one projection is rebuilt, so the main fold keeps its position. */
export const REBUILD_STATE_TABLE = 'projection_rebuild_state';

/**
 * The fold's version, stored with its checkpoint: the layout of its tables (hundreds: 1 since the tails)
 * and the state schema of its rows (units). A build that predates the tails reads the rows alone, so it
 * must not keep a table that has them: to it, 104 and later are no state version it reads, and it starts over.
 *
 * Tails hold account events as the store delivered them, upcast to the versions the build knew. No
 * account event has an upcaster today; registering one means raising `FOLD_LAYOUT`, so that tails of
 * the older shape are never folded by a build that expects the newer.
 */
const FOLD_LAYOUT = 2;
/** The first layout with tails. */
const TAILS_LAYOUT = 1;
/** The first layout that keeps an account's orders and draws apart, a row per shard (`<table>_shard`). */
const SHARDS_APART_LAYOUT = 2;
export const FOLD_VERSION = FOLD_LAYOUT * 100 + STATE_SCHEMA_VERSION;
const layoutOf = (version: number) => Math.floor(version / 100);

/** How much of the account states the fold keeps in memory: a count, and estimated bytes (`approximateStateBytes`). */
export interface StateCacheBounds {
  entries: number;
  bytes: number;
}

export interface FoldWritePolicy {
  /**
   * Following the live log: the most events an account's tail holds. The batch that would take it to
   * this many writes the account's whole state instead. Default 16.
   */
  maxTail?: number;
  /**
   * Replaying: write once this many accounts changed since the last write. Default: half the cache size.
   * The changed states are held until written, also once the cache has let go of them, so a write is
   * also due once those let go of weigh half the cache's bytes. The others are held by the cache and
   * within its own bound: counting them too made a replay whose accounts all fit in the cache write
   * every state each time the states changed since weighed half of it (about ten times a year of
   * history at 2,000 accounts), where the events and time bounds ask for a few.
   */
  maxAccounts?: number;
  /** Replaying: write once this many events were folded since the last write (bounds the refold after a crash). Default 50,000. */
  maxEvents?: number;
  /** Replaying: write once this long passed since the last write. Default 5,000 ms. */
  maxMs?: number;
  /**
   * Replaying: `maxEvents` and `maxMs` make a write due only once at least this many events were folded
   * for each state it would write. Default 32. Writing a state whole costs about what folding ten to
   * twenty of its events does (profiles of the 1k x 1y rebuild), and a replay of a ledger whose
   * accounts outnumber what 50,000 events touch wrote nearly every state it folded every 50,000 events
   * (or 5 s); the refold after a crash these bounds are for costs only a crash. The bytes and accounts
   * bounds above still force a write whatever it carries, so the refold stays bounded by about this
   * many events per state the cache may hold unwritten.
   */
  eventsPerState?: number;
}

/** A state with the number of events its stored tail holds (as far as the fold knows). */
interface Folded {
  state: CreditAccountState;
  tail: number;
}

/** An account changed by the batch in flight. */
interface Changed extends Folded {
  /** Its events in the batch, in order, with their positions. */
  events: { position: bigint; event: CreditAccountEvent }[];
  /** Whether the table held an older state than the batch started from (changed by a replay batch not written yet). */
  unwritten: boolean;
  /** Its tail once the batch commits (set by `writeTails`). */
  tailAfter?: number;
}

/** How a batch's transaction stored the fold. */
export type FoldWrite = 'none' | 'whole' | 'tails';

export class AccountStateFold {
  /** Name of this fold's checkpoint row; its version is `FOLD_VERSION`. */
  readonly checkpointName: string;
  readonly version = FOLD_VERSION;
  /**
   * A second checkpoint row naming the oldest version the table's rows may have, when that is older
   * than `version`. A table kept from an older readable version is converted only as accounts are written
   * again (a dormant account's row may stay old for good), while its checkpoint carries the version of the
   * rows written since, which a rollback to the older build must see in order to reset. A later build
   * keeps the table only if it reads both.
   */
  readonly oldestRowsName: string;
  readonly tailTable: string;
  readonly shardTable: string;

  /** Whether a table stored at a checkpoint of this version can be read (the codec converts older state shapes). */
  reads(version: number): boolean {
    return layoutOf(version) <= FOLD_LAYOUT && READABLE_STATE_VERSIONS.includes(version % 100);
  }

  /** Whether a build that stored its checkpoint at this version kept tails (one from before them left any it found). */
  hasTails(version: number): boolean {
    return layoutOf(version) >= TAILS_LAYOUT;
  }

  /** Empties every tail: for a table whose rows already hold all their events. */
  clearTails(): void {
    this.db.exec(`DELETE FROM ${this.tailTable}`);
    this.forget();
  }

  /** Whether a build that stored its checkpoint at this version kept shards apart (one from before them left any it found). */
  hasShardRows(version: number): boolean {
    return layoutOf(version) >= SHARDS_APART_LAYOUT;
  }

  /** Empties the shard rows: for a table whose rows were all written whole since (a build from before them wrote it). */
  clearShardRows(): void {
    this.db.exec(`DELETE FROM ${this.shardTable}`);
    this.forget();
  }

  private readonly cache: LruCache<string, Folded>;
  /** Changed by the batch in flight. */
  private readonly pending = new Map<string, Changed>();
  /** Changed by committed replay batches since the last write to the table. */
  private readonly unwritten = new Map<string, CreditAccountState>();
  private readonly maxTail: number;
  private readonly maxAccounts: number;
  private readonly maxEvents: number;
  private readonly maxMs: number;
  private readonly eventsPerState: number;
  private readonly maxUnwrittenBytes: number;
  /** Estimated bytes of each unwritten state. */
  private readonly unwrittenWeights = new Map<string, number>();
  /** The unwritten states the cache has let go of (held only by `unwritten`), and the sum of their weights. */
  private readonly unwrittenUncached = new Set<string>();
  private unwrittenUncachedBytes = 0;
  private eventsSinceWrite = 0;
  private pendingEvents = 0;
  private lastWriteAt = Date.now();
  private select!: Statement;
  private selectTail!: Statement;
  private selectShards!: Statement;
  private selectShard!: Statement;
  private upsertShard!: Statement;
  /**
   * Names this table for the states written to it or read from it (`serializeApart`): a shard of a kept
   * state whose home is this object is in the table as it is. A new one after `forget`, since the table
   * may have been emptied or rolled back under what was kept.
   */
  private home: object = {};
  /** Written whole by the batch in flight without being changed by it: cached as written once it commits. */
  private readonly writtenOutsideBatch = new Map<string, CreditAccountState>();
  private upsert!: Statement;
  private appendTail!: Statement;
  private clearTail!: Statement;

  /** The tables a fold named `table` keeps: its states, their tails, their shards. */
  static tablesOf(table: string): [string, string, string] {
    return [table, `${table}_tail`, `${table}_shard`];
  }

  constructor(
    private readonly db: Db,
    readonly table: string,
    bounds: StateCacheBounds,
    policy: FoldWritePolicy = {},
  ) {
    this.checkpointName = `${FOLD_CHECKPOINT_PREFIX}${table}`;
    this.oldestRowsName = `${this.checkpointName}:oldest`;
    [, this.tailTable, this.shardTable] = AccountStateFold.tablesOf(table);
    this.cache = new LruCache(bounds.entries, { maxWeight: bounds.bytes, weigh: (folded) => approximateStateBytes(folded.state) }, (accountId, folded) => {
      // An unwritten state the cache lets go of stays in memory, held by `unwritten` alone, until written.
      // (Only `commit` puts an unwritten state in the cache, and it takes the account out of the set first.)
      if (this.unwritten.get(accountId) !== folded.state) return;
      this.unwrittenUncached.add(accountId);
      this.unwrittenUncachedBytes += this.unwrittenWeights.get(accountId) ?? 0;
    });
    if (policy.maxTail !== undefined && !(Number.isSafeInteger(policy.maxTail) && policy.maxTail >= 1)) throw new Error(`maxTail must be a positive integer, got ${policy.maxTail}`);
    this.maxTail = policy.maxTail ?? 16;
    this.maxAccounts = policy.maxAccounts ?? Math.max(1, Math.floor(bounds.entries / 2));
    this.maxUnwrittenBytes = bounds.bytes / 2;
    this.maxEvents = policy.maxEvents ?? 50_000;
    this.maxMs = policy.maxMs ?? 5_000;
    this.eventsPerState = policy.eventsPerState ?? 32;
    this.create();
  }

  /**
   * About how many bytes `accountId`'s state will hold when it is folded next: its own weight when the
   * state is cached, else `uncached`. The cache's average would not do for the others: it describes
   * the accounts touched before, and a page of the log may come from older ones.
   */
  estimatedBytes(accountId: string, uncached: number): number {
    return this.cache.weightOf(accountId) ?? uncached;
  }

  /** The account's state as of the events folded so far, the batch in flight's included. */
  get(accountId: string): CreditAccountState {
    return (this.pending.get(accountId) ?? this.lookup(accountId)).state;
  }

  /** Folds one event of the batch in flight into its account's state. */
  apply(accountId: string, event: CreditAccountEvent, position: bigint): { before: CreditAccountState; after: CreditAccountState } {
    let changed = this.pending.get(accountId);
    if (!changed) {
      const unwritten = this.unwritten.has(accountId);
      const base = this.lookup(accountId);
      changed = { state: base.state, tail: base.tail, events: [], unwritten };
      this.pending.set(accountId, changed);
    }
    const before = changed.state;
    changed.state = evolve(before, event);
    changed.events.push({ position, event });
    this.pendingEvents++;
    return { before, after: changed.state };
  }

  /** Whether a replay batch in flight should write the table whole (call before `write`). */
  writeDue(): boolean {
    // Every account a write would write: the unwritten ones, and those the batch changed that were not.
    let changed = this.unwritten.size;
    for (const pending of this.pending.values()) if (!pending.unwritten) changed++;
    if (changed >= this.maxAccounts || this.unwrittenUncachedBytes >= this.maxUnwrittenBytes) return true;
    const events = this.eventsSinceWrite + this.pendingEvents;
    return events >= this.eventsPerState * changed && (events >= this.maxEvents || Date.now() - this.lastWriteAt >= this.maxMs);
  }

  /** Whether there is anything the table does not have yet. */
  get hasUnwritten(): boolean {
    return this.unwritten.size > 0 || this.pending.size > 0;
  }

  /** Writes every state changed since the last write whole; call inside the transaction that moves the checkpoint to `position`. */
  write(position: bigint): void {
    this.writeUnwrittenOutsideBatch(position);
    for (const [accountId, changed] of this.pending) changed.state = this.writeWhole(accountId, position, changed.state);
  }

  /**
   * Following the live log: appends the batch's events to each changed account's tail, or writes the
   * state whole where the tail would reach `maxTail` (and where the table held a state older than the
   * batch's start). Call inside the transaction that moves the checkpoint to `position`.
   */
  writeTails(position: bigint): void {
    this.writeUnwrittenOutsideBatch(position);
    for (const [accountId, changed] of this.pending) {
      if (changed.unwritten || changed.tail + changed.events.length >= this.maxTail) {
        changed.state = this.writeWhole(accountId, position, changed.state);
        changed.tailAfter = 0;
      } else {
        for (const { position: at, event } of changed.events) this.appendTail.run(accountId, at, JSON.stringify(event));
        changed.tailAfter = changed.tail + changed.events.length;
      }
    }
  }

  /** After the batch's transaction committed, with how it stored the fold. */
  commit(written: FoldWrite): void {
    for (const [accountId, changed] of this.pending) {
      const weight = approximateStateBytes(changed.state);
      // Written whole, the tail was emptied; not written, the table's tail is what the batch started from.
      const tail = written === 'tails' ? changed.tailAfter! : written === 'whole' ? 0 : changed.tail;
      if (written === 'none') {
        // Before the cache takes it, so that a state too heavy to keep is counted as let go of at once.
        if (this.unwrittenUncached.delete(accountId)) this.unwrittenUncachedBytes -= this.unwrittenWeights.get(accountId) ?? 0;
        this.unwritten.set(accountId, changed.state);
        this.unwrittenWeights.set(accountId, weight);
      }
      this.cache.set(accountId, { state: changed.state, tail }, weight);
    }
    this.eventsSinceWrite += this.pendingEvents;
    if (written !== 'none') {
      for (const [accountId, state] of this.writtenOutsideBatch) if (!this.pending.has(accountId)) this.cache.replace(accountId, { state, tail: 0 });
      this.clearUnwritten();
      this.eventsSinceWrite = 0;
      this.lastWriteAt = Date.now();
    }
    this.pending.clear();
    this.writtenOutsideBatch.clear();
    this.pendingEvents = 0;
  }

  discard(): void {
    this.pending.clear();
    this.writtenOutsideBatch.clear();
    this.pendingEvents = 0;
  }

  /** Drops everything held in memory, so the fold stands exactly at its table and checkpoint again. */
  forget(): void {
    this.home = {};
    this.writtenOutsideBatch.clear();
    this.pending.clear();
    this.clearUnwritten();
    this.cache.clear();
    this.pendingEvents = 0;
    this.eventsSinceWrite = 0;
    this.lastWriteAt = Date.now();
  }

  /** Empties the fold's tables (call inside the transaction that moves its checkpoint back to 0). */
  reset(): void {
    this.drop();
    this.create();
  }

  /** Drops the fold's tables and everything held in memory. */
  drop(): void {
    this.forget();
    this.db.exec(`DROP TABLE IF EXISTS ${this.table}`);
    this.db.exec(`DROP TABLE IF EXISTS ${this.tailTable}`);
    this.db.exec(`DROP TABLE IF EXISTS ${this.shardTable}`);
  }

  private clearUnwritten(): void {
    this.unwritten.clear();
    this.unwrittenWeights.clear();
    this.unwrittenUncached.clear();
    this.unwrittenUncachedBytes = 0;
  }

  /** The account's state as of the last committed batch: unwritten, cached, or read from its row and tail. */
  private lookup(accountId: string): Folded {
    const unwritten = this.unwritten.get(accountId);
    if (unwritten) return { state: unwritten, tail: 0 };
    const cached = this.cache.get(accountId);
    if (cached) return cached;
    const row = this.select.get(accountId) as { state_json: string } | undefined;
    let state = row ? deserializeApart(row.state_json, this.shardSource(accountId), this.home) : initialState(accountId);
    // A row of an older state version converts at every read until it is written again: counted as a
    // full tail, so that the next batch to change the account writes it whole.
    const converted = wasConverted(state);
    const tail = this.selectTail.all(accountId) as { event_json: string }[];
    for (const { event_json } of tail) state = evolve(state, JSON.parse(event_json) as CreditAccountEvent);
    const loaded = { state, tail: converted ? Math.max(tail.length, this.maxTail) : tail.length };
    this.cache.set(accountId, loaded);
    return loaded;
  }

  /** Writes whole the states a replay left unwritten that the batch in flight did not change (it writes those itself). */
  private writeUnwrittenOutsideBatch(position: bigint): void {
    this.writtenOutsideBatch.clear();
    for (const [accountId, state] of this.unwritten) {
      if (!this.pending.has(accountId)) this.writtenOutsideBatch.set(accountId, this.writeWhole(accountId, position, state));
    }
  }

  /**
   * The account's stored shards, as `deserializeApart` reads them: one by one when an entry of one is
   * asked for (an event touches one or two of them), or all at once for a row written without its slot
   * list. A shard read later than its state is still the one the state was read with: see `StoredShard`.
   */
  private shardSource(accountId: string): ApartShardSource {
    const home = this.home;
    return {
      one: (field, index) => {
        // A state kept past `forget` (the table emptied, rolled back or dropped since) must not read what the table holds now.
        if (this.home !== home) throw new Error(`a state of ${accountId} read from ${this.table} was kept past a reset of the fold: its shards are gone`);
        const row = this.selectShard.get(accountId, field, index) as [string] | undefined;
        if (row === undefined) throw new Error(`${this.shardTable} lost shard ${field}:${index} of ${accountId}, which its state lists`);
        return row[0];
      },
      all: () => (this.selectShards.all(accountId) as [number, number, string][]).map(([field, index, text]) => ({ field, index, text })),
    };
  }

  /**
   * Writes the state whole and empties its tail: its row, and the rows of the shards of its orders,
   * draws and repayment references that changed since it was read or written (`serializeApart`). Returns the same state holding
   * those shards as the text stored: lighter in the cache, and written again at the cost of what changes.
   * Keep it only once the batch's transaction committed (`commit`).
   */
  private writeWhole(accountId: string, position: bigint, state: CreditAccountState): CreditAccountState {
    const written = serializeApart(state, this.home);
    this.upsert.run(accountId, position, written.text);
    for (const shard of written.shards) this.upsertShard.run(accountId, shard.field, shard.index, shard.text);
    this.clearTail.run(accountId);
    return written.state;
  }

  private create(): void {
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${this.table} (
      account_id TEXT PRIMARY KEY,
      position INTEGER NOT NULL,
      state_json TEXT NOT NULL
    ) STRICT`);
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${this.tailTable} (
      account_id TEXT NOT NULL,
      position INTEGER NOT NULL,
      event_json TEXT NOT NULL,
      PRIMARY KEY (account_id, position)
    ) STRICT, WITHOUT ROWID`);
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${this.shardTable} (
      account_id TEXT NOT NULL,
      field INTEGER NOT NULL,
      shard INTEGER NOT NULL,
      text TEXT NOT NULL,
      PRIMARY KEY (account_id, field, shard)
    ) STRICT, WITHOUT ROWID`);
    this.select = this.db.prepare(`SELECT state_json FROM ${this.table} WHERE account_id = ?`);
    this.selectShards = this.db.prepare(`SELECT field, shard, text FROM ${this.shardTable} WHERE account_id = ?`).raw(true);
    this.selectShard = this.db.prepare(`SELECT text FROM ${this.shardTable} WHERE account_id = ? AND field = ? AND shard = ?`).raw(true);
    this.upsertShard = this.db.prepare(
      `INSERT INTO ${this.shardTable} (account_id, field, shard, text) VALUES (?, ?, ?, ?)
       ON CONFLICT(account_id, field, shard) DO UPDATE SET text = excluded.text`,
    );
    this.selectTail = this.db.prepare(`SELECT event_json FROM ${this.tailTable} WHERE account_id = ? ORDER BY position`);
    this.upsert = this.db.prepare(
      `INSERT INTO ${this.table} (account_id, position, state_json) VALUES (?, ?, ?)
       ON CONFLICT(account_id) DO UPDATE SET position = excluded.position, state_json = excluded.state_json`,
    );
    this.appendTail = this.db.prepare(`INSERT INTO ${this.tailTable} (account_id, position, event_json) VALUES (?, ?, ?)`);
    this.clearTail = this.db.prepare(`DELETE FROM ${this.tailTable} WHERE account_id = ?`);
  }
}
