import { dumpReadModels, readModelFixture, readModelsInLogOrder } from '../testing/read-model-fixture';

describe('the balances read model', () => {
  it('shows a new account with its limit available and nothing owed', async () => {
    const { sim, queries, catchUp } = readModelFixture();
    await sim.open('acc-1', { payScore: 720 });
    await catchUp();
    const account = queries.getAccount('acc-1');
    expect(account).toMatchObject({
      accountId: 'acc-1',
      status: 'ACTIVE',
      holder: { idNumberMasked: '110***********1234', nameMasked: '张*' },
      channel: 'INVITED',
      limit: '3000.00',
      available: '3000.00',
      dailyRate: '0.00045',
      annualRate: '0.16425',
      // 1.5 x the daily rate, capped at 0.00065 (PRODUCT.md); its annual rate as a statement shows it.
      penaltyDailyRate: '0.00065',
      penaltyAnnualRate: '0.23725',
      owed: { total: '0.00' },
      overdue: { amount: '0.00', since: null, daysPastDue: 0, bucket: 'CURRENT' },
      flags: { frozen: false, suspended: false, paymentLocked: false },
      payScore: 720,
    });
  });

  it('moves a draw from unbilled to billed revolving principal when the statement is issued', async () => {
    const { sim, queries, catchUp } = readModelFixture();
    await sim.open('acc-1');
    await sim.draw('acc-1', 'o-1', '1000.00');
    await catchUp();
    expect(queries.getAccount('acc-1')?.owed).toMatchObject({
      revolvingUnbilled: '1000.00',
      revolvingBilled: '0.00',
      total: '1000.00',
    });
    await sim.closeDaysThrough('2026-01-31');
    await catchUp();
    const owed = queries.getAccount('acc-1')?.owed;
    expect(owed).toMatchObject({ revolvingUnbilled: '0.00', revolvingBilled: '1000.00' });
    expect(queries.getAccount('acc-1')?.lastStatementId).toBe('2026-01');
    expect(queries.getAccount('acc-1')?.available).toBe('1987.85');
  });

  it('counts days past due from the day after the due date up to the current business date', async () => {
    const { sim, queries, catchUp } = readModelFixture();
    await sim.open('acc-1');
    await sim.draw('acc-1', 'o-1', '1000.00');
    await sim.closeDaysThrough('2026-02-14');
    await catchUp();
    const account = queries.getAccount('acc-1');
    expect(account?.overdue).toMatchObject({ since: '2026-02-11', daysPastDue: 5, bucket: 'M1' });
    expect(account?.flags.frozen).toBe(true);
    expect(account?.asOf).toBe('2026-02-15');
  });

  it('updates each row batch after batch to what a rebuild from the log writes at once', async () => {
    // Following the log in batches of three events: the accounts' rows (balances, the end-of-day
    // schedule) are written first and then updated many times over, each column of them.
    const { store, sim, db, runner, queries, catchUp } = readModelFixture({ batchSize: 3 });
    await sim.open('acc-1', { payScore: 720 });
    await sim.open('acc-2');
    await catchUp();
    await sim.draw('acc-1', 'o-1', '1000.00');
    await sim.draw('acc-2', 'o-2', '250.00');
    await sim.closeDaysThrough('2026-01-31');
    await sim.repay('acc-2', 'r-1', '250.00');
    await sim.closeDaysThrough('2026-02-14');
    await catchUp();
    // The day it went overdue, and the schedule moved on from its due date.
    expect(queries.getAccount('acc-1')?.overdue.bucket).toBe('M1');
    expect(dumpReadModels(db, runner.projections)).toBe(await readModelsInLogOrder(store));
    await runner.close();
  });
});
