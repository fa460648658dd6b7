/**
 * `npm run bench [-- --quick] [-- --readme] [-- --scenario '1k x 1y'] [-- --no-each] [-- --fixtures DIR]`: the ledger's benchmark suite on the embedded SQLite store
 * with durable commits. Each phase runs in a child process on a temp directory (never ./data). Prints a
 * table, writes bench/results/<date>.json, and with --readme replaces the figures block of
 * bench/README.md. See bench/README.md for what each figure means and how the fixture is built.
 */
import { EventEmitter } from 'node:events';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { daysBetween } from '@ledger/credit';
import { forkPhase, runPhase } from './lib/child';
import { httpCommandLoad } from './lib/command-load';
import { httpReadLoad, READ_ROUTES } from './lib/read-load';
import { type Baseline, machineBlock, markdownTable, REFERENCE, type Row, textTable, throughputRow, upperBoundRow } from './lib/report';
import { machineInfo, round } from './lib/stats';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain JS shared with `npm start`
const { heapBoundArgs } = require('../scripts/heap-bound') as { heapBoundArgs(env: Record<string, string | undefined>): string[] };
/** The heap bound `npm start` gives the API with these projections (`scripts/heap-bound.js`), unless NODE_OPTIONS sets one. */
const heapBoundFor = (projections: string) => heapBoundArgs({ NODE_OPTIONS: process.env.NODE_OPTIONS, LEDGER_PROJECTIONS: projections });

interface Scenario {
  name: string;
  accounts: number;
  years: number;
  eachProjection: boolean;
  /**
   * Also measure the split deployment (the API with LEDGER_PROJECTIONS=0 beside a projector process) and
   * the API with its projections in a worker thread (LEDGER_PROJECTIONS=worker).
   */
  split?: boolean;
}

/** The deployments the first scenario is measured in besides one process, each on its own copy of the fixture. */
const OTHER_DEPLOYMENTS = [
  { key: 'split', params: { projector: true }, nodeArgs: heapBoundFor('0'), what: 'the API with LEDGER_PROJECTIONS=0 beside a projector process' },
  { key: 'worker', params: { projectionsWorker: true }, nodeArgs: heapBoundFor('worker'), what: 'the API with LEDGER_PROJECTIONS=worker (projections in a worker thread)' },
] as const;
const ONE_PROCESS_NODE_ARGS = heapBoundFor('1');

const USAGE = `npm run bench -- [options]: the benchmark suite (bench/README.md says what each figure means)
  --quick               the quick plan (1k x 1y, 200 x 1y, 200 x 5y; minutes) instead of the full one (100k x 1y, 10k x 1y, 10k x 5y; hours)
  --scenario NAME       only that scenario of the plan, e.g. '1k x 1y'
  --deployments LIST    process, split and worker, comma separated (default: one process, and all three for the first scenario)
  --no-each             skip rebuilding each projection alone
  --fixtures DIR        keep each scenario's fixture in DIR/<scenario> and reuse a kept one
  --readme              replace the figures block of bench/README.md with this run's
  --help                this text
`;

/**
 * Refuses what the suite does not take before anything runs: a mistyped flag, a flag given twice, or one
 * missing its value ran the whole full plan (hours). `--help` prints the options.
 */
function checkArguments(args: readonly string[]): void {
  const refuse = (why: string): never => {
    process.stderr.write(`bench: ${why}\n\n${USAGE}`);
    process.exit(2);
  };
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const withValue = new Set(['--scenario', '--deployments', '--fixtures']);
  const seen = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const flag = args[i];
    if (!withValue.has(flag) && !['--quick', '--no-each', '--readme'].includes(flag)) refuse(`unknown argument ${JSON.stringify(flag)}`);
    if (seen.has(flag)) refuse(`${flag} given twice`);
    seen.add(flag);
    if (withValue.has(flag)) {
      const value = args[++i];
      if (value === undefined || value === '' || value.startsWith('--')) refuse(`${flag} takes a value`);
    }
  }
}
checkArguments(process.argv.slice(2));

/**
 * `--deployments process,split,worker` measures exactly those deployments in every scenario; by default
 * every scenario is measured in one process, and those marked `split` in the other two as well.
 */
