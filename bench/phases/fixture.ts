/**
 * Builds one scenario's ledger (accounts x years) into a temp directory, then measures what needs only
 * the log: projection rebuilds (all together, then each alone, then a start on an empty read-model
 * file, then `ledger rebuild` split over two processes) and the audit replay of the busiest account.
 * The directory is then handed to the api phase.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createProjections, ProjectionRunner } from '@ledger/projections';
import { accountHistory } from '../../libs/servicing/src/audit/account-history';
import { main, phaseParams, progress } from '../lib/child';
import { buildLedger, type LedgerParams } from '../lib/portfolio-fixture';
import { CpuClock, msSince, round, RssSampler, summarize } from '../lib/stats';

interface Params extends LedgerParams {
  /** Rebuild each projection alone as well (costly: one full replay per projection). */
  eachProjection: boolean;
  auditReplays: number;
}

main(async () => {
  const p = phaseParams<Params>();
  const sampler = new RssSampler();
  const { store, fixture, buildSeconds } = await buildLedger(p, 30);
  const fixtureRssMb = sampler.stop();
  progress(`fixture: ${fixture.events.toLocaleString()} events in ${buildSeconds.toFixed(1)} s`);

  const readModelPath = join(p.dir, 'ledger.read-models.sqlite');
  const runner = new ProjectionRunner({ store, database: readModelPath, projections: createProjections() });
  const head = Number(await store.headPosition());
  let start = process.hrtime.bigint();
  const cpu = new CpuClock();
  await runner.rebuild();
  const allSeconds = msSince(start) / 1000;
  const allCpuMs = cpu.ms();
  progress(`projections (all): ${Math.round(head / allSeconds).toLocaleString()} events/s`);
  const each: Record<string, number> = {};
  if (p.eachProjection) {
    for (const projection of runner.projections) {
      start = process.hrtime.bigint();
      await runner.rebuild(projection.name);
      each[projection.name] = round(head / (msSince(start) / 1000), 0);
      progress(`projection ${projection.name}: ${each[projection.name].toLocaleString()} events/s`);
    }
  }
  await runner.close();

  // A start on an empty read-model file (a new API or projector, or the file deleted): it replays by
  // account while it follows the log, and start() resolves at once, so the figure is until it has applied the head.
  const firstStartPath = join(p.dir, 'first-start.read-models.sqlite');
  const fresh = new ProjectionRunner({ store, database: firstStartPath, projections: createProjections() });
  start = process.hrtime.bigint();
  await fresh.start();
  await fresh.waitFor(BigInt(head), 3_600_000);
  const firstStartSeconds = msSince(start) / 1000;
  await fresh.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(firstStartPath + suffix, { force: true });
  progress(`a start on empty read models: ${Math.round(head / firstStartSeconds).toLocaleString()} events/s`);

  // `ledger rebuild` as an operator runs it, split over two processes by account (a share each, merged,
  // then copied over a read-model file of its own); timed by the command from its start, which includes
  // starting the second process.
  const split = splitRebuild(join(p.dir, 'ledger.sqlite'), join(p.dir, 'split.read-models.sqlite'));
  progress(`ledger rebuild --jobs 2: ${Math.round(head / (split.ms / 1000)).toLocaleString()} events/s (${split.phases})`);

  const latencies: number[] = [];
  let replayedEvents = 0;
  for (let i = 0; i < p.auditReplays; i++) {
    start = process.hrtime.bigint();
    const history = await accountHistory(store, fixture.busiestAccount);
    latencies.push(msSince(start));
    replayedEvents = history.events.length;
  }
  await store.close();
  return {
    fixture: { ...fixture, buildSeconds: round(buildSeconds, 1), eventsPerSec: round(fixture.events / buildSeconds, 0), peakRssMb: fixtureRssMb },
    projections: {
      events: head,
      allEventsPerSec: round(head / allSeconds, 0),
      allSeconds: round(allSeconds, 1),
      allCpuUsPerEvent: round((allCpuMs * 1000) / head, 1),
      each,
      firstStartEventsPerSec: round(head / firstStartSeconds, 0),
      splitEventsPerSec: round(head / (split.ms / 1000), 0),
      splitPhases: split.phases,
    },
    audit: { accountId: fixture.busiestAccount, events: replayedEvents, ...summarize(latencies) },
  };
});

/** Runs `ledger rebuild --jobs 2` on the fixture's log into `readModelPath`: its time and its phases, as it prints them. */
function splitRebuild(logPath: string, readModelPath: string): { ms: number; phases: string } {
  const cli = join(__dirname, '..', '..', 'apps', 'ledger-cli', 'bin', 'ledger.js');
  const env = { ...process.env, LEDGER_SQLITE_PATH: logPath, LEDGER_READ_MODEL_PATH: readModelPath };
  const stdout = execFileSync(process.execPath, [cli, 'rebuild', '--jobs', '2'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const match = / in (\d+) ms \((.*)\)\n?$/.exec(stdout);
  if (!match) throw new Error(`ledger rebuild printed ${JSON.stringify(stdout)}`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(readModelPath + suffix, { force: true });
  return { ms: Number(match[1]), phases: match[2] };
}
