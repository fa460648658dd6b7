/**
 * A log restored from a backup with the read models left as they were (runbook "Restore and verify",
 * step 3 skipped): the read models have applied more of the log than it holds. Following it from their
 * checkpoint would skip every event appended from there on, and end of day would pick its accounts from
 * their schedule (the reliability review saw a month end close with no statement). In each deployment of
 * the projections, the API must refuse them, reads and end of day alike, until they are rebuilt.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@ledger/servicing';
import { startProjector } from '../../apps/ledger-api/src/projector';
import { freePort } from '../support/free-port';
import { draw, openAccount, startLedger } from '../support/ledger-app';

/**
 * A ledger whose read models followed its log, then the log restored from a backup taken before three
 * draws, the read models kept, and five draws taken after the restore by an API that keeps no read
 * models (a split deployment's, its projector not started yet): the log's head is past theirs, and it
 * holds other events where they applied theirs. That API is handed back, open.
 */
async function restoredAndWrittenTo(env: { LEDGER_SQLITE_PATH: string; LEDGER_READ_MODEL_PATH: string; LEDGER_PROJECTIONS: string }, sequence: number) {
  const log = env.LEDGER_SQLITE_PATH;
  const backup = `${log}.backup`;
  let ledger = await startLedger(env);
  const account = await openAccount(ledger, '1990-05-17', sequence);
  await ledger.close();
  copyFileSync(log, backup);
  ledger = await startLedger(env);
  for (let i = 0; i < 3; i++) await ledger.http.post(`/accounts/${account}/draws`).send(draw(`after-backup-${i}`, '10.00')).expect(201);
  await ledger.http.get(`/accounts/${account}`).expect(200);
  await ledger.close();
  for (const suffix of ['-wal', '-shm']) if (existsSync(log + suffix)) rmSync(log + suffix);
  copyFileSync(backup, log);
  const writer = await startLedger({ ...env, LEDGER_PROJECTIONS: '0' });
  for (let i = 0; i < 5; i++) await writer.http.post(`/accounts/${account}/draws`).send(draw(`after-restore-${i}`, '20.00')).expect(201);
  return { account, writer };
}

/** Deletes an SQLite file with its -wal and -shm, as the restore procedure deletes the read models. */
function removeDatabase(path: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
}

describe.each([['1'], ['worker']])('read models ahead of a restored log (LEDGER_PROJECTIONS=%s)', (projections) => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-restore-'));
  const log = join(dir, 'ledger.sqlite');
  const env = { LEDGER_SQLITE_PATH: log, LEDGER_PROJECTIONS: projections };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses reads, readiness and end of day until the read models are rebuilt from the restored log', async () => {
    let ledger = await startLedger(env);
    const account = await openAccount(ledger, '1990-05-17', 1);
    await ledger.close(); // a clean stop: the log's file holds every commit
    copyFileSync(log, join(dir, 'backup.sqlite'));
    ledger = await startLedger(env);
    for (let i = 0; i < 3; i++) await ledger.http.post(`/accounts/${account}/draws`).send(draw(`after-backup-${i}`, '10.00')).expect(201);
    await ledger.http.get(`/accounts/${account}`).expect(200);
    await ledger.close();

    // The restore, the read models kept.
    for (const suffix of ['-wal', '-shm']) if (existsSync(log + suffix)) rmSync(log + suffix);
    copyFileSync(join(dir, 'backup.sqlite'), log);
    ledger = await startLedger(env);
    try {
      const read = await ledger.http.get(`/accounts/${account}`);
      expect([read.status, read.body.error]).toEqual([503, 'READ_MODELS_AHEAD_OF_LOG']);
      const ready = await ledger.http.get('/health/ready').expect(503);
      expect(ready.body.error.projections.state).toBe('ahead');
      await ledger.setClock('2026-01-03T00:30:00+08:00');
      const close = await ledger.http.post('/operations/end-of-day').send({ businessDate: '2026-01-02' });
      expect([close.status, close.body.error]).toEqual([503, 'READ_MODELS_AHEAD_OF_LOG']);
    } finally {
      await ledger.close();
    }

    // A restart does not clear it (and starts: a worker thread that found the mark still reports its start).
    ledger = await startLedger(env);
    try {
      const read = await ledger.http.get(`/accounts/${account}`);
      expect([read.status, read.body.error]).toEqual([503, 'READ_MODELS_AHEAD_OF_LOG']);
      expect((await ledger.http.get('/health/ready').expect(503)).body.error.projections.state).toBe('ahead');
    } finally {
      await ledger.close();
    }

    // Deleted, the read models are rebuilt from this log at the next start: the draws after the backup are gone.
    removeDatabase(join(dir, 'ledger.read-models.sqlite'));
    ledger = await startLedger(env);
    try {
      const read = await ledger.http.get(`/accounts/${account}`).expect(200);
      expect(read.body.owed.total).toBe('0.00');
      await ledger.http.get('/health/ready').expect(200);
    } finally {
      await ledger.close();
    }
  }, 60_000);

  it('refuses them too once the restored log was written to before they were started on it', async () => {
    const env2 = { LEDGER_SQLITE_PATH: join(dir, 'written.sqlite'), LEDGER_READ_MODEL_PATH: join(dir, 'written.read-models.sqlite'), LEDGER_PROJECTIONS: projections };
    const { account, writer } = await restoredAndWrittenTo(env2, 2);
    await writer.close();

    let ledger = await startLedger(env2);
    try {
      const read = await ledger.http.get(`/accounts/${account}`);
      expect([read.status, read.body.error]).toEqual([503, 'PROJECTIONS_UNAVAILABLE']);
      expect(read.body.message).toContain('that this log does not hold there');
      // Waiting for nothing does not make them this log's: another history, not an earlier moment of this one.
      const eventual = await ledger.http.get(`/accounts/${account}?consistency=eventual`);
      expect([eventual.status, eventual.body.error]).toEqual([503, 'PROJECTIONS_UNAVAILABLE']);
      const ready = await ledger.http.get('/health/ready').expect(503);
      expect(ready.body.error.projections).toMatchObject({ state: 'failed', error: expect.stringContaining('that this log does not hold there') });
      await ledger.setClock('2026-01-03T00:30:00+08:00');
      const close = await ledger.http.post('/operations/end-of-day').send({ businessDate: '2026-01-02' });
      expect([close.status, close.body.error]).toEqual([503, 'PROJECTIONS_UNAVAILABLE']);
    } finally {
      await ledger.close();
    }

    // Deleted, the read models are rebuilt from this log: the restored account with the draws after the restore.
    removeDatabase(join(dir, 'written.read-models.sqlite'));
    ledger = await startLedger(env2);
    try {
      const read = await ledger.http.get(`/accounts/${account}`).expect(200);
      expect(read.body.owed.total).toBe('100.00');
    } finally {
      await ledger.close();
    }
  }, 60_000);
});