const DEPLOYMENTS = process.argv.includes('--deployments') ? (process.argv[process.argv.indexOf('--deployments') + 1] ?? '').split(',') : undefined;
if (DEPLOYMENTS?.some((d) => !['process', 'split', 'worker'].includes(d))) throw new Error(`--deployments takes process, split and worker, comma separated; got ${DEPLOYMENTS.join(',')}`);

const QUICK = process.argv.includes('--quick');
/** Skips rebuilding each projection alone (one full replay per projection: about half an hour at 100,000 accounts). */
const NO_EACH = process.argv.includes('--no-each');
const WRITE_README = process.argv.includes('--readme');
/**
 * `--fixtures DIR` keeps each scenario's fixture (its ledger with read models, and the figures measured
 * on it) in `DIR/<scenario>`, and uses a kept one instead of building it again: the 100,000-account
 * fixture and its rebuild take over an hour here. The api phases run on copies, so what is kept stays as
 * built. A kept fixture's figures are the ones measured when it was built, at the commit it names.
 */
const FIXTURES = process.argv.includes('--fixtures') ? process.argv[process.argv.indexOf('--fixtures') + 1] : undefined;
if (FIXTURES !== undefined && (FIXTURES === '' || FIXTURES.startsWith('--'))) throw new Error('--fixtures takes a directory');
const START = '2026-01-01';
const API_KEY = 'bench-operator-key-000000000000000001';

const plan = QUICK
  ? { baseline: { singleCommits: 2000, batchedEvents: 50_000 }, commandSeconds: 10, scenarios: [
      { name: '1k x 1y', accounts: 1000, years: 1, eachProjection: false, split: true },
      { name: '200 x 1y', accounts: 200, years: 1, eachProjection: true },
      { name: '200 x 5y', accounts: 200, years: 5, eachProjection: false },
    ] }
  : { baseline: { singleCommits: 10_000, batchedEvents: 300_000 }, commandSeconds: 30, scenarios: [
      { name: '100k x 1y', accounts: 100_000, years: 1, eachProjection: true, split: true },
      { name: '10k x 1y', accounts: 10_000, years: 1, eachProjection: false },
      { name: '10k x 5y', accounts: 10_000, years: 5, eachProjection: false },
    ] };


const ONLY_SCENARIO = process.argv.includes('--scenario') ? process.argv[process.argv.indexOf('--scenario') + 1] : undefined;
if (ONLY_SCENARIO !== undefined && !plan.scenarios.some((x) => x.name === ONLY_SCENARIO)) {
  process.stderr.write(`bench: no scenario ${JSON.stringify(ONLY_SCENARIO)} in the ${QUICK ? 'quick' : 'full'} plan; it has ${plan.scenarios.map((x) => `'${x.name}'`).join(', ')}\n`);
  process.exit(2);
}

