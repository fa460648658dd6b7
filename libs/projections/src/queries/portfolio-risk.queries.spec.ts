import Database from 'better-sqlite3';
import { Money, nextMonth } from '@ledger/credit';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createProjections } from '../projections/create-projections';
import { PortfolioProjection } from '../projections/portfolio.projection';
import type { AccountChange } from '../runner/projection';
import { ProjectionRunner } from '../runner/projection-runner';
import { mergeShares } from '../runner/shares';
import { accountChanges, tablesAfter } from '../testing/batch-equivalence';
import { dumpReadModels, readModelFixture, readModelsInLogOrder } from '../testing/read-model-fixture';
import { simulateRandomPortfolio } from '../testing/random-portfolio';
import type { RollMonth } from './portfolio-risk.queries';

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

describe('the roll rates', () => {
  /** A month's matrix as [from, to, accounts] for each cell with accounts, rows NEW then CURRENT to M3+. */
  const cells = (month: RollMonth) => month.rows.flatMap((row) => row.to.filter((c) => c.accounts > 0).map((c) => [row.from, c.bucket, c.accounts]));

  it('pairs each account’s bucket at a month end with its bucket at the one before, new accounts coming from NEW', async () => {
    const { queries, owed, sum, runner, db } = await fiveAccounts();
    const { months } = queries.getRollRates();
    expect(months.map((m) => m.month)).toEqual(['2026-01', '2026-02', '2026-03', '2026-04']);
    expect(months.map(cells)).toEqual([
      [['NEW', 'CURRENT', 3]],
      // acc-d (approved in January, activated in February) and acc-e come from NEW.
      [['NEW', 'CURRENT', 2], ['CURRENT', 'CURRENT', 1], ['CURRENT', 'M1', 2]],
      // acc-b cured, acc-a rolled forward.
      [['CURRENT', 'CURRENT', 3], ['M1', 'CURRENT', 1], ['M1', 'M2', 1]],
      [['CURRENT', 'CURRENT', 4], ['M2', 'M3', 1]],
    ]);
    const march = months[2].rows.find((r) => r.from === 'M1')!;
    expect(march).toMatchObject({ accounts: 2, outstanding: sum('2026-03', 'acc-a', 'acc-b') });
    expect(march.to.map((c) => [c.bucket, c.share, c.outstanding])).toEqual([
      ['CURRENT', '0.5000', owed.get('acc-b@2026-03')],
      ['M1', '0.0000', '0.00'],
      ['M2', '0.5000', owed.get('acc-a@2026-03')],
      ['M3', '0.0000', '0.00'],
      ['M3+', '0.0000', '0.00'],
    ]);
    expect(months[0].rows[0]).toMatchObject({ from: 'NEW', accounts: 3, outstanding: '2024.30' });
    expect(months[1].rows.find((r) => r.from === 'CURRENT')!.to.map((c) => c.share)).toEqual(['0.3333', '0.6667', '0.0000', '0.0000', '0.0000']);
    // An empty row has every share 0.
    expect(months[3].rows.find((r) => r.from === 'M3+')).toMatchObject({ accounts: 0, to: expect.arrayContaining([expect.objectContaining({ share: '0.0000' })]) });
    // Nothing has moved since April's month end: no account waits in the table of those that did.
    expect(db.prepare('SELECT count(*) FROM portfolio_roll_from').pluck().get()).toBe(0);
    expect(queries.getRollRates({ from: '2026-02', to: '2026-03' }).months.map((m) => m.month)).toEqual(['2026-02', '2026-03']);
    expect(() => queries.getRollRates({ to: '2026-00' })).toThrow(expect.objectContaining({ field: 'to' }));
    await runner.close();
  });

  it('keeps between month ends only the accounts whose bucket moved, with their bucket at the last one', async () => {
    const { sim, queries, catchUp, runner, db } = await fiveAccounts();
    // acc-a, M3 since April's month end, passes 90 days past due on 11 May: M3+.
    await sim.closeDaysThrough('2026-05-12');
    await sim.open('acc-f');
    await catchUp();
    expect(queries.getAccount('acc-a')!.overdue.bucket).toBe('M3+');
    expect(db.prepare('SELECT account_id, standing FROM portfolio_roll_from ORDER BY account_id').raw(true).all()).toEqual([
      ['acc-a', 'M3'],
      ['acc-f', 'NEW'],
    ]);
    await sim.closeDaysThrough('2026-05-31');
    await catchUp();
    expect(cells(queries.getRollRates({ from: '2026-05' }).months[0])).toEqual([['NEW', 'CURRENT', 1], ['CURRENT', 'CURRENT', 4], ['M3', 'M3+', 1]]);
    await runner.close();
  });

  it('counts a closed account as the buckets do, in its cohort and rolling from its bucket, in batches of any size', async () => {
    const { sim, store } = readModelFixture();
    await sim.open('acc-a');
    await sim.open('acc-c');
    await sim.draw('acc-a', 'o-a', '1000.00');
    await sim.closeDaysThrough('2026-01-31');
    const januaryEnd = (await accountChanges(store)).chain.length;
    await sim.closeDaysThrough('2026-02-28');
    const { chain } = await accountChanges(store);
    // No event closes an account yet: a state closed by hand, after January's month end, stands for one.
    const lastOfC = chain.slice(0, januaryEnd).reverse().find((c) => c.kind === 'account' && c.accountId === 'acc-c') as AccountChange;
    const closing: AccountChange = { ...lastOfC, event: { type: 'PayScoreUpdated', data: { on: '2026-02-01', payScore: 700 } }, before: lastOfC.after, after: { ...lastOfC.after, status: 'CLOSED' } };
    const changes = [...chain.slice(0, januaryEnd), closing, ...chain.slice(januaryEnd)];
    const perEvent = tablesAfter(new PortfolioProjection(), changes, 1);
    expect(tablesAfter(new PortfolioProjection(), changes, changes.length)).toBe(perEvent);
    const figures = perEvent
      .split('\n')
      .filter((line) => line.startsWith('{') && line.includes('"section":"'))
      .map((line) => JSON.parse(line) as { section: string; key: string; count: number })
      .filter((r) => ['status', 'vintage_month', 'roll_month'].includes(r.section) && !(r.section === 'vintage_month' ? r.key.split('\u0000')[1] : r.key).startsWith('2026-01'))
      .map((r) => [r.section, r.key.split('\u0000').join(' '), r.count]);
    expect(figures).toEqual([
      ['roll_month', '2026-02 CURRENT CURRENT', 1],
      ['roll_month', '2026-02 CURRENT M1', 1],
      ['status', 'ACTIVE', 1],
      ['status', 'CLOSED', 1],
      ['vintage_month', '2026-01 2026-02 CURRENT', 1],
      ['vintage_month', '2026-01 2026-02 M1', 1],
    ]);
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
    // What depends on the order: month-end figures by cohort, rolls off the diagonal, and accounts that moved since the last month end.
    const rows = dumpReadModels(byAccount.db, portfolio).split('\n');
    expect(rows.filter((line) => line.includes('"vintage_month"')).length).toBeGreaterThan(20);
    const rolls = rows.filter((line) => line.includes('"roll_month"')).map((line) => (JSON.parse(line) as { key: string }).key.split('\u0000'));
    expect(rolls.filter(([, from, to]) => from !== to && from !== 'NEW').length).toBeGreaterThan(5);
    expect(byAccount.db.prepare('SELECT count(*) FROM portfolio_roll_from').pluck().get()).toBeGreaterThan(0);
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

describe('the risk views by range', () => {
  /** Fourteen monthly cohorts of two accounts each, one drawing and never paying, so each month end has rolls off the diagonal. */
  async function cohorts() {
    const fixture = readModelFixture();
    const { sim, catchUp } = fixture;
    const months: string[] = [];
    for (let month = '2026-01'; months.length < 14; month = nextMonth(month)) {
      months.push(month);
      await sim.closeDaysThrough(`${month}-01`);
      await sim.open(`acc-${month}-a`);
      await sim.open(`acc-${month}-b`);
      await sim.draw(`acc-${month}-a`, `o-${month}`, '500.00');
    }
    await sim.closeDaysThrough('2027-03-01');
    await catchUp();
    return { ...fixture, months };
  }

  it('answer each range and last N as the whole answer filtered, reading by the table’s key', async () => {
    const { queries, runner, months, db } = await cohorts();
    const all = queries.getVintages();
    expect(all.cohorts.map((c) => c.cohort)).toEqual(months);
    // The whole answer holds every row of the table: each cohort's accounts at each month end, summed here from a scan.
    const scanned = new Map<string, number>();
    for (const { key, count } of db.prepare("SELECT key, count FROM portfolio_figures WHERE section = 'vintage_month'").all() as { key: string; count: number }[]) {
      const [cohort, month] = key.split('\u0000');
      scanned.set(`${cohort} ${month}`, (scanned.get(`${cohort} ${month}`) ?? 0) + count);
    }
    expect(new Map(all.cohorts.flatMap((c) => c.monthEnds.map((m) => [`${c.cohort} ${m.month}`, m.accounts])))).toEqual(scanned);
    expect(scanned.size).toBe((14 * 15) / 2);
    const rolls = queries.getRollRates();
    expect(rolls.months.map((m) => m.month)).toEqual(months);
    const rolled = db.prepare("SELECT count FROM portfolio_figures WHERE section = 'roll_month'").pluck().all() as number[];
    expect(rolls.months.flatMap((m) => m.rows.map((row) => row.accounts)).reduce((a, b) => a + b, 0)).toBe(rolled.reduce((a, b) => a + b, 0));
    expect(rolls.months.at(-1)!.rows.some((row) => row.from === 'M1' && row.to.some((cell) => cell.bucket === 'M2' && cell.accounts > 0))).toBe(true);
    const bounds = [undefined, '2025-12', ...months, '2027-03'];
    const within = (month: string, from?: string, to?: string) => (from === undefined || month >= from) && (to === undefined || month <= to);
    let checked = 0;
    for (const from of bounds) {
      for (const to of bounds) {
        if (from !== undefined && to !== undefined && to < from) continue;
        const cohortsIn = all.cohorts.filter((c) => within(c.cohort, from, to));
        for (const last of [undefined, 1, 2, 5, 13, 14, 15]) {
          const kept = last === undefined ? cohortsIn : cohortsIn.slice(-last);
          expect(queries.getVintages({ from, to, last })).toEqual({ ...all, cohorts: kept, olderCohorts: cohortsIn.length - kept.length });
          checked++;
        }
        expect(queries.getRollRates({ from, to })).toEqual({ ...rolls, months: rolls.months.filter((m) => within(m.month, from, to)) });
      }
    }
    expect(checked).toBeGreaterThan(1000);
    await runner.close();
  });
});
