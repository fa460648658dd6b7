import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { EventStore } from '@ledger/event-store';
import { BUSINESS_DAYS_STREAM } from '@ledger/projections';
import { AuditAnchors, AuditAnchorScheduler, verifyLedger } from '@ledger/servicing/audit';
import { LedgerHealth, PROJECTOR_STALL_MS } from '../../apps/ledger-api/src/observability/ledger-health';
import { ReadModels } from '../../apps/ledger-api/src/read-side/read-models';
import type { ProjectionsWorkerHost } from '../../apps/ledger-api/src/read-side/projections-worker-host';
import { draw, openAccount, startLedger, type TestLedger } from '../support/ledger-app';
import { parseMetrics, valueOf } from './prometheus-text';

/** The worker thread itself, to kill it the way a crash would. */
function workerThread(host: ProjectionsWorkerHost): Worker {
  return (host as unknown as { worker: Worker }).worker;
}

describe('the API with its projections in a worker thread (LEDGER_PROJECTIONS=worker)', () => {
  let ledger: TestLedger;
  let host: ProjectionsWorkerHost;

  beforeAll(async () => {
    ledger = await startLedger({ LEDGER_PROJECTIONS: 'worker' });
    host = ledger.app.get(ReadModels).worker!;
  }, 60_000);

  afterAll(async () => {
    await ledger?.close();
  });

  it('keeps the read models in the worker, not on the main thread, and reports them ready', async () => {
    expect(host.running).toBe(true);
    expect(ledger.app.get(ReadModels).runner.running).toBe(false);
    const ready = await ledger.http.get('/health/ready').expect(200);
    // This process's own projections, though a thread away: live, not a separate projector's (external).
    expect(ready.body.details.projections.state).toBe('live');
    const metrics = (await ledger.http.get('/metrics').expect(200)).text;
    // The samples, not the HELP lines (which begin "1 while ..." and "1 when ...").
    expect(metrics).toMatch(/^ledger_projections_running 1$/m);
    expect(metrics).toMatch(/^ledger_projections_enabled 1$/m);
  });

  it('reads its own writes without polling and closes a month end from the schedule the worker keeps', async () => {
    const account = await openAccount(ledger, '1994-04-04', 51);
    const { body } = await ledger.http.post(`/accounts/${account}/draws`).send(draw('worker-1', '100.00')).expect(201);
    // No explicit wait: the query waits for the position the worker reports after its batch.
    expect((await ledger.http.get(`/accounts/${account}`).expect(200)).body.owed.total).toBe('100.00');
    expect(host.appliedPosition >= BigInt(body.position)).toBe(true);
    await ledger.closeDays('2026-01-02', '2026-01-31');
    const statement = await ledger.http.get(`/accounts/${account}/statements/2026-01`).expect(200);
    expect(statement.body).toMatchObject({ revolvingPrincipal: '100.00', dueDate: '2026-02-10' });
  }, 60_000);

  it('is unready once the worker leaves the read models behind for 30 s, however little behind, and ready once it moves them again', async () => {
    const health = ledger.app.get(LedgerHealth);
    const realNow = health.now;
    let now = Date.now();
    health.now = () => now;
    // A worker alive and failing nothing that does not move the read models: its commit waits on a write
    // lock held here (for less than its busy timeout, so it does not fail), as a stuck one would.
    const lock = new Database(join(ledger.dir, 'ledger.read-models.sqlite'));
    try {
      const account = (await ledger.http.get('/accounts?limit=1').expect(200)).body.items[0].accountId;
      lock.exec('BEGIN IMMEDIATE');
      await ledger.http.post(`/accounts/${account}/draws`).send(draw('worker-stall-1', '1.00')).expect(201);
      await ledger.http.get('/health/ready').expect(200);
      now += PROJECTOR_STALL_MS;
      const stalled = await ledger.http.get('/health/ready').expect(503);
      expect(stalled.body.error.projections).toMatchObject({ status: 'down', state: 'stalled', error: expect.stringContaining('projections worker has not moved them') });
      lock.exec('ROLLBACK');
      await host.waitFor(await ledger.app.get(EventStore).headPosition(), 10_000);
      expect((await ledger.http.get('/health/ready').expect(200)).body.details.projections.state).toBe('live');
    } finally {
      if (lock.inTransaction) lock.exec('ROLLBACK');
      lock.close();
      health.now = realNow;
    }
  }, 60_000);

  it('counts the seconds the projections worker was busy apart from the main thread', async () => {
    const busy = (text: string, thread: string) => valueOf(parseMetrics(text), 'ledger_event_loop_active_seconds_total', { thread }) ?? Number.NaN;
    const before = (await ledger.http.get('/metrics').expect(200)).text;
    expect(busy(before, 'main')).toBeGreaterThan(0);
    expect(busy(before, 'projections')).toBeGreaterThan(0);
    // Work for the worker: every draw is projected there.
    const account = await openAccount(ledger, '1994-05-05', 52);
    for (let i = 0; i < 10; i++) await ledger.http.post(`/accounts/${account}/draws`).send(draw(`busy-${i}`, '1.00')).expect(201);
    await ledger.http.get(`/accounts/${account}`).expect(200);
    const after = (await ledger.http.get('/metrics').expect(200)).text;
    expect(busy(after, 'projections')).toBeGreaterThan(busy(before, 'projections'));
  });

  it("reports the worker thread's own heap, which the process's nodejs_heap_* leaves out", async () => {
    const metrics = parseMetrics((await ledger.http.get('/metrics').expect(200)).text);
    const heap = (name: string) => valueOf(metrics, name, { thread: 'projections' }) ?? Number.NaN;
    const used = heap('ledger_worker_heap_used_bytes');
    const total = heap('ledger_worker_heap_total_bytes');
    const limit = heap('ledger_worker_heap_limit_bytes');
    // A live isolate holds megabytes; what it uses fits in what it reserved, and that under its bound.
    expect(used).toBeGreaterThan(1024 * 1024);
    expect(used).toBeLessThanOrEqual(total);
    expect(total).toBeLessThan(limit);
    // Its own figures, not the main thread's.
    const mainUsed = valueOf(metrics, 'nodejs_heap_size_used_bytes');
    expect(mainUsed).toBeGreaterThan(0);
    expect(used).not.toBe(mainUsed);
  });

  it('writes the audit anchors from the worker, which verify, while the main thread follows no log for them', async () => {
    // The main thread's scheduler stays idle: reading the log back and hashing it is the worker's work.
    expect((ledger.app.get(AuditAnchorScheduler) as unknown as { subscription: unknown }).subscription).toBeNull();
    const store = ledger.app.get(EventStore);
    const lastClosed = (await store.readStream(BUSINESS_DAYS_STREAM)).at(-1)!.position;
    // Each closed day triggers an anchor up to the head: the last one reaches the last day closed above.
    const anchors = new AuditAnchors(store);
    for (const deadline = Date.now() + 20_000; ; ) {
      const last = (await anchors.list()).at(-1);
      if (last && BigInt(last.data.toPosition) >= lastClosed) break;
      if (Date.now() > deadline) throw new Error(`no anchor reached position ${lastClosed}: last ${last?.data.toPosition}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const report = await verifyLedger(store);
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.anchorsChecked).toBeGreaterThan(0);
  }, 60_000);

  it('starts the worker again when it dies, from its checkpoint, losing nothing', async () => {
    const account = await openAccount(ledger, '1995-05-05', 52);
    await workerThread(host).terminate();
    expect(host.running).toBe(false);
    const down = await ledger.http.get('/health/ready').expect(503);
    expect(down.body.details.projections).toMatchObject({ state: 'failed', error: expect.stringContaining('exited with code 1') });
    // Appended while no worker runs: the restarted worker must pick it up from its checkpoint.
    await ledger.http.post(`/accounts/${account}/draws`).send(draw('worker-2', '42.00')).expect(201);
    // The successor starts after a second and then boots (compiling the sources, in tests), which on a
    // loaded host takes longer than a read waits for the read models (5 s): wait for it to follow the log.
    for (const deadline = Date.now() + 45_000; host.failure !== null; ) {
      if (Date.now() > deadline) throw new Error(`the projections worker did not start again: ${host.failure}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await ledger.http.get(`/accounts/${account}`).expect(200)).body.owed.total).toBe('42.00');
    expect(host.restarts).toBe(1);
    expect(host.running).toBe(true);
    expect((await ledger.http.get('/health/ready').expect(200)).body.details.projections.state).toBe('live');
  }, 60_000);

  it('stops the worker with the app', async () => {
    const thread = workerThread(host);
    const exited = new Promise<number>((resolve) => thread.once('exit', resolve));
    await ledger.close();
    expect(await exited).toBe(0);
    expect(host.running).toBe(false);
    ledger = undefined as unknown as TestLedger;
  }, 60_000);
});