/** The api phase, with the HTTP load generated here while the child serves: the commands, then the reads. */
async function apiPhase(params: Record<string, unknown>, accounts: number, seconds: number, nodeArgs: readonly string[] = []) {
  const child = forkPhase('api', params, [...nodeArgs]);
  const replies = new EventEmitter();
  let result: unknown;
  let httpResult: Record<string, unknown> = {};
  let reads: Record<string, unknown>[] = [];
  // The child's answer of type `reply` to a message of type `type`.
  const ask = (type: string, reply: string) =>
    new Promise<{ value?: unknown; error?: string }>((resolve) => {
      // A child that died answers nothing; its exit code says why.
      if (!child.connected) return resolve({ error: 'the api phase has exited' });
      replies.once(reply, resolve);
      child.send({ type });
    });
  child.on('error', (error) => process.stderr.write(`  api phase: ${error.message}\n`));
  const overHttp = async (port: number) => {
    const url = `http://127.0.0.1:${port}`;
    process.stderr.write('  commands over HTTP (autocannon)\n');
    try {
      const r = await httpCommandLoad({ url, apiKey: API_KEY, accounts, seconds, connections: 64 });
      httpResult = {
        perSec: Math.round(r.requests.total / seconds),
        requests: r.requests.total,
        p50Ms: r.latency.p50,
        p99Ms: r.latency.p99,
        non2xx: r.non2xx,
        errors: r.errors,
        timeouts: r.timeouts,
        connections: 64,
      };
      process.stderr.write(`  commands over HTTP: ${httpResult.perSec}/s, p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}\n`);
      const ready = await ask('commands-done', 'reads-ready');
      if (ready.error !== undefined) throw new Error(`the read models did not catch up with the commands: ${ready.error}`);
      reads = await readsOverHttp(url, accounts, String(params.lastClosed).slice(0, 7), ask);
    } catch (error) {
      process.stderr.write(`  HTTP load failed: ${error}\n`);
    }
    if (child.connected) child.send({ type: 'http-done' });
  };
  child.on('message', (message: { type: string; value?: unknown; port?: number; error?: string }) => {
    if (message.type === 'result') result = message.value;
    else if (message.type === 'listening') void overHttp(message.port!);
    else replies.emit(message.type, message);
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0 || !result) throw new Error(`api phase exited with ${code}`);
  return { ...(result as Record<string, unknown>), http: httpResult, reads };
}

/** Seconds each read route is loaded for, and the connections it is loaded with (a few desks and dashboards at once). */
const READ_SECONDS = 2;
const READ_CONNECTIONS = 16;

/**
 * Each read route in turn against the API at `url`, the child's threads watched around each: requests per
 * second, p50 and p99, and the API process's CPU per request (every thread). `month` is the statement
 * day's, for the trial balance.
 */
async function readsOverHttp(url: string, accounts: number, month: string, ask: (type: string, reply: string) => Promise<{ value?: unknown; error?: string }>) {
  const reads: Record<string, unknown>[] = [];
  for (const route of READ_ROUTES) {
    await ask('watch-start', 'watch-started');
    const r = await httpReadLoad({ url, apiKey: API_KEY, route, accounts, month, seconds: READ_SECONDS, connections: READ_CONNECTIONS });
    const watched = await ask('watch-stop', 'watched');
    if (watched.error !== undefined) throw new Error(watched.error);
    // `requests`: what the API answered while watched, the requests in flight when autocannon stopped included.
    const threads = watched.value as { mainBusy: number; projectionsBusy?: number; cpuMs: number; requests: number };
    const read = {
      route: route.name,
      connections: READ_CONNECTIONS,
      seconds: READ_SECONDS,
      perSec: Math.round(r.requests.total / READ_SECONDS),
      p50Ms: r.latency.p50,
      p99Ms: r.latency.p99,
      non2xx: r.non2xx,
      errors: r.errors,
      cpuUsPerRequest: threads.requests > 0 ? round((threads.cpuMs * 1000) / threads.requests, 0) : null,
      ...threads,
    };
    process.stderr.write(`  ${route.name}: ${read.perSec}/s, p99 ${read.p99Ms} ms, non-2xx ${read.non2xx}\n`);
    reads.push(read);
  }
  return reads;
}

async function main(): Promise<void> {
  const began = Date.now();
  const machine = machineInfo();
  const mode = QUICK ? '--quick' : 'full';
  process.stderr.write(`bench ${mode} on ${machine.nproc} cores, load ${machine.loadAverage.join(' ')}\n`);
  const root = mkdtempSync(join(tmpdir(), 'ledger-bench-'));
  const results: Record<string, unknown> = { machine, mode };
  const loads: number[] = [];
  const sampleLoad = setInterval(() => loads.push(loadavg()[0]), 5000);
  try {
    process.stderr.write('baseline: raw better-sqlite3\n');
    const baseline = await runPhase<Baseline>('baseline', { dir: root, ...plan.baseline });
    results.baseline = baseline;
    const scenarios: Record<string, unknown> = {};
    results.scenarios = scenarios;
    for (const s of (plan.scenarios as Scenario[]).filter((x) => ONLY_SCENARIO === undefined || x.name === ONLY_SCENARIO)) {
      const dir = join(root, s.name.replace(/\W+/g, '-'));
      const lastClosed = `${Number(START.slice(0, 4)) + s.years - 1}-12-29`;
      const days = daysBetween(START, lastClosed) + 1;
      process.stderr.write(`scenario ${s.name}: ${s.accounts} accounts, ${days} days\n`);
      const fixtureParams = { accounts: s.accounts, days, start: START, eachProjection: s.eachProjection && !NO_EACH, auditReplays: 200 };
      const { log, kept } = await fixtureOf(s.name, dir, fixtureParams, machine.commit);
      const apiParams = { accounts: s.accounts, lastClosed, commandSeconds: plan.commandSeconds, concurrency: 64, apiKey: API_KEY };
      // The api phase changes the ledger (commands, two closed days): each deployment gets a copy of the fixture.
      const deployments = DEPLOYMENTS ? OTHER_DEPLOYMENTS.filter((d) => DEPLOYMENTS.includes(d.key)) : s.split ? OTHER_DEPLOYMENTS : [];
      const inOneProcess = !DEPLOYMENTS || DEPLOYMENTS.includes('process');
      for (const d of deployments) cpSync(kept?.dir ?? dir, `${dir}-${d.key}`, { recursive: true });
      if (kept && inOneProcess) cpSync(kept.dir, dir, { recursive: true });
      const api = inOneProcess ? await apiPhase({ ...apiParams, dir }, s.accounts, plan.commandSeconds, ONE_PROCESS_NODE_ARGS) : undefined;
      rmSync(dir, { recursive: true, force: true });
      const others: Record<string, unknown> = {};
      for (const d of deployments) {
        process.stderr.write(`scenario ${s.name}, ${d.key}: ${d.what}\n`);
        others[d.key] = await apiPhase({ ...apiParams, dir: `${dir}-${d.key}`, ...d.params }, s.accounts, plan.commandSeconds, d.nodeArgs);
        rmSync(`${dir}-${d.key}`, { recursive: true, force: true });
      }
      scenarios[s.name] = { ...s, days, lastClosed, ...log, ...(kept ? { keptFixture: kept } : {}), api, ...others };
    }
  } finally {
    clearInterval(sampleLoad);
    rmSync(root, { recursive: true, force: true });
  }
  results.loadAverageDuringRun = { min: round(Math.min(...loads)), max: round(Math.max(...loads)), mean: round(loads.reduce((a, b) => a + b, 0) / Math.max(1, loads.length)) };
  const rows = rowsOf(results);
  const wallMinutes = (Date.now() - began) / 60000;
  process.stdout.write(`\n${textTable(rows)}\n`);
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  const file = join(__dirname, 'results', `${machine.date.slice(0, 19).replace(/:/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ ...results, rows, wallMinutes }, null, 2));
  process.stdout.write(`\nresults: ${file}\n`);
  if (WRITE_README) {
    const load = results.loadAverageDuringRun as { min: number; max: number; mean: number };
    const kept = Object.entries<{ keptFixture?: KeptFixture }>(results.scenarios as Record<string, { keptFixture?: KeptFixture }>)
      .filter(([, s]) => s.keptFixture?.reused)
      .map(([name, s]) => `\n- ${name}: fixture kept from \`${s.keptFixture!.commit}\` (${s.keptFixture!.builtAt}); its build, rebuild and audit figures were measured then`)
      .join('');
    const block = `${machineBlock(machine, mode, wallMinutes)}\n- load average during the run: min ${load.min}, mean ${load.mean}, max ${load.max}${kept}\n\n${markdownTable(rows)}`;
    const readme = join(__dirname, 'README.md');
    const text = readFileSync(readme, 'utf8');
    writeFileSync(readme, text.replace(/<!-- figures:start -->[\s\S]*<!-- figures:end -->/, `<!-- figures:start -->\n${block}\n<!-- figures:end -->`));
  }
}

