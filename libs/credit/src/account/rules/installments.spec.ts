import { AccountScenario } from '../../testing/account-scenario';
import { availableCredit } from '../credit-account.state';

/** Pay score 650: limit 2,000.00 at 0.05% a day; a 1,200.00 draw on 2 January. */
const withDraw = () => {
  const s = new AccountScenario('acc-1', '2026-01-02T09:00:00+08:00').open({ payScore: 650 });
  s.draw('o-1', '1200.00');
  return s;
};
const convert = (s: AccountScenario, periods = 3, drawId = 'o-1') => s.execute({ type: 'ConvertToInstallments', drawId, periods });

describe('converting a draw into installments', () => {
  it('creates a plan with fee 0.50% a period, equal principal and the IRR-based APR', () => {
    const s = withDraw();
    const [plan] = convert(s);
    expect(plan).toMatchObject({
      type: 'InstallmentPlanCreated',
      data: {
        principal: '1200.00',
        periods: 3,
        feePerPeriod: '6.00',
        apr: '0.0898',
        schedule: [
          { period: 1, principal: '400.00', fee: '6.00' },
          { period: 2, principal: '400.00', fee: '6.00' },
          { period: 3, principal: '400.00', fee: '6.00' },
        ],
      },
    });
  });

  it('keeps future installment principal out of available credit', () => {
    const s = withDraw();
    convert(s);
    expect(availableCredit(s.state).toString()).toBe('800.00');
  });

  it('bills one period a statement with its fee, and no daily interest on converted principal', () => {
    const s = withDraw();
    convert(s);
    s.closeDaysThrough('2026-01-31');
    const jan = s.lastOf('StatementIssued').data;
    expect(jan).toMatchObject({
      installmentPeriods: [{ planId: 'o-1', period: 1, principal: '400.00', fee: '6.00' }],
      fees: '6.00',
      interest: { charged: '0.00' },
      statementBalance: '406.00',
      minimumRepayment: '40.60',
    });
  });

  it('charges interest for the days before the conversion', () => {
    const s = withDraw();
    s.closeDaysThrough('2026-01-04');
    convert(s);
    s.closeDaysThrough('2026-01-31');
    expect(s.lastOf('StatementIssued').data.interest).toMatchObject({ exact: '1.8', charged: '1.80' });
  });

  it('accrues interest on billed installment principal left unpaid after the due date', () => {
    const s = withDraw();
    convert(s);
    s.closeDaysThrough('2026-02-04');
    s.repay('r-1', '40.60');
    s.closeDaysThrough('2026-02-28');
    // The minimum paid 6.00 of fees and 34.60 of principal; 365.40 unpaid accrues from 11 Feb: 18 days.
    expect(s.lastOf('StatementIssued').data.interest).toMatchObject({ exact: '3.2886', charged: '3.29' });
  });

  it("bills the whole remainder after an early payoff with the period in progress's fee, waiving the later ones", () => {
    const s = withDraw();
    convert(s);
    s.closeDaysThrough('2026-02-04');
    const [payoff] = s.execute({ type: 'PayOffInstallmentEarly', planId: 'o-1' });
    expect(payoff.data).toMatchObject({ principalAccelerated: '800.00', feeKept: '6.00', feesWaived: '6.00' });
    s.closeDaysThrough('2026-02-28');
    expect(s.lastOf('StatementIssued').data).toMatchObject({ installmentPeriods: [{ planId: 'o-1', period: 2, principal: '800.00', fee: '6.00' }], fees: '6.00' });
    expect(s.state.plans['o-1'].closed).toBe(true);
  });

  it('does not make a conversion paid off at once a month of free credit', () => {
    // Converted and paid off the day of the draw: the remainder and period 1's fee on January's statement,
    // as if the plan had run its first period; periods 2 and 3's fees waived.
    const s = withDraw();
    convert(s);
    const [payoff] = s.execute({ type: 'PayOffInstallmentEarly', planId: 'o-1' });
    expect(payoff.data).toMatchObject({ principalAccelerated: '1200.00', feeKept: '6.00', feesWaived: '12.00' });
    s.closeDaysThrough('2026-01-31');
    expect(s.lastOf('StatementIssued').data).toMatchObject({
      installmentPeriods: [{ planId: 'o-1', period: 1, principal: '1200.00', fee: '6.00' }],
      fees: '6.00',
      statementBalance: '1206.00',
    });

    // Repaid the same day instead: no credit used, a period prepaid to nothing, no fee and nothing to bill.
    const repaid = withDraw();
    convert(repaid);
    repaid.execute({ type: 'PayOffInstallmentEarly', planId: 'o-1' });
    repaid.repay('r-1', '1200.00');
    repaid.closeDaysThrough('2026-01-31');
    expect(repaid.eventsOf('StatementIssued')).toEqual([]);
    expect(repaid.state.plans['o-1'].closed).toBe(true);
  });

  it('replays a payoff recorded before its fee was charged as it was billed then: no fee', () => {
    const s = withDraw();
    convert(s);
    s.closeDaysThrough('2026-02-04');
    // The event as builds before `feeKept` recorded it.
    s.record([{ type: 'InstallmentPaidOffEarly', data: { on: '2026-02-05', planId: 'o-1', principalAccelerated: '800.00', feesWaived: '12.00' } }]);
    s.closeDaysThrough('2026-02-28');
    expect(s.lastOf('StatementIssued').data).toMatchObject({ installmentPeriods: [{ planId: 'o-1', principal: '800.00', fee: '0.00' }], fees: '0.00' });
  });

  it('waives with a refund of a paid-off plan the fee its payoff kept, once nothing of it is owed', () => {
    const s = withDraw();
    convert(s);
    s.execute({ type: 'PayOffInstallmentEarly', planId: 'o-1' });
    const [partial] = s.execute({ type: 'RefundDraw', drawId: 'o-1', refundId: 'rf-1', amount: '200.00' });
    expect(partial.data).toMatchObject({ feesWaived: '0.00' });
    const [rest] = s.execute({ type: 'RefundDraw', drawId: 'o-1', refundId: 'rf-2', amount: '1000.00' });
    expect(rest.data).toMatchObject({ feesWaived: '6.00' });
    s.closeDaysThrough('2026-01-31');
    expect(s.eventsOf('StatementIssued').flatMap((e) => e.data.installmentPeriods)).toEqual([]);
  });

  it('waives on an early payoff only the fees still to be billed, none for a period already prepaid', () => {
    const s = withDraw();
    convert(s);
    s.closeDaysThrough('2026-02-04');
    // January's 406.00, then period 2's 400.00 ahead of time: billing charges period 2 no fee.
    s.repay('r-1', '806.00');
    const [payoff] = s.execute({ type: 'PayOffInstallmentEarly', planId: 'o-1' });
    expect(payoff.data).toMatchObject({ principalAccelerated: '400.00', feesWaived: '6.00' });
    s.closeDaysThrough('2026-02-28');
    expect(s.lastOf('StatementIssued').data).toMatchObject({ installmentPeriods: [{ planId: 'o-1', principal: '400.00', fee: '0.00' }], fees: '0.00' });
  });

  it('records as waived the fee of each period a refund leaves with nothing, and of no other', () => {
    const prepaid = withDraw();
    convert(prepaid);
    prepaid.closeDaysThrough('2026-02-04');
    prepaid.repay('r-1', '806.00');
    const [last] = prepaid.execute({ type: 'RefundDraw', drawId: 'o-1', refundId: 'rf-1', amount: '400.00' });
    expect(last.data).toMatchObject({ appliedTo: [{ target: 'UNBILLED_INSTALLMENT', period: 3, amount: '400.00' }], feesWaived: '6.00' });

    // A part of the draw refunded before any statement, then the rest paid off: 6.00 waived by the refund,
    // 6.00 kept by the payoff for the period in progress and 6.00 waived, the plan's 18.00 of fees between them.
    const partly = withDraw();
    convert(partly);
    const [refund] = partly.execute({ type: 'RefundDraw', drawId: 'o-1', refundId: 'rf-1', amount: '500.00' });
    expect(refund.data).toMatchObject({ feesWaived: '6.00' });
    expect(partly.state.plans['o-1'].remaining.map(String)).toEqual(['400.00', '300.00', '0.00']);
    const [payoff] = partly.execute({ type: 'PayOffInstallmentEarly', planId: 'o-1' });
    expect(payoff.data).toMatchObject({ principalAccelerated: '700.00', feeKept: '6.00', feesWaived: '6.00' });
  });

  it('shows as new draws only those still revolving, whatever was repaid of a converted one before', () => {
    const s = new AccountScenario('acc-1', '2026-01-02T09:00:00+08:00').open({ payScore: 650 });
    s.draw('o-1', '1000.00');
    s.draw('o-2', '500.00');
    // Repaid from the oldest draw: o-1 is converted with 800.00 left of it.
    s.repay('r-1', '200.00');
    const [plan] = convert(s, 3, 'o-1');
    expect(plan.data).toMatchObject({ principal: '800.00' });
    s.closeDaysThrough('2026-01-31');
    expect(s.lastOf('StatementIssued').data).toMatchObject({ newDraws: '500.00', revolvingPrincipal: '500.00' });
  });

  /** 1,000.00 drawn on 1 February, before January is closed for the account: January's cycle's, billed on its statement. */
  const drawnBeforeJanuaryCloses = () => {
    const s = new AccountScenario('acc-1', '2026-01-02T09:00:00+08:00').open({ payScore: 650 });
    s.closeDaysThrough('2026-01-30');
    s.at('2026-02-01');
    s.draw('o-1', '1000.00');
    return s;
  };

  it('takes a converted draw off the new draws of its own cycle only, posted after the month end or not', () => {
    const s = drawnBeforeJanuaryCloses();
    s.repay('r-1', '200.00');
    convert(s, 3, 'o-1');
    s.execute({ type: 'CloseBusinessDay', businessDate: '2026-01-31' });
    expect(s.lastOf('StatementIssued').data).toMatchObject({ statementId: '2026-01', newDraws: '0.00', installmentPeriods: [{ planId: 'o-1', period: 1 }] });
    s.draw('o-2', '300.00');
    s.closeDaysThrough('2026-02-28');
    expect(s.lastOf('StatementIssued').data).toMatchObject({ statementId: '2026-02', newDraws: '300.00' });
  });

  it('never takes off a plan closed before it billed a period: never twice, never below nothing', () => {
    const s = drawnBeforeJanuaryCloses();
    s.execute({ type: 'RefundDraw', drawId: 'o-1', refundId: 'rf-1', amount: '200.00' });
    convert(s, 3, 'o-1');
    s.execute({ type: 'RefundDraw', drawId: 'o-1', refundId: 'rf-2', amount: '800.00' });
    expect(s.state.plans['o-1']).toMatchObject({ closed: true, nextPeriod: 1 });
    s.execute({ type: 'CloseBusinessDay', businessDate: '2026-01-31' });
    // What was refunded before the conversion stays in, beside the refunds.
    expect(s.lastOf('StatementIssued').data).toMatchObject({ statementId: '2026-01', newDraws: '200.00', refunds: '1000.00' });
    s.draw('o-2', '300.00');
    s.closeDaysThrough('2026-02-28');
    expect(s.lastOf('StatementIssued').data).toMatchObject({ statementId: '2026-02', newDraws: '300.00' });
  });

  it('refuses draws under 300.00, periods not offered, and draws already billed', () => {
    const s = withDraw();
    s.draw('o-2', '299.99');
    expect(() => convert(s, 3, 'o-2')).toThrow(expect.objectContaining({ code: 'INSTALLMENT_NOT_ELIGIBLE' }));
    expect(() => convert(s, 4)).toThrow(expect.objectContaining({ code: 'INSTALLMENT_PERIODS_NOT_OFFERED' }));
    s.closeDaysThrough('2026-01-31');
    expect(() => convert(s)).toThrow(expect.objectContaining({ code: 'INSTALLMENT_NOT_ELIGIBLE' }));
  });

  it('answers a conversion sent again with its periods as done, and with other periods as a conflict', () => {
    const s = withDraw();
    convert(s, 6);
    expect(convert(s, 6)).toEqual([]);
    expect(() => convert(s, 3)).toThrow(expect.objectContaining({ code: 'INSTALLMENT_EXISTS_WITH_DIFFERENT_PERIODS', details: { drawId: 'o-1', periods: 6 } }));
  });

  it('closes the plan and waives future fees when the draw is refunded in full', () => {
    const s = withDraw();
    convert(s);
    const [refund] = s.execute({ type: 'RefundDraw', drawId: 'o-1', refundId: 'rf-1', amount: '1200.00' });
    expect(refund.data).toMatchObject({ feesWaived: '18.00', returnedToCustomer: '0.00' });
    expect(s.state.plans['o-1'].closed).toBe(true);
    expect(s.closeDaysThrough('2026-01-31').filter((e) => e.type === 'StatementIssued')).toHaveLength(1);
    expect(s.lastOf('StatementIssued').data.statementBalance).toBe('0.00');
  });
});

