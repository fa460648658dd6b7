import { EventStore, SqliteEventStore, StoreUnavailableError } from '@ledger/event-store';
import { ReadModels } from '../../apps/ledger-api/src/read-side/read-models';
import { LedgerHealth, PROJECTOR_STALL_MS, WRITE_FAILURE_UNREADY_MS } from '../../apps/ledger-api/src/observability/ledger-health';
import { draw, openAccount, startLedger, type TestLedger } from '../support/ledger-app';

describe('health with the projections in the API process', () => {
  let ledger: TestLedger;

  beforeAll(async () => {
    ledger = await startLedger();
    await openAccount(ledger, '1988-03-09', 21);
  });

  afterAll(() => ledger.close());

  it('is live and ready when the store answers and the projections follow the log', async () => {
    const live = await ledger.http.get('/health/live').expect(200);
    expect(live.body).toMatchObject({ status: 'ok', info: { process: { status: 'up' } } });
    const ready = await ledger.http.get('/health/ready').expect(200);
    expect(ready.body.status).toBe('ok');
    expect(ready.body.details.store).toMatchObject({ status: 'up', kind: 'sqlite' });
    expect(ready.body.details.projections).toMatchObject({ status: 'up', state: 'live', maxLag: 10000 });
    expect(Object.keys(ready.body.details.projections.lag)).toEqual(expect.arrayContaining(['balances', 'statements', 'eod_schedule']));
    const summary = await ledger.http.get('/health').expect(200);
    expect(summary.body).toMatchObject({ status: 'ok', store: { reachable: true }, projections: { state: 'live', running: true }, clock: { mode: 'manual' } });
  });

  it('is unready but still live while the projections are stopped for a rebuild', async () => {
    const runner = ledger.app.get(ReadModels).runner;
    await runner.stop();
    try {
      const ready = await ledger.http.get('/health/ready').expect(503);
      expect(ready.body.status).toBe('error');
      expect(ready.body.error.projections).toMatchObject({ status: 'down', state: 'rebuilding' });
      expect(ready.body.details.store.status).toBe('up');
      await ledger.http.get('/health').expect(503);
      await ledger.http.get('/health/live').expect(200);
    } finally {
      await runner.start();
    }
    await ledger.http.get('/health/ready').expect(200);
  });

  it('is live, and unready as rebuilding, while a start replays empty read models by account; ready once it follows the log', async () => {
    const runner = ledger.app.get(ReadModels).runner;
    const store = ledger.app.get(EventStore);
    await runner.stop();
    // What a start finds after the read-model file was deleted: no checkpoint of any read model.
    runner.db.exec('DELETE FROM projection_checkpoints');
    // A replay reads each account's stream without its metadata (`readStreamData`): held here.
    const readStreamData = store.readStreamData.bind(store);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let accountReads = 0;
    const spy = jest.spyOn(store, 'readStreamData').mockImplementation(async (stream, options) => {
      if (stream.startsWith('credit-account-')) {
        accountReads++;
        await released;
      }
      return readStreamData(stream, options);
    });
    try {
      await runner.start();
      await ledger.http.get('/health/live').expect(200);
      const ready = await ledger.http.get('/health/ready').expect(503);
      expect(ready.body.error.projections).toMatchObject({ status: 'down', state: 'rebuilding' });
      expect(Object.values(ready.body.error.projections.lag as Record<string, string>).every((lag) => BigInt(lag) > 0n)).toBe(true);
      expect((await ledger.http.get('/metrics').expect(200)).text).toMatch(/^ledger_projections_running 0$/m);
    } finally {
      release();
      spy.mockRestore();
    }
    for (let i = 0; i < 200 && runner.replaying; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    const ready = await ledger.http.get('/health/ready').expect(200);
    expect(ready.body.details.projections).toMatchObject({ state: 'live' });
    expect(accountReads).toBeGreaterThan(0);
  });

  it('is unready while the store is unreachable, naming why but not where (the probes take no key), and the metrics still answer', async () => {
    const store = ledger.app.get(EventStore);
    const spy = jest.spyOn(store, 'headPosition').mockRejectedValue(new StoreUnavailableError('14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED 10.0.4.2:2113'));
    try {
      const ready = await ledger.http.get('/health/ready').expect(503);
      expect(ready.body.error.store).toMatchObject({ status: 'down', kind: 'sqlite' });
      expect(ready.body.error.store.error).toBe('14 UNAVAILABLE: No connection established. Last error: connect ECONNREFUSED <address>');
      expect(JSON.stringify(ready.body)).not.toContain('10.0.4.2');
      const summary = await ledger.http.get('/health').expect(503);
      expect(summary.body.store).toMatchObject({ reachable: false, error: ready.body.error.store.error });
      await ledger.http.get('/health/live').expect(200);
      await ledger.http.get('/metrics').expect(200);
    } finally {
      spy.mockRestore();
    }
    await ledger.http.get('/health/ready').expect(200);
  });

  it('is unready for a while after a write the store refused (the disk full), saying why but not the file\'s path, and ready again once one succeeds', async () => {
    const store = ledger.app.get(EventStore) as SqliteEventStore;
    const health = ledger.app.get(LedgerHealth);
    const account = await openAccount(ledger, '1988-03-09', 22);
    // The file may grow no further: SQLite answers SQLITE_FULL, as it does on a full disk.
    store.db.pragma(`max_page_count = ${store.db.pragma('page_count', { simple: true })}`);
    let refused: { status: number; body: { error: string } } | undefined;
    for (let i = 0; i < 500 && refused === undefined; i++) {
      const answer = await ledger.http.post(`/accounts/${account}/draws`).send(draw(`full-${i}`, '1.00'));
      if (answer.status !== 201) refused = answer;
    }
    try {
      // A command told that its outcome is unknown and how to retry it once.
      expect(refused).toMatchObject({ status: 503, body: { error: 'STORE_UNAVAILABLE', message: expect.stringContaining('may have been recorded or not; retry it with the same Idempotency-Key') } });
      const ready = await ledger.http.get('/health/ready').expect(503);
      expect(ready.body.error.store).toMatchObject({ status: 'down', kind: 'sqlite' });
      expect(ready.body.error.store.error).toMatch(/^the last write failed \d+ s ago and none has succeeded since: commit to <path> failed: SQLITE_FULL: database or disk is full \(the disk, or a file-size limit, full\?/);
      // Past the window, ready again (no probe writes: only traffic can tell whether the cause is gone).
      const now = health.now;
      health.now = () => now() + WRITE_FAILURE_UNREADY_MS;
      await ledger.http.get('/health/ready').expect(200);
      health.now = now;
      await ledger.http.get('/health/ready').expect(503);
    } finally {
      store.db.pragma('max_page_count = 4294967294');
    }
    // Room again: the next write succeeds, and the instance is ready at once.
    await ledger.http.post(`/accounts/${account}/draws`).send(draw('full-after', '1.00')).expect(201);
    await ledger.http.get('/health/ready').expect(200);
  });

  it('reports a store that hangs as unreachable instead of hanging the probe', async () => {
    const store = ledger.app.get(EventStore);
    const spy = jest.spyOn(store, 'headPosition').mockReturnValue(new Promise(() => undefined));
    try {
      const ready = await ledger.http.get('/health/ready').expect(503);
      expect(ready.body.error.store.error).toMatch(/did not answer within/);
    } finally {
      spy.mockRestore();
    }
  }, 15_000);
});

describe('readiness of an API whose projections run in a separate projector', () => {
  let ledger: TestLedger;

  beforeAll(async () => {
    ledger = await startLedger({ LEDGER_PROJECTIONS: '0', LEDGER_READY_MAX_LAG: '5' });
  });

  afterAll(() => ledger.close());

  it('is ready while the projector keeps up and unready once it falls far behind', async () => {
    const first = await ledger.http.get('/health/ready').expect(200);
    expect(first.body.details.projections.state).toBe('external');
    const account = await openAccount(ledger, '1992-11-30', 31);
    for (let i = 0; i < 6; i++) await ledger.http.post(`/accounts/${account}/draws`).send(draw(`lag-${i}`, '1.00')).expect(201);
    const behind = await ledger.http.get('/health/ready').expect(503);
    expect(behind.body.error.projections).toMatchObject({ status: 'down', state: 'behind', maxLag: 5 });
    expect(behind.body.error.projections.lag.balances).toBeGreaterThan(5);

    // What the projector would do: apply the log to the shared read-model file.
    const runner = ledger.app.get(ReadModels).runner;
    await runner.start();
    await runner.waitFor(await ledger.app.get(EventStore).headPosition(), 5_000);
    const caughtUp = await ledger.http.get('/health/ready').expect(200);
    expect(caughtUp.body.details.projections.state).toBe('external');
  });

  it('is unready once the projector leaves the read models behind for 30 s, however little behind', async () => {
    const health = ledger.app.get(LedgerHealth);
    let now = Date.now();
    health.now = () => now;
    const runner = ledger.app.get(ReadModels).runner;
    await runner.stop(); // the projector is down
    const account = (await ledger.http.get('/accounts?limit=1&consistency=eventual')).body.items[0].accountId;
    await ledger.http.post(`/accounts/${account}/draws`).send(draw('stall-1', '1.00')).expect(201);
    // One event behind, well within the lag allowed: ready at first, and while it has been for less than 30 s.
    await ledger.http.get('/health/ready').expect(200);
    now += PROJECTOR_STALL_MS - 1_000;
    await ledger.http.get('/health/ready').expect(200);
    now += 1_000;
    const stalled = await ledger.http.get('/health/ready').expect(503);
    expect(stalled.body.error.projections).toMatchObject({ status: 'down', state: 'stalled', error: expect.stringContaining('is it running?') });
    // The projector back: ready again.
    await runner.start();
    await runner.waitFor(await ledger.app.get(EventStore).headPosition(), 5_000);
    expect((await ledger.http.get('/health/ready').expect(200)).body.details.projections.state).toBe('external');
  });

  it('says stalled, not only behind, once the projector has left the read models far behind for 30 s', async () => {
    const health = ledger.app.get(LedgerHealth);
    let now = Date.now();
    health.now = () => now;
    const runner = ledger.app.get(ReadModels).runner;
    await runner.stop();
    const account = (await ledger.http.get('/accounts?limit=1&consistency=eventual')).body.items[0].accountId;
    for (let i = 0; i < 6; i++) await ledger.http.post(`/accounts/${account}/draws`).send(draw(`far-${i}`, '1.00')).expect(201);
    expect((await ledger.http.get('/health/ready').expect(503)).body.error.projections).toMatchObject({ state: 'behind', error: null });
    now += PROJECTOR_STALL_MS;
    expect((await ledger.http.get('/health/ready').expect(503)).body.error.projections).toMatchObject({ state: 'stalled', error: expect.stringContaining('is it running?') });
    await runner.start();
    await runner.waitFor(await ledger.app.get(EventStore).headPosition(), 5_000);
    expect((await ledger.http.get('/health/ready').expect(200)).body.details.projections.state).toBe('external');
  });
});
