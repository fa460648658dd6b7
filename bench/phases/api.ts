/**
 * The ledger app itself on a scenario's directory (SQLite, synchronous=FULL, manual clock): end of day for
 * an ordinary day and a statement day, then commands in process through the command bus, then over HTTP
 * (the parent runs the load generator in its own process so it does not share this event loop), then
 * end of day for the days up to the due date and the due date.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { type EventLoopUtilization, monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { CommandBus } from '@nestjs/cqrs';
import { addDays } from '@ledger/credit';
import { SOURCE_PRELOAD } from '@ledger/event-store/worker-source';
import { AccountRepository, BusinessClock, CloseBusinessDayCommand, ExecuteAccountCommand, loadConfig, type EndOfDayReport } from '@ledger/servicing';
import { createApp } from '../../apps/ledger-api/src/bootstrap';
import { LedgerMetrics } from '../../apps/ledger-api/src/observability/ledger-metrics';
import { ReadModels } from '../../apps/ledger-api/src/read-side/read-models';
import { main, phaseParams, progress } from '../lib/child';
import { freePort } from '../lib/free-port';
import { nextCommand } from '../lib/command-load';
import { CpuClock, msSince, round, RssSampler, summarize } from '../lib/stats';

interface Params {
  dir: string;
  accounts: number;
  lastClosed: string;
  commandSeconds: number;
  concurrency: number;
  apiKey: string;
  /** Run the read models in a projector process of their own (LEDGER_PROJECTIONS=0 in the API). */
  projector?: boolean;
  /** Run the read models in a worker thread of the API (LEDGER_PROJECTIONS=worker). */
  projectionsWorker?: boolean;
}

