import { Money } from '../../money/money';
import { DEFAULT_TERMS_CATALOGUE, TERMS_2026_01, TermsCatalogue } from '../../terms/product-terms';
import { AccountScenario } from '../../testing/account-scenario';
import { initialState, overdueAmount, placementOf } from '../credit-account.state';
import { getEntry, StoredShard } from '../sharded-record';
import { fold } from '../evolve';
import { contextAt } from '../decide-context';
import { decide } from '../decide';
import { deserializeState, serializeState } from '../state-codec';

const opened = (payScore = 650) => new AccountScenario('acc-1', '2026-01-02T09:00:00+08:00').open({ payScore });

describe('an installment plan whose principal is gone', () => {
  it('closes once a refund leaves nothing to bill, with no fee for periods it will never bill', () => {
    const s = opened();
    s.draw('o-1', '1200.00');
    s.execute({ type: 'ConvertToInstallments', drawId: 'o-1', periods: 3 });
    s.execute({ type: 'RefundDraw', drawId: 'o-1', refundId: 'rf-1', amount: '800.00' });
    s.closeDaysThrough('2026-01-31');
    expect(s.lastOf('StatementIssued').data.installmentPeriods).toEqual([{ planId: 'o-1', period: 1, principal: '400.00', fee: '6.00' }]);
    expect(s.state.plans['o-1'].closed).toBe(true);
    s.repay('r-1', s.lastOf('StatementIssued').data.statementBalance);
    s.closeDaysThrough('2026-02-28');
    expect(s.eventsOf('StatementIssued')).toHaveLength(1);
  });

  it('charges no fee for a period whose principal was repaid early', () => {
    const s = opened();
    s.draw('o-1', '1200.00');
    s.execute({ type: 'ConvertToInstallments', drawId: 'o-1', periods: 3 });
    s.closeDaysThrough('2026-01-31');
    // 406.00 billed for January, then 400.00 more: the next unbilled period, prepaid.
    s.repay('r-1', '806.00');
    s.closeDaysThrough('2026-02-28');
    expect(s.lastOf('StatementIssued').data).toMatchObject({
      statementId: '2026-02',
      installmentPeriods: [{ planId: 'o-1', period: 2, principal: '0.00', fee: '0.00' }],
      statementBalance: '0.00',
    });
    // The schedule advanced: March bills period 3 with its fee.
    s.closeDaysThrough('2026-03-31');
    expect(s.lastOf('StatementIssued').data.installmentPeriods).toEqual([{ planId: 'o-1', period: 3, principal: '400.00', fee: '6.00' }]);
  });
});

describe('the quarterly review', () => {
  it('counts an overdue cured on its first day as an overdue day in the quarter', () => {
    const s = opened(760);
    s.draw('o-1', '3000.00');
    s.closeDaysThrough('2026-02-10');
    expect(s.state.bucket).toBe('M1');
    s.repay('cure', s.lastOf('StatementIssued').data.minimumRepayment);
    for (const [statementDay, payDay] of [['2026-02-28', '2026-03-04']]) {
      s.closeDaysThrough(statementDay);
      s.closeDaysThrough(payDay);
      s.repay(`r-${payDay}`, s.lastOf('StatementIssued').data.minimumRepayment);
    }
    s.closeDaysThrough('2026-03-31');
    expect(s.lastOf('CreditLimitReviewed').data).toMatchObject({ decision: 'DECREASED', oldLimit: '5000.00', newLimit: '4000.00', inputs: { overdueDays: 0, overdueEpisodes: 1 } });
  });
});

describe('the overdue amount', () => {
  it('is never more than is still owed, even after a refund', () => {
    const s = opened();
    s.draw('o-1', '1000.00');
    s.closeDaysThrough('2026-01-31');
    s.execute({ type: 'RefundDraw', drawId: 'o-1', refundId: 'rf-1', amount: '1000.00' });
    const decided = s.closeDaysThrough('2026-02-10');
    expect(decided.find((e) => e.type === 'AccountBecameOverdue')?.data).toMatchObject({ overdueAmount: '15.00' });
    expect(overdueAmount(s.state).toString()).toBe('15.00');
  });

  it('makes a statement with nothing of its own overdue while older statements still owe', () => {
    const s = opened();
    s.draw('o-1', '1000.00');
    s.closeDaysThrough('2026-01-31');
    s.execute({ type: 'RefundDraw', drawId: 'o-1', refundId: 'rf-1', amount: '1000.00' });
    s.closeDaysThrough('2026-03-10');
    const february = s.eventsOf('StatementDueDatePassed').find((e) => e.data.statementId === '2026-02');
    expect(february?.data.minimumMet).toBe(false);
  });
});

