/**
 * Graceful shutdown: SIGTERM while commands are in flight. Every command the server had started is
 * answered and in the log (requests still unread in a socket are reset, and write nothing), the projections stop, the store is closed (SQLite folds its WAL back into the
 * database on the last close), and the process ends by itself with nothing left running.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { application, draw } from '../support/ledger-app';
import { call, compileLedger, startChild } from './support/child-ledger';
import { printFigures } from './support/figures';

jest.setTimeout(60_000);

const IN_FLIGHT = 40;

describe('a ledger sent SIGTERM with commands in flight', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-term-'));
  const path = join(dir, 'ledger.sqlite');

  beforeAll(() => compileLedger());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers every command it received, stops its subscriptions, closes the store and exits by itself', async () => {
    const child = await startChild(dir, { LOG_LEVEL: 'info' });
    const accounts: string[] = [];
    for (let i = 0; i < 1; i++) {
      const applied = await call(child.url, 'POST', '/applications', application('1990-06-07', 600 + i));
      accounts.push(String(applied.body.accountId));
      await call(child.url, 'POST', `/accounts/${accounts[i]}/activation`, {
        agreementVersion: 'fenfu-2026.1',
        autoRepayCardLast4: '6222',
      });
    }
    const inFlight = Array.from({ length: IN_FLIGHT }, (_, i) =>
      call(child.url, 'POST', `/accounts/${accounts[0]}/draws`, draw(`T-${i}`, '10.00')).then(
        (answer) => ({ i, status: answer.status }),
        () => ({ i, status: 0 }),
      ),
    );
    // Commands on one account run one at a time, so when the first is answered the rest are queued inside
    // the server: that is when SIGTERM lands.
    await Promise.race(inFlight);
    const signalledAt = Date.now();
    child.process.kill('SIGTERM');
    const answers = await Promise.all(inFlight);
    const exit = await child.exited;
    const tookMs = Date.now() - signalledAt;

    const received = answers.filter((a) => a.status !== 0);
    expect(received.every((a) => a.status === 201)).toBe(true);
    expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
    expect(tookMs).toBeLessThan(10_000);
    // The last connection's close checkpoints the WAL and removes it: the store was closed, not abandoned.
    expect(!existsSync(`${path}-wal`) || statSync(`${path}-wal`).size === 0).toBe(true);

    const db = new Database(path, { readonly: true });
    const posted = db
      .prepare("SELECT json_extract(data, '$.drawId') AS orderId FROM events WHERE type = 'DrawPosted'")
      .all() as { orderId: string }[];
    db.close();
    expect(posted.map((p) => p.orderId).sort()).toEqual(received.map((a) => `T-${a.i}`).sort());
    // The operator's log says the stop was asked for and finished, not only that the process is gone.
    expect(child.output()).toMatch(/"msg":"SIGTERM: stopping: no new requests[^"]*"[\s\S]*"msg":"stopped cleanly in \d+ ms/);
    expect(child.output()).not.toMatch(
      /UnhandledPromiseRejection|connection is not open|"level":"(error|fatal)"/,
    );
    printFigures('graceful shutdown', {
      'commands in flight at SIGTERM': IN_FLIGHT,
      'commands the server had started, all answered 2xx': received.length,
      'requests not yet read when the server closed (reset, nothing written)': IN_FLIGHT - received.length,
      'milliseconds from SIGTERM to exit': tookMs,
    });
  });

  it('with LEDGER_SHUTDOWN_DRAIN_MS, answers readiness 503 and still serves requests until the drain ends, then stops', async () => {
    const drained = join(dir, 'drain');
    const child = await startChild(drained, { LOG_LEVEL: 'info', LEDGER_SHUTDOWN_DRAIN_MS: '2500' });
    const applied = await call(child.url, 'POST', '/applications', application('1991-03-04', 700));
    const account = String(applied.body.accountId);
    await call(child.url, 'POST', `/accounts/${account}/activation`, { agreementVersion: 'fenfu-2026.1', autoRepayCardLast4: '6222' });
    expect((await call(child.url, 'GET', '/health/ready')).status).toBe(200);

    const signalledAt = Date.now();
    child.process.kill('SIGTERM');
    // Give the signal a moment to arrive; the drain is long enough for what follows.
    await new Promise((r) => setTimeout(r, 200));
    const ready = await call(child.url, 'GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.error).toMatchObject({ stopping: { status: 'down', signal: 'SIGTERM' } });
    const summary = await call(child.url, 'GET', '/health');
    expect(summary.status).toBe(503);
    expect(summary.body.stopping).toMatchObject({ signal: 'SIGTERM' });
    // Commands are still served while draining.
    const during = await call(child.url, 'POST', `/accounts/${account}/draws`, draw('D-drain', '12.00'));
    expect(during.status).toBe(201);
    const stillServing = Date.now() - signalledAt;
    expect(stillServing).toBeLessThan(2500);

    const exit = await child.exited;
    expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
    expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(2500);
    expect(child.output()).toMatch(/"msg":"SIGTERM: draining for 2500 ms[^"]*"[\s\S]*"msg":"SIGTERM: stopping: no new requests[^"]*"[\s\S]*"msg":"stopped cleanly in \d+ ms/);
    const db = new Database(join(drained, 'ledger.sqlite'), { readonly: true });
    const posted = db.prepare("SELECT count(*) AS n FROM events WHERE type = 'DrawPosted'").get() as { n: number };
    db.close();
    expect(posted.n).toBe(1);
  });

  it('stops at once on a second signal during the drain', async () => {
    const child = await startChild(join(dir, 'twice'), { LOG_LEVEL: 'info', LEDGER_SHUTDOWN_DRAIN_MS: '600000' });
    const signalledAt = Date.now();
    child.process.kill('SIGTERM');
    // Twice at once, as a terminal's Ctrl-C under `npm start` arrives: the same stop, still draining.
    child.process.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 700));
    expect((await call(child.url, 'GET', '/health/ready')).status).toBe(503);
    child.process.kill('SIGINT');
    const exit = await child.exited;
    expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
    expect(Date.now() - signalledAt).toBeLessThan(15_000);
    expect(child.output()).toMatch(/"msg":"stopped cleanly in \d+ ms/);
  });
});
