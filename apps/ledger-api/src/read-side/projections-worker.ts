/**
 * The projections in a worker thread of the API (LEDGER_PROJECTIONS=worker): the same runner the
 * projector process runs, on connections of its own to the event log and the read-model file, so
 * folding and projecting take the second core instead of the event loop that serves commands.
 *
 * It also writes the audit anchors (`AuditAnchorScheduler`), which read the log back and hash it: that
 * work leaves the main thread with the projections.
 *
 * It talks to the main thread (`ProjectionsWorkerHost`) by messages: `started` each time it follows the
 * log (at first, and again after the runner recovered from a failed batch), `committed` with the position
 * every projection has applied after each batch, `failed` for a batch that failed (the runner retries
 * from its checkpoint) or a start that failed, `log` for what the anchors report, and `stopped` after a
 * `stop` request.
 */
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { damagedFileNote, type LedgerConfig } from '@ledger/servicing';
import { AuditAnchorScheduler } from '@ledger/servicing/audit';
import { openProjectorRunner, rebuildPlanLine, rebuildProgressLine } from './projector-runner';

/** Messages from the worker to the main thread. */
export type WorkerMessage =
  | { type: 'started'; position: string }
  | { type: 'committed'; position: string }
  | { type: 'replayed'; accounts: number }
  | { type: 'replaying'; replaying: boolean }
  | { type: 'failed'; message: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'heap'; heap: WorkerHeap }
  | { type: 'stopped' };

/** The worker thread's V8 heap in bytes: what it uses, what it has reserved, and its bound (the thread's own isolate, not in the process's `nodejs_heap_*`). */
export interface WorkerHeap {
  used: number;
  total: number;
  limit: number;
}

/** How often the worker reports its heap; `/metrics` shows the last report. */
export const WORKER_HEAP_REPORT_MS = 5_000;

export interface ProjectionsWorkerData {
  config: LedgerConfig;
  /** How often the worker reads the log for commits of the main thread, which reach it by no signal. */
  pollIntervalMs: number;
  retryAfterMs: number;
}

async function run(port: NonNullable<typeof parentPort>, data: ProjectionsWorkerData): Promise<void> {
  const send = (message: WorkerMessage) => port.postMessage(message);
  const reportHeap = () => {
    const heap = getHeapStatistics();
    send({ type: 'heap', heap: { used: heap.used_heap_size, total: heap.total_heap_size, limit: heap.heap_size_limit } });
  };
  reportHeap();
  const heapReports = setInterval(reportHeap, WORKER_HEAP_REPORT_MS).unref();
  const { store, runner } = await openProjectorRunner(
    data.config,
    {
      retryAfterMs: data.retryAfterMs,
      // A damaged file is named, with what to do: SQLite's own message names none.
      onError: (error) => send({ type: 'failed', message: damagedFileNote(error, data.config) ?? error.message }),
      onCommitted: (position) => send({ type: 'committed', position: position.toString() }),
      onReplayCommitted: (accounts) => send({ type: 'replayed', accounts }),
      onReplaying: (replaying) => send({ type: 'replaying', replaying }),
      onRebuildProgress: (position, head, unit) => send({ type: 'log', level: 'info', message: rebuildProgressLine(position, head, unit) }),
      onRebuildPlan: (reasons) => send({ type: 'log', level: 'info', message: rebuildPlanLine(reasons) }),
      onStarted: (position) => send({ type: 'started', position: position.toString() }),
    },
    { pollIntervalMs: data.pollIntervalMs },
  );
  const anchors = new AuditAnchorScheduler(store);
  anchors.logger = {
    log: (message: string) => send({ type: 'log', level: 'info', message }),
    warn: (message: string) => send({ type: 'log', level: 'warn', message }),
    error: (message: string) => send({ type: 'log', level: 'error', message }),
  };
  let stopping: Promise<void> | undefined;
  port.on('message', (message: { type: string }) => {
    if (message.type !== 'stop' || stopping) return;
    clearInterval(heapReports);
    // Close the store even when the runner's close fails, then let the thread end. The anchors stop first:
    // one under way finishes its append.
    stopping = anchors
      .onModuleDestroy()
      .then(() => runner.close())
      .finally(() => store.close())
      .then(
        () => send({ type: 'stopped' }),
        (error: Error) => send({ type: 'failed', message: `while stopping: ${error.message}` }),
      )
      .finally(() => port.close());
  });
  await runner.start();
  // Not awaited: anchoring that cannot start yet (the log unreadable for a moment) retries on its own,
  // and must not end the thread that keeps the read models.
  anchors.followLater(0);
}

if (parentPort) {
  const port = parentPort;
  run(port, workerData as ProjectionsWorkerData).catch((error: Error) => {
    // Not started at all (the store or the read-model file would not open): the host sees the exit.
    port.postMessage({ type: 'failed', message: `could not start: ${damagedFileNote(error, (workerData as ProjectionsWorkerData).config) ?? error.message}` } satisfies WorkerMessage);
    process.exit(1);
  });
}