interface KeptFixture {
  dir: string;
  /** The commit and time it was built at: its figures were measured then. */
  commit: string;
  builtAt: string;
  reused: boolean;
}

/**
 * Builds the scenario's fixture into `dir`, or with `--fixtures` into (or from) `DIR/<scenario>`. A kept
 * fixture built with other parameters is refused rather than measured as if it were this scenario's.
 */
async function fixtureOf(name: string, dir: string, params: Record<string, unknown>, commit: string): Promise<{ log: Record<string, unknown>; kept?: KeptFixture }> {
  // The fixture builder keeps every account's state in memory (about 4 GiB at 100,000 accounts after a
  // year): with the default heap limit it spends its time collecting garbage, then fails.
  const build = (into: string) => runPhase<Record<string, unknown>>('fixture', { dir: into, ...params }, ['--max-old-space-size=16384']);
  if (FIXTURES === undefined) return { log: await build(dir) };
  const keptDir = join(FIXTURES, name.replace(/\W+/g, '-'));
  const file = join(keptDir, 'fixture.json');
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { params: Record<string, unknown>; commit: string; builtAt: string; log: Record<string, unknown> };
    if (JSON.stringify(saved.params) !== JSON.stringify(params)) throw new Error(`${keptDir} holds a fixture built with ${JSON.stringify(saved.params)}, not ${JSON.stringify(params)}: remove it or use another --fixtures directory`);
    process.stderr.write(`  using the fixture kept in ${keptDir} (built at ${saved.commit}, ${saved.builtAt}; its figures are from then)\n`);
    return { log: saved.log, kept: { dir: keptDir, commit: saved.commit, builtAt: saved.builtAt, reused: true } };
  }
  // A directory left by a build that did not finish holds no fixture.json: start it over.
  rmSync(keptDir, { recursive: true, force: true });
  mkdirSync(keptDir, { recursive: true });
  const builtAt = new Date().toISOString();
  const log = await build(keptDir);
  writeFileSync(file, JSON.stringify({ params, commit, builtAt, log }, null, 2));
  return { log, kept: { dir: keptDir, commit, builtAt, reused: false } };
}

