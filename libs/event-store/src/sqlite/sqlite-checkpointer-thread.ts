/**
 * The checkpointer thread (`SqliteEventStore` with `checkpoints: 'thread'`): a connection of its own that
 * copies the write-ahead log into the database file every few milliseconds (SQLite's PASSIVE checkpoint:
 * it never waits for, nor holds up, a reader or a writer), so that no commit of a command has to. What it
 * found and what it cost go back to the main thread after each run that had frames to copy.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { openLedgerDatabase, type SqliteConnectionOptions } from './sqlite-schema';
import { type SerializedError, serializeError } from './sqlite-writer';

export interface CheckpointerThreadData {
  path: string;
  connection: SqliteConnectionOptions;
  intervalMs: number;
}

/** Messages from the main thread. */
export type CheckpointerCommand = { type: 'close' };

/** One checkpoint run, as SQLite reported it. */
export interface CheckpointRun {
  /** Frames in the write-ahead log when it ran. */
  walFrames: number;
  /** Frames of the log now in the database file (all of them unless a reader or a writer held some back). */
  checkpointedFrames: number;
  /** Whether another connection was checkpointing, so this run did nothing. */
  busy: boolean;
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

function run(port: NonNullable<typeof parentPort>, data: CheckpointerThreadData): void {
  // Opening throws out of the thread (an 'error' event on the main side) if the file cannot be opened.
  // The connection keeps the store's `synchronous`: the checkpoint syncs the log before it copies and the
  // file after, and the log starts over only once the file holds every frame durably.
  const db = openLedgerDatabase(data.path, data.connection);
  const send = (reply: CheckpointerReply) => port.postMessage(reply);
  let lastCopied = -1;
  let lastFailure: string | undefined;
  const checkpoint = () => {
    const started = performance.now();
    try {
      const [row] = db.pragma('wal_checkpoint(PASSIVE)') as CheckpointRow[];
      const walFrames = Number(row.log);
      const checkpointedFrames = Number(row.checkpointed);
      lastFailure = undefined;
      // A log already copied whole, and not started over since, is not news.
      if (checkpointedFrames === lastCopied && walFrames === checkpointedFrames) return;
      lastCopied = checkpointedFrames;
      send({ type: 'checkpointed', run: { walFrames, checkpointedFrames, busy: Number(row.busy) !== 0, durationMs: performance.now() - started } });
    } catch (error) {
      // Told once per distinct failure, not every run: the next run tries again.
      const serialized = serializeError(error);
      if (serialized.message !== lastFailure) send({ type: 'failed', error: serialized });
      lastFailure = serialized.message;
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
