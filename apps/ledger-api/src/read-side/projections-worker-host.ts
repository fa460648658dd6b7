/**
 * The main thread's side of LEDGER_PROJECTIONS=worker: starts `projections-worker` in a worker thread,
 * follows the positions it reports (read-your-writes waits on them, without polling the read-model
 * file), and starts it again if it dies. Stopping asks the worker to finish its batch and close its
 * connections; only a worker that does not answer within the grace period is terminated, which is safe
 * because each batch commits with its checkpoints or not at all.
 */
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { workerSourceOptions } from '@ledger/event-store';
import { PositionWaiters } from '@ledger/projections';
import type { LedgerConfig } from '@ledger/servicing';
import type { ProjectionsWorkerData, WorkerHeap, WorkerMessage } from './projections-worker';

export interface WorkerHostLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface WorkerHostOptions {
  /** How often the worker looks for new events in the log (default 10 ms: a cheap indexed read). */
  pollIntervalMs?: number;
  /** After a failed batch or a dead worker, try again after this long (default 1 s). */
  retryAfterMs?: number;
  /** How long `stop()` waits for the worker to close its connections before terminating it (default 10 s). */
  stopGraceMs?: number;
  /**
   * A worker that followed the log this long outside a rebuild has got somewhere even if it committed
   * nothing (no event came): its death does not count towards the backoff (default 30 s, the longest backoff).
   */
  stableAfterMs?: number;
}

export class ProjectionsWorkerHost {
  private worker: Worker | undefined;
  private applied = 0n;
  /** The worker said it is running the replay its start follows the log with (`ProjectionRunner.replaying`). */
  private replayingNow = false;
  private readonly waiters = new PositionWaiters();
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  /** The caller of `start()`, until a worker follows the log or the start fails. */
  private starting: { resolve: () => void; reject: (error: Error) => void } | undefined;
  /** The last failure the worker reported, until it follows the log or commits a batch again. */
  lastError: string | undefined;
  /** Times the worker was started again after it died. */
  restarts = 0;
  /**
   * Workers in a row that died without getting anywhere: before they followed the log, or after it
   * without committing a batch (of a rebuild, or of new events) or following it for `stableAfterMs`
   * outside a rebuild. 0 once one commits a batch, or dies after that long. The restarts back off by it.
   */
  failedStarts = 0;
  /** Busy milliseconds of the workers before this one, each as last read (`activeSeconds`). */
  private retiredActiveMs = 0;
  /** The running worker's busy milliseconds as last read. */
  private lastActiveMs = 0;
  /** The worker's heap as it last reported it (every `WORKER_HEAP_REPORT_MS`); undefined before its first report. */
  heap: WorkerHeap | undefined;

  constructor(
    private readonly config: LedgerConfig,
    private readonly logger: WorkerHostLogger,
    private readonly options: WorkerHostOptions = {},
  ) {}