/** The projector process of the split deployment (apps/ledger-api/src/projector.ts), ready once it follows the log. */
async function startProjector(dir: string) {
  const port = await freePort();
  const root = join(__dirname, '..', '..');
  const child = fork(join(root, 'apps', 'ledger-api', 'src', 'projector.ts'), [], {
    cwd: root,
    execArgv: [...SOURCE_PRELOAD],
    env: {
      ...process.env,
      LEDGER_STORE: 'sqlite',
      LEDGER_SQLITE_PATH: join(dir, 'ledger.sqlite'),
      LEDGER_SQLITE_SYNCHRONOUS: 'FULL',
      PORT: String(port),
      LOG_LEVEL: 'silent',
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`projector exited with ${child.exitCode}`);
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) throw new Error('projector not ready after 120 s');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function accountCommand(accounts: number, n: number, tag: string) {
  const c = nextCommand(accounts, n, tag);
  const command =
    c.kind === 'draw'
      ? { type: 'RequestDraw' as const, orderId: c.key, merchant: 'JD.com', amount: c.amount, authentication: { method: 'PASSWORD' as const, passed: true } }
      : { type: 'ReceiveRepayment' as const, reference: c.key, amount: c.amount, channel: 'MANUAL' as const };
  return new ExecuteAccountCommand(c.accountId, command, { actor: 'system:bench', commandId: `${c.kind}:${c.key}` });
}

/** Refusals (a limit, an overdue account) are answers too; anything without a code is a failure of the run. */
async function execute(bus: CommandBus, command: ExecuteAccountCommand, refused: Record<string, number>): Promise<void> {
  try {
    await bus.execute(command);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (!code) throw error;
    refused[code] = (refused[code] ?? 0) + 1;
  }
}

/**
 * How busy the API's threads were while a phase ran, as a share of its wall time: the main thread (which
 * decides and commits every command) and, with LEDGER_PROJECTIONS=worker, the projections worker; the
 * same readings as `ledger_event_loop_active_seconds_total`. A thread near 1 is the one that limits the
 * phase; on two cores, both threads high means the machine itself has little left. With them, the CPU
 * time the whole process spent (`cpuMs`, every thread), which a figure per command or account is made of.
 */
class ThreadBusy {
  private readonly main: EventLoopUtilization = performance.eventLoopUtilization();
  private readonly cpu = new CpuClock();
  private readonly workerSeconds: number | undefined;
  private readonly start = process.hrtime.bigint();

  constructor(private readonly readModels: ReadModels) {
    this.workerSeconds = readModels.worker?.activeSeconds();
  }

  stop(): { mainBusy: number; projectionsBusy?: number; cpuMs: number } {
    const seconds = msSince(this.start) / 1000;
    const mainBusy = round(performance.eventLoopUtilization(this.main).utilization, 2);
    const cpuMs = round(this.cpu.ms(), 0);
    const worker = this.readModels.worker;
    if (worker === undefined || this.workerSeconds === undefined) return { mainBusy, cpuMs };
    return { mainBusy, projectionsBusy: round((worker.activeSeconds() - this.workerSeconds) / seconds, 2), cpuMs };
  }
}

/**
 * The API process's resident memory at its sampled peak over the whole phase (from before the app starts),
 * and what it was made of then: the main thread's heap (what V8 has reserved for it), the projections
 * worker's (as the worker last reported it, every 5 s, so up to 5 s old), the buffers outside the heaps the
 * main thread holds (`external`), and the rest, by difference (the other threads' isolates, SQLite's page
 * caches, the code; a reserved heap need not be resident, so it is an estimate and can come out low).
 * Sampled every 200 ms (a sample costs the main thread 14 µs to hundreds in a large process; the profile
 * of a 10,000-account run had the phases' 50 ms samplers and this one at 1% of its samples together): a
 * peak reached while the main thread is held is seen when it lets go. `readModels`: the app's, once it has one.
 */
function memoryAtPeak(readModels: () => ReadModels | undefined) {
  const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
  const sampler = new RssSampler(200, () => {
    const usage = process.memoryUsage();
    const worker = readModels()?.worker?.heap;
    return { mainHeapMb: mb(usage.heapTotal), workerHeapMb: worker === undefined ? null : mb(worker.total), externalMb: mb(usage.external) };
  });
  return {
    stop() {
      const rssMb = sampler.stop();
      const { mainHeapMb, workerHeapMb, externalMb } = sampler.detail!;
      return { rssMb, mainHeapMb, workerHeapMb, externalMb, restMb: rssMb - mainHeapMb - (workerHeapMb ?? 0) - externalMb };
    },
  };
}

/** What a phase's watch reads: the app's metrics and its read models (for the projections worker). */
interface Watched {
  metrics: LedgerMetrics;
  readModels: ReadModels;
}

/**
 * What held commands up while a phase ran, to read its p99 by: the longest the event loop was blocked,
 * the time garbage collection paused the main thread, the share of account loads the repository's
 * cache answered (a miss folds the account from its snapshot first), and how busy each thread was.
 */
class PhaseWatch {
  /** Sampled every 10 ms; each sample is the whole interval between two samples, so an idle loop reads about 10. */
  private readonly loop = monitorEventLoopDelay({ resolution: 10 });
  private readonly pauses: number[] = [];
  private readonly gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) this.pauses.push(entry.duration);
  });

  private constructor(
    private readonly metrics: LedgerMetrics,
    private readonly lookupsAtStart: { hit: number; miss: number },
    private readonly busy: ThreadBusy,
  ) {
    this.loop.enable();
    this.gc.observe({ entryTypes: ['gc'] });
  }

  /** Call before the phase sends its first command (the counters are read as they stand). */
  static async start({ metrics, readModels }: Watched): Promise<PhaseWatch> {
    return new PhaseWatch(metrics, await lookups(metrics), new ThreadBusy(readModels));
  }

  async stop() {
    this.loop.disable();
    // Entries not yet delivered to the callback would be lost with the observer.
    for (const entry of this.gc.takeRecords()) this.pauses.push(entry.duration);
    this.gc.disconnect();
    const [start, end] = [this.lookupsAtStart, await lookups(this.metrics)];
    const hits = end.hit - start.hit;
    const loads = hits + end.miss - start.miss;
    return {
      // As sampled: a block of B ms reads between B and B plus the sampling interval (50 ms read 53.6).
      loopDelayP99Ms: round(this.loop.percentile(99) / 1e6, 1),
      loopDelayMaxMs: round(this.loop.max / 1e6, 1),
      gcPauseMs: round(this.pauses.reduce((a, b) => a + b, 0), 0),
      gcLongestPauseMs: round(Math.max(0, ...this.pauses), 1),
      cacheHitShare: loads === 0 ? null : round(hits / loads, 3),
      ...this.busy.stop(),
    };
  }
}

async function lookups(metrics: LedgerMetrics): Promise<{ hit: number; miss: number }> {
  // The values are prom-client's own entries, which later increments change: read them at once.
  const { values } = await metrics.accountCacheLookups.get();
  const count = (result: string) => values.find((v) => v.labels.result === result)?.value ?? 0;
  return { hit: count('hit'), miss: count('miss') };
}

