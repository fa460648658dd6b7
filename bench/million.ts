/**
 * `npm run bench:million [-- --accounts 1000000] [-- --days 31] [-- --fixture DIR] [-- --seconds 60] [-- --eod-days 3] [-- --built] [-- --readme]`:
 * the memory target at its own size. The main suite's 1,000,000-account figures are extrapolated from
 * 100,000 accounts; this builds a ledger of a million accounts (a month of history by default: each opened
 * on a day of January, a draw every one to fourteen days, the January statement), then runs the API as
 * `npm start` runs it (projections in a worker thread, its heap bound, durable commits) on a copy, and
 * reads the process's resident memory from /proc (Linux) while it starts, serves commands over HTTP on
 * random accounts among all of them, answers the read endpoints and closes the next business days.
 *
 * `--built` runs the API as the Docker image does, from `dist` (`npm run build` first) with no TypeScript
 * compiler in any thread, rather than from source as `npm start` does.
 *
 * `--fixture DIR` keeps the built ledger there and uses it again (parameters checked), so a second run
 * goes straight to the API. Writes bench/results/million-<date>.json, and with `--readme` the block
 * between `<!-- million:start -->` and `<!-- million:end -->` of bench/README.md.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type autocannon from 'autocannon';
import { addDays } from '@ledger/credit';
import { SOURCE_PRELOAD } from '@ledger/event-store/worker-source';
import { runPhase } from './lib/child';
import { freePort } from './lib/free-port';
import { httpCommandLoad } from './lib/command-load';
import { machineInfo, round } from './lib/stats';
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain JS shared with `npm start`
const { heapBoundArgs } = require('../scripts/heap-bound') as { heapBoundArgs(env: Record<string, string | undefined>): string[] };

const ROOT = join(__dirname, '..');
const OPERATOR_KEY = 'bench-operator-key-000000000000000001';
const AUDITOR_KEY = 'bench-auditor-key-0000000000000000001';
const START = '2026-01-01';
/** What the target allows the API process (main thread, projections worker and all) to hold resident. */
const TARGET_MIB = 1024;

