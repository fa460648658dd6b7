/**
 * Account state as of the runner's position, folded once per event with the domain's `evolve` and shared
 * by every projection. States live in a table (so a million accounts never sit in memory) with an LRU
 * cache in front.
 *
 * The table is written lazily. Serializing an account's whole state is the dearest step of a batch, and
 * an account touched by many batches would otherwise be written once per batch; instead the fold keeps
 * the states changed since its last write (bounded by count, events and time) and writes them, with its
 * own checkpoint, in the transaction of a later batch. Its checkpoint can therefore trail the
 * projections'; after a crash the lane folds the events between the two again without applying them to
 * any projection (`Lane.applyBatch`), which yields the same states because `evolve` is pure.
 *
 * Changes of the batch in flight are kept apart until it commits, and thrown away if it rolls back, so
 * neither the cache nor the unwritten states ever run ahead of what committed.
 */
import {
  approximateStateBytes,
  type CreditAccountState,
  deserializeState,
  initialState,
  serializeState,
  READABLE_STATE_VERSIONS,
  STATE_SCHEMA_VERSION,
} from '@ledger/credit';
import { FOLD_CHECKPOINT_PREFIX } from './checkpoints';
import { LruCache } from '@ledger/event-store';
import type { Db, Statement } from './projection';

export const ACCOUNT_STATE_TABLE = 'projection_account_state';
/** A second fold used while one projection is rebuilt, so the main fold keeps its position. */
export const REBUILD_STATE_TABLE = 'projection_rebuild_state';

/** How much of the account states the fold keeps in memory: a count, and estimated bytes (`approximateStateBytes`). */
export interface StateCacheBounds {
  entries: number;
  bytes: number;
}

export interface FoldWritePolicy {
  /**
   * Write once this many accounts changed since the last write, while replaying. Default: half the cache
   * size. The changed states are held until written, so a write is also due once they weigh half the
   * cache's bytes.
   */
  maxAccounts?: number;
  /**
   * The same while following the live log. Smaller, because a write is synchronous work on the event
   * loop that serves commands (about a quarter of a millisecond per account): 256 keeps it near 50 ms.
   */
  maxLiveAccounts?: number;
  /** Write once this many events were folded since the last write (bounds the refold after a crash). Default 50,000. */
  maxEvents?: number;
  /** Write once this long passed since the last write. Default 5,000 ms. */
  maxMs?: number;
}

export class AccountStateFold {
  /** Name of this fold's checkpoint row; its version is the state schema version. */
  readonly checkpointName: string;
  readonly version = STATE_SCHEMA_VERSION;
  /**
   * A second checkpoint row naming the oldest state version the table's rows may have, when that is older
   * than `version`. A table kept from an older readable version is converted only as accounts are written
   * again (a dormant account's row may stay old for good), while its checkpoint carries the version of the
   * rows written since, which a rollback to the older build must see in order to reset. A later build
   * keeps the table only if it reads both.
   */
  readonly oldestRowsName: string;

  /** Whether states written at a checkpoint of this version can be read (the codec converts older shapes). */
  reads(version: number): boolean {
    return READABLE_STATE_VERSIONS.includes(version);
  }

  private readonly cache: LruCache<string, CreditAccountState>;
  /** Changed by the batch in flight. */
  private readonly pending = new Map<string, CreditAccountState>();
  /** Changed by committed batches since the last write to the table. */
  private readonly unwritten = new Map<string, CreditAccountState>();
  private readonly maxAccounts: number;
  private readonly maxLiveAccounts: number;
  private readonly maxEvents: number;
  private readonly maxMs: number;
  private readonly maxUnwrittenBytes: number;
  /** Estimated bytes of each unwritten state, and their sum. */
  private readonly unwrittenWeights = new Map<string, number>();
  private unwrittenBytes = 0;
  private eventsSinceWrite = 0;
  private pendingEvents = 0;
  private lastWriteAt = Date.now();
  private select!: Statement;
  private upsert!: Statement;

