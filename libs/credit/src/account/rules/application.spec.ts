import { AccountScenario, applicant, given } from '../../testing/account-scenario';
import type { RejectionReason } from '../credit-account.events';
import type { CreditAccountCommand } from '../credit-account.commands';

const submit = (overrides = {}) => ({ type: 'SubmitApplication' as const, accountId: 'acc-1', channel: 'INVITED' as const, applicant: applicant(overrides) });

describe('an application', () => {
  it.each([
    [600, '500.00', '0.0005', '0.1825'],
    [649, '500.00', '0.0005', '0.1825'],
    [650, '2000.00', '0.0005', '0.1825'],
    [700, '3000.00', '0.00045', '0.16425'],
    [749, '3000.00', '0.00045', '0.16425'],
    [750, '5000.00', '0.0004', '0.146'],
    [900, '5000.00', '0.0004', '0.146'],
  ])('with pay score %i is approved for %s at %s a day (%s a year)', (payScore, limit, dailyRate, annual) => {
    const events = given([]).when(submit({ payScore }));
    expect(events.map((e) => e.type)).toEqual(['ApplicationSubmitted', 'ApplicationApproved']);
    expect(events[1].data).toMatchObject({ limit, dailyRate, annualRate: annual });
  });

  it('caps the penalty rate at 0.065% a day: 1.5 x 0.05% would be 0.075%', () => {
    const [, approved] = given([]).when(submit({ payScore: 620 }));
    expect(approved.data).toMatchObject({ penaltyDailyRate: '0.00065' });
  });

  it('uses 1.5 x the daily rate as penalty rate under the cap', () => {
    const [, approved] = given([]).when(submit({ payScore: 760 }));
    expect(approved.data).toMatchObject({ penaltyDailyRate: '0.0006' });
  });

  const failures: [RejectionReason, object][] = [
    ['IDENTITY_NOT_VERIFIED', { identityVerified: { idCard: true, bankCard: false, phone: true } }],
    ['NOT_PRC_NATIONAL', { nationality: 'US' }],
    ['AGE_OUT_OF_RANGE', { birthDate: '2008-01-06' }],
    ['PAY_SCORE_TOO_LOW', { payScore: 599 }],
    ['INSUFFICIENT_ACTIVITY', { paymentsLast6Months: 19 }],
    ['NO_DEBIT_CARD', { debitCard: { kind: 'CREDIT', last4: '4111' } }],
    ['CREDIT_RECORD_DELINQUENT', { creditRecord: { currentOverdue: true, severeDelinquency: false } }],
  ];

  it.each(failures)('is rejected with %s when that rule fails', (reason, overrides) => {
    const events = given([]).when(submit(overrides));
    expect(events[1]).toMatchObject({ type: 'ApplicationRejected', data: { reasons: [reason] } });
  });

  it('lists every failed rule, in the documented order', () => {
    const events = given([]).when(submit({ nationality: 'US', payScore: 500, debitCard: null }));
    expect(events[1].data).toMatchObject({ reasons: ['NOT_PRC_NATIONAL', 'PAY_SCORE_TOO_LOW', 'NO_DEBIT_CARD'] });
  });

  it('records the age on the application date, never the birth date, beside the masked ID number', () => {
    for (const [birthDate, age] of [['2008-01-05', 18], ['2008-01-06', 17], ['1970-01-06', 55]] as const) {
      const [submitted] = given([]).when(submit({ birthDate }));
      const recorded = (submitted.data as { applicant: Record<string, unknown> }).applicant;
      expect([birthDate, recorded.age, 'birthDate' in recorded]).toEqual([birthDate, age, false]);
      expect(JSON.stringify(submitted.data)).not.toContain(birthDate);
    }
  });

  it('accepts ages 18 and 55 inclusive on the application date', () => {
    expect(given([]).when(submit({ birthDate: '2008-01-05' }))[1].type).toBe('ApplicationApproved');
    expect(given([]).when(submit({ birthDate: '2008-01-06' }))[1].data).toMatchObject({ reasons: ['AGE_OUT_OF_RANGE'] });
    expect(given([]).when(submit({ birthDate: '1970-01-06' }))[1].type).toBe('ApplicationApproved');
    expect(given([]).when(submit({ birthDate: '1970-01-05' }))[1].data).toMatchObject({ reasons: ['AGE_OUT_OF_RANGE'] });
  });
});

