import Database from 'better-sqlite3';
import fc from 'fast-check';
import { type AccrualSegment, addDays, Dec, Money } from '@ledger/credit';
import { readModelFixture } from '../testing/read-model-fixture';
import type { ProjectionEvent } from '../runner/projection';
import { AccrualsProjection } from './accruals.projection';

describe('the accruals read model', () => {
  it('shows one row per closed day, at the end-of-day principal, with exact amounts', async () => {
    const { sim, queries, catchUp, runner } = readModelFixture();
    await sim.open('acc-1');
    await sim.draw('acc-1', 'o-1', '1000.00');
    await sim.closeDay();
    await sim.repay('acc-1', 'p-1', '333.33');
    await sim.closeDay();
    await catchUp();
    const accruals = queries.getAccruals('acc-1', '2026-01-04', '2026-01-31');
    expect(accruals.to).toBe('2026-01-06');
    expect(accruals.days.map((d) => [d.date, d.normalPrincipal, d.interest])).toEqual([
      ['2026-01-04', '0.00', '0'],
      ['2026-01-05', '1000.00', '0.45'],
      ['2026-01-06', '666.67', '0.3000015'],
    ]);
    expect(accruals.totals).toEqual({ interest: '0.7500015', penaltyInterest: '0' });
    await runner.close();
  });

  it('keeps only the end-of-day balance when the balance changes twice on one day', async () => {
    const { sim, db, catchUp, runner } = readModelFixture();
    await sim.open('acc-1');
    await sim.draw('acc-1', 'o-1', '500.00');
    await sim.repay('acc-1', 'p-1', '500.00');
    await sim.closeDay();
    await catchUp();
    const segments = db
      .prepare('SELECT from_date, normal_principal FROM accrual_segments WHERE account_id = ?')
      .all('acc-1');
    expect(segments).toEqual([{ from_date: '2026-01-05', normal_principal: '0' }]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM accrual_portfolio_delta').get()).toEqual({ n: 0 });
    await runner.close();
  });

  it('switches overdue principal to the capped penalty rate from the first day past due', async () => {
    const { sim, queries, catchUp, runner } = readModelFixture();
    await sim.open('acc-1');
    await sim.draw('acc-1', 'o-1', '1000.00');
    await sim.closeDaysThrough('2026-02-12');
    await catchUp();
    const [onDueDate, dayOne] = queries.getAccruals('acc-1', '2026-02-10', '2026-02-11').days;
    expect(onDueDate).toMatchObject({
      normalPrincipal: '1000.00',
      dailyRate: '0.00045',
      penaltyPrincipal: '0.00',
    });
    expect(dayOne).toMatchObject({
      normalPrincipal: '0.00',
      penaltyPrincipal: '1000.00',
      penaltyDailyRate: '0.00065',
      penaltyInterest: '0.65',
    });
    await runner.close();
  });

  it('sums the portfolio per day from the deltas, equal to the sum of every account', async () => {
    const { sim, queries, catchUp, runner } = readModelFixture();
    await sim.open('acc-1');
    await sim.open('acc-2', { payScore: 780 });
    await sim.draw('acc-1', 'o-1', '1000.00');
    await sim.closeDay();
    await sim.draw('acc-2', 'o-2', '2000.00');
    await sim.repay('acc-1', 'p-1', '400.00');
    await sim.closeDaysThrough('2026-01-10');
    await catchUp();
    const portfolio = queries.portfolioAccrualByDay('2026-01-05', '2026-01-20');
    expect(portfolio.map((d) => d.date)).toEqual([
      '2026-01-05',
      '2026-01-06',
      '2026-01-07',
      '2026-01-08',
      '2026-01-09',
      '2026-01-10',
    ]);
    for (const day of portfolio) {
      const sum = ['acc-1', 'acc-2']
        .map((id) => queries.getAccruals(id, day.date, day.date).totals.interest)
        .reduce((a, b) => a.plus(b), new Dec(0));
      expect(day.interest).toBe(sum.toFixed());
    }
    expect(portfolio[1].interest).toBe('1.07');
    await runner.close();
  });

  it('stores the same timelines and portfolio deltas with its cache of each account\'s last segments as when it reads them every time', () => {
    // Balance changes on three accounts, interleaved, often twice a day and often back to the previous
    // balance, so every branch runs (replace the day's segment, remove it, append one), in batches that
    // sometimes roll back as a failing batch does in the runner. The reference forgets its cache before
    // every change, so it reads the table each time as it did before the cache.
    const step = fc.record({
      account: fc.constantFrom('acc-1', 'acc-2', 'acc-3'),
      nextDay: fc.boolean(),
      normal: fc.constantFrom('0.00', '100.00', '250.00'),
      penalty: fc.constantFrom('0.00', '40.00'),
      endBatch: fc.boolean(),
      rollBack: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 80 }), (steps) => {
        const open = () => {
          const db = new Database(':memory:');
          const projection = new AccrualsProjection();
          for (const ddl of projection.ddl) db.exec(ddl);
          projection.prepare(db);
          return { db, projection };
        };
        const cached = open();
        const cold = open();
        const forget = () => (cold.projection as unknown as { tails: { clear(): void } }).tails.clear();
        let on = '2026-03-01';
        // Per account, the segments of its state as committed, and as changed by the batch in flight.
        let committed = new Map<string, AccrualSegment[]>();
        let current = new Map(committed);
        let batch: ProjectionEvent[] = [];
        const runBatch = (rollBack: boolean) => {
          for (const side of [cached, cold]) {
            try {
              side.db.transaction(() => {
                for (const event of batch) {
                  if (side === cold) forget();
                  side.projection.apply(event);
                }
                side.projection.flush();
                if (rollBack) throw new Error('batch fails');
              })();
            } catch {
              side.projection.discard();
            }
          }
          if (rollBack) current = new Map(committed);
          else committed = new Map(current);
          batch = [];
        };
        for (const { account, nextDay, normal, penalty, endBatch, rollBack } of steps) {
          if (nextDay) on = addDays(on, 1);
          const after = [{ from: on, normal: Money.of(normal), penalty: Money.of(penalty), dailyRate: '0.0005', penaltyDailyRate: '0.00075' }];
          batch.push({ kind: 'account', accountId: account, event: { type: 'DrawPosted', data: { on } }, before: { accrual: { segments: current.get(account) ?? [] } }, after: { accrual: { segments: after } } } as unknown as ProjectionEvent);
          current.set(account, after);
          if (endBatch) runBatch(rollBack);
        }
        runBatch(false);
        for (const table of ['accrual_segments', 'accrual_portfolio_delta']) {
          const rows = (db: Database.Database) => db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).all();
          expect(rows(cached.db)).toEqual(rows(cold.db));
        }
      }),
      { numRuns: 300 },
    );
  });
});
