import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { createLedgerEventStore, loadConfig } from '@ledger/servicing';
import { LedgerSimulation } from '../../../../libs/projections/src/testing/ledger-simulation';
import { simulateRandomPortfolio } from '../../../../libs/projections/src/testing/random-portfolio';
import { ProjectionsWorkerHost } from './projections-worker-host';

const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };

async function until(what: string, done: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the host of the projections worker thread', () => {
  let dir: string;
  let host: ProjectionsWorkerHost | undefined;
  /** What stops each `killEachWorkerOn` a test started, should the test end before it does. */
  const killers: (() => Promise<void>)[] = [];
  const config = () => loadConfig({ LEDGER_STORE: 'sqlite', LEDGER_SQLITE_PATH: join(dir, 'ledger.sqlite'), LEDGER_SQLITE_SYNCHRONOUS: 'NORMAL', LEDGER_PROJECTIONS: 'worker' });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-worker-host-'));
    // The log must exist (and be of this version) before the worker opens it.
    await (await createLedgerEventStore(config())).close();
  });

  afterEach(async () => {
    for (const stop of killers.splice(0)) await stop();
    await host?.stop();
    host = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps starting a worker that dies before it follows the log, backing off, until one does', async () => {
    host = new ProjectionsWorkerHost(config(), silent, { retryAfterMs: 100 });
    await host.start();
    const db = new Database(join(dir, 'ledger.sqlite'));
    const version = db.pragma('user_version', { simple: true });
    db.pragma('user_version = 999'); // the next worker cannot open the log
    await (host as unknown as { worker: Worker }).worker.terminate();
    await until('two workers to fail to start', () => host!.failedStarts >= 2);
    expect(host.running).toBe(false);
    expect(host.lastError).toContain('could not start');
    db.pragma(`user_version = ${version}`);
    db.close();
    await until('a worker to follow the log again', () => host!.running && host!.lastError === undefined);
    expect(host.restarts).toBeGreaterThanOrEqual(2);
    // Following the log is not yet getting anywhere (it may die in its first batch); committing one is.
    expect(host.failedStarts).toBeGreaterThanOrEqual(2);
    await appendOneEvent();
    await until('the worker to commit a batch', () => host!.failedStarts === 0);
  }, 30_000);

  async function appendOneEvent(): Promise<bigint> {
    const store = await createLedgerEventStore(config());
    const { position } = await store.append(`probe-${Date.now()}`, 'no_stream', [{ id: `probe-${Date.now()}`, type: 'ProbeHappened', schemaVersion: 1, data: {} }]);
    await store.close();
    return position;
  }

  /** Terminates every worker the host starts, `afterMs` after it says `type`, until the returned function is called. */
  function killEachWorkerOn(type: string, afterMs = 0): () => Promise<void> {
    const killed = new Set<Worker>();
    let killing = true;
    const watch = (async () => {
      while (killing) {
        const worker = (host as unknown as { worker: Worker | undefined } | undefined)?.worker;
        if (worker !== undefined && !killed.has(worker)) {
          killed.add(worker);
          worker.on('message', (message: { type: string }) => {
            if (!killing || message.type !== type) return;
            if (afterMs === 0) void worker.terminate();
            else setTimeout(() => void worker.terminate(), afterMs);
          });
        }
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    })();
    const stop = async () => {
      killing = false;
      await watch;
    };
    killers.push(stop);
    return stop;
  }

  const logDelays = (delays: number[]) => ({ ...silent, error: (line: string) => { const delay = /again in (\d+) ms/.exec(line)?.[1]; if (delay) delays.push(Number(delay)); } });

  it('backs off from workers that keep dying once they follow the log, before they commit anything, and a worker that lived long enough starts again at once', async () => {
    const delays: number[] = [];
    host = new ProjectionsWorkerHost(config(), logDelays(delays), { retryAfterMs: 100, stableAfterMs: 5_000 });
    await host.start();
    const position = await appendOneEvent();
    await until('the first worker to commit', () => host!.appliedPosition >= position && !host!.replaying);
    // As if each worker ran out of heap in its first batch: each dies once it follows the log, having committed nothing.
    const first = (host as unknown as { worker: Worker }).worker;
    const stopKilling = killEachWorkerOn('started');
    await first.terminate();
    await until('four workers to die', () => host!.restarts >= 4);
    await stopKilling();
    // The first had got somewhere; each after it had not.
    expect(delays.slice(0, 4)).toEqual([100, 200, 400, 800]);
    expect(host.failedStarts).toBeGreaterThanOrEqual(3);
    // The next worker lives; once it commits a batch, the count starts again.
    await appendOneEvent();
    await until('a worker to commit a batch', () => host!.running && host!.failedStarts === 0);

    // A worker that followed the log for longer than stableAfterMs and dies is started again after the shortest delay.
    await host.stop();
    delays.length = 0;
    host = new ProjectionsWorkerHost(config(), logDelays(delays), { retryAfterMs: 100, stableAfterMs: 300 });
    const stopKillingLater = killEachWorkerOn('started', 500);
    await host.start();
    await until('two workers to die after living long enough', () => host!.restarts >= 2);
    await stopKillingLater();
    expect(delays.slice(0, 2)).toEqual([100, 100]);
  }, 60_000);

  it('clears a failed batch once the runner follows the log again, with no new event to commit', async () => {
    host = new ProjectionsWorkerHost(config(), silent, { retryAfterMs: 100 });
    await host.start();
    const db = new Database(join(dir, 'ledger.sqlite'), { timeout: 5_000 });
    db.exec('ALTER TABLE events RENAME TO events_away'); // the worker's next read fails
    await until('the worker to report the failed read', () => host!.lastError !== undefined);
    db.exec('ALTER TABLE events_away RENAME TO events');
    db.close();
    await until('the failure to clear', () => host!.lastError === undefined);
    expect(host.running).toBe(true);
    expect(host.restarts).toBe(0);
  }, 30_000);

  /** A log of more than one replay page, and read models whose balances projection is a version behind; the log's head. */
  async function ledgerWithProjectionBehind(): Promise<bigint> {
    const store = await createLedgerEventStore(config());
    await simulateRandomPortfolio(new LedgerSimulation(store), { seed: 11, accounts: 60, lastDate: '2026-09-30' });
    const head = await store.headPosition();
    await store.close();
    // Read models at the head of the log, then one projection a version behind: the next start rebuilds
    // it, account by account in batches, as the first part of following the log.
    host = new ProjectionsWorkerHost(config(), silent, { retryAfterMs: 100 });
    await host.start();
    await until('the read models to reach the head of the log', () => host!.appliedPosition === head);
    // More than one page of the replay (5,000 events), so the catch-up commits more than once.
    expect(head).toBeGreaterThan(5_000n);
    await host.stop();
    const readModels = new Database(config().readModelPath);
    readModels.prepare("UPDATE projection_checkpoints SET version = 0 WHERE name = 'balances'").run();
    readModels.close();
    return head;
  }

  it('starts again a worker that dies in the replay its start follows the log with, and the next one goes on with it', async () => {
    const head = await ledgerWithProjectionBehind();
    host = new ProjectionsWorkerHost(config(), silent, { retryAfterMs: 100 });
    const worker = () => (host as unknown as { worker: Worker | undefined }).worker;
    const started = host.start();
    const first = worker()!;
    const firstMessages: string[] = [];
    let firstDone = 0;
    first.on('message', (message: { type: string; accounts?: number }) => {
      firstMessages.push(message.type);
      // As if it ran out of heap after the replay's first batch.
      if (message.type === 'replayed' && firstDone === 0) {
        firstDone = message.accounts!;
        void first.terminate();
      }
    });
    // The start does not wait for the replay.
    await started;
    expect(firstMessages).not.toContain('replayed');
    await until('the next worker', () => worker() !== undefined && worker() !== first);
    const next = worker()!;
    const nextDone: number[] = [];
    next.on('message', (message: { type: string; accounts?: number }) => {
      if (message.type === 'replayed') nextDone.push(message.accounts!);
    });
    await until('the read models to reach the head again', () => host!.appliedPosition === head && !host!.replaying);
    expect(firstDone).toBeGreaterThan(0);
    // The next worker's replay went on after the accounts the first had committed, not from the first account.
    expect(nextDone[0]).toBeGreaterThan(firstDone);
    expect(host.restarts).toBe(1);
    expect(host.running).toBe(true);
    expect(host.failure).toBeNull();
  }, 60_000);

  it('backs off from workers that keep dying in their rebuild before committing any of it, and recovers once one gets on', async () => {
    const head = await ledgerWithProjectionBehind();
    // As if each worker ran out of heap at the start of its rebuild: killed once it has started (rebuilding), before its first batch.
    const stopKilling = killEachWorkerOn('started');
    const delays: number[] = [];
    host = new ProjectionsWorkerHost(config(), logDelays(delays), { retryAfterMs: 100 });
    await host.start();
    await until('three workers to die rebuilding', () => host!.restarts >= 3);
    const failedStarts = host.failedStarts;
    await stopKilling();
    await until('the read models to reach the head of the log', () => host!.appliedPosition === head && !host!.replaying);
    expect(delays.slice(0, 3)).toEqual([200, 400, 800]);
    expect(failedStarts).toBeGreaterThanOrEqual(3);
    expect(host.failedStarts).toBe(0);
  }, 60_000);

  it('starts a worker on empty read models at once, and says it is replaying them until it follows the log', async () => {
    const store = await createLedgerEventStore(config());
    await simulateRandomPortfolio(new LedgerSimulation(store), { seed: 12, accounts: 60, lastDate: '2026-09-30' });
    const head = await store.headPosition();
    await store.close();
    const logged: string[] = [];
    host = new ProjectionsWorkerHost(config(), { ...silent, log: (line: string) => logged.push(line) }, { retryAfterMs: 100 });
    const seen: string[] = [];
    const started = host.start();
    const worker = (host as unknown as { worker: Worker }).worker;
    // The heap reports come on a timer of their own, and the log lines (checked below) between any of these.
    worker.on('message', (message: { type: string }) => message.type !== 'heap' && message.type !== 'log' && seen.push(`${message.type}:${host!.replaying}`));
    await started;
    // The worker tells of its last batch, logs the head, then says the replay is over: wait for the last of the three.
    await until('the read models to reach the head of the log', () => host!.appliedPosition === head && !host!.replaying);
    // Replaying, then started (nothing applied yet) while the replay runs, its batches, the position it reached, then its end.
    expect(seen.slice(0, 2)).toEqual(['replaying:true', 'started:true']);
    expect(seen).toContain('replayed:true');
    expect(seen.indexOf('committed:true')).toBeGreaterThan(seen.lastIndexOf('replayed:true'));
    expect(seen.indexOf('replaying:false')).toBeGreaterThan(seen.indexOf('committed:true'));
    // Its progress reaches the API's log, the last line at the head.
    // Why first (a file that holds none), then that it started.
    expect(logged.slice(0, 2)).toEqual(['rebuilding read models before following the log: every read model: the file holds none', 'projections worker started: rebuilding its read models, then following the log']);
    expect(logged).toContain(`rebuilding projections: ${head}/${head} positions`);
    expect(logged.some((line) => / accounts$/.test(line))).toBe(true);
  }, 60_000);

  it('counts the busy time of its workers, and keeps what a dead one had done when the next starts', async () => {
    host = new ProjectionsWorkerHost(config(), silent, { retryAfterMs: 100 });
    await host.start();
    const store = await createLedgerEventStore(config());
    await simulateRandomPortfolio(new LedgerSimulation(store), { seed: 13, accounts: 40, lastDate: '2026-06-30' });
    const head = await store.headPosition();
    await store.close();
    // At or past it: the worker's audit anchors append to the log too. Then quiet: nothing applied for half a second.
    await until('the read models to reach the head of the log', () => host!.appliedPosition >= head);
    let applied = host.appliedPosition;
    let quietSince = Date.now();
    await until('the worker to go quiet', () => {
      if (host!.appliedPosition !== applied) [applied, quietSince] = [host!.appliedPosition, Date.now()];
      return Date.now() - quietSince >= 500;
    });
    // Projecting thousands of events kept the thread busy for a while; waiting for the next poll hardly counts.
    const afterWork = host.activeSeconds();
    expect(afterWork).toBeGreaterThan(0.05);
    const idleFrom = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(host.activeSeconds() - afterWork).toBeLessThan((0.5 * (Date.now() - idleFrom)) / 1000);
    const beforeDeath = host.activeSeconds();
    const dead = (host as unknown as { worker: Worker }).worker;
    await dead.terminate();
    await until('the next worker to follow the log', () => host!.running && host!.restarts === 1 && host!.lastError === undefined);
    // A counter: the dead worker's time stays in it once, and the new one's adds to it.
    const next = (host as unknown as { worker: Worker }).worker;
    expect(next).not.toBe(dead);
    const total = host.activeSeconds();
    const nextAlone = next.performance.eventLoopUtilization().active / 1000;
    expect(total).toBeGreaterThanOrEqual(beforeDeath);
    expect(total).toBeLessThanOrEqual(beforeDeath + nextAlone + 0.05);
    const probe = await appendOneEvent();
    await until('the probe to be applied', () => host!.appliedPosition >= probe);
    expect(host.activeSeconds()).toBeGreaterThan(total);
  }, 60_000);

  it('rejects its start when the first worker cannot open the log', async () => {
    const db = new Database(join(dir, 'ledger.sqlite'));
    db.pragma('user_version = 999');
    db.close();
    host = new ProjectionsWorkerHost(config(), silent, { retryAfterMs: 100 });
    await expect(host.start()).rejects.toThrow('before it followed the log');
    expect(host.running).toBe(false);
  }, 30_000);
});
