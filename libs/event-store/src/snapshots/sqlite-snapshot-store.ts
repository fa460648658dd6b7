import type Database from 'better-sqlite3';
import { prepareSnapshotStatements, type SnapshotRequest, upsertSnapshot } from '../sqlite/sqlite-writer';
import { type Snapshot, type SnapshotPart, SnapshotStore } from './snapshot-store.port';

/**
 * Snapshots in the `snapshots` table of the ledger's sqlite file. The table is a cache beside the event
 * log, never the source of truth: deleting every row loses nothing but load time. A snapshot's parts are
 * rows of `snapshot_parts`, by stream and name; deleting some of them (or rows of `snapshots` only) loses
 * load time too, as a snapshot whose part is missing is replayed past.
 */
export class SqliteSnapshotStore extends SnapshotStore {
  private readonly select: Database.Statement;
  private readonly selectPart: Database.Statement;
  private readonly write: (snapshot: SnapshotRequest) => Promise<boolean>;

  /**
   * Takes an open ledger database (see `openLedgerDatabase`). `write` keeps a snapshot; without it each
   * is upserted on `db` in a transaction of its own. `SqliteEventStore.snapshotStore()` passes its group
   * commit instead, which is the store to use beside a live event store.
   */
  constructor(db: Database.Database, write?: (snapshot: SnapshotRequest) => Promise<boolean>) {
    super();
    this.select = db
      .prepare(`SELECT revision, schema_version AS schemaVersion, state FROM snapshots WHERE stream = ?`)
      .safeIntegers(true);
    this.selectPart = db
      .prepare(`SELECT revision, schema_version AS schemaVersion, text AS state FROM snapshot_parts WHERE stream = ? AND name = ?`)
      .safeIntegers(true);
    if (write) this.write = write;
    else {
      const statements = prepareSnapshotStatements(db);
      const save = db.transaction((snapshot: SnapshotRequest) => upsertSnapshot(statements, snapshot));
      this.write = async (snapshot) => save(snapshot);
    }
  }

  async loadText(stream: string): Promise<Snapshot<string> | undefined> {
    return toSnapshot(this.select.get(stream));
  }

  /** Keeps the snapshot and its parts; the parts it uses are not checked (`upsertSnapshot`). */
  async saveText(stream: string, revision: bigint, schemaVersion: number, text: string, parts?: readonly SnapshotPart[]): Promise<boolean> {
    return this.write({ kind: 'snapshot', stream, revision, schemaVersion, state: text, ...(parts && parts.length > 0 ? { parts } : {}), savedAt: new Date().toISOString() });
  }

  loadPart(stream: string, name: string): Snapshot<string> | undefined {
    return toSnapshot(this.selectPart.get(stream, name));
  }
}

function toSnapshot(found: unknown): Snapshot<string> | undefined {
  const row = found as { revision: bigint; schemaVersion: bigint; state: string } | undefined;
  return row && { revision: row.revision, schemaVersion: Number(row.schemaVersion), state: row.state };
}