/**
 * Commands at a fixed rate (open loop): command i is due at start + i / rate and is sent then whether or
 * not earlier ones have finished, and its latency runs from when it was due. A closed loop at saturation
 * (`commandsInProcess`) measures mostly queueing; this is the latency a caller sees at a load the ledger
 * sustains, without the coordinated omission of a closed loop.
 */
async function commandsAtRate(bus: CommandBus, p: Params, rate: number, seconds: number, watched: Watched, tag: string) {
  const latencies: number[] = [];
  const refused: Record<string, number> = {};
  const total = Math.round(rate * seconds);
  const watch = await PhaseWatch.start(watched);
  const start = process.hrtime.bigint();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const dueMs = (i * 1000) / rate;
    // A timer until the command is due, not a poll every millisecond: the loop measured is the ledger's
    // own, and a thousand wake-ups a second of the sender's were on it (until the thirtieth round). Timers
    // count whole milliseconds from a clock read earlier, so one may fire a little early: then another.
    for (let early = dueMs - msSince(start); early > 0; early = dueMs - msSince(start)) {
      await new Promise((resolve) => setTimeout(resolve, Math.ceil(early)));
    }
    inFlight.push(execute(bus, accountCommand(p.accounts, i, tag), refused).then(() => void latencies.push(msSince(start) - dueMs)));
  }
  await Promise.all(inFlight);
  const achievedPerSec = round(total / (msSince(start) / 1000), 0);
  return { rate, achievedPerSec, ...summarize(latencies), refused, ...(await watch.stop()) };
}

async function commandsInProcess(bus: CommandBus, p: Params, watched: Watched) {
  const latencies: number[] = [];
  const refused: Record<string, number> = {};
  const sampler = new RssSampler();
  const watch = await PhaseWatch.start(watched);
  const start = process.hrtime.bigint();
  const until = Date.now() + p.commandSeconds * 1000;
  let n = 0;
  const worker = async () => {
    while (Date.now() < until) {
      const command = accountCommand(p.accounts, n++, 'inproc');
      const t = process.hrtime.bigint();
      await execute(bus, command, refused);
      latencies.push(msSince(t));
    }
  };
  await Promise.all(Array.from({ length: p.concurrency }, worker));
  const seconds = msSince(start) / 1000;
  const peakRssMb = sampler.stop();
  const read = await watch.stop();
  return { concurrency: p.concurrency, perSec: round(latencies.length / seconds, 0), ...summarize(latencies), refused, peakRssMb, ...read, cpuUsPerCommand: round((read.cpuMs * 1000) / latencies.length, 0) };
}

/**
 * Closes `date` and times it until end of day answers; then waits for the read models to apply the day,
 * so that its CPU time (`cpuMsPerAccount`, every thread) holds the read models' work for it too, and the
 * phase after it starts without the day's backlog. How long that wait took is `readModelsCaughtUpMs`.
 */
async function endOfDay(bus: CommandBus, clock: BusinessClock, date: string, readModels: ReadModels) {
  await clock.set(`${addDays(date, 1)}T00:01:00+08:00`, 'system:bench');
  const sampler = new RssSampler();
  const busy = new ThreadBusy(readModels);
  const cpu = new CpuClock();
  const start = process.hrtime.bigint();
  const report = (await bus.execute(new CloseBusinessDayCommand(date, 'system:bench'))) as EndOfDayReport;
  const seconds = msSince(start) / 1000;
  // The threads' shares over the day itself; its CPU (`cpuMsOfDay`) is without the read models' catch-up after it.
  const { cpuMs: cpuMsOfDay, ...shares } = busy.stop();
  const waited = process.hrtime.bigint();
  await readModels.consistent(undefined, 600_000);
  const readModelsCaughtUpMs = round(msSince(waited), 0);
  const cpuMs = cpu.ms();
  const perSec = report.accounts / seconds;
  return {
    businessDate: date,
    accounts: report.accounts,
    seconds: round(seconds, 2),
    accountsPerSec: round(perSec, 0),
    statements: report.counts.StatementIssued ?? 0,
    counts: report.counts,
    extrapolatedSecondsFor1M: round(1_000_000 / perSec, 0),
    peakRssMb: sampler.stop(),
    ...shares,
    cpuMsOfDay,
    readModelsCaughtUpMs,
    cpuMsPerAccount: report.accounts === 0 ? null : round(cpuMs / report.accounts, 3),
  };
}