  /**
   * Starts the worker; resolves once it follows the log. What its read models need replayed first (a
   * projection whose version changed, read models that start from nothing) is replayed as the first
   * part of following the log, so it does not hold the start up. A worker that dies before it follows
   * the log (the log or the read models would not open) rejects the start; later deaths, in such a
   * replay too, are retried (the replay goes on from its last batch), never reported here.
   */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.starting = { resolve, reject };
      this.spawn();
    });
  }

  /** Whether the worker is rebuilding its read models before it follows the log (after a start on empty ones, say), as it last said. */
  get replaying(): boolean {
    return this.replayingNow;
  }

  /** The position every projection has applied, as the worker last reported it. */
  get appliedPosition(): bigint {
    return this.applied;
  }

  get running(): boolean {
    return this.worker !== undefined;
  }

  /** What keeps the read models from following the log now, or null: a failed batch, or no worker running. */
  get failure(): string | null {
    return this.lastError ?? (this.running ? null : 'the projections worker is not running');
  }

  /**
   * Seconds the projections' event loop has been busy, summed over every worker this host has run: busy
   * is running JavaScript, waiting in a synchronous call (a SQLite commit) or for a core to run on, as
   * opposed to waiting for the next poll of the log (`worker.performance.eventLoopUtilization`). A
   * worker reads zero once it has exited, so each is read at every message it sends too (every batch it
   * commits): what one did after its last message before it died is not counted.
   */
  activeSeconds(): number {
    this.readActive();
    return (this.retiredActiveMs + this.lastActiveMs) / 1000;
  }

  private readActive(): void {
    // Never less than read before: reading another thread's counters may come out a little lower.
    if (this.worker) this.lastActiveMs = Math.max(this.lastActiveMs, this.worker.performance.eventLoopUtilization().active);
  }

  waitFor(position: bigint, timeoutMs: number): Promise<void> {
    return this.waiters.waitFor(position, timeoutMs, () => this.applied);
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (!worker) {
      // Between a worker that died during its catch-up and its successor.
      this.failStart(new Error('the app stopped before the projections worker followed the log'));
      return;
    }
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'stop' });
    const grace = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), this.options.stopGraceMs ?? 10_000).unref());
    if ((await Promise.race([exited, grace])) === 'timeout') {
      this.logger.error('the projections worker did not stop in time; terminating it');
      await worker.terminate();
    }
  }

  private failStart(error: Error): void {
    this.starting?.reject(error);
    this.starting = undefined;
  }

  private spawn(): void {
    const data: ProjectionsWorkerData = {
      config: this.config,
      pollIntervalMs: this.options.pollIntervalMs ?? 10,
      retryAfterMs: this.options.retryAfterMs ?? 1_000,
    };
    // No resourceLimits: a --max-old-space-size given to the process overrides them (nodejs/node#43991),
    // so the thread's heap is bounded by that flag, as the main thread's is (docs/configuration.md).
    const script = join(__dirname, `projections-worker${extname(__filename)}`);
    const worker = new Worker(script, { workerData: data, ...workerSourceOptions(script) });
    this.worker = worker;
    // When this worker first followed the log.
    let startedAt: number | undefined;
    // Whether this worker committed a batch: one that dies before any (in the same batch every time, say:
    // out of heap on one account) is no better than one that never started.
    let progressed = false;
    const committedBatch = () => {
      progressed = true;
      this.failedStarts = 0;
      this.lastError = undefined;
    };
    worker.on('message', (message: WorkerMessage) => {
      this.readActive();
      switch (message.type) {
        case 'started':
          // Also after the runner recovered from a failed batch: that clears the failure. The position is
          // taken as reported, not as a maximum: a worker that rebuilt its read models starts lower.
          if (startedAt === undefined && this.replayingNow) this.logger.log('projections worker started: rebuilding its read models, then following the log');
          else if (startedAt === undefined) this.logger.log(`projections worker following the log from position ${message.position}`);
          startedAt ??= Date.now();
          this.lastError = undefined;
          this.applied = BigInt(message.position);
          this.waiters.notify(this.applied);
          this.starting?.resolve();
          this.starting = undefined;
          break;
        case 'committed':
          committedBatch();
          if (BigInt(message.position) > this.applied) this.applied = BigInt(message.position);
          this.waiters.notify(this.applied);
          break;
        case 'replayed':
          // A batch of a replay by account committed: the projections' position stays at 0 until it ends.
          committedBatch();
          break;
        case 'replaying':
          this.replayingNow = message.replaying;
          // Its end is no progress of its own: it also ends when a batch fails. A rebuild that does any
          // work commits batches ('replayed'); one with nothing to do (an empty log) leaves a worker that
          // gets somewhere by living (`stableAfterMs`).
          break;
        case 'failed':
          this.lastError = message.message;
          this.logger.error(`projections worker: ${message.message}`);
          break;
        case 'log':
          // The progress of a rebuild, and what the worker's audit anchors report: a failed anchor is
          // retried at the next trigger, a failed subscription to the log a second later
          // (`AuditAnchorScheduler.retryAfterMs`).
          if (message.level === 'info') this.logger.log(message.message);
          else if (message.level === 'warn') this.logger.warn(message.message);
          else this.logger.error(message.message);
          break;
        case 'heap':
          this.heap = message.heap;
          break;
        case 'stopped':
          break;
      }
    });
    worker.on('error', (error) => {
      this.lastError = error.message;
      this.logger.error(`projections worker crashed: ${error.message}`);
    });
    worker.on('exit', (code) => {
      // Its heap went with it: the next worker reports its own.
      this.heap = undefined;
      this.worker = undefined;
      this.retiredActiveMs += this.lastActiveMs;
      this.lastActiveMs = 0;
      const stable = startedAt !== undefined && !this.replayingNow && Date.now() - startedAt >= (this.options.stableAfterMs ?? 30_000);
      this.replayingNow = false;
      if (progressed || stable) this.failedStarts = 0;
      else this.failedStarts++;
      if (this.stopping) {
        this.failStart(new Error('the app stopped before the projections worker followed the log'));
        return;
      }
      // A worker of the start that died before it followed the log (the log or the read models would not
      // open) fails the start. One that died in the replay it follows the log with (out of heap on a large
      // rebuild, say) is started again below, and its successor goes on from the replay's last batch.
      if (startedAt === undefined && this.starting) {
        this.failStart(new Error(`the projections worker exited with code ${code} before it followed the log: ${this.lastError ?? 'no message'}`));
        return;
      }
      this.lastError ??= `the projections worker exited with code ${code}`;
      this.restarts++;
      // Back off while workers keep dying without getting anywhere: before they follow the log (the store
      // unreachable, say), or in their first batch (out of heap on one account, say): 1 s, 2 s, 4 s ... 30 s.
      const delay = Math.min(30_000, (this.options.retryAfterMs ?? 1_000) * 2 ** Math.min(this.failedStarts, 5));
      this.logger.error(`projections worker exited with code ${code}; starting it again in ${delay} ms`);
      this.restartTimer = setTimeout(() => this.spawn(), delay);
    });
  }
}
