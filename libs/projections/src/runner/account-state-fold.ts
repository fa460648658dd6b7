/**
 * Account state as of the runner's position, folded once per event with the domain's `evolve` and shared
 * by every projection. States live in a table (so a million accounts never sit in memory) with an LRU
 * cache in front. Changes made during a batch are kept apart until the batch commits: written to the
 * table inside the batch's transaction, moved into the cache only after the commit, and thrown away if
 * it rolls back, so the cache never runs ahead of the table.
 */
import {
  type CreditAccountState,
  deserializeState,
  initialState,
  serializeState,
  STATE_SCHEMA_VERSION,
} from '@ledger/credit';
import { LruCache } from './lru-cache';
import type { Db, Statement } from './projection';

export const ACCOUNT_STATE_TABLE = 'projection_account_state';
/** A second fold used while one projection is rebuilt, so the main fold keeps its position. */
export const REBUILD_STATE_TABLE = 'projection_rebuild_state';

export class AccountStateFold {
  /** Name of this fold's checkpoint row; its version is the state schema version. */
  readonly checkpointName: string;
  readonly version = STATE_SCHEMA_VERSION;
  private readonly cache: LruCache<string, CreditAccountState>;
  private readonly dirty = new Map<string, { state: CreditAccountState; position: bigint }>();
  private select!: Statement;
  private upsert!: Statement;

  constructor(
    private readonly db: Db,
    readonly table: string,
    cacheSize: number,
  ) {
    this.checkpointName = `$${table}`;
    this.cache = new LruCache(cacheSize);
    this.create();
  }

  get(accountId: string): CreditAccountState {
    const pending = this.dirty.get(accountId);
    if (pending) return pending.state;
    const cached = this.cache.get(accountId);
    if (cached) return cached;
    const row = this.select.get(accountId) as { state_json: string } | undefined;
    const state = row ? deserializeState(row.state_json) : initialState(accountId);
    this.cache.set(accountId, state);
    return state;
  }

  set(accountId: string, state: CreditAccountState, position: bigint): void {
    this.dirty.set(accountId, { state, position });
  }

  /** Writes the batch's states; call inside the batch's transaction. One write per account per batch. */
  flush(): void {
    for (const [accountId, { state, position }] of this.dirty)
      this.upsert.run(accountId, position, serializeState(state));
  }

  /** After the transaction committed: the batch's states become the cached ones. */
  commit(): void {
    for (const [accountId, { state }] of this.dirty) this.cache.set(accountId, state);
    this.dirty.clear();
  }

  discard(): void {
    this.dirty.clear();
  }

  reset(): void {
    this.dirty.clear();
    this.cache.clear();
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
