import type Database from 'better-sqlite3';
import { type SnapshotRequest, UPSERT_SNAPSHOT_SQL } from '../sqlite/sqlite-writer';
import { type Snapshot, SnapshotStore } from './snapshot-store.port';

/**
 * Snapshots in the `snapshots` table of the ledger's sqlite file. The table is a cache beside the event
 * log, never the source of truth: deleting every row loses nothing but load time.
 */
export class SqliteSnapshotStore extends SnapshotStore {
  private readonly select: Database.Statement;
  private readonly write: (snapshot: SnapshotRequest) => Promise<void>;

  /**
   * Takes an open ledger database (see `openLedgerDatabase`). `write` keeps a snapshot; without it each
   * is upserted on `db` in a transaction of its own. `SqliteEventStore.snapshotStore()` passes its group
   * commit instead, which is the store to use beside a live event store.
   */
  constructor(db: Database.Database, write?: (snapshot: SnapshotRequest) => Promise<void>) {
    super();
    this.select = db
      .prepare(`SELECT revision, schema_version AS schemaVersion, state FROM snapshots WHERE stream = ?`)
      .safeIntegers(true);
    if (write) this.write = write;
    else {
      const upsert = db.prepare(UPSERT_SNAPSHOT_SQL);
      this.write = async ({ stream, revision, schemaVersion, state, savedAt }) => {
        upsert.run({ stream, revision, schemaVersion, state, savedAt });
      };
    }
  }

  async loadText(stream: string): Promise<Snapshot<string> | undefined> {
    const row = this.select.get(stream) as { revision: bigint; schemaVersion: bigint; state: string } | undefined;
    return row && { revision: row.revision, schemaVersion: Number(row.schemaVersion), state: row.state };
  }

  async saveText(stream: string, revision: bigint, schemaVersion: number, text: string): Promise<void> {
    await this.write({ kind: 'snapshot', stream, revision, schemaVersion, state: text, savedAt: new Date().toISOString() });
  }
}
