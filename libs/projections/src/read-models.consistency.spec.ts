/**
 * Invariants over a seeded random portfolio: every read model agrees with a replay of the log through the
 * domain, and with the other read models.
 */
import {
  availableCredit,
  Dec,
  fold,
  initialState,
  Money,
  OVERDUE_ORIGINS,
  overdueAmount,
  overdueSince,
  postingsFor,
  totalOwed,
} from '@ledger/credit';
import Database from 'better-sqlite3';
import { JournalProjection } from './projections/journal.projection';
import { decodeLedgerEvent } from './runner/ledger-streams';
import { ProjectionRunner } from './runner/projection-runner';
import { dumpReadModels, readModelFixture } from './testing/read-model-fixture';
import { simulateRandomPortfolio } from './testing/random-portfolio';

describe('read models after a random portfolio of eight months', () => {
  const fixture = readModelFixture({ stateCacheSize: 4, stateCacheBytes: 60_000, batchSize: 97 });
  const { sim, store, db, queries } = fixture;

  beforeAll(async () => {
    await simulateRandomPortfolio(sim, { seed: 20260105, accounts: 14, lastDate: '2026-08-20' });
    await fixture.catchUp();
  });
  afterAll(() => fixture.runner.close());

  async function replayed(accountId: string) {
    const events = (await store.readStream(`credit-account-${accountId}`)).map(decodeLedgerEvent);
    return fold(
      initialState(accountId),
      events.flatMap((e) => (e.kind === 'account' ? [e.event] : [])),
    );
  }

  it('exercises overdue, penalty interest, installments and reviews', () => {
    const portfolio = queries.getPortfolio();
    expect(portfolio.delinquency.find((b) => b.bucket === 'M3+')?.accounts).toBeGreaterThan(0);
    expect(portfolio.accountsByStatus.REJECTED).toBeGreaterThan(0);
    expect(new Dec(portfolio.outstanding.installment).isPositive()).toBe(true);
    expect(portfolio.billedByMonth.some((m) => new Dec(m.penaltyInterest).isPositive())).toBe(true);
    expect(portfolio.limitChangesByQuarter.map((q) => q.quarter)).toEqual(['2026-Q1', '2026-Q2']);
  });

  it('holds for every account the balances a replay of its stream gives', async () => {
    for (const accountId of sim.accounts.keys()) {
      const state = await replayed(accountId);
      const view = queries.getAccount(accountId);
      expect(view).toMatchObject({
        status: state.status,
        limit: state.limit.toString(),
        available: availableCredit(state).toString(),
        owed: { total: totalOwed(state).toString() },
        overdue: {
          amount: overdueAmount(state).toString(),
          since: overdueSince(state),
          bucket: state.bucket,
        },
        lastStatementId: state.lastStatementId,
      });
      const owed = view!.owed;
      const parts = [
        owed.revolvingUnbilled,
        owed.revolvingBilled,
        owed.installmentPrincipal,
        owed.interest,
        owed.fees,
        owed.penaltyInterest,
      ];
      expect(Money.sum(parts.map((p) => Money.of(p))).toString()).toBe(owed.total);
    }
  });

  it('keeps portfolio totals equal to the sum of the account rows', () => {
    const accounts = queries.listAccounts({ limit: 500 }).items;
    const active = accounts.filter((a) => a.status === 'ACTIVE');
    const sum = (pick: (a: (typeof accounts)[number]) => string) =>
      Money.sum(active.map((a) => Money.of(pick(a)))).toString();
    const portfolio = queries.getPortfolio();
    expect(portfolio.outstanding.total).toBe(sum((a) => a.owed.total));
    expect(portfolio.outstanding.revolvingBilled).toBe(sum((a) => a.owed.revolvingBilled));
    expect(portfolio.outstanding.installment).toBe(sum((a) => a.owed.installmentPrincipal));
    expect(portfolio.outstanding.penalty).toBe(sum((a) => a.owed.penaltyInterest));
    expect(portfolio.exposure.limit).toBe(sum((a) => a.limit));
    const cannotDraw = active.filter((a) => a.flags.paymentLocked || a.flags.frozen || a.flags.suspended);
    expect(cannotDraw.length).toBeGreaterThan(0);
    expect(portfolio.exposure.restricted.accounts).toBe(cannotDraw.length);
    expect(portfolio.exposure.restricted.available).toBe(Money.sum(cannotDraw.map((a) => Money.of(a.available))).toString());
    expect(portfolio.exposure.drawable).toBe(Money.sum(active.filter((a) => !cannotDraw.includes(a)).map((a) => Money.of(a.available))).toString());
    for (const bucket of portfolio.delinquency) {
      const inBucket = active.filter((a) => a.overdue.bucket === bucket.bucket);
      expect(bucket.accounts).toBe(inBucket.length);
      expect(bucket.outstanding).toBe(Money.sum(inBucket.map((a) => Money.of(a.owed.total))).toString());
      expect(bucket.overdue).toBe(Money.sum(inBucket.map((a) => Money.of(a.overdue.amount))).toString());
      // Split by why the oldest overdue began, as each account row says.
      for (const kind of OVERDUE_ORIGINS) {
        const ofKind = inBucket.filter((a) => a.overdue.kind === kind);
        expect(bucket.byKind[kind]).toEqual({ accounts: ofKind.length, overdue: Money.sum(ofKind.map((a) => Money.of(a.overdue.amount))).toString() });
      }
      expect(bucket.byKind.MINIMUM_NOT_PAID.accounts + bucket.byKind.DEFERRAL_LIMIT_REACHED.accounts).toBe(inBucket.filter((a) => a.overdue.kind !== null).length);
    }
    expect(portfolio.delinquency.reduce((n, b) => n + b.byKind.MINIMUM_NOT_PAID.accounts + b.byKind.DEFERRAL_LIMIT_REACHED.accounts, 0)).toBeGreaterThan(0);
    const byStatus: Record<string, number> = {};
    for (const a of accounts) byStatus[a.status] = (byStatus[a.status] ?? 0) + 1;
    expect(portfolio.accountsByStatus).toEqual(byStatus);
  });

  it('charges on every statement exactly the sum of its daily accrual rows, to the digit', () => {
    let statements = 0;
    for (const accountId of sim.accounts.keys()) {
      for (const s of queries.getStatements(accountId)) {
        const accruals = queries.getAccruals(accountId, s.periodFrom, s.periodTo);
        expect(accruals.to).toBe(s.periodTo);
        expect(accruals.totals).toEqual({
          interest: s.interest.exact,
          penaltyInterest: s.penaltyInterest.exact,
        });
        statements += 1;
      }
    }
    expect(statements).toBeGreaterThan(40);
  });

  it('sums the portfolio accrual of each day to the accounts of that day', () => {
    const days = queries.portfolioAccrualByDay('2026-03-01', '2026-03-31');
    const ids = [...sim.accounts.keys()];
    for (const day of days) {
      const perAccount = ids.map((id) => queries.getAccruals(id, day.date, day.date).totals);
      expect(day.interest).toBe(perAccount.reduce((a, t) => a.plus(t.interest), new Dec(0)).toFixed());
      expect(day.penaltyInterest).toBe(
        perAccount.reduce((a, t) => a.plus(t.penaltyInterest), new Dec(0)).toFixed(),
      );
    }
  });

  it('keeps statement statuses and outstanding amounts as the domain state says', async () => {
    for (const accountId of sim.accounts.keys()) {
      const state = await replayed(accountId);
      for (const s of queries.getStatements(accountId)) {
        const live = state.statements.find((st) => st.id === s.statementId);
        if (!live) expect(s.status).toBe('PAID');
        else expect(s.status === 'OVERDUE').toBe(live.overdue !== null);
      }
    }
  });

  it('counts toward each statement the repayments since its issue, as the domain does, whatever they paid', async () => {
    let listed = 0;
    let metByEarlierStatements = 0;
    for (const accountId of sim.accounts.keys()) {
      const state = await replayed(accountId);
      for (const s of queries.getStatements(accountId)) {
        // Every repayment allocated to a statement came while it was listed, and counted toward it.
        expect(new Dec(s.repaidSinceIssue).greaterThanOrEqualTo(s.paid.repayments)).toBe(true);
        const live = state.statements.find((st) => st.id === s.statementId);
        if (live) {
          listed++;
          expect(s.repaidSinceIssue).toBe(live.repaidSinceIssue.toString());
        }
        // Met by repayments that went to earlier statements: this column is what shows why.
        if (s.status === 'MINIMUM_PAID' && new Dec(s.paid.repayments).lessThan(s.minimumRepayment)) {
          metByEarlierStatements++;
          expect(new Dec(s.repaidSinceIssue).greaterThanOrEqualTo(s.minimumRepayment)).toBe(true);
        }
      }
    }
    expect(listed).toBeGreaterThan(10);
    expect(metByEarlierStatements).toBeGreaterThan(0);
  });

  it('schedules every active account by its month end and leaves no account scheduled in the past', async () => {
    const lastClosed = queries.lastClosedBusinessDay()!;
    const due = queries.accountsDueForEndOfDay('2026-08-31', 1000);
    const active = queries
      .listAccounts({ limit: 500 })
      .items.filter((a) => a.status === 'ACTIVE')
      .map((a) => a.accountId);
    expect(lastClosed).toBe('2026-08-20');
    expect(due.sort()).toEqual(active.sort());
    expect(
      db.prepare('SELECT COUNT(*) AS n FROM eod_schedule WHERE next_action_date <= ?').get(lastClosed),
    ).toEqual({ n: 0 });
  });

  it("keeps each posting date's journal as the log's postings add up, and a rebuild by account or in the log's order leaves it so", async () => {
    const expected = new Map<string, { debits: Money; credits: Money; lines: number }>();
    for (const stored of await store.readAll({ maxCount: 1_000_000 })) {
      const decoded = decodeLedgerEvent(stored);
      if (decoded.kind !== 'account') continue;
      for (const p of postingsFor(decoded.event)) {
        const key = `${decoded.event.data.on} ${p.account}`;
        const f = expected.get(key) ?? { debits: Money.ZERO, credits: Money.ZERO, lines: 0 };
        expected.set(key, { debits: p.side === 'DEBIT' ? f.debits.plus(p.amount) : f.debits, credits: p.side === 'CREDIT' ? f.credits.plus(p.amount) : f.credits, lines: f.lines + 1 });
      }
    }
    const rows = queries.journalDays('2026-01-01', '2026-08-31');
    expect(rows.length).toBeGreaterThan(100);
    expect(rows.length).toBe(expected.size);
    for (const r of rows) {
      const want = expected.get(`${r.date} ${r.ledgerAccount}`);
      expect([r.date, r.ledgerAccount, r.debits, r.credits, r.lineCount]).toEqual([r.date, r.ledgerAccount, want?.debits.toString(), want?.credits.toString(), want?.lines]);
    }
    const whole = queries.trialBalance('2026-01-01', '2026-08-31');
    expect(whole.totals.closing).toBe('0.00');
    expect(whole.totals.debits).toBe(whole.totals.credits);

    const rebuilt = async (replayOrder: 'account' | 'log') => {
      const runner = new ProjectionRunner({ store, database: new Database(':memory:'), projections: [new JournalProjection()], replayOrder, replayBatchSize: 50 });
      await runner.rebuild();
      const dump = dumpReadModels(runner.db, runner.projections);
      await runner.close();
      return dump;
    };
    const live = dumpReadModels(db, [new JournalProjection()]);
    expect(await rebuilt('log')).toBe(live);
    expect(await rebuilt('account')).toBe(live);
  });
});