/** HTTP requests the API has answered so far, whatever their route and status (its `http_requests_total`). */
async function answered(metrics: LedgerMetrics): Promise<number> {
  const { values } = await metrics.httpRequests.get();
  return values.reduce((sum, v) => sum + v.value, 0);
}

/**
 * Waits until the API has answered what it had read: a load generator's time is up when it stops
 * counting answers, not when the API has finished the requests in flight, whose CPU a watch would
 * otherwise count without them. Done when no answer came for 50 ms, or after 5 s.
 */
async function answeredAll(metrics: LedgerMetrics): Promise<number> {
  const deadline = Date.now() + 5_000;
  let last = await answered(metrics);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = await answered(metrics);
    if (now === last || Date.now() > deadline) return now;
    last = now;
  }
}

/**
 * While the parent's load generator runs against the API: first the commands, timed by this process
 * from `listening` to `commands-done` (its peak RSS and threads); then, once the read models have applied
 * them, each read route in turn, the parent asking for a watch of this process's threads around each
 * (`watch-start`, `watch-stop`: what they spent, and the requests answered meanwhile), until `http-done`.
 */
async function servedOverHttp(port: number, { readModels, metrics }: Watched) {
  const sampler = new RssSampler();
  const busy = new ThreadBusy(readModels);
  const answeredBefore = await answered(metrics);
  let commands: { httpPeakRssMb: number; httpThreads: ReturnType<ThreadBusy['stop']> & { requests: number } } | undefined;
  // `requests`: the commands the API answered, those in flight when the load generator stopped included.
  const commandsDone = async (requests: number) => (commands ??= { httpPeakRssMb: sampler.stop(), httpThreads: { ...busy.stop(), requests } });
  let watch: { threads: ThreadBusy; answeredBefore: number } | undefined;
  return new Promise<NonNullable<typeof commands>>((resolve) => {
    const listener = async (message: { type: string }) => {
      if (message.type === 'commands-done') {
        await commandsDone((await answeredAll(metrics)) - answeredBefore);
        readModels.consistent(undefined, 120_000).then(
          () => process.send?.({ type: 'reads-ready' }),
          (error: unknown) => process.send?.({ type: 'reads-ready', error: String(error) }),
        );
      } else if (message.type === 'watch-start') {
        watch = { answeredBefore: await answeredAll(metrics), threads: new ThreadBusy(readModels) };
        process.send?.({ type: 'watch-started' });
      } else if (message.type === 'watch-stop') {
        const requests = (await answeredAll(metrics)) - (watch?.answeredBefore ?? 0);
        process.send?.({ type: 'watched', value: { ...watch?.threads.stop(), requests } });
      } else if (message.type === 'http-done') {
        process.off('message', onMessage);
        resolve(await commandsDone((await answered(metrics)) - answeredBefore));
      }
    };
    const onMessage = (message: { type: string }) => void listener(message);
    process.on('message', onMessage);
    process.send?.({ type: 'listening', port });
  });
}

