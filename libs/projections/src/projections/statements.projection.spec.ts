import { AccountScenario, fold, initialState, totalOwed } from '@ledger/credit';
import { accountChanges, tablesAfter } from '../testing/batch-equivalence';
import { readModelFixture } from '../testing/read-model-fixture';
import { StatementsProjection, statementView } from './statements.projection';

describe('the statements read model', () => {
  async function billedAccount() {
    const fixture = readModelFixture();
    await fixture.sim.open('acc-1');
    await fixture.sim.draw('acc-1', 'o-1', '1000.00');
    await fixture.sim.closeDaysThrough('2026-01-31');
    return fixture;
  }

  it('records a statement with its lines, minimum and due date', async () => {
    const { queries, catchUp, runner } = await billedAccount();
    await catchUp();
    expect(queries.getStatement('acc-1', '2026-01')).toMatchObject({
      statementId: '2026-01',
      statementDate: '2026-02-01',
      periodFrom: '2026-01-05',
      periodTo: '2026-01-31',
      dueDate: '2026-02-10',
      newDraws: '1000.00',
      revolvingPrincipal: '1000.00',
      interest: { exact: '12.15', charged: '12.15', residual: '0' },
      statementBalance: '1012.15',
      minimumRepayment: '101.22',
      paid: { repayments: '0.00', refunds: '0.00' },
      outstanding: '1012.15',
      status: 'OPEN',
      // The cycle's rates, with each annualized beside it (PRODUCT.md §2): 12.15 is 27 days of 1,000.00 at 0.045%.
      dailyRate: '0.00045',
      annualRate: '0.16425',
      penaltyDailyRate: '0.00065',
      penaltyAnnualRate: '0.23725',
    });
    expect(queries.getStatements('acc-1').map((s) => s.statementId)).toEqual(['2026-01']);
    await runner.close();
  });

  it('is MINIMUM_PAID once the minimum is repaid, then PAID when nothing is owed on it', async () => {
    const { sim, queries, catchUp, runner } = await billedAccount();
    await sim.repay('acc-1', 'p-1', '101.22');
    await catchUp();
    expect(queries.getStatement('acc-1', '2026-01')).toMatchObject({
      status: 'MINIMUM_PAID',
      paid: { repayments: '101.22' },
      outstanding: '910.93',
    });
    await sim.repay('acc-1', 'p-2', '910.93');
    await catchUp();
    expect(queries.getStatement('acc-1', '2026-01')).toMatchObject({
      status: 'PAID',
      paid: { repayments: '1012.15' },
      outstanding: '0.00',
    });
    await runner.close();
  });

  it('is OVERDUE from the day after its due date when the minimum was not met, and PAID once settled', async () => {
    const { sim, queries, catchUp, runner } = await billedAccount();
    await sim.closeDaysThrough('2026-02-10');
    await catchUp();
    expect(queries.getStatement('acc-1', '2026-01')).toMatchObject({
      status: 'OVERDUE',
      overdueSince: '2026-02-11',
    });
    await sim.repay('acc-1', 'p-1', totalOwed(sim.scenario('acc-1').state).toString());
    await catchUp();
    expect(queries.getStatement('acc-1', '2026-01')).toMatchObject({
      status: 'PAID',
      outstanding: '0.00',
      overdueSince: null,
    });
    await runner.close();
  });

  it('is not PAID while a statement before it still owes, though nothing of its own is left', async () => {
    // Pay score 650 (0.05% a day), 500.00 drawn on 10 Jan and January's 505.50 paid on 5 Feb: February's
    // statement bills 1.00 of interest (1 to 4 Feb), never paid; interest bears none, so March's and
    // April's statements bill nothing of their own and carry that 1.00 (rule revision 3).
    const { sim, queries, catchUp, runner } = readModelFixture();
    await sim.closeDaysThrough('2026-01-09');
    await sim.open('acc-1', { payScore: 650 });
    await sim.draw('acc-1', 'o-1', '500.00');
    await sim.closeDaysThrough('2026-02-04');
    await sim.repay('acc-1', 'r-1', '505.50');
    await sim.closeDaysThrough('2026-04-30');
    await catchUp();
    const view = (id: string) => {
      const { status, outstanding, overdueSince, statementBalance } = queries.getStatement('acc-1', id)!;
      return { status, outstanding, overdueSince, statementBalance };
    };
    expect(view('2026-01')).toEqual({ status: 'PAID', outstanding: '0.00', overdueSince: null, statementBalance: '505.50' });
    expect(view('2026-02')).toEqual({ status: 'OVERDUE', outstanding: '1.00', overdueSince: '2026-03-11', statementBalance: '1.00' });
    expect(view('2026-03')).toEqual({ status: 'OVERDUE', outstanding: '0.00', overdueSince: '2026-04-11', statementBalance: '1.00' });
    // Not due until 10 May, its minimum unpaid: open.
    expect(view('2026-04')).toEqual({ status: 'OPEN', outstanding: '0.00', overdueSince: null, statementBalance: '1.00' });
    // Paying the 1.00 pays them all.
    await sim.repay('acc-1', 'r-2', '1.00');
    await catchUp();
    expect(['2026-02', '2026-03', '2026-04'].map((id) => view(id).status)).toEqual(['PAID', 'PAID', 'PAID']);
    await runner.close();
  });

  it("keeps an account approved under an earlier rule revision on that revision's view", () => {
    // The case above on one account, before March's statement falls due: under revision 3 it is OPEN;
    // an account approved under revision 2 showed it PAID (nothing of its own owed), and still does.
    const carried = (revision: 2 | 3) => {
      const s = new AccountScenario('acc-1', '2026-01-10T09:00:00+08:00').open({ payScore: 650 });
      const approval = s.history.find((e) => e.type === 'ApplicationApproved')!;
      (approval.data as { ruleRevision?: number }).ruleRevision = revision;
      s.state = fold(initialState('acc-1'), s.history);
      s.draw('o-1', '500.00');
      s.closeDaysThrough('2026-02-04');
      s.repay('r-1', '505.50');
      s.closeDaysThrough('2026-04-05');
      return s.state;
    };
    expect(statementView(carried(3), '2026-03')).toEqual({ status: 'OPEN', outstanding: '0.00', overdueSince: null });
    expect(statementView(carried(2), '2026-03')).toEqual({ status: 'PAID', outstanding: '0.00', overdueSince: null });
  });

  it('counts a refund allocated to a billed draw as paid against the statement', async () => {
    const { sim, queries, catchUp, runner } = await billedAccount();
    await sim.command('acc-1', { type: 'RefundDraw', drawId: 'o-1', refundId: 'r-1', amount: '200.00' });
    await catchUp();
    expect(queries.getStatement('acc-1', '2026-01')?.paid).toEqual({ repayments: '0.00', refunds: '200.00' });
    await runner.close();
  });

  it('shows the minimum an upheld dispute set again beside the one the statement was issued with', async () => {
    const { sim, queries, catchUp, runner } = await billedAccount();
    await catchUp();
    expect(queries.getStatement('acc-1', '2026-01')?.minimumLoweredTo).toBeNull();
    await sim.command('acc-1', { type: 'OpenDispute', disputeId: 'dp-1', drawId: 'o-1', reason: 'not mine' });
    await sim.command('acc-1', { type: 'ResolveDispute', disputeId: 'dp-1', upheld: true, note: 'upheld' });
    await catchUp();
    // The statement held nothing but the disputed draw and its interest: without them its minimum is nothing.
    expect(queries.getStatement('acc-1', '2026-01')).toMatchObject({ minimumRepayment: '101.22', minimumLoweredTo: '0.00', status: 'PAID' });
    await runner.close();
  });

  it('leaves the same rows whether it takes the events in one batch, a batch an event, or with states that are not one chain', async () => {
    const { sim, store } = readModelFixture();
    await sim.open('acc-1');
    await sim.open('acc-2');
    await sim.open('acc-3');
    await sim.draw('acc-1', 'o-1', '1000.00');
    await sim.draw('acc-2', 'o-2', '600.00');
    await sim.draw('acc-3', 'o-4', '100.00');
    await sim.draw('acc-3', 'o-5', '800.00');
    await sim.closeDaysThrough('2026-01-31');
    // Paid against a statement, refunded against it, a statement left unpaid into overdue, and the
    // statements after: rows issued, paid, refunded and moved in status within one batch and across them.
    await sim.repay('acc-1', 'r-1', '300.00');
    await sim.command('acc-1', { type: 'RefundDraw', drawId: 'o-1', refundId: 'f-1', amount: '100.00' });
    await sim.draw('acc-1', 'o-3', '250.00');
    await sim.closeDaysThrough('2026-03-31');
    await sim.repay('acc-2', 'r-2', '50.00');
    await sim.repay('acc-1', 'r-3', totalOwed(sim.scenario('acc-1').state).toString());
    // An upheld dispute lowering the minimums of statements stored before the batch it comes in.
    await sim.command('acc-3', { type: 'OpenDispute', disputeId: 'dp-1', drawId: 'o-5', reason: 'not mine' });
    await sim.command('acc-3', { type: 'ResolveDispute', disputeId: 'dp-1', upheld: true, note: 'upheld' });
    await sim.closeDaysThrough('2026-04-30');
    const { chain, copies } = await accountChanges(store);
    const perEvent = tablesAfter(new StatementsProjection(), chain, 1);
    for (const seen of ['"status":"PAID"', '"status":"OVERDUE"', '"repaid":"50.00"', '"refunded":"100.00"', '"minimum_lowered_to":"']) expect(perEvent).toContain(seen);
    expect(tablesAfter(new StatementsProjection(), chain, chain.length)).toBe(perEvent);
    expect(tablesAfter(new StatementsProjection(), chain, 7)).toBe(perEvent);
    const mixed = chain.map((change, i) => (i % 3 === 1 ? copies[i] : change));
    expect(tablesAfter(new StatementsProjection(), mixed, chain.length)).toBe(perEvent);
  });
});