describe('read models of another history beside a separate projector (LEDGER_PROJECTIONS=0)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-restore-split-'));
  const log = join(dir, 'ledger.sqlite');
  const readModels = join(dir, 'ledger.read-models.sqlite');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses eventual reads of read models ahead of the restored log before any projector has started on them, as readiness does', async () => {
    const env = { LEDGER_SQLITE_PATH: join(dir, 'ahead.sqlite'), LEDGER_READ_MODEL_PATH: join(dir, 'ahead.read-models.sqlite'), LEDGER_PROJECTIONS: '1' };
    let ledger = await startLedger(env);
    const account = await openAccount(ledger, '1990-05-17', 4);
    await ledger.close();
    copyFileSync(env.LEDGER_SQLITE_PATH, `${env.LEDGER_SQLITE_PATH}.backup`);
    ledger = await startLedger(env);
    for (let i = 0; i < 3; i++) await ledger.http.post(`/accounts/${account}/draws`).send(draw(`ahead-${i}`, '10.00')).expect(201);
    await ledger.http.get(`/accounts/${account}`).expect(200);
    await ledger.close();
    for (const suffix of ['-wal', '-shm']) rmSync(env.LEDGER_SQLITE_PATH + suffix, { force: true });
    copyFileSync(`${env.LEDGER_SQLITE_PATH}.backup`, env.LEDGER_SQLITE_PATH);

    const api = await startLedger({ ...env, LEDGER_PROJECTIONS: '0' });
    try {
      expect((await api.http.get('/health/ready').expect(503)).body.error.projections.state).toBe('ahead');
      const eventual = await api.http.get(`/accounts/${account}?consistency=eventual`);
      expect([eventual.status, eventual.body.error]).toEqual([503, 'READ_MODELS_AHEAD_OF_LOG']);
      const portfolio = await api.http.get('/portfolio?consistency=eventual');
      expect([portfolio.status, portfolio.body.error]).toEqual([503, 'READ_MODELS_AHEAD_OF_LOG']);
    } finally {
      await api.close();
    }
  }, 60_000);

  it('refuses reads and readiness in the API once the projector found them and stopped', async () => {
    // The API that wrote after the restore stays, beside the projector started after it.
    const { account, writer: ledger } = await restoredAndWrittenTo({ LEDGER_SQLITE_PATH: log, LEDGER_READ_MODEL_PATH: readModels, LEDGER_PROJECTIONS: '1' }, 3);

    const projector = await startProjector(loadConfig({ PORT: String(await freePort()), LEDGER_SQLITE_PATH: log, LEDGER_READ_MODEL_PATH: readModels, LEDGER_SQLITE_SYNCHRONOUS: 'NORMAL', LOG_LEVEL: 'silent' }));
    try {
      const deadline = Date.now() + 10_000;
      while (projector.runner.lastError === undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));
      expect(projector.runner.lastError?.name).toBe('ReadModelsOfAnotherLogError');
      // The API beside it reads the refusal the projector kept in the shared file, at once.
      const started = Date.now();
      const read = await ledger.http.get(`/accounts/${account}?consistency=eventual`);
      expect([read.status, read.body.error]).toEqual([503, 'PROJECTIONS_UNAVAILABLE']);
      expect(read.body.message).toContain('that this log does not hold there');
      expect(Date.now() - started).toBeLessThan(4_000);
      const ready = await ledger.http.get('/health/ready').expect(503);
      expect(ready.body.error.projections).toMatchObject({ state: 'failed', error: expect.stringContaining('that this log does not hold there') });
    } finally {
      await projector.close();
      await ledger.close();
    }
  }, 60_000);
});
