/**
 * Checkpoints: the global position each projection has applied, with the projection's version. A row is
 * written in the same transaction as the rows the batch changed, so the two never disagree.
 */
import { createHash } from 'node:crypto';
import type { StoredEventData } from '@ledger/event-store';
import type { Db } from './projection';

/**
 * Account-state folds keep their checkpoint in the same table, named `$<state table>`. A replay writes
 * a fold lazily, so its checkpoint may trail the projections' and says nothing about how far the read
 * models are.
 */
export const FOLD_CHECKPOINT_PREFIX = '$';

/**
 * The last event the main lane applied: in the position column, the position of the event before it (an
 * exact position the log holds, which EventStoreDB needs to read from), and its `logMark` in the version
 * column. A start checks that the log's first event after that position is that event (`ProjectionRunner`).
 */
export const LOG_MARK_CHECKPOINT = `${FOLD_CHECKPOINT_PREFIX}log_mark`;

/** An event's stream, id and position as a 48-bit number (of their SHA-256), to tell whether a log holds the event the read models applied where they applied it. */
export function logMark(event: Pick<StoredEventData, 'stream' | 'id' | 'position'>): number {
  return createHash('sha256').update(`${event.stream}\n${event.id}\n${event.position}`).digest().readUIntBE(0, 6);
}

/**
 * Reads the position every projection in a read-model file has applied (null before any): for a process
 * that reads a file another process (the projector) keeps. Prepare once, call as often as needed.
 */
export function projectionsAppliedPosition(db: Db): () => bigint | null {
  const slowest = db
    .prepare('SELECT MIN(position) AS position FROM projection_checkpoints WHERE substr(name, 1, 1) <> ?')
    .safeIntegers(true);
  return () => (slowest.get(FOLD_CHECKPOINT_PREFIX) as { position: bigint | null } | undefined)?.position ?? null;
}

/**
 * A replay by account in progress (`ProjectionRunner`): the position it replays up to, how many accounts
 * (in the order of their first event up to there) are done, the fold's version and the projections it
 * replays. Written with each batch, deleted with the checkpoints that end the replay.
 */
export interface ReplayProgress {
  until: bigint;
  accountsDone: number;
  foldVersion: number;
  /** The projections replayed (`replayedProjections`). */
  projections: string;
}

/** A projection as a replay's progress row names it. */
export interface ReplayedProjection {
  name: string;
  version: number;
}

/** The projections of a replay as its progress row keeps them: `name@version`, sorted, comma-separated. */
export function replayedProjections(projections: readonly ReplayedProjection[]): string {
  return projections
    .map((p) => `${p.name}@${p.version}`)
    .sort()
    .join(',');
}

/** The projections a replay's progress row names (none without a row). */
export function projectionsOf(progress: ReplayProgress | undefined): ReplayedProjection[] {
  if (progress === undefined) return [];
  return progress.projections.split(',').map((entry) => {
    const at = entry.lastIndexOf('@');
    return { name: entry.slice(0, at), version: Number(entry.slice(at + 1)) };
  });
}

/**
 * The version a projection's checkpoint carries (at position 0) while a replay by account rebuilds it:
 * never a projection's own, so a build that knows no such replay resets the projection, and this one
 * goes on with the replay only while its progress row names the projection at `version`.
 */
export function replayingVersion(version: number): number {
  return -1 - version;
}

/** The projection version a stored checkpoint names, whether it is being replayed to it or not (`replayingVersion`'s inverse). */
export function storedVersion(version: number): number {
  return version < 0 ? replayingVersion(version) : version;
}

export interface Checkpoint {
  name: string;
  version: number;
  position: bigint;
}

export class Checkpoints {
  private readonly selectAll;
  private readonly upsert;
  private readonly remove;
  private readonly selectReplay;
  private readonly upsertReplay;
  private readonly removeReplay;

  constructor(private readonly db: Db) {
    db.exec(`CREATE TABLE IF NOT EXISTS projection_checkpoints (
      name TEXT PRIMARY KEY,
      version INTEGER NOT NULL,
      position INTEGER NOT NULL
    ) STRICT`);
    this.selectAll = db
      .prepare('SELECT name, version, position FROM projection_checkpoints')
      .safeIntegers(true);
    this.upsert = db.prepare(
      `INSERT INTO projection_checkpoints (name, version, position) VALUES (?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET version = excluded.version, position = excluded.position`,
    );
    this.remove = db.prepare('DELETE FROM projection_checkpoints WHERE name = ?');
    db.exec(`CREATE TABLE IF NOT EXISTS projection_replays (
      fold TEXT PRIMARY KEY,
      until INTEGER NOT NULL,
      accounts_done INTEGER NOT NULL,
      fold_version INTEGER NOT NULL,
      projections TEXT NOT NULL
    ) STRICT`);
    this.selectReplay = db.prepare('SELECT until, accounts_done, fold_version, projections FROM projection_replays WHERE fold = ?').safeIntegers(true);
    this.upsertReplay = db.prepare(
      `INSERT INTO projection_replays (fold, until, accounts_done, fold_version, projections) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(fold) DO UPDATE SET until = excluded.until, accounts_done = excluded.accounts_done,
         fold_version = excluded.fold_version, projections = excluded.projections`,
    );
    this.removeReplay = db.prepare('DELETE FROM projection_replays WHERE fold = ?');
  }

  all(): Map<string, Checkpoint> {
    const rows = this.selectAll.all() as { name: string; version: bigint; position: bigint }[];
    return new Map(
      rows.map((r) => [r.name, { name: r.name, version: Number(r.version), position: r.position }]),
    );
  }

  get(name: string): Checkpoint | undefined {
    return this.all().get(name);
  }

  set(name: string, version: number, position: bigint): void {
    this.upsert.run(name, version, position);
  }

  delete(name: string): void {
    this.remove.run(name);
  }

  /** The replay by account in progress for a fold (named by its checkpoint), if any. */
  replayProgress(fold: string): ReplayProgress | undefined {
    const row = this.selectReplay.get(fold) as { until: bigint; accounts_done: bigint; fold_version: bigint; projections: string } | undefined;
    return row && { until: row.until, accountsDone: Number(row.accounts_done), foldVersion: Number(row.fold_version), projections: row.projections };
  }

  setReplayProgress(fold: string, progress: ReplayProgress): void {
    this.upsertReplay.run(fold, progress.until, progress.accountsDone, progress.foldVersion, progress.projections);
  }

  deleteReplayProgress(fold: string): void {
    this.removeReplay.run(fold);
  }

  deleteAllReplayProgress(): void {
    this.db.exec('DELETE FROM projection_replays');
  }
}
