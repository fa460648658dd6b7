import { AccountScenario, applicant } from '../../testing/account-scenario';

const drawCmd = (orderId: string, amount: string, auth: { method: 'PASSWORD' | 'FACE'; passed: boolean } = { method: 'PASSWORD', passed: true }) => ({
  type: 'RequestDraw' as const,
  orderId,
  merchant: 'Meituan',
  amount,
  authentication: auth,
});

describe('a draw on an active account with a 3,000.00 limit', () => {
  const account = () => new AccountScenario().open({ payScore: 720 });

  it('is posted and reduces available credit', () => {
    const s = account();
    expect(s.draw('o-1', '1200.50')[0].type).toBe('DrawPosted');
    expect(s.state.unbilledRevolving.toString()).toBe('1200.50');
  });

  it('declines with INSUFFICIENT_CREDIT above available credit and records the decline', () => {
    const s = account();
    s.draw('o-1', '2500.00');
    const [declined] = s.draw('o-2', '500.01');
    expect(declined).toMatchObject({ type: 'DrawDeclined', data: { reason: 'INSUFFICIENT_CREDIT', orderId: 'o-2' } });
    expect(s.draw('o-3', '500.00')[0].type).toBe('DrawPosted');
  });

  it('is idempotent by merchant order id: the same order twice is one draw', () => {
    const s = account();
    s.draw('o-1', '100.00');
    expect(s.draw('o-1', '100.00')).toEqual([]);
    expect(s.state.unbilledRevolving.toString()).toBe('100.00');
  });

  it('refuses the same order id with another amount as a conflict', () => {
    const s = account();
    s.draw('o-1', '100.00');
    expect(() => s.draw('o-1', '100.01')).toThrow(expect.objectContaining({ code: 'DRAW_EXISTS_WITH_DIFFERENT_PAYLOAD' }));
  });

  it('declines with OVER_TRANSACTION_LIMIT above the user single-transaction limit', () => {
    const s = account();
    s.execute({ type: 'SetTransactionControls', singleTransactionLimit: '200.00', nightLock: false });
    expect(s.draw('o-1', '200.01')[0].data).toMatchObject({ reason: 'OVER_TRANSACTION_LIMIT' });
    expect(s.draw('o-2', '200.00')[0].type).toBe('DrawPosted');
  });

  it('declines with NIGHT_LOCK between 23:00 and 06:00 when the night lock is on', () => {
    const s = account();
    s.execute({ type: 'SetTransactionControls', singleTransactionLimit: null, nightLock: true });
    s.at('2026-01-05', '23:00');
    expect(s.draw('o-1', '10.00')[0].data).toMatchObject({ reason: 'NIGHT_LOCK' });
    s.at('2026-01-06', '05:59');
    expect(s.draw('o-2', '10.00')[0].data).toMatchObject({ reason: 'NIGHT_LOCK' });
    s.at('2026-01-06', '06:00');
    expect(s.draw('o-3', '10.00')[0].type).toBe('DrawPosted');
  });

  it('reads the night lock in Shanghai time whatever offset the clock is given in', () => {
    const s = account();
    s.execute({ type: 'SetTransactionControls', singleTransactionLimit: null, nightLock: true });
    s.now = '2026-01-05T15:30:00Z'; // 23:30 in Shanghai
    expect(s.draw('o-1', '10.00')[0].data).toMatchObject({ reason: 'NIGHT_LOCK' });
  });

  it('declines with FACE_VERIFICATION_REQUIRED for 5,000.00 or more authorised by password', () => {
    const s = new AccountScenario().open({ payScore: 780 });
    expect(s.draw('o-1', '5000.00')[0].data).toMatchObject({ reason: 'FACE_VERIFICATION_REQUIRED' });
    expect(s.draw('o-2', '5000.00', 'FACE')[0].type).toBe('DrawPosted');
  });

  it('locks payments after 5 consecutive failed authentications, until an operator unlocks after face verification', () => {
    const s = account();
    for (let i = 1; i <= 4; i++) s.execute(drawCmd(`f-${i}`, '10.00', { method: 'PASSWORD', passed: false }));
    expect(s.state.paymentLocked).toBe(false);
    const fifth = s.execute(drawCmd('f-5', '10.00', { method: 'PASSWORD', passed: false }));
    expect(fifth.map((e) => e.type)).toEqual(['DrawDeclined', 'PaymentLocked']);
    expect(s.draw('o-1', '10.00')[0].data).toMatchObject({ reason: 'ACCOUNT_NOT_ACTIVE', detail: 'PAYMENT_LOCKED' });
    expect(() => s.execute({ type: 'UnlockPayment', operator: 'op-7', faceVerified: false })).toThrow(expect.objectContaining({ code: 'FACE_VERIFICATION_REQUIRED' }));
    s.execute({ type: 'UnlockPayment', operator: 'op-7', faceVerified: true });
    expect(s.draw('o-2', '10.00')[0].type).toBe('DrawPosted');
  });

  it('resets the failure count after a passed authentication', () => {
    const s = account();
    for (let i = 1; i <= 4; i++) s.execute(drawCmd(`f-${i}`, '10.00', { method: 'PASSWORD', passed: false }));
    s.draw('ok', '10.00');
    for (let i = 5; i <= 8; i++) s.execute(drawCmd(`f-${i}`, '10.00', { method: 'PASSWORD', passed: false }));
    expect(s.state.paymentLocked).toBe(false);
  });

  it('declines with ACCOUNT_NOT_ACTIVE while suspended by risk monitoring, and draws again once cleared', () => {
    const s = account();
    s.execute({ type: 'SuspendForRisk', reason: 'REMOTE_LOGIN', note: 'login from a new device abroad' });
    expect(s.draw('o-1', '10.00')[0].data).toMatchObject({ reason: 'ACCOUNT_NOT_ACTIVE', detail: 'RISK_SUSPENDED' });
    s.execute({ type: 'ClearRiskSuspension', operator: 'op-1' });
    expect(s.draw('o-2', '10.00')[0].type).toBe('DrawPosted');
  });

  it('declines with ACCOUNT_NOT_ACTIVE before activation', () => {
    const s = new AccountScenario();
    s.execute({ type: 'SubmitApplication', accountId: 'acc-1', channel: 'CUSTOMER_SERVICE', applicant: applicant() });
    expect(s.state.status).toBe('APPROVED');
    expect(s.draw('o-1', '10.00')[0].data).toMatchObject({ reason: 'ACCOUNT_NOT_ACTIVE', detail: 'PENDING_ACTIVATION' });
  });

  it('refuses amounts that are not positive decimal strings with at most 2 decimals', () => {
    const s = account();
    for (const bad of ['0', '0.00', '-1.00', '1.001', '1e3', '12,00', '']) {
      expect(() => s.draw(`o-${bad}`, bad)).toThrow(expect.objectContaining({ code: 'INVALID_AMOUNT' }));
    }
  });
});
