import type Database from 'better-sqlite3';
import { toStateJson } from './memory-snapshot-store';
import { type Snapshot, SnapshotStore } from './snapshot-store.port';

/**
 * Snapshots in the `snapshots` table of the ledger's sqlite file. The table is a cache beside the event
 * log, never the source of truth: deleting every row loses nothing but load time.
 */
export class SqliteSnapshotStore extends SnapshotStore {
  private readonly select: Database.Statement;
  private readonly upsert: Database.Statement;

  /** Takes an open ledger database (see `openLedgerDatabase`, or `SqliteEventStore.snapshotStore()`). */
  constructor(db: Database.Database) {
    super();
    this.select = db
      .prepare(`SELECT revision, schema_version AS schemaVersion, state FROM snapshots WHERE stream = ?`)
      .safeIntegers(true);
    this.upsert = db.prepare(
      `INSERT INTO snapshots (stream, revision, schema_version, state, saved_at)
       VALUES (@stream, @revision, @schemaVersion, @state, @savedAt)
       ON CONFLICT (stream) DO UPDATE SET
         revision = excluded.revision, schema_version = excluded.schema_version,
         state = excluded.state, saved_at = excluded.saved_at
       WHERE excluded.revision >= snapshots.revision OR excluded.schema_version <> snapshots.schema_version`,
    );
  }

  async load<S = unknown>(stream: string): Promise<Snapshot<S> | undefined> {
    const row = this.select.get(stream) as
      { revision: bigint; schemaVersion: bigint; state: string } | undefined;
    if (!row) return undefined;
    return {
      revision: row.revision,
      schemaVersion: Number(row.schemaVersion),
      state: JSON.parse(row.state) as S,
    };
  }

  async save(stream: string, revision: bigint, schemaVersion: number, state: unknown): Promise<void> {
    this.upsert.run({
      stream,
      revision,
      schemaVersion,
      state: toStateJson(state),
      savedAt: new Date().toISOString(),
    });
  }
}