describe('reapplying after a rejection', () => {
  const rejectedOnJan5 = () => {
    const s = new AccountScenario('acc-1', '2026-01-05T10:00:00+08:00');
    s.execute(submit({ payScore: 580 }));
    return s;
  };

  it('is refused with REAPPLY_TOO_SOON within 30 days, even when every other rule holds', () => {
    const s = rejectedOnJan5().at('2026-02-03');
    const events = s.execute(submit());
    expect(events[1].data).toMatchObject({ reasons: ['REAPPLY_TOO_SOON'], countsForReapply: false });
  });

  it('does not restart the 30 days with a REAPPLY_TOO_SOON rejection', () => {
    const s = rejectedOnJan5().at('2026-02-03');
    s.execute(submit());
    s.at('2026-02-04');
    expect(s.execute(submit())[1].type).toBe('ApplicationApproved');
  });

  it('is decided normally on the 30th day', () => {
    const s = rejectedOnJan5().at('2026-02-04');
    expect(s.execute(submit())[1].type).toBe('ApplicationApproved');
  });

  it('refuses a second application once approved', () => {
    const s = new AccountScenario().open();
    expect(() => s.execute(submit())).toThrow(expect.objectContaining({ code: 'APPLICATION_ALREADY_APPROVED' }));
  });
});

describe('activation', () => {
  it('makes an approved account active with the agreement version and auto-repay card', () => {
    const s = new AccountScenario().open();
    expect(s.state.status).toBe('ACTIVE');
    expect(s.state.agreementVersion).toBe('fenfu-2026.1');
    expect(s.state.autoRepayCardLast4).toBe('6222');
  });

  it('refuses to activate a rejected applicant', () => {
    const s = new AccountScenario();
    s.execute(submit({ payScore: 100 }));
    expect(() => s.execute({ type: 'ActivateAccount', agreementVersion: 'v1', autoRepayCardLast4: '1234' })).toThrow(
      expect.objectContaining({ code: 'ACCOUNT_NOT_APPROVED' }),
    );
  });
});

describe('an account before its activation', () => {
  const rejected = () => {
    const s = new AccountScenario();
    s.execute(submit({ payScore: 100 }));
    return s;
  };
  const approved = () => {
    const s = new AccountScenario();
    s.execute(submit());
    return s;
  };
  const servicing = [
    { type: 'ReceiveRepayment' as const, reference: 'P-1', amount: '500.00', channel: 'AUTO_DEBIT' as const },
    { type: 'ReceiveRepayment' as const, reference: 'P-2', amount: '1.00', channel: 'MANUAL' as const },
    { type: 'RecordAutoRepaymentFailure' as const, statementId: '2026-01', reason: 'INSUFFICIENT_FUNDS' as const },
  ];

  it.each(servicing)('refuses $type on a rejected or an approved account, writing nothing', (command) => {
    for (const [s, detail] of [[rejected(), 'NOT_OPENED'], [approved(), 'PENDING_ACTIVATION']] as const) {
      const before = s.state;
      expect(() => s.execute(command)).toThrow(expect.objectContaining({ code: 'ACCOUNT_NOT_ACTIVE', details: expect.objectContaining({ detail }) }));
      expect(s.state).toBe(before);
    }
  });

  it('refuses risk, controls and pay score commands on a rejected application, and takes them on an approved account', () => {
    const commands: CreditAccountCommand[] = [
      { type: 'UpdatePayScore' as const, payScore: 800 },
      { type: 'SuspendForRisk' as const, reason: 'REMOTE_LOGIN' as const, note: 'flagged before first use' },
      { type: 'SetTransactionControls' as const, singleTransactionLimit: '10.00', nightLock: true },
    ];
    for (const command of commands) expect(() => rejected().execute(command)).toThrow(expect.objectContaining({ code: 'ACCOUNT_NOT_ACTIVE' }));
    const s = approved();
    expect(s.execute(commands[0]).map((e) => e.type)).toEqual(['PayScoreUpdated']);
    expect(s.execute(commands[1]).map((e) => e.type)).toEqual(['AccountSuspended']);
    expect(s.execute(commands[2]).map((e) => e.type)).toEqual(['TransactionControlsSet']);
    expect(s.execute({ type: 'ClearRiskSuspension', operator: 'ops-1' }).map((e) => e.type)).toEqual(['SuspensionCleared']);
  });

  it('still records a draw at a rejected account as declined, not an error', () => {
    const [declined] = rejected().execute({ type: 'RequestDraw', orderId: 'O-1', merchant: 'JD.com', amount: '10.00', authentication: { method: 'PASSWORD', passed: true } });
    expect(declined).toMatchObject({ type: 'DrawDeclined', data: { reason: 'ACCOUNT_NOT_ACTIVE', detail: 'NOT_OPENED' } });
  });
});
