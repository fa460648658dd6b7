import Database from 'better-sqlite3';
import { Money } from '@ledger/credit';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createProjections } from '../projections/create-projections';
import { PortfolioProjection } from '../projections/portfolio.projection';
import { ProjectionRunner } from '../runner/projection-runner';
import { mergeShares } from '../runner/shares';
import { dumpReadModels, readModelFixture, readModelsInLogOrder } from '../testing/read-model-fixture';
import { simulateRandomPortfolio } from '../testing/random-portfolio';

/**
 * Five accounts over four month ends, the figures worked out by hand:
 * - acc-a and acc-b open on 5 Jan and draw 1,000.00 each; acc-c opens and draws nothing;
 * - acc-d is approved on 5 Jan but activated only on 1 Feb; acc-e applies and opens on 1 Feb;
 * - acc-a never pays: overdue from 11 Feb (its first statement was due on the 10th), day 18 at the end
 *   of February (M1), day 49 at the end of March (M2), day 79 at the end of April (M3);
 * - acc-b pays nothing in February (M1 at its end) and everything it owes on 3 March: cured (and on
 *   1 April the interest of 1 and 2 March that the March statement billed).
 * Each account's owed at each month end is read from its balances row then.
 */
async function fiveAccounts() {
  const fixture = readModelFixture();
  const { sim, queries, catchUp } = fixture;
  const owed = new Map<string, string>();
  const monthEnd = async (date: string) => {
    await sim.closeDaysThrough(date);
    await catchUp();
    for (const id of ['acc-a', 'acc-b', 'acc-c', 'acc-d', 'acc-e']) {
      const account = queries.getAccount(id);
      if (account?.status === 'ACTIVE') owed.set(`${id}@${date.slice(0, 7)}`, account.owed.total);
    }
  };
  await sim.open('acc-a');
  await sim.open('acc-b');
  await sim.open('acc-c');
  await sim.submit('acc-d');
  await sim.draw('acc-a', 'o-a', '1000.00');
  await sim.draw('acc-b', 'o-b', '1000.00');
  await monthEnd('2026-01-31');
  await sim.command('acc-d', { type: 'ActivateAccount', agreementVersion: 'fenfu-2026.1', autoRepayCardLast4: '6222' });
  await sim.open('acc-e');
  await monthEnd('2026-02-28');
  await sim.closeDaysThrough('2026-03-03');
  await catchUp();
  await sim.repay('acc-b', 'p-b', queries.getAccount('acc-b')!.owed.total);
  await monthEnd('2026-03-31');
  // The interest of 1 and 2 March comes on March's statement: paid, or acc-b would fall overdue again.
  await sim.repay('acc-b', 'p-b2', queries.getAccount('acc-b')!.owed.total);
  await monthEnd('2026-04-30');
  /** What the accounts named owed at the month end of `month`, added up. */
  const sum = (month: string, ...ids: string[]) => Money.sum(ids.map((id) => Money.of(owed.get(`${id}@${month}`)!))).toString();
  return { ...fixture, owed, sum };
}