main(async () => {
  const p = phaseParams<Params>();
  const config = loadConfig({
    LEDGER_STORE: 'sqlite',
    LEDGER_SQLITE_PATH: join(p.dir, 'ledger.sqlite'),
    LEDGER_SQLITE_SYNCHRONOUS: 'FULL',
    LEDGER_CLOCK: 'manual',
    LEDGER_CLOCK_START: `${addDays(p.lastClosed, 1)}T09:00:00+08:00`,
    LEDGER_API_KEYS: `operator:bench:${p.apiKey}`,
    LEDGER_RATE_LIMIT: '10000000',
    LOG_LEVEL: 'silent',
    ...(p.projector ? { LEDGER_PROJECTIONS: '0' } : {}),
    ...(p.projectionsWorker ? { LEDGER_PROJECTIONS: 'worker' } : {}),
  });
  const projector = p.projector ? await startProjector(p.dir) : undefined;
  if (projector) progress('projector process following the log');
  const started: { readModels?: ReadModels } = {};
  const memory = memoryAtPeak(() => started.readModels);
  const boot = process.hrtime.bigint();
  const app = await createApp(config, { logger: false });
  await app.init();
  const startupMs = round(msSince(boot), 0);
  const bus = app.get(CommandBus);
  const clock = app.get(BusinessClock);
  const readModels = app.get(ReadModels);
  started.readModels = readModels;
  // End of day's ordinary and statement days run first, on the ledger as the fixture left it. Run after
  // the commands below, the statement day billed accounts that had just taken dozens of commands each
  // (40 to 60 an account at 1,000 accounts), and folded up to 49 events past each snapshot: a month no account
  // of a 1,000,000-account ledger has, which made the day about twice as slow per account as on the
  // same fixture untouched (eighteenth round, bench/HISTORY.md).
  progress('end of day: an ordinary day');
  const ordinary = await endOfDay(bus, clock, addDays(p.lastClosed, 1), readModels);
  progress(`end of day ${ordinary.businessDate}: ${ordinary.accounts} accounts in ${ordinary.seconds} s`);
  // With 1,000,000 accounts the repository's cache (20,000 by default) holds almost none of them when the
  // statement day starts, so the day that is extrapolated to them starts with none in memory here too.
  progress('end of day: the statement day, no account in memory');
  app.get(AccountRepository).clearCache();
  const statementDay = await endOfDay(bus, clock, addDays(p.lastClosed, 2), readModels);
  progress(`end of day ${statementDay.businessDate}: ${statementDay.accounts} accounts in ${statementDay.seconds} s`);

  // The commands run on the first day of the new cycle, with the statements just issued.
  await clock.set(`${addDays(statementDay.businessDate, 1)}T10:00:00+08:00`, 'system:bench');
  progress('commands in process');
  const watched: Watched = { metrics: app.get(LedgerMetrics), readModels };
  const inProcess = await commandsInProcess(bus, p, watched);
  progress(`commands in process: ${inProcess.perSec}/s, p99 ${inProcess.p99Ms} ms`);
  // Half the rate just measured, in steps of 50/s, for 10 s at most.
  const halfRate = Math.max(50, Math.floor(inProcess.perSec / 2 / 50) * 50);
  const openLoopSeconds = Math.min(10, p.commandSeconds);
  const atHalf = await commandsAtRate(bus, p, halfRate, openLoopSeconds, watched, 'half');
  progress(`commands in process at ${halfRate}/s: p50 ${atHalf.p50Ms} ms, p99 ${atHalf.p99Ms} ms`);
  // A quarter of the closed loop's rate too, once the read models have caught up with it: where the
  // latency falls to with the load. (The thirtieth round also ran the half rate again after that wait: the
  // wait took 0 to 85 ms, and its p99 rose rather than fell, so it was not kept.)
  const waited = process.hrtime.bigint();
  await readModels.consistent(undefined, 120_000);
  const caughtUpMs = round(msSince(waited), 0);
  const quarterRate = Math.max(50, Math.floor(inProcess.perSec / 4 / 50) * 50);
  const atQuarter = { ...(await commandsAtRate(bus, p, quarterRate, openLoopSeconds, watched, 'quarter')), caughtUpMs };
  progress(`commands in process at ${quarterRate}/s, read models caught up first (${caughtUpMs} ms): p50 ${atQuarter.p50Ms} ms, p99 ${atQuarter.p99Ms} ms`);

  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const { httpPeakRssMb, httpThreads } = await servedOverHttp(address.port, watched);

  // The statements fall due on the 10th (the terms' dueDayOfMonth): the busiest day after the statement
  // day, when every unpaid statement passes its due date and may go overdue. The days between are closed too.
  progress('end of day: the days up to the due date, then the due date');
  const dueDate = addDays(statementDay.businessDate, 10);
  // The slowest of them is reported whole, with its accounts and event counts: what makes one slow is the
  // work it has (on the 8th, 90 days after the October due date, the remainders carried since then fall
  // overdue for about a third of the accounts).
  let slowestBetween: Awaited<ReturnType<typeof endOfDay>> | undefined;
  for (let date = addDays(statementDay.businessDate, 1); date < dueDate; date = addDays(date, 1)) {
    const day = await endOfDay(bus, clock, date, readModels);
    if (slowestBetween === undefined || day.seconds > slowestBetween.seconds) slowestBetween = day;
  }
  const dueDay = await endOfDay(bus, clock, dueDate, readModels);
  progress(`end of day ${dueDay.businessDate}: ${dueDay.accounts} accounts in ${dueDay.seconds} s`);
  const maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const peakMemory = memory.stop();
  await app.close();
  await projector?.stop();
  return { startupMs, inProcess, atHalf, atQuarter, httpPeakRssMb, httpThreads, endOfDay: { ordinary, statementDay, dueDay, slowestBetween }, maxRssMb, peakMemory };
});
