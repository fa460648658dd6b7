/**
 * The checkpointer thread (`SqliteEventStore` with `checkpoints: 'thread'`): a connection of its own that
 * copies the write-ahead log into the database file every few milliseconds (SQLite's PASSIVE checkpoint:
 * it never waits for, nor holds up, a reader or a writer), so that no commit of a command has to. What it
 * found and what it cost go back to the main thread after each run that had frames to copy.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { crossThreadError, throwingAcrossThreads } from '../worker-source';
import { openLedgerDatabase, type SqliteConnectionOptions } from './sqlite-schema';
import { type SerializedError, serializeError } from './sqlite-writer';

export interface CheckpointerThreadData {
  path: string;
  connection: SqliteConnectionOptions;
  intervalMs: number;
  /** `RESTART_AT_FRAMES` unless a test sets it. */
  restartAtFrames: number;
}

/** Messages from the main thread. */
export type CheckpointerCommand = { type: 'close' };

/** One checkpoint run, as SQLite reported it. */
export interface CheckpointRun {
  /** Frames in the write-ahead log when it ran (since the log last started over). */
  walFrames: number;
  /** Frames of the log now in the database file (all of them unless a reader still needed some). */
  checkpointedFrames: number;
  /** Whether the run also made the next commit start the log over (from `RESTART_AT_FRAMES` frames). */
  restarted: boolean;
  durationMs: number;
}

/** Messages to the main thread. */
export type CheckpointerReply =
  | { type: 'checkpointed'; run: CheckpointRun }
  | { type: 'failed'; error: SerializedError }
  | { type: 'closed' };

interface CheckpointRow {
  busy: number | bigint;
  log: number | bigint;
  checkpointed: number | bigint;
}

/**
 * Failures in a row after which the thread closes its connection and stops, so that the main thread
 * starts another with a fresh one (`SqliteCheckpointer`): at 100 ms, about five seconds of them.
 */
export const FAILURES_BEFORE_STOPPING = 50;

/**
 * Frames (pages) of log after which a run also makes the log start over. A commit starts the log over
 * only when every frame of it is in the file, and under steady commits a PASSIVE run never ends with
 * none arriving meanwhile, so the log grew until the committing connection's backstop checkpointed it on
 * the deciding thread. From this many frames a run ends with a RESTART checkpoint: it holds the write
 * lock while it copies what arrived during the PASSIVE run before it (a fraction of a second's commits)
 * and syncs the file, and waits at most `RESTART_WAIT_MS` for readers of older frames.
 */
export const RESTART_AT_FRAMES = 10_000;

/** How long a RESTART run waits for the write lock and for readers, holding commits back meanwhile. */
const RESTART_WAIT_MS = 20;

function run(port: NonNullable<typeof parentPort>, data: CheckpointerThreadData): void {
  // Opening throws out of the thread (an 'error' event on the main side) if the file cannot be opened.
  // The connection syncs as FULL whatever the store's mode: a checkpoint syncs the log before it copies
  // and the file after (NORMAL does the same), and the log starts over only once the file holds every
  // frame durably. A store set to OFF for a while (`setSynchronous`) does not make the copies unsynced.
  const db = throwingAcrossThreads(() => openLedgerDatabase(data.path, { ...data.connection, synchronous: 'FULL', busyTimeoutMs: RESTART_WAIT_MS }));
  const dataVersion = db.prepare('PRAGMA data_version').pluck();
  const send = (reply: CheckpointerReply) => port.postMessage(reply);
  let copiedAtVersion: unknown;
  let failures = 0;
  let lastFailure: string | undefined;
  const checkpoint = () => {
    const started = performance.now();
    try {
      // Changes whenever another connection commits: a log copied whole at this version has nothing new.
      const version = dataVersion.get();
      if (version === copiedAtVersion) return;
      let [row] = db.pragma('wal_checkpoint(PASSIVE)') as CheckpointRow[];
      failures = 0;
      lastFailure = undefined;
      // Another connection was checkpointing (SQLite then reports -1 frames): the next run tries again.
      if (Number(row.busy) !== 0) return;
      let restarted = false;
      if (Number(row.log) >= data.restartAtFrames) {
        const [restart] = db.pragma('wal_checkpoint(RESTART)') as CheckpointRow[];
        // Busy: a commit or a reader held on for longer than the wait; the next run tries again.
        restarted = Number(restart.busy) === 0;
        if (restarted) row = restart;
      }
      const walFrames = Number(row.log);
      const checkpointedFrames = Number(row.checkpointed);
      copiedAtVersion = checkpointedFrames === walFrames ? version : undefined;
      send({ type: 'checkpointed', run: { walFrames, checkpointedFrames, restarted, durationMs: performance.now() - started } });
    } catch (error) {
      // Told once per distinct failure in a row, not every run; a failure that lasts stops the thread.
      const serialized = serializeError(error);
      if (serialized.message !== lastFailure) send({ type: 'failed', error: serialized });
      lastFailure = serialized.message;
      if (++failures >= FAILURES_BEFORE_STOPPING) {
        clearInterval(timer);
        db.close();
        throw crossThreadError(error);
      }
    }
  };
  const timer = setInterval(checkpoint, data.intervalMs);
  port.on('message', (command: CheckpointerCommand) => {
    if (command.type !== 'close') return;
    clearInterval(timer);
    db.close();
    send({ type: 'closed' });
    port.close();
  });
}

if (!isMainThread && parentPort && (workerData as { sqliteCheckpointer?: CheckpointerThreadData } | null)?.sqliteCheckpointer) {
  run(parentPort, (workerData as { sqliteCheckpointer: CheckpointerThreadData }).sqliteCheckpointer);
}
