import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { closeWorker, threadStopReason, workerSourceOptions } from '../worker-source';
import { type CheckpointerCommand, type CheckpointerReply, type CheckpointerThreadData, type CheckpointRun, RESTART_AT_FRAMES } from './sqlite-checkpointer-thread';
import type { SqliteConnectionOptions } from './sqlite-schema';
import { deserializeError } from './sqlite-writer';

const SCRIPT = join(__dirname, `sqlite-checkpointer-thread${extname(__filename)}`);

/** `SqliteEventStoreOptions.checkpointIntervalMs`'s default. */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 100;

/** How long after a thread stopped before a commit may start another: a file that cannot be opened is not retried on every commit. */
const RESTART_AFTER_MS = 10_000;

export interface CheckpointerHooks {
  /** After each run that found frames to copy. */
  onCheckpoint?(run: CheckpointRun): void;
  /** A checkpoint that failed (once per distinct failure), or the thread that stopped. */
  onCheckpointerError?(error: Error): void;
}

/**
 * The main thread's side of the checkpointer thread (`sqlite-checkpointer-thread`). It starts with the
 * first commit (a process that only reads never starts one), never keeps the process alive, and is
 * started again by a commit at least `RESTART_AFTER_MS` after it stopped. While it is down, the
 * connection that commits still checkpoints once the log passes its `wal_autocheckpoint` pages.
 */
export class SqliteCheckpointer {
  private worker: Worker | undefined;
  private stoppedAt = -Infinity;
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly connection: SqliteConnectionOptions,
    private readonly timing: { intervalMs: number; restartAtFrames?: number },
    private readonly hooks: CheckpointerHooks,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Whether a thread is running. */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /** Called after each commit: starts the thread if it is not running (and may be started again). */
  committed(): void {
    if (this.worker || this.closed || this.now() - this.stoppedAt < RESTART_AFTER_MS) return;
    this.start();
  }

  /** Stops the thread and closes its connection. */
  async close(): Promise<void> {
    this.closed = true;
    await closeWorker(this.worker, { type: 'close' } satisfies CheckpointerCommand);
  }

  private start(): void {
    const data: CheckpointerThreadData = {
      path: this.path,
      connection: { ...this.connection },
      intervalMs: this.timing.intervalMs,
      restartAtFrames: this.timing.restartAtFrames ?? RESTART_AT_FRAMES,
    };
    const worker = new Worker(SCRIPT, { workerData: { sqliteCheckpointer: data }, ...workerSourceOptions(SCRIPT) });
    this.worker = worker;
    worker.unref();
    worker.on('message', (reply: CheckpointerReply) => {
      if (reply.type === 'checkpointed') this.tell(() => this.hooks.onCheckpoint?.(reply.run));
      else if (reply.type === 'failed') this.tell(() => this.hooks.onCheckpointerError?.(deserializeError(reply.error)));
    });
    let failure: Error | undefined;
    worker.on('error', (error) => (failure = error));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      this.stoppedAt = this.now();
      if (this.closed) return;
      const reason = threadStopReason(failure, code);
      this.tell(() => this.hooks.onCheckpointerError?.(new Error(`the sqlite checkpointer thread stopped (${reason}); commits checkpoint the log until it is started again`, { cause: failure })));
    });
  }

  /** A hook that throws must not take the store down. */
  private tell(hook: () => void): void {
    try {
      hook();
    } catch {
      // Metrics and logs only.
    }
  }
}
