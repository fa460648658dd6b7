/**
 * The risk views over HTTP on a simulated portfolio, against each account replayed from the log to the
 * close of each month end (GET /accounts/:id/history?businessDate=): the vintage curves count every
 * account at every month end in its approval month's cohort and bucket, and the roll rates pair its
 * bucket at each month end with its bucket at the one before.
 */
import { CommandBus } from '@nestjs/cqrs';
import { Dec, lastOfMonth, Money } from '@ledger/credit';
import type { AccountPage, AccountView, RollRatesView, VintagesView } from '@ledger/projections';
import { AccountRepository, BusinessClock, PortfolioSimulator } from '@ledger/servicing';
import { startLedger, type TestLedger } from '../support/ledger-app';

/** An account at a month end, as a replay of its stream to that close gives it. */
interface AtMonthEnd {
  cohort: string;
  /** Its bucket, null when it was not open (active or closed) then. */
  bucket: string | null;
  owed: string;
  /** Why its oldest overdue began, null when not overdue. */
  kind: string | null;
}

const BUCKETS = ['CURRENT', 'M1', 'M2', 'M3', 'M3+'];

describe('the portfolio risk views', () => {
  let ledger: TestLedger;
  let months: string[];
  /** Each account's figures at each month end, by account id then month. */
  const replayed = new Map<string, Map<string, AtMonthEnd>>();

  beforeAll(async () => {
    ledger = await startLedger();
    const { app } = ledger;
    const clock = app.get(BusinessClock);
    const simulator = new PortfolioSimulator(app.get(CommandBus), app.get(AccountRepository), clock);
    await simulator.run({ accounts: 60, months: 6, seed: 5, start: clock.businessDate() });
    const viewer = () => ledger.as('viewer');
    const trend = (await viewer().get('/portfolio').expect(200)).body.delinquencyByMonth as { month: string }[];
    months = [...new Set(trend.map((r) => r.month))];
    const accounts = (await viewer().get('/accounts?limit=500').expect(200)).body as AccountPage;
    for (const { accountId } of accounts.items) {
      const history = (await ledger.as('auditor').get(`/accounts/${accountId}/history`).expect(200)).body as { events: { type: string; data: { on: string } }[] };
      const approved = history.events.find((e) => e.type === 'ApplicationApproved');
      if (approved === undefined) continue;
      const byMonth = new Map<string, AtMonthEnd>();
      for (const month of months) {
        const at = (await ledger.as('auditor').get(`/accounts/${accountId}/history?businessDate=${lastOfMonth(month)}&limit=1`).expect(200)).body as { balances: AccountView | null };
        const open = at.balances !== null && (at.balances.status === 'ACTIVE' || at.balances.status === 'CLOSED');
        byMonth.set(month, { cohort: approved.data.on.slice(0, 7), bucket: open ? at.balances!.overdue.bucket : null, owed: at.balances?.owed.total ?? '0.00', kind: open ? at.balances!.overdue.kind : null });
      }
      replayed.set(accountId, byMonth);
    }
  }, 120_000);
  afterAll(async () => ledger?.close());

  /** The replayed accounts at `month` that pass `keep`: how many, and what they owe. */
  function counted(month: string, keep: (a: AtMonthEnd) => boolean): { accounts: number; outstanding: string } {
    const picked = [...replayed.values()].map((m) => m.get(month)!).filter((a) => a.bucket !== null && keep(a));
    return { accounts: picked.length, outstanding: Money.sum(picked.map((a) => Money.of(a.owed))).toString() };
  }

  it('has the simulated portfolio span several cohorts, month ends and buckets', () => {
    expect(months.length).toBe(6);
    const cohorts = new Set([...replayed.values()].map((m) => m.get(months[0])!.cohort));
    expect(cohorts.size).toBeGreaterThanOrEqual(2);
    expect(counted(months[5], (a) => a.bucket !== 'CURRENT').accounts).toBeGreaterThan(0);
  });

  it('counts each cohort’s open accounts by bucket at every month end, as the log replayed to that close has them', async () => {
    const view = (await ledger.as('viewer').get('/portfolio/vintages').expect(200)).body as VintagesView;
    // The cohorts with an account open at some month end: one approved and not yet activated counts in none.
    const cohorts = [...new Set([...replayed.values()].filter((m) => [...m.values()].some((a) => a.bucket !== null)).map((m) => m.get(months[0])!.cohort))].sort();
    expect(view.cohorts.map((c) => c.cohort)).toEqual(cohorts);
    for (const { cohort, monthEnds } of view.cohorts) {
      const expected = months
        .filter((month) => counted(month, (a) => a.cohort === cohort).accounts > 0)
        .map((month) => {
          const all = counted(month, (a) => a.cohort === cohort);
          return {
            month,
            accounts: all.accounts,
            outstanding: all.outstanding,
            buckets: BUCKETS.map((bucket) => ({ bucket, ...counted(month, (a) => a.cohort === cohort && a.bucket === bucket) })),
            m1Plus: counted(month, (a) => a.cohort === cohort && a.bucket !== 'CURRENT').accounts,
            m2Plus: counted(month, (a) => a.cohort === cohort && a.bucket !== 'CURRENT' && a.bucket !== 'M1').accounts,
            m3Plus: counted(month, (a) => a.cohort === cohort && a.bucket === 'M3+').accounts,
          };
        });
      expect(monthEnds.map((m) => ({ month: m.month, accounts: m.accounts, outstanding: m.outstanding, buckets: m.buckets, m1Plus: m.m1Plus.accounts, m2Plus: m.m2Plus.accounts, m3Plus: m.m3Plus.accounts }))).toEqual(expected);
      for (const m of monthEnds) expect(m.m1Plus.share).toBe(new Dec(m.m1Plus.accounts).div(m.accounts).toFixed(4));
    }
  });

  it('selects cohorts by approval month, and refuses a month that is not YYYY-MM with the field named', async () => {
    const all = (await ledger.as('viewer').get('/portfolio/vintages').expect(200)).body as VintagesView;
    const second = all.cohorts[1].cohort;
    const from = (await ledger.as('viewer').get(`/portfolio/vintages?from=${second}`).expect(200)).body as VintagesView;
    expect(from.cohorts).toEqual(all.cohorts.slice(1));
    const only = (await ledger.as('viewer').get(`/portfolio/vintages?from=${second}&to=${second}`).expect(200)).body as VintagesView;
    expect(only.cohorts).toEqual([all.cohorts[1]]);
    const newest = (await ledger.as('viewer').get('/portfolio/vintages?last=1').expect(200)).body as VintagesView;
    expect([newest.cohorts, newest.olderCohorts, all.olderCohorts]).toEqual([all.cohorts.slice(-1), all.cohorts.length - 1, 0]);
    const lastTwoFrom = (await ledger.as('viewer').get(`/portfolio/vintages?to=${second}&last=1`).expect(200)).body as VintagesView;
    expect([lastTwoFrom.cohorts, lastTwoFrom.olderCohorts]).toEqual([[all.cohorts[1]], 1]);
    for (const last of ['0', '1.5', '0x10', '1201']) {
      const refused = await ledger.as('viewer').get(`/portfolio/vintages?last=${last}`).expect(400);
      expect([last, refused.body.details?.[0]?.field]).toEqual([last, 'last']);
    }
    const bad = await ledger.as('viewer').get('/portfolio/vintages?from=2026-1').expect(400);
    expect(bad.body).toMatchObject({ error: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'from' })] });
    const backwards = await ledger.as('viewer').get('/portfolio/vintages?from=2026-03&to=2026-02').expect(400);
    expect(backwards.body).toMatchObject({ error: 'VALIDATION_FAILED', details: [{ field: 'to' }] });
  });

  it('pairs every account’s bucket at each month end with its bucket at the one before, as the log replayed to both closes has them', async () => {
    const view = (await ledger.as('viewer').get('/portfolio/roll-rates').expect(200)).body as RollRatesView;
    expect(view.months.map((m) => m.month)).toEqual(months);
    const standing = (id: string, i: number) => (i < 0 ? null : replayed.get(id)!.get(months[i])!.bucket) ?? 'NEW';
    let offDiagonal = 0;
    const kinds = new Set<string>();
    for (const [i, { month, rows }] of view.months.entries()) {
      const ids = [...replayed.keys()].filter((id) => replayed.get(id)!.get(month)!.bucket !== null);
      for (const row of rows) {
        const inRow = ids.filter((id) => standing(id, i - 1) === row.from);
        const owed = (picked: string[]) => Money.sum(picked.map((id) => Money.of(replayed.get(id)!.get(month)!.owed))).toString();
        expect([month, row.from, row.accounts, row.outstanding]).toEqual([month, row.from, inRow.length, owed(inRow)]);
        for (const cell of row.to) {
          const inCell = inRow.filter((id) => standing(id, i) === cell.bucket);
          if (row.from !== 'NEW' && row.from !== cell.bucket) offDiagonal += inCell.length;
          expect([month, row.from, cell.bucket, cell.accounts, cell.outstanding, cell.share]).toEqual([
            month,
            row.from,
            cell.bucket,
            inCell.length,
            owed(inCell),
            inRow.length === 0 ? '0.0000' : new Dec(inCell.length).div(inRow.length).toFixed(4),
          ]);
          const kindOf = (id: string) => replayed.get(id)!.get(month)!.kind;
          expect([month, row.from, cell.bucket, cell.byKind]).toEqual([
            month,
            row.from,
            cell.bucket,
            { MINIMUM_NOT_PAID: inCell.filter((id) => kindOf(id) === 'MINIMUM_NOT_PAID').length, DEFERRAL_LIMIT_REACHED: inCell.filter((id) => kindOf(id) === 'DEFERRAL_LIMIT_REACHED').length },
          ]);
          for (const [kind, n] of Object.entries(cell.byKind)) if (n > 0) kinds.add(kind);
        }
      }
    }
    expect(offDiagonal).toBeGreaterThan(3);
    // Both kinds meet the test: a cell split by them is compared, not only zeros.
    expect([...kinds].sort()).toEqual(['DEFERRAL_LIMIT_REACHED', 'MINIMUM_NOT_PAID']);
  });

  it('selects month ends by month, and refuses a month that is not YYYY-MM with the field named', async () => {
    const all = (await ledger.as('viewer').get('/portfolio/roll-rates').expect(200)).body as RollRatesView;
    const some = (await ledger.as('viewer').get(`/portfolio/roll-rates?from=${months[1]}&to=${months[2]}`).expect(200)).body as RollRatesView;
    expect(some.months).toEqual(all.months.slice(1, 3));
    const bad = await ledger.as('viewer').get('/portfolio/roll-rates?to=2026-13').expect(400);
    expect(bad.body).toMatchObject({ error: 'VALIDATION_FAILED', details: [expect.objectContaining({ field: 'to' })] });
  });
});