/* eslint-disable @typescript-eslint/no-explicit-any */
function rowsOf(results: any): Row[] {
  const b: Baseline = results.baseline;
  const rows: Row[] = [
    throughputRow('baseline', 'raw append, 1 event per durable commit', b.singleEventCommitsPerSec, 'events/s', b.singleEventCommitsPerSec, 'single'),
    throughputRow('baseline', 'raw append, 100 events per durable commit', b.hundredPerCommitEventsPerSec, 'events/s', b.singleEventCommitsPerSec, 'single'),
    throughputRow('baseline', 'raw read + JSON.parse', b.readParsedEventsPerSec, 'events/s', b.readParsedEventsPerSec, 'read'),
  ];
  const single = b.singleEventCommitsPerSec;
  const read = b.readParsedEventsPerSec;
  for (const [name, s] of Object.entries<any>(results.scenarios)) {
    rows.push(throughputRow(name, `fixture build (${s.fixture.events.toLocaleString('en-US')} events)`, s.fixture.eventsPerSec, 'events/s', b.hundredPerCommitEventsPerSec, 'batched'));
    if (s.api) rows.push(...apiRows(name, s.accounts, s.api, single, ''));
    if (typeof s.split === 'object') rows.push(...apiRows(name, s.accounts, s.split, single, ', API + projector process'));
    if (s.worker) rows.push(...apiRows(name, s.accounts, s.worker, single, ', projections in a worker thread'));
    rows.push(throughputRow(name, 'projection rebuild, all together', s.projections.allEventsPerSec, 'events/s', read, 'read', { value: 100_000, reference: REFERENCE.readParsedEventsPerSec }));
    if (s.projections.allCpuUsPerEvent !== undefined) rows.push(cpuRow(name, 'projection rebuild, all together, CPU an event', s.projections.allCpuUsPerEvent, 'µs'));
    for (const [projection, perSec] of Object.entries<number>(s.projections.each)) rows.push(throughputRow(name, `projection rebuild, ${projection} alone`, perSec, 'events/s', read, 'read'));
    // Kept fixtures measured before the twenty-second round have no such figure.
    if (s.projections.firstStartEventsPerSec !== undefined)
      rows.push(throughputRow(name, 'projection rebuild, a start on empty read models (until it has applied the head)', s.projections.firstStartEventsPerSec, 'events/s', read, 'read'));
    // Kept fixtures measured before the thirty-third round have no such figure.
    if (s.projections.splitEventsPerSec !== undefined)
      rows.push(
        throughputRow(name, `projection rebuild, \`ledger rebuild\` split over 2 processes (${s.projections.splitPhases})`, s.projections.splitEventsPerSec, 'events/s', read, 'read', {
          value: 100_000,
          reference: REFERENCE.readParsedEventsPerSec,
        }),
      );
    rows.push(upperBoundRow(name, `audit replay, busiest account (${s.audit.events} events) p50`, s.audit.p50Ms, 'ms', 20, ` (p99 ${s.audit.p99Ms} ms)`));
  }
  return rows;
}

/** `, 55% of loads from the cache`: how many commands found their account folded in memory. */
function cacheShare(phase: { cacheHitShare?: number | null }): string {
  return phase.cacheHitShare == null ? '' : `, ${Math.round(phase.cacheHitShare * 100)}% of loads from the cache`;
}

/**
 * `threads busy: main 0.93, projections worker 0.62`: the share of the phase each of the API's threads
 * was busy, wrapped as `around` says (results written before the twenty-eighth round have none: '').
 */
