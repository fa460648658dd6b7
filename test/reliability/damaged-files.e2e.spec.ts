/**
 * A request that meets a damaged ledger file (SQLite's SQLITE_CORRUPT or SQLITE_NOTADB, as a read-model
 * file overwritten under a running API gave): the answer is a 503 that says so without naming server
 * paths, the log says which files it may be and what to do, and readiness fails from then on. An
 * incident drill found readiness 200 and every read a bare 500 until some command made the projections
 * write.
 */
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { GetPortfolioHandler } from '../../apps/ledger-api/src/read-side/account.queries';
import { startLedger, type TestLedger } from '../support/ledger-app';

describe('a ledger whose file a request finds damaged', () => {
  let ledger: TestLedger;
  const lines: string[] = [];

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    ledger = await startLedger({}, { logDestination: destination });
  });
  afterAll(async () => ledger.close());

  it('answers 503 LEDGER_FILE_DAMAGED, logs the files and what to do, and is unready from then on', async () => {
    await ledger.http.get('/health/ready').expect(200);
    const handler = ledger.app.get(GetPortfolioHandler);
    const spy = jest.spyOn(handler, 'execute').mockRejectedValueOnce(new Database.SqliteError('database disk image is malformed', 'SQLITE_CORRUPT'));
    try {
      const answer = await ledger.as('viewer').get('/portfolio').expect(503);
      expect(answer.body).toMatchObject({ error: 'LEDGER_FILE_DAMAGED', message: expect.stringContaining('an operator repairs it') });
      // No server path in an answer.
      expect(answer.body.message).not.toContain(ledger.dir);
    } finally {
      spy.mockRestore();
    }
    const logged = lines.find((line) => line.includes('LEDGER_FILE_DAMAGED'));
    expect(logged).toContain('is damaged (SQLITE_CORRUPT');
    expect(logged).toContain('read-models.sqlite');
    expect(logged).toContain('PRAGMA quick_check');

    // The probes are open: they say what happened and where to look, never a path.
    const ready = await ledger.as('anonymous').get('/health/ready').expect(503);
    expect(ready.body.error.files).toMatchObject({ status: 'down', message: expect.stringContaining("(SQLITE_CORRUPT): the ledger's log names the files") });
    const summary = await ledger.as('anonymous').get('/health').expect(503);
    expect(summary.body.damagedFiles).toContain('SQLITE_CORRUPT');
    expect(JSON.stringify([ready.body, summary.body])).not.toContain(ledger.dir);
    // The reads that work still answer: only readiness sends traffic elsewhere.
    await ledger.as('viewer').get('/portfolio').expect(200);
  });
});
