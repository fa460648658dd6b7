import { join } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '@ledger/servicing';
import { type Projector, startProjector } from '../../apps/ledger-api/src/projector';
import { freePort } from '../support/free-port';
import { draw, openAccount, startLedger, type TestLedger } from '../support/ledger-app';
import { parseMetrics, valueOf } from './prometheus-text';

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the API with projections off beside a separate projector process', () => {
  let ledger: TestLedger;
  let projector: Projector;
  let base: string;

  beforeAll(async () => {
    ledger = await startLedger({ LEDGER_PROJECTIONS: '0' });
    const port = await freePort();
    projector = await startProjector(
      loadConfig({ PORT: String(port), LEDGER_SQLITE_PATH: join(ledger.dir, 'ledger.sqlite'), LEDGER_SQLITE_SYNCHRONOUS: 'NORMAL', LOG_LEVEL: 'silent' }),
    );
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    await projector.close();
    await ledger.close();
  });

  it('serves reads from the read models the projector keeps, and both report ready', async () => {
    const account = await openAccount(ledger, '1991-08-08', 41);
    await ledger.http.post(`/accounts/${account}/draws`).send(draw('split-1', '66.60')).expect(201);

    const ready = await until(
      async () => (await fetch(`${base}/health/ready`)).json() as Promise<{ state: string; lag: Record<string, number> }>,
      (body) => body.state === 'live' && Object.values(body.lag).every((l) => l === 0),
      'the projector to catch up',
    );
    expect(Object.keys(ready.lag)).toContain('balances');
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('ledger_projection_lag_events{projection="balances"} 0');
    expect(metrics).toMatch(/^ledger_projections_running 1$/m);
    // Its own thread is the one that keeps the read models.
    expect(valueOf(parseMetrics(metrics), 'ledger_event_loop_active_seconds_total', { thread: 'projections' })).toBeGreaterThan(0);
    expect(metrics).not.toContain('thread="main"');

    const read = await ledger.http.get(`/accounts/${account}`).expect(200);
    expect(read.body.accountId ?? read.body.id).toBe(account);
    const api = await ledger.http.get('/health/ready').expect(200);
    expect(api.body.details.projections.state).toBe('external');
  });

  it('follows new commands as they are appended', async () => {
    const account = await openAccount(ledger, '1993-02-14', 42);
    const head = BigInt((await ledger.http.post(`/accounts/${account}/draws`).send(draw('split-2', '12.00')).expect(201)).body.position);
    await projector.runner.waitFor(head, 10_000);
    await ledger.http.get(`/accounts/${account}`).expect(200);
  });

  it('reads its own writes and closes a month end from the schedule the projector keeps', async () => {
    const account = await openAccount(ledger, '1994-04-04', 43);
    await ledger.http.post(`/accounts/${account}/draws`).send(draw('split-3', '100.00')).expect(201);
    // No explicit wait: the query itself waits for the projector's checkpoints to pass the head.
    expect((await ledger.http.get(`/accounts/${account}`).expect(200)).body.owed.total).toBe('100.00');
    await ledger.closeDays('2026-01-02', '2026-01-31');
    const statement = await ledger.http.get(`/accounts/${account}/statements/2026-01`).expect(200);
    expect(statement.body).toMatchObject({ revolvingPrincipal: '100.00', dueDate: '2026-02-10' });
  });

  it("refuses read models another build's projector keeps, ready and answering again once this build's does", async () => {
    // What an older projector beside this API leaves: its own version of a projection in the checkpoints.
    const file = new Database(join(ledger.dir, 'ledger.read-models.sqlite'));
    const { version } = file.prepare("SELECT version FROM projection_checkpoints WHERE name = 'statements'").get() as { version: number };
    const setVersion = (v: number) => file.prepare("UPDATE projection_checkpoints SET version = ? WHERE name = 'statements'").run(v);
    try {
      setVersion(version - 4);
      const ready = await ledger.http.get('/health/ready').expect(503);
      expect(ready.body.details.projections).toMatchObject({ state: 'failed' });
      expect(ready.body.details.projections.error).toContain(`statements version ${version - 4}, this build's ${version}`);
      for (const path of ['/portfolio', '/portfolio?consistency=eventual', '/accounts?limit=1']) {
        const read = await ledger.http.get(path).expect(503);
        expect({ path, error: read.body.error }).toEqual({ path, error: 'READ_MODELS_OTHER_BUILD' });
      }
      expect(ready.body.details.projections.error).toContain('a projector of an older build keeps them');
      // Beside a newer build's projector, it is this API that is to be upgraded.
      setVersion(version + 1);
      const newer = await ledger.http.get('/portfolio').expect(503);
      expect(newer.body.message).toContain('upgrade this API to that build');
      expect(newer.body.details).toEqual([{ projection: 'statements', version: version + 1, thisBuild: version }]);
      // This build's replay of it (a projector of this build rebuilding) is not another build's.
      setVersion(-1 - version);
      expect((await ledger.http.get('/health/ready')).body.details.projections.state).not.toBe('failed');
    } finally {
      setVersion(version);
      file.close();
    }
    await ledger.http.get('/health/ready').expect(200);
    await ledger.http.get('/portfolio').expect(200);
  });
});