describe('the vintage curves', () => {
  it('counts each approval month’s open accounts by bucket at every month end, with months on book', async () => {
    const { queries, owed, sum, runner } = await fiveAccounts();
    // 27 days of interest on 1,000.00 at 0.045% a day, billed on January's statement.
    expect(owed.get('acc-a@2026-01')).toBe('1012.15');
    const { cohorts } = queries.getVintages();
    expect(cohorts.map((c) => c.cohort)).toEqual(['2026-01', '2026-02']);
    const january = cohorts[0].monthEnds;
    const counts = (i: number) => january[i].buckets.map((b) => [b.bucket, b.accounts]);
    expect(january.map((m) => [m.month, m.monthsOnBook, m.accounts])).toEqual([
      // acc-d, approved in January, is counted from the month end after its activation.
      ['2026-01', 0, 3],
      ['2026-02', 1, 4],
      ['2026-03', 2, 4],
      ['2026-04', 3, 4],
    ]);
    expect(counts(0)).toEqual([['CURRENT', 3], ['M1', 0], ['M2', 0], ['M3', 0], ['M3+', 0]]);
    expect(counts(1)).toEqual([['CURRENT', 2], ['M1', 2], ['M2', 0], ['M3', 0], ['M3+', 0]]);
    expect(counts(2)).toEqual([['CURRENT', 3], ['M1', 0], ['M2', 1], ['M3', 0], ['M3+', 0]]);
    expect(counts(3)).toEqual([['CURRENT', 3], ['M1', 0], ['M2', 0], ['M3', 1], ['M3+', 0]]);
    expect(january[0].outstanding).toBe('2024.30');
    expect(january[1].buckets[1]).toEqual({ bucket: 'M1', accounts: 2, outstanding: sum('2026-02', 'acc-a', 'acc-b') });
    expect(january[2].buckets[0].outstanding).toBe(sum('2026-03', 'acc-b', 'acc-c', 'acc-d'));
    expect(january.map((m) => [m.m1Plus.accounts, m.m1Plus.share, m.m3Plus.accounts, m.m3Plus.share])).toEqual([
      [0, '0.0000', 0, '0.0000'],
      [2, '0.5000', 0, '0.0000'],
      [1, '0.2500', 0, '0.0000'],
      // M3 is past due but not yet M3+ (over 90 days).
      [1, '0.2500', 0, '0.0000'],
    ]);
    expect(january[3].m1Plus.outstanding).toBe(owed.get('acc-a@2026-04'));
    expect(cohorts[1].monthEnds.map((m) => [m.month, m.monthsOnBook, m.accounts, m.buckets[0].accounts])).toEqual([
      ['2026-02', 0, 1, 1],
      ['2026-03', 1, 1, 1],
      ['2026-04', 2, 1, 1],
    ]);
    await runner.close();
  });

  it('selects cohorts by approval month, and refuses a month that is not YYYY-MM or a range that ends before it begins', async () => {
    const { queries, runner } = await fiveAccounts();
    expect(queries.getVintages({ from: '2026-02' }).cohorts.map((c) => c.cohort)).toEqual(['2026-02']);
    expect(queries.getVintages({ to: '2026-01' }).cohorts.map((c) => c.cohort)).toEqual(['2026-01']);
    expect(queries.getVintages({ from: '2026-03' }).cohorts).toEqual([]);
    expect(() => queries.getVintages({ from: '2026-13' })).toThrow(expect.objectContaining({ field: 'from' }));
    expect(() => queries.getVintages({ to: '2026-2' })).toThrow(expect.objectContaining({ field: 'to' }));
    expect(() => queries.getVintages({ from: '2026-03', to: '2026-02' })).toThrow(expect.objectContaining({ field: 'to' }));
    await runner.close();
  });
});

describe('the risk figures in a replay by account', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'ledger-risk-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('come out as the log’s order leaves them, in one process and split in two', async () => {
    const { sim, store, runner } = await fiveAccounts();
    await simulateRandomPortfolio(sim, { seed: 777, accounts: 12, lastDate: '2026-09-10' });
    const portfolio = [new PortfolioProjection()];
    const expected = await readModelsInLogOrder(store);
    const byAccount = new ProjectionRunner({ store, database: new Database(':memory:'), projections: createProjections(), replayBatchSize: 250 });
    await byAccount.rebuild();
    expect(dumpReadModels(byAccount.db, byAccount.projections)).toBe(expected);
    const vintages = dumpReadModels(byAccount.db, portfolio).split('\n').filter((line) => line.includes('"vintage_month"'));
    expect(vintages.length).toBeGreaterThan(20);
    await byAccount.close();

    const files = [join(dir, 'share-0.sqlite'), join(dir, 'share-1.sqlite')];
    for (const [index, file] of files.entries()) {
      const share = new ProjectionRunner({ store, database: file, projections: createProjections() });
      await share.replayShare({ index, of: 2 }, await store.headPosition());
      await share.close();
    }
    const merged = new Database(files[0]);
    mergeShares(merged, files.slice(1), createProjections());
    expect(dumpReadModels(merged, createProjections())).toBe(expected);
    merged.close();
    await runner.close();
  });
});