describe('a merchant refund', () => {
  it('reduces an installment draw billed on several statements oldest statement first, so the overdue one stops its penalty', () => {
    const s = withDraw();
    convert(s);
    // January's statement goes unpaid (overdue from 11 February); February's is not yet due on 5 March.
    s.closeDaysThrough('2026-03-04');
    const [refund] = s.execute({ type: 'RefundDraw', drawId: 'o-1', refundId: 'rf-1', amount: '800.00' });
    expect(refund.data).toMatchObject({
      appliedTo: [
        { target: 'UNBILLED_INSTALLMENT', planId: 'o-1', period: 3, amount: '400.00' },
        { target: 'STATEMENT', statementId: '2026-01', component: 'INSTALLMENT_PRINCIPAL', amount: '400.00' },
      ],
    });
    expect(s.state.statements.map((st) => [st.id, st.owed.INSTALLMENT_PRINCIPAL.toString()])).toEqual([
      ['2026-01', '0.00'],
      ['2026-02', '400.00'],
    ]);
  });

  it('reduces the refunded draw own principal and stops its interest from that day', () => {
    const s = withDraw();
    s.closeDaysThrough('2026-01-11');
    s.execute({ type: 'RefundDraw', drawId: 'o-1', refundId: 'rf-1', amount: '200.00' });
    s.closeDaysThrough('2026-01-31');
    // 1,200.00 for 2-11 Jan (10 days) = 6.00; 1,000.00 for 12-31 Jan (20 days) = 10.00.
    expect(s.lastOf('StatementIssued').data).toMatchObject({ interest: { exact: '16' }, refunds: '200.00', revolvingPrincipal: '1000.00' });
  });

  it('returns to the customer what exceeds the draw principal still owed', () => {
    const s = withDraw();
    s.repay('r-1', '1000.00');
    const [refund] = s.execute({ type: 'RefundDraw', drawId: 'o-1', refundId: 'rf-1', amount: '1200.00' });
    expect(refund.data).toMatchObject({ appliedTo: [{ target: 'UNBILLED_REVOLVING', amount: '200.00' }], returnedToCustomer: '1000.00' });
  });

  it('refuses more than the draw still refundable, and is idempotent by refund id', () => {
    const s = withDraw();
    s.execute({ type: 'RefundDraw', drawId: 'o-1', refundId: 'rf-1', amount: '1000.00' });
    expect(s.execute({ type: 'RefundDraw', drawId: 'o-1', refundId: 'rf-1', amount: '1000.00' })).toEqual([]);
    expect(() => s.execute({ type: 'RefundDraw', drawId: 'o-1', refundId: 'rf-2', amount: '200.01' })).toThrow(expect.objectContaining({ code: 'REFUND_EXCEEDS_DRAW' }));
  });
});

describe('a disputed draw', () => {
  it('is reversed in full when the dispute is upheld (全额赔付)', () => {
    const s = withDraw();
    s.draw('o-2', '100.00');
    s.execute({ type: 'OpenDispute', disputeId: 'd-1', drawId: 'o-1', reason: 'card stolen' });
    const decided = s.execute({ type: 'ResolveDispute', disputeId: 'd-1', upheld: true, note: 'confirmed fraud' });
    expect(decided.map((e) => e.type)).toEqual(['DisputeResolved', 'DrawReversed']);
    expect(s.state.unbilledRevolving.toString()).toBe('100.00');
  });

  it('changes nothing when the dispute is rejected', () => {
    const s = withDraw();
    s.execute({ type: 'OpenDispute', disputeId: 'd-1', drawId: 'o-1', reason: 'not recognised' });
    expect(s.execute({ type: 'ResolveDispute', disputeId: 'd-1', upheld: false, note: 'customer confirmed' }).map((e) => e.type)).toEqual(['DisputeResolved']);
    expect(s.state.unbilledRevolving.toString()).toBe('1200.00');
  });
});