function option(name: string, fallback: number): number;
function option(name: string): string | undefined;
function option(name: string, fallback?: number): number | string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = process.argv[at + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`--${name} takes a value`);
  if (fallback === undefined) return value;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} takes a positive integer, got ${value}`);
  return n;
}

const params = { accounts: option('accounts', 1_000_000), days: option('days', 31), start: START };
const SECONDS = option('seconds', 60);
const EOD_DAYS = option('eod-days', 3);
const FIXTURE = option('fixture');
const BUILT = process.argv.includes('--built');
const BUILT_MAIN = join(ROOT, 'dist', 'apps', 'ledger-api', 'src', 'main.js');

/** Resident memory of a process now and at its peak so far (VmRSS, VmHWM), in MiB. */
function memoryOf(pid: number): { rssMib: number; peakMib: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMib: Math.round(kib('VmRSS') / 1024), peakMib: Math.round(kib('VmHWM') / 1024) };
}

/** `201: 41,003, 422: 1,211`: how the load's requests were answered (a 1.00 repayment on an account that owes nothing is refused with 422). */
function statuses(result: autocannon.Result): string {
  return Object.entries(result.statusCodeStats ?? {}).map(([code, { count }]) => `${code}: ${(count ?? 0).toLocaleString()}`).join(', ');
}

/** The fixture's directory: built there (or in a temp directory), or kept from an earlier run with the same parameters. */
async function fixture(): Promise<{ dir: string; built?: Record<string, unknown>; kept?: { builtAt: string; commit: string; built: Record<string, unknown> } }> {
  const dir = FIXTURE ?? mkdtempSync(join(tmpdir(), 'ledger-million-'));
  const file = join(dir, 'million.json');
  if (existsSync(file)) {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { params: typeof params; builtAt: string; commit: string; built: Record<string, unknown> };
    if (JSON.stringify(saved.params) !== JSON.stringify(params)) throw new Error(`${dir} holds a fixture built with ${JSON.stringify(saved.params)}, not ${JSON.stringify(params)}`);
    process.stderr.write(`using the fixture kept in ${dir} (built at ${saved.commit}, ${saved.builtAt})\n`);
    return { dir, kept: saved };
  }
  // A directory left by a build that did not finish holds no million.json: start it over.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  process.stderr.write(`building ${params.accounts.toLocaleString()} accounts x ${params.days} days in ${dir}\n`);
  // The builder keeps every account's state in memory (several GiB at a million accounts).
  const built = await runPhase<Record<string, unknown>>('million-build', { dir, ...params }, ['--max-old-space-size=20000']);
  if (FIXTURE !== undefined) writeFileSync(file, JSON.stringify({ params, builtAt: new Date().toISOString(), commit: machineInfo().commit, built }, null, 2));
  return { dir, built };
}

interface Step {
  step: string;
  seconds: number;
  rssMib: number;
  peakMib: number;
  detail: string;
}

async function main() {
  if (BUILT && !existsSync(BUILT_MAIN)) throw new Error(`--built runs ${BUILT_MAIN}: run npm run build first`);
  const machine = machineInfo();
  const source = await fixture();
  const lastClosed = addDays(START, params.days - 1);
  // The API changes the ledger: it runs on a copy, so a kept fixture stays as built.
  const runDir = mkdtempSync(join(tmpdir(), 'ledger-million-run-'));
  for (const file of ['ledger.sqlite', 'ledger.read-models.sqlite']) cpSync(join(source.dir, file), join(runDir, file));
  const port = await freePort();
  const env = {
    ...process.env,
    LEDGER_DEMO: '0',
    LEDGER_CLOCK: 'manual',
    LEDGER_CLOCK_START: `${addDays(lastClosed, 1)}T09:00:00+08:00`,
    LEDGER_PROJECTIONS: 'worker',
    LEDGER_SQLITE_PATH: join(runDir, 'ledger.sqlite'),
    LEDGER_API_KEYS: `operator:bench:${OPERATOR_KEY},auditor:audit:${AUDITOR_KEY}`,
    LEDGER_RATE_LIMIT: '10000000',
    LOG_LEVEL: 'warn',
    PORT: String(port),
    TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
  };
  // As `npm start` runs the API (scripts/start.js): its heap bound, from source; or, with --built, as the
  // Dockerfile does: the same bound, from dist, path aliases resolved against it.
  const heapBound = heapBoundArgs(env);
  const entry = BUILT ? ['-r', 'tsconfig-paths/register', BUILT_MAIN] : [...SOURCE_PRELOAD, join(ROOT, 'apps', 'ledger-api', 'src', 'main.ts')];
  const api = spawn(process.execPath, [...heapBound, ...entry], {
    cwd: ROOT,
    env: BUILT ? { ...env, NODE_ENV: 'production', TS_NODE_BASEURL: './dist' } : env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => api.once('exit', (code) => resolve(code)));
  const pid = api.pid!;
  const base = `http://127.0.0.1:${port}`;
  const steps: Step[] = [];
  const record = (step: string, started: number, detail: string) => {
    const entry = { step, seconds: round((Date.now() - started) / 1000, 1), ...memoryOf(pid), detail };
    steps.push(entry);
    process.stderr.write(`${entry.step}: ${entry.seconds} s, RSS ${entry.rssMib} MiB (peak ${entry.peakMib} MiB)${detail ? `; ${detail}` : ''}\n`);
  };
  // node:http rather than fetch: fetch gives up on a response after 300 s without its headers, and a
  // statement day for a million accounts takes longer than that before it answers.
  const call = (method: string, path: string, key: string, body?: unknown) =>
    new Promise<string>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(`${base}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => ((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300 ? resolve(text) : reject(new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 300)}`))));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
  try {
    let started = Date.now();
    for (;;) {
      if (api.exitCode !== null) throw new Error(`the API exited with ${api.exitCode} before it was ready`);
      const ready = await call('GET', '/health/ready', OPERATOR_KEY).then(() => true, () => false);
      if (ready) break;
      if (Date.now() - started > 30 * 60_000) throw new Error('the API was not ready after 30 minutes');
      await sleep(500);
    }
    record('start until ready', started, '');

    started = Date.now();
    const load = await httpCommandLoad({ url: base, apiKey: OPERATOR_KEY, accounts: params.accounts, seconds: SECONDS, connections: 64 });
    const perSec = Math.round(load.requests.total / SECONDS);
    record(`commands over HTTP, ${SECONDS} s`, started, `${perSec.toLocaleString()}/s, p50 ${load.latency.p50} ms, p99 ${load.latency.p99} ms, ${load.timeouts} timeouts; statuses ${statuses(load)}`);

    started = Date.now();
    const reads = ['/portfolio', `/portfolio/accruals?from=${START}&to=${lastClosed}`, '/accounts?limit=50', `/accounts/acc-${String(params.accounts - 1).padStart(7, '0')}`, '/dashboard'];
    for (const path of reads) await call('GET', path, OPERATOR_KEY);
    await call('GET', `/accounts/acc-0000000/history`, AUDITOR_KEY);
    record('read endpoints', started, `${reads.join(', ')} and one account's audit history`);

    const quietDays: string[] = [];
    let quietSeconds = 0;
    let quietLongest = '';
    for (let i = 1; i <= EOD_DAYS; i++) {
      const day = addDays(lastClosed, i);
      await call('PUT', '/operations/clock', OPERATOR_KEY, { now: `${addDays(day, 1)}T00:01:00+08:00` });
      started = Date.now();
      const report = JSON.parse(await call('POST', '/operations/end-of-day', OPERATOR_KEY, { businessDate: day })) as { accounts: number; counts: Record<string, number> };
      const seconds = (Date.now() - started) / 1000;
      // A day that visits no account costs its fixed fraction of a second: counted, not listed.
      if (report.accounts === 0) {
        quietDays.push(day);
        if (seconds > quietSeconds) [quietSeconds, quietLongest] = [seconds, day];
        continue;
      }
      const counts = Object.entries(report.counts).map(([type, count]) => `${type} ${count.toLocaleString()}`).join(', ');
      record(`end of day ${day}`, started, `${report.accounts.toLocaleString()} accounts visited, ${Math.round(report.accounts / seconds).toLocaleString()}/s; ${counts}`);
    }
    if (quietDays.length > 0) steps.push({ step: `end of day, ${quietDays.length} days that visit no account`, seconds: round(quietSeconds, 2), ...memoryOf(pid), detail: `${quietDays[0]} to ${quietDays[quietDays.length - 1]}; seconds: the longest of them, ${quietLongest} (such a day first waits for the read models to catch up with the day before)` });
  } finally {
    api.kill('SIGTERM');
    await exited;
    rmSync(runDir, { recursive: true, force: true });
    if (FIXTURE === undefined) rmSync(source.dir, { recursive: true, force: true });
  }
  const peakMib = Math.max(...steps.map((s) => s.peakMib));
  const results = { machine, params, built: BUILT, fixture: source.built ?? source.kept, steps, peakMib, targetMib: TARGET_MIB, met: peakMib <= TARGET_MIB };
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  writeFileSync(join(__dirname, 'results', `million-${machine.date.replace(/[:.]/g, '-')}.json`), JSON.stringify(results, null, 2));
  const build = (source.built ?? source.kept!.built) as { events: number; buildSeconds: number; rebuildSeconds: number; rebuildEventsPerSec: number };
  const block = [
    `- date: ${machine.date}, commit \`${machine.commit}\`${machine.dirty ? ' (uncommitted changes)' : ''}, node ${machine.node}, ${machine.nproc} cores (${machine.cpuModel}), ${machine.memory}`,
    `- ledger: ${params.accounts.toLocaleString()} accounts x ${params.days} days from ${START}, ${build.events.toLocaleString()} events; built in ${build.buildSeconds} s, read models rebuilt in ${build.rebuildSeconds} s (${build.rebuildEventsPerSec.toLocaleString()} events/s)${source.kept ? ` (kept from \`${source.kept.commit}\`, ${source.kept.builtAt})` : ''}`,
    `- the API as ${BUILT ? 'the Docker image runs it (built, from `dist`)' : '`npm start` runs it (from source, through scripts/register.js)'}: projections in a worker thread, ${heapBound.join(' ') || 'the heap bound NODE_OPTIONS sets'}, synchronous=FULL; resident memory from /proc/<pid>/status (VmRSS now, VmHWM the peak since start)`,
    '',
    '| step | seconds | RSS after | peak RSS so far | detail |',
    '|---|---|---|---|---|',
    ...steps.map((s) => `| ${s.step} | ${s.seconds} | ${s.rssMib} MiB | ${s.peakMib} MiB | ${s.detail} |`),
    '',
    `Peak: **${peakMib} MiB** against ${TARGET_MIB} MiB: ${peakMib <= TARGET_MIB ? 'met' : `missed by ${peakMib - TARGET_MIB} MiB`}.`,
  ].join('\n');
  process.stdout.write(`${block}\n`);
  if (process.argv.includes('--readme')) {
    const readme = join(__dirname, 'README.md');
    const text = readFileSync(readme, 'utf8');
    if (!text.includes('<!-- million:start -->')) throw new Error('bench/README.md has no million block');
    writeFileSync(readme, text.replace(/<!-- million:start -->[\s\S]*<!-- million:end -->/, `<!-- million:start -->\n${block}\n<!-- million:end -->`));
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