describe('oldest first', () => {
  it('follows the order draws were posted, whatever their order ids look like', () => {
    const s = opened();
    for (const id of ['b-first', '20', '10']) s.draw(id, '100.00');
    s.repay('r-1', '250.00');
    const remaining = (id: string) => {
      const placement = placementOf(s.state, getEntry(s.state.draws, id)!);
      return placement.kind === 'UNBILLED' ? placement.remaining.toString() : placement.kind;
    };
    expect(remaining('b-first')).toBe('0.00');
    expect(remaining('20')).toBe('0.00');
    expect(remaining('10')).toBe('50.00');
  });

  it('pays the billed draws of a statement in the order they were posted, reading no draw unless an id sorts ahead of the others', () => {
    // Billed draws, then a repayment that leaves some of their principal owed, folded on the state as a
    // snapshot gives it back (every shard of draws stored, none parsed).
    const billedThenRepaid = (ids: string[]) => {
      const s = opened();
      for (const id of ids) s.draw(id, '100.00');
      s.closeDaysThrough('2026-01-31');
      const statement = s.state.statements[0];
      expect(Object.keys(statement.billedDraws).sort()).toEqual([...ids].sort());
      const owed = Money.sum(Object.values(statement.owed));
      // All but 150.00 of the statement: interest first, then principal oldest first.
      const at = s.history.length;
      s.repay('r-1', owed.minus(Money.of('150.00')).toString());
      expect(s.history[at].type).toBe('RepaymentReceived');
      const before = deserializeState(serializeState(fold(initialState('acc-1'), s.history.slice(0, at))));
      const after = fold(before, s.history.slice(at));
      const parsedDraws = after.draws.filter((slot) => slot instanceof StoredShard && slot.parsedEntries() !== undefined).length;
      const shares = after.statements[0].billedDraws;
      return { left: ids.map((id) => shares[id].toString()), parsedDraws };
    };
    expect(billedThenRepaid(['x-2', 'a-1', 'm-3'])).toEqual({ left: ['0.00', '50.00', '100.00'], parsedDraws: 0 });
    // An id that is an array index comes first among an object's keys whatever order it was added in:
    // the draws are then read for the order they were posted.
    const indexed = billedThenRepaid(['20', '10', 'b-3']);
    expect(indexed.left).toEqual(['0.00', '50.00', '100.00']);
    expect(indexed.parsedDraws).toBeGreaterThan(0);
  });
});

describe('the terms catalogue', () => {
  it('refuses an interest-free period it does not implement', () => {
    expect(() => new TermsCatalogue([{ ...TERMS_2026_01, version: 'free-20', interestFreeDays: 20 }], 'free-20')).toThrow(/interestFreeDays/);
  });
});

describe('order ids that name properties of every object', () => {
  it.each(['__proto__', 'constructor', 'toString'])('posts a draw with order id %s once, then treats it as the same draw', (orderId) => {
    const s = opened();
    expect(s.draw(orderId, '10.00').map((e) => e.type)).toEqual(['DrawPosted']);
    expect(s.draw(orderId, '10.00')).toEqual([]);
    expect(getEntry(s.state.draws, orderId)?.amount.toString()).toBe('10.00');
    expect(() => s.draw(orderId, '11.00')).toThrow(expect.objectContaining({ code: 'DRAW_EXISTS_WITH_DIFFERENT_PAYLOAD' }));
  });
});

describe('a draw whose id names a property of every object, refunded after billing', () => {
  // A statement's billed draws are looked up by draw id. A state read back from a snapshot holds them as
  // parsed JSON objects, where such an id would find Object.prototype's member: the refund must be
  // decided as it is on the folded state.
  const decidedBothWays = (s: AccountScenario, command: Parameters<AccountScenario['execute']>[0]) => {
    const context = contextAt(s.now, DEFAULT_TERMS_CATALOGUE);
    const folded = decide(command, s.state, context);
    const restored = decide(command, deserializeState(serializeState(s.state)), context);
    expect(restored).toEqual(folded);
    return folded;
  };

  it.each(['__proto__', 'constructor', 'toString'])('refunds revolving draw %s, repaid before it was billed', (orderId) => {
    const s = opened();
    s.draw(orderId, '100.00');
    s.draw('o-2', '50.00');
    s.repay('r-1', '100.00');
    s.closeDaysThrough('2026-02-02');
    expect(decidedBothWays(s, { type: 'RefundDraw', drawId: orderId, refundId: 'rf-1', amount: '20.00' }).map((e) => e.type)).toContain('DrawRefunded');
  });
});

describe('other caller-chosen ids that name properties of every object', () => {
  const ids = ['__proto__', 'constructor', 'toString'];

  it.each(ids)('receives repayment %s once and refuses it again with another amount', (reference) => {
    const s = opened();
    s.draw('o-1', '100.00');
    expect(s.repay(reference, '10.00').map((e) => e.type)).toContain('RepaymentReceived');
    expect(s.repay(reference, '10.00')).toEqual([]);
    expect(() => s.repay(reference, '11.00')).toThrow(expect.objectContaining({ code: 'REPAYMENT_EXISTS_WITH_DIFFERENT_AMOUNT' }));
  });

  it.each(ids)('applies refund %s once', (refundId) => {
    const s = opened();
    s.draw('o-1', '100.00');
    expect(s.execute({ type: 'RefundDraw', drawId: 'o-1', refundId, amount: '10.00' }).map((e) => e.type)).toContain('DrawRefunded');
    expect(s.execute({ type: 'RefundDraw', drawId: 'o-1', refundId, amount: '10.00' })).toEqual([]);
  });

  it.each(ids)('opens and resolves dispute %s, and finds no plan of that name to pay off', (id) => {
    const s = opened();
    s.draw('o-1', '100.00');
    expect(() => s.execute({ type: 'ResolveDispute', disputeId: id, upheld: true, note: 'n' })).toThrow(expect.objectContaining({ code: 'DISPUTE_NOT_FOUND' }));
    expect(s.execute({ type: 'OpenDispute', disputeId: id, drawId: 'o-1', reason: 'stolen' }).map((e) => e.type)).toEqual(['DisputeOpened']);
    expect(s.execute({ type: 'ResolveDispute', disputeId: id, upheld: false, note: 'n' }).map((e) => e.type)).toEqual(['DisputeResolved']);
    expect(() => s.execute({ type: 'PayOffInstallmentEarly', planId: id })).toThrow(expect.objectContaining({ code: 'INSTALLMENT_PLAN_NOT_FOUND' }));
  });
});