function threadsBusy(phase: { mainBusy?: number; projectionsBusy?: number } | undefined, around: (text: string) => string = (text) => `; ${text}`): string {
  if (phase?.mainBusy === undefined) return '';
  const worker = phase.projectionsBusy === undefined ? '' : `, projections worker ${phase.projectionsBusy.toFixed(2)}`;
  return around(`threads busy: main ${phase.mainBusy.toFixed(2)}${worker}`);
}

/** The api phase's figures; `suffix` names the deployment when it is not the default single process. */
function apiRows(name: string, accounts: number, api: any, single: number, suffix: string): Row[] {
  const rows: Row[] = [];
  const inproc = api.inProcess;
  rows.push(throughputRow(name, `commands in process${suffix}`, inproc.perSec, '/s', single, 'single', { value: 10_000, reference: REFERENCE.singleEventCommitsPerSec }));
  rows.push(upperBoundRow(name, `commands in process p50 / p99${suffix}`, inproc.p99Ms, 'ms', 20, ` p99 (p50 ${inproc.p50Ms} ms${cacheShare(inproc)}${threadsBusy(inproc)})`));
  // Beside a projector process, the API's CPU leaves out the read models' work, which the projector does.
  const apart = suffix.includes('projector') ? " (the API's process: the projector's CPU is not counted)" : '';
  if (inproc.cpuUsPerCommand !== undefined) rows.push(cpuRow(name, `commands in process, CPU a command${suffix}`, inproc.cpuUsPerCommand, 'µs', apart));
  // An open loop at a fixed rate: half the closed loop's right after it, and since the thirtieth round a
  // quarter of it once the read models had caught up.
  const openLoop = (run: any, what: string) => {
    // Results written before the eighteenth round have no watch figures.
    const held = run.loopDelayMaxMs === undefined ? '' : `; event loop held up to ${run.loopDelayMaxMs} ms, GC paused it ${run.gcPauseMs} ms in all (longest ${run.gcLongestPauseMs} ms)`;
    const caughtUp = run.caughtUpMs === undefined ? '' : `, after waiting ${run.caughtUpMs.toLocaleString('en-US')} ms for the read models`;
    rows.push(upperBoundRow(name, `commands in process at ${run.rate.toLocaleString('en-US')}/s (${what}, open loop) p50 / p99${suffix}`, run.p99Ms, 'ms', undefined, ` p99 (p50 ${run.p50Ms} ms, ${run.achievedPerSec.toLocaleString('en-US')}/s achieved${caughtUp}${held}${cacheShare(run)}${threadsBusy(run)})`));
  };
  if (api.atHalf) openLoop(api.atHalf, 'half the rate above');
  if (api.atQuarter) openLoop(api.atQuarter, "a quarter of the closed loop's rate, in steps of 50/s, read models caught up first");
  if (api.http.perSec !== undefined) {
    rows.push(throughputRow(name, `commands over HTTP${suffix}`, api.http.perSec, '/s', single, 'single', { value: 4_000, reference: REFERENCE.singleEventCommitsPerSec }));
    rows.push(upperBoundRow(name, `commands over HTTP p50 / p99${suffix}`, api.http.p99Ms, 'ms', 50, ` p99 (p50 ${api.http.p50Ms} ms${threadsBusy(api.httpThreads)})`));
    // Divided by the commands the API answered (autocannon's count leaves out those in flight at its end; results of this round's first runs have only it).
    const commandsAnswered = api.httpThreads?.requests ?? api.http.requests;
    if (api.httpThreads?.cpuMs !== undefined && commandsAnswered > 0) rows.push(cpuRow(name, `commands over HTTP, CPU a command (the API's process)${suffix}`, round((api.httpThreads.cpuMs * 1000) / commandsAnswered, 0), 'µs', apart));
  }
  for (const read of api.reads ?? []) {
    const failed = read.non2xx + read.errors > 0 ? `, ${(read.non2xx + read.errors).toLocaleString('en-US')} not 2xx` : '';
    const cpu = read.cpuUsPerRequest == null ? '' : `, CPU ${read.cpuUsPerRequest.toLocaleString('en-US')} µs a request`;
    rows.push(upperBoundRow(name, `reads over HTTP, ${read.route}, ${read.connections ?? READ_CONNECTIONS} connections${suffix}`, read.p99Ms, 'ms', undefined, ` p99 (p50 ${read.p50Ms} ms, ${read.perSec.toLocaleString('en-US')}/s${cpu}${failed})${apart}`));
  }
  // What the peak was made of (since the forty-eighth round): the threads' heaps, the main thread's buffers, and the rest.
  const made = api.peakMemory && ` (sampled peak ${api.peakMemory.rssMb.toLocaleString('en-US')} MiB: main heap ${api.peakMemory.mainHeapMb}, projections worker heap ${api.peakMemory.workerHeapMb ?? 'none'}, main's buffers ${api.peakMemory.externalMb}, the rest ${api.peakMemory.restMb})`;
  rows.push(upperBoundRow(name, `API peak RSS (commands, HTTP commands and reads, end of day)${suffix}`, api.maxRssMb, 'MiB', 1024, made));
  const eod = api.endOfDay;
  rows.push(throughputRow(name, `end of day, statement day (${eod.statementDay.accounts} accounts, none in memory)${suffix}`, eod.statementDay.accountsPerSec, 'accounts/s', single, 'single', { value: 1_000_000 / 120, reference: REFERENCE.singleEventCommitsPerSec }));
  rows.push(upperBoundRow(name, `statement day extrapolated to 1,000,000 accounts${suffix}`, eod.statementDay.extrapolatedSecondsFor1M, 's', 120, threadsBusy(eod.statementDay, (text) => ` (${text})`)));
  if (eod.statementDay.cpuMsPerAccount != null) rows.push(cpuRow(name, `statement day, CPU an account, read models caught up${suffix}`, eod.statementDay.cpuMsPerAccount, 'ms', ` (caught up ${eod.statementDay.readModelsCaughtUpMs.toLocaleString('en-US')} ms after the day)${apart}`));
  rows.push(upperBoundRow(name, `end of day, ordinary day (${eod.ordinary.accounts} accounts due)${suffix}`, eod.ordinary.seconds, 's'));
  // With accounts due, the day is scaled as if they grew with the portfolio (an upper bound: part of it is
  // fixed). With none due, the day is its fixed cost (the schedule's catch-up and index read, the
  // BusinessDayClosed append), which does not grow with the number of accounts.
  const ordinaryAt1M = eod.ordinary.accounts === 0 ? eod.ordinary.seconds : round((eod.ordinary.seconds * 1_000_000) / accounts, 1);
  rows.push(upperBoundRow(name, `ordinary day extrapolated to 1,000,000 accounts${suffix}`, ordinaryAt1M, 's', 5, eod.ordinary.accounts === 0 ? ' (none due: fixed cost)' : ''));
  if (eod.dueDay) {
    rows.push(throughputRow(name, `end of day, due date (${eod.dueDay.accounts} accounts due)${suffix}`, eod.dueDay.accountsPerSec, 'accounts/s', single, 'single'));
    rows.push(upperBoundRow(name, `due date extrapolated to 1,000,000 accounts${suffix}`, round((eod.dueDay.seconds * 1_000_000) / accounts, 1), 's'));
    if (eod.dueDay.cpuMsPerAccount != null) rows.push(cpuRow(name, `due date, CPU an account, read models caught up${suffix}`, eod.dueDay.cpuMsPerAccount, 'ms', ` (caught up ${eod.dueDay.readModelsCaughtUpMs.toLocaleString('en-US')} ms after the day)${apart}`));
    const slowest = eod.slowestBetween;
    rows.push(upperBoundRow(name, `end of day, slowest of the 9 days between (${slowest.businessDate}, ${slowest.accounts} accounts due)${suffix}`, slowest.seconds, 's', undefined, ` (${slowest.accountsPerSec.toLocaleString('en-US')} accounts/s; ${describeCounts(slowest.counts)})`));
  }
  return rows;
}

/**
 * CPU time per unit of work, every thread of the process that did it: no target names it, and it is a
 * figure to compare between runs and builds, since another process's load slows a rate but hardly changes
 * what the work costs (the host's own speed moves both: bench/README.md, Ratios). Results written before
 * the forty-seventh round have none: no row.
 */
function cpuRow(name: string, figure: string, value: number, unit: string, note = ''): Row {
  return upperBoundRow(name, figure, value, unit, undefined, note);
}

/** An end-of-day report's event counts, largest first: `AccountBecameOverdue 32,571, AccountFrozen 10,875`. */
function describeCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  return entries.length === 0 ? 'no events' : entries.map(([type, n]) => `${type} ${n.toLocaleString('en-US')}`).join(', ');
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