  constructor(
    private readonly db: Db,
    readonly table: string,
    bounds: StateCacheBounds,
    policy: FoldWritePolicy = {},
  ) {
    this.checkpointName = `${FOLD_CHECKPOINT_PREFIX}${table}`;
    this.oldestRowsName = `${this.checkpointName}:oldest`;
    this.cache = new LruCache(bounds.entries, { maxWeight: bounds.bytes, weigh: approximateStateBytes });
    this.maxAccounts = policy.maxAccounts ?? Math.max(1, Math.floor(bounds.entries / 2));
    this.maxUnwrittenBytes = bounds.bytes / 2;
    this.maxLiveAccounts = Math.min(this.maxAccounts, policy.maxLiveAccounts ?? 256);
    this.maxEvents = policy.maxEvents ?? 50_000;
    this.maxMs = policy.maxMs ?? 5_000;
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

  get(accountId: string): CreditAccountState {
    const state = this.pending.get(accountId) ?? this.unwritten.get(accountId) ?? this.cache.get(accountId);
    if (state) return state;
    const row = this.select.get(accountId) as { state_json: string } | undefined;
    const loaded = row ? deserializeState(row.state_json) : initialState(accountId);
    this.cache.set(accountId, loaded);
    return loaded;
  }

  set(accountId: string, state: CreditAccountState): void {
    this.pending.set(accountId, state);
    this.pendingEvents++;
  }

  /** Whether the batch in flight should write the table (call before `write`). */
  writeDue(live: boolean): boolean {
    return (
      this.unwritten.size + this.pending.size >= (live ? this.maxLiveAccounts : this.maxAccounts) ||
      this.unwrittenBytes >= this.maxUnwrittenBytes ||
      this.eventsSinceWrite + this.pendingEvents >= this.maxEvents ||
      Date.now() - this.lastWriteAt >= this.maxMs
    );
  }

  /** Whether there is anything the table does not have yet. */
  get hasUnwritten(): boolean {
    return this.unwritten.size > 0 || this.pending.size > 0;
  }

  /** Writes every state changed since the last write; call inside the transaction that moves the checkpoint. */
  write(position: bigint): void {
    for (const [accountId, state] of this.unwritten) if (!this.pending.has(accountId)) this.upsert.run(accountId, position, serializeState(state));
    for (const [accountId, state] of this.pending) this.upsert.run(accountId, position, serializeState(state));
  }

  /** After the transaction committed; `written` tells whether it included `write`. */
  commit(written: boolean): void {
    for (const [accountId, state] of this.pending) {
      const weight = approximateStateBytes(state);
      this.cache.set(accountId, state, weight);
      if (!written) {
        this.unwritten.set(accountId, state);
        this.unwrittenBytes += weight - (this.unwrittenWeights.get(accountId) ?? 0);
        this.unwrittenWeights.set(accountId, weight);
      }
    }
    this.eventsSinceWrite += this.pendingEvents;
    if (written) {
      this.unwritten.clear();
      this.unwrittenWeights.clear();
      this.unwrittenBytes = 0;
      this.eventsSinceWrite = 0;
      this.lastWriteAt = Date.now();
    }
    this.pending.clear();
    this.pendingEvents = 0;
  }

  discard(): void {
    this.pending.clear();
    this.pendingEvents = 0;
  }

  /** Drops everything held in memory, so the fold stands exactly at its table and checkpoint again. */
  forget(): void {
    this.pending.clear();
    this.unwritten.clear();
    this.unwrittenWeights.clear();
    this.cache.clear();
    this.pendingEvents = 0;
    this.eventsSinceWrite = 0;
    this.unwrittenBytes = 0;
    this.lastWriteAt = Date.now();
  }

  reset(): void {
    this.forget();
    this.db.exec(`DROP TABLE IF EXISTS ${this.table}`);
    this.create();
  }

  private create(): void {
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${this.table} (
      account_id TEXT PRIMARY KEY,
      position INTEGER NOT NULL,
      state_json TEXT NOT NULL
    ) STRICT`);
    this.select = this.db.prepare(`SELECT state_json FROM ${this.table} WHERE account_id = ?`);
    this.upsert = this.db.prepare(
      `INSERT INTO ${this.table} (account_id, position, state_json) VALUES (?, ?, ?)
       ON CONFLICT(account_id) DO UPDATE SET position = excluded.position, state_json = excluded.state_json`,
    );
  }
}
