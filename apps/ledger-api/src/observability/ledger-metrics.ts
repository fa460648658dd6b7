/**
 * Every Prometheus series the ledger exports, in one registry per process. The registry is not the
 * prom-client global: the tests start several apps in one process, and each must count only its own.
 *
 * Label values are bounded sets (command types, outcomes, rejection codes, route templates, projection
 * names), never ids or dates, so the series count stays fixed however many accounts there are.
 */
import { performance } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ProjectionLag, ProjectionRunner } from '@ledger/projections';
import type { CacheOccupancy } from '@ledger/servicing';
import { type FollowingWorker, followingLog } from './projection-state';
import type { WorkerHeap } from '../read-side/projections-worker';

/** Command latency buckets: a cached command takes well under a millisecond, a cold load with a group commit a few. */
const COMMAND_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const HTTP_SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const GROUP_SIZES = [1, 2, 4, 8, 16, 32, 64, 128, 256];
const CHECKPOINT_SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const END_OF_DAY_SECONDS = [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800];

export class LedgerMetrics {
  readonly registry = new Registry();

  readonly commands = new Counter({
    name: 'ledger_commands_total',
    help: 'Account commands executed, by command type and outcome (accepted, declined, unchanged, replayed, rejected, failed)',
    labelNames: ['command', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly rejections = new Counter({
    name: 'ledger_command_rejections_total',
    help: 'Commands a product rule refused, by command type and rejection code',
    labelNames: ['command', 'code'] as const,
    registers: [this.registry],
  });

  readonly commandSeconds = new Histogram({
    name: 'ledger_command_duration_seconds',
    help: 'Time from a command reaching the repository (including its wait behind earlier commands on the same account) to its answer',
    labelNames: ['command'] as const,
    buckets: COMMAND_SECONDS,
    registers: [this.registry],
  });

  readonly conflictRetries = new Counter({
    name: 'ledger_concurrency_retries_total',
    help: 'Commands decided again because another writer appended to the account first',
    registers: [this.registry],
  });

  readonly idempotentReplays = new Counter({
    name: 'ledger_idempotent_replays_total',
    help: 'Commands answered from the log because their idempotency key had already been applied',
    registers: [this.registry],
  });

  readonly eventsAppended = new Counter({
    name: 'ledger_events_appended_total',
    help: 'Events appended to account streams by commands',
    registers: [this.registry],
  });

  readonly accountCacheLookups = new Counter({
    name: 'ledger_account_cache_lookups_total',
    help: 'Account loads by the repository (commands, end of day, installment quotes), by result: hit (the account was in the cache) or miss (folded from its snapshot and the events after it)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly groupCommits = new Histogram({
    name: 'ledger_store_group_commit_appends',
    help: 'Appends sharing one SQLite transaction and fsync (group commit); its _sum is the number of appends',
    buckets: GROUP_SIZES,
    registers: [this.registry],
  });

  readonly checkpointSeconds = new Histogram({
    name: 'ledger_store_wal_checkpoint_duration_seconds',
    help: 'Runs of the checkpointer thread (LEDGER_SQLITE_CHECKPOINT=thread) that found commits to copy from the event log\'s write-ahead log into its file',
    buckets: CHECKPOINT_SECONDS,
    registers: [this.registry],
  });

  readonly walFrames = new Gauge({
    name: 'ledger_store_wal_frames',
    help: 'Frames (pages) in the event log\'s write-ahead log at the checkpointer thread\'s last run, by state: in_log (all of them since the log last started over), behind (not yet copied into the file because a reader still needed them)',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  readonly walRestarts = new Counter({
    name: 'ledger_store_wal_restarts_total',
    help: 'Runs of the checkpointer thread that made the event log\'s write-ahead log start over (once it held 10,000 frames)',
    registers: [this.registry],
  });

  readonly checkpointerErrors = new Counter({
    name: 'ledger_store_checkpointer_errors_total',
    help: 'Failures of the event log\'s checkpointer thread, each also logged: a checkpoint that failed (once for a run of the same failure) and a stop of the thread',
    registers: [this.registry],
  });

  readonly endOfDayRunning = new Gauge({
    name: 'ledger_end_of_day_running',
    help: '1 while an end-of-day run is in progress',
    registers: [this.registry],
  });

  readonly endOfDayAccounts = new Gauge({
    name: 'ledger_end_of_day_accounts_processed',
    help: 'Accounts processed so far by the current (or last) end-of-day run',
    registers: [this.registry],
  });

  readonly endOfDaySeconds = new Histogram({
    name: 'ledger_end_of_day_duration_seconds',
    help: 'Duration of end-of-day runs, by outcome (closed, already_closed, refused, failed)',
    labelNames: ['outcome'] as const,
    buckets: END_OF_DAY_SECONDS,
    registers: [this.registry],
  });

  readonly lastClosedDay = new Gauge({
    name: 'ledger_business_day_last_closed',
    help: 'The last business date closed by this process, as a number yyyymmdd',
    registers: [this.registry],
  });

  readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests, by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpSeconds = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration, by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: HTTP_SECONDS,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /**
   * The projections worker thread's heap (LEDGER_PROJECTIONS=worker): its isolate is not in the process's
   * `nodejs_heap_*`, and its bound is the same `--max-old-space-size` as the main thread's, so a worker
   * near its limit is the next out-of-memory restart. As the worker last reported it (every 5 s).
   */
  watchWorkerHeap(heap: () => WorkerHeap | undefined): void {
    this.gaugesOf(heap, [
      { name: 'ledger_worker_heap_used_bytes', help: 'Heap bytes the projections worker thread uses (its last report, every 5 s)', value: (h) => h.used },
      { name: 'ledger_worker_heap_total_bytes', help: 'Heap bytes the projections worker thread has reserved (its last report, every 5 s)', value: (h) => h.total },
      { name: 'ledger_worker_heap_limit_bytes', help: "The projections worker thread heap bound (V8's heap_size_limit: --max-old-space-size plus the young generation)", value: (h) => h.limit },
    ], { thread: 'projections' });
  }

  /** Lag, position and state of the projections, read when Prometheus scrapes rather than kept up to date. */
  watchProjections(runner: ProjectionRunner, enabled: boolean, worker?: FollowingWorker): void {
    registerProjectionGauges(this.registry, runner, enabled, worker);
  }

  /**
   * The repository's account cache, read when Prometheus scrapes: the accounts and estimated bytes it
   * holds, and its bounds. A cache at its byte bound with a high miss share is what makes commands
   * slower on a ledger of many accounts (LEDGER_AGGREGATE_CACHE_MB, docs/runbook.md).
   */
  watchAccountCache(occupancy: () => CacheOccupancy): void {
    this.gaugesOf(occupancy, [
      { name: 'ledger_account_cache_accounts', help: 'Accounts held folded in the repository cache', value: (o) => o.accounts },
      { name: 'ledger_account_cache_bytes', help: 'Estimated heap bytes of the accounts held in the repository cache', value: (o) => o.bytes },
      { name: 'ledger_account_cache_max_accounts', help: 'The repository cache bound on accounts (LEDGER_AGGREGATE_CACHE)', value: (o) => o.maxAccounts },
      { name: 'ledger_account_cache_max_bytes', help: 'The repository cache bound on estimated bytes (LEDGER_AGGREGATE_CACHE_MB)', value: (o) => o.maxBytes },
    ]);
  }

  /** Gauges read from one source when Prometheus scrapes, each a figure of it; none is set while the source has nothing. */
  private gaugesOf<T>(source: () => T | undefined, gauges: { name: string; help: string; value: (figures: T) => number }[], labels?: Record<string, string>): void {
    for (const { name, help, value } of gauges) {
      new Gauge({
        name,
        help,
        labelNames: labels ? Object.keys(labels) : [],
        registers: [this.registry],
        collect() {
          const figures = source();
          // Gone (a worker that died, until the next reports): no figure, rather than its last one.
          if (figures === undefined) return this.reset();
          if (labels) this.set(labels, value(figures));
          else this.set(value(figures));
        },
      });
    }
  }

  /**
   * How busy this process's threads are (`registerEventLoopCounter`): `main` (the thread that decides and
   * commits every command) and those given (`projections`, the worker of LEDGER_PROJECTIONS=worker).
   */
  watchEventLoops(others: Record<string, () => number> = {}): void {
    registerEventLoopCounter(this.registry, { main: mainThreadActiveSeconds, ...others });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** Seconds this process's main thread has been busy since it started (`performance.eventLoopUtilization`). */
export function mainThreadActiveSeconds(): number {
  return performance.eventLoopUtilization().active / 1000;
}

/**
 * `ledger_event_loop_active_seconds_total{thread}`, read when Prometheus scrapes: each thread's seconds
 * busy so far, busy being running JavaScript, waiting in a synchronous call (a SQLite commit and its
 * fsync) or waiting for a core, rather than for I/O or a timer. A counter, so `rate()` of it is the
 * share of the time the thread had no idle time; how to read it: docs/runbook.md, Memory and load.
 * Shared by the API and the projector process.
 */
export function registerEventLoopCounter(registry: Registry, threads: Record<string, () => number>): void {
  const counted: Record<string, number> = {};
  new Counter({
    name: 'ledger_event_loop_active_seconds_total',
    help: 'Seconds each thread was busy: running JavaScript, waiting in a synchronous call (a SQLite commit and its fsync) or for a core; not waiting for I/O or timers',
    labelNames: ['thread'] as const,
    registers: [registry],
    collect() {
      for (const [thread, activeSeconds] of Object.entries(threads)) {
        const now = activeSeconds();
        // A source that reads less than before (it never should), or not a number, adds nothing: a counter only grows.
        const added = now - (counted[thread] ?? 0);
        if (!(added > 0)) continue;
        this.inc({ thread }, added);
        counted[thread] = now;
      }
    },
  });
}

/**
 * Shared by the API and the projector process, which has no other series. With `worker`, the
 * projections run in this process's worker thread: it is what follows the log, not `runner` (which
 * then only reads the checkpoints for the lag).
 */
export function registerProjectionGauges(registry: Registry, runner: ProjectionRunner, enabled: boolean, worker?: FollowingWorker): void {
  // A scrape collects every gauge at once: the two lag gauges share one look at the store.
  let inFlight: Promise<ProjectionLag[]> | undefined;
  const lagOnce = () => (inFlight ??= lagOrNothing(runner).finally(() => (inFlight = undefined)));
  new Gauge({
    name: 'ledger_projection_lag_events',
    help: 'Events in the log that the projection has not applied yet (head position minus its checkpoint)',
    labelNames: ['projection'] as const,
    registers: [registry],
    async collect() {
      for (const l of await lagOnce()) this.set({ projection: l.projection }, Number(l.lag));
    },
  });
  new Gauge({
    name: 'ledger_projection_position',
    help: 'The global log position each projection has applied',
    labelNames: ['projection'] as const,
    registers: [registry],
    async collect() {
      for (const l of await lagOnce()) this.set({ projection: l.projection }, Number(l.position));
    },
  });
  new Gauge({
    name: 'ledger_projections_running',
    help: '1 while this process (or its projections worker thread) follows the log; 0 while rebuilding, after a failed batch, or when projections run elsewhere',
    registers: [registry],
    collect() {
      this.set(followingLog(runner, worker) ? 1 : 0);
    },
  });
  new Gauge({
    name: 'ledger_projections_enabled',
    help: '1 when this process runs the projections (LEDGER_PROJECTIONS=1 or worker), 0 when a separate projector does',
    registers: [registry],
    collect() {
      this.set(enabled || worker !== undefined ? 1 : 0);
    },
  });
}

/** An unreachable store must not fail the whole scrape: the lag keeps its last value and health says why. */
async function lagOrNothing(runner: ProjectionRunner): Promise<ProjectionLag[]> {
  try {
    return await runner.lag();
  } catch {
    return [];
  }
}
