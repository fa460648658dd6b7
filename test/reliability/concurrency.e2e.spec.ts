/**
 * Concurrency on one account: parallel draws never take it over its limit and each accepted draw is
 * recorded exactly once; parallel retries of one repayment are one repayment. Run both in one process
 * and across two processes sharing the SQLite file, where only optimistic concurrency keeps them apart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Money } from '@ledger/credit';
import { application, draw, openAccount, startLedger, type TestLedger } from '../support/ledger-app';
import { call, type ChildLedger, compileLedger, startChild } from './support/child-ledger';
import { printFigures } from './support/figures';

jest.setTimeout(90_000);

const PARALLEL = 50;

function eventsOf(path: string, accountId: string): { type: string; data: Record<string, string> }[] {
  const db = new Database(path, { readonly: true });
  const rows = db
    .prepare('SELECT type, data FROM events WHERE stream = ? ORDER BY revision')
    .all(`credit-account-${accountId}`) as { type: string; data: string }[];
  db.close();
  return rows.map((r) => ({ type: r.type, data: JSON.parse(r.data) as Record<string, string> }));
}

describe('fifty parallel draws and fifty parallel retries on one account', () => {
  let ledger: TestLedger;
  let account: string;
  const figures = { requests: 0, drawsPosted: 0, drawsDeclined: 0, duplicates: 0, repaymentsRecorded: 0 };

  beforeAll(async () => {
    ledger = await startLedger();
    account = await openAccount(ledger, '1993-08-09', 401);
  });
  afterAll(async () => ledger.close());

  it('never exceeds the limit and records each accepted draw exactly once', async () => {
    // 50 x 70.00 = 3,500.00 against a limit of 2,000.00: 28 fit, 22 must be declined.
    const answers = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) =>
        ledger.http.post(`/accounts/${account}/draws`).send(draw(`PAR-${i}`, '70.00')),
      ),
    );
    figures.requests += answers.length;
    const posted = answers.filter((a) => a.status === 201).map((a) => a.body.orderId as string);
    const declined = answers.filter((a) => a.status === 200);
    expect(posted.length + declined.length).toBe(PARALLEL);
    expect(declined.every((a) => a.body.reason === 'INSUFFICIENT_CREDIT')).toBe(true);
    expect(posted).toHaveLength(28);

    const events = eventsOf(join(ledger.dir, 'ledger.sqlite'), account);
    const postedInLog = events.filter((e) => e.type === 'DrawPosted').map((e) => e.data.drawId);
    expect(postedInLog.sort()).toEqual([...posted].sort());
    expect(new Set(postedInLog).size).toBe(postedInLog.length);
    const total = postedInLog.reduce((sum) => sum.plus(Money.of('70.00')), Money.ZERO);
    expect(total.lessThanOrEqual(Money.of('2000.00'))).toBe(true);
    expect((await ledger.http.get(`/accounts/${account}`)).body).toMatchObject({ available: '40.00' });
    figures.drawsPosted = posted.length;
    figures.drawsDeclined = declined.length;
    figures.duplicates += postedInLog.length - new Set(postedInLog).size;
  });

  it('turns fifty parallel retries of one repayment into one repayment', async () => {
    const answers = await Promise.all(
      Array.from({ length: PARALLEL }, () =>
        ledger.http
          .post(`/accounts/${account}/repayments`)
          .send({ reference: 'PAR-PAY-1', amount: '100.00', channel: 'MANUAL' }),
      ),
    );
    figures.requests += answers.length;
    expect(answers.map((a) => a.status)).toEqual(Array(PARALLEL).fill(201));
    expect(answers.filter((a) => a.body.replayed === false)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.body.position)).size).toBe(1);
    const repayments = eventsOf(join(ledger.dir, 'ledger.sqlite'), account).filter(
      (e) => e.type === 'RepaymentReceived',
    );
    expect(repayments).toHaveLength(1);
    figures.repaymentsRecorded = repayments.length;
    printFigures('concurrency, one process', {
      'parallel requests': figures.requests,
      'draws posted': figures.drawsPosted,
      'draws declined': figures.drawsDeclined,
      'repayments recorded from 50 retries': figures.repaymentsRecorded,
      duplicates: figures.duplicates,
    });
  });
});

describe('two API processes on one SQLite file racing on one account', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-race-'));
  let first: ChildLedger;
  let second: ChildLedger;
  let account: string;

  beforeAll(async () => {
    compileLedger();
    first = await startChild(dir);
    second = await startChild(dir, { LEDGER_PROJECTIONS: '0' });
    const applied = await call(first.url, 'POST', '/applications', application('1994-02-03', 402));
    account = String(applied.body.accountId);
    await call(first.url, 'POST', `/accounts/${account}/activation`, {
      agreementVersion: 'fenfu-2026.1',
      autoRepayCardLast4: '6222',
    });
  });
  afterAll(async () => {
    for (const child of [first, second]) {
      child?.process.kill('SIGTERM');
      await child?.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the limit and records each draw and the repayment once, whichever process answered', async () => {
    const draws = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) =>
        call(
          i % 2 === 0 ? first.url : second.url,
          'POST',
          `/accounts/${account}/draws`,
          draw(`X-${i}`, '70.00'),
        ).then(
          (a) => a,
          () => ({ status: 0, body: {} }),
        ),
      ),
    );
    const retries = await Promise.all(
      Array.from({ length: PARALLEL }, (_, i) =>
        call(i % 2 === 0 ? first.url : second.url, 'POST', `/accounts/${account}/repayments`, {
          reference: 'X-PAY',
          amount: '100.00',
          channel: 'MANUAL',
        }),
      ),
    );
    // A draw may lose every retry against the other process and answer 409 CONCURRENCY_CONFLICT: then it
    // wrote nothing, and the client retries it like any conflict.
    expect(draws.every((a) => [200, 201, 409].includes(a.status))).toBe(true);
    expect(retries.every((a) => [201, 409].includes(a.status))).toBe(true);
    const events = eventsOf(join(dir, 'ledger.sqlite'), account);
    const posted = events.filter((e) => e.type === 'DrawPosted').map((e) => e.data.drawId);
    expect(posted.sort()).toEqual(draws.flatMap((a, i) => (a.status === 201 ? [`X-${i}`] : [])).sort());
    expect(new Set(posted).size).toBe(posted.length);
    expect(posted.length).toBeLessThanOrEqual(28);
    expect(events.filter((e) => e.type === 'RepaymentReceived')).toHaveLength(1);
    printFigures('concurrency, two processes', {
      'parallel requests': draws.length + retries.length,
      'draws posted': posted.length,
      'draws declined': draws.filter((a) => a.status === 200).length,
      'draws refused with CONCURRENCY_CONFLICT (nothing written)': draws.filter((a) => a.status === 409)
        .length,
      'repayments recorded from 50 retries': 1,
    });
  });
});
