/**
 * GET /accounts/:id/installments over HTTP: a plan part billed by statements, one refunded to nothing,
 * and the payoff the listing quotes against what POST .../payoff then records.
 */
import { draw, openAccount, startLedger, type TestLedger } from '../support/ledger-app';

interface PlanView {
  planId: string;
  status: string;
  payoffToday: { principalAccelerated: string; feeKept: string; feesWaived: string } | null;
  toBill: { principal: string; fees: string };
  [field: string]: unknown;
}

describe('the installment plans of an account', () => {
  let ledger: TestLedger;
  let account: string;
  const plans = async (): Promise<PlanView[]> => (await ledger.http.get(`/accounts/${account}/installments`).expect(200)).body.plans;

  beforeAll(async () => {
    ledger = await startLedger({ LEDGER_CLOCK_START: '2026-01-05T10:00:00+08:00' });
    account = await openAccount(ledger, '1990-04-12', 71, { payScore: 750 });
    const http = ledger.http;
    await http.post(`/accounts/${account}/draws`).send(draw('P-phone', '1200.00')).expect(201);
    await http.post(`/accounts/${account}/draws/P-phone/installments`).send({ periods: 3 }).expect(201);
    await http.post(`/accounts/${account}/draws`).send(draw('P-lamp', '600.00')).expect(201);
    await http.post(`/accounts/${account}/draws/P-lamp/installments`).send({ periods: 6 }).expect(201);
    await http.post(`/accounts/${account}/draws/P-lamp/refunds`).send({ refundId: 'RF-lamp', amount: '600.00' }).expect(201);
    // January's statement (issued 1 February) bills the phone's first period.
    await ledger.closeDays('2026-01-05', '2026-02-03');
  });
  afterAll(async () => ledger?.close());

  it('lists the open plan with what its statement billed and what is left, then the one refunded to nothing', async () => {
    const [phone, lamp] = await plans();
    expect(phone).toEqual({
      planId: 'P-phone',
      drawId: 'P-phone',
      createdOn: '2026-01-05',
      principal: '1200.00',
      periods: 3,
      monthlyFeeRate: '0.005',
      feePerPeriod: '6.00',
      apr: '0.0898',
      periodsBilled: 1,
      periodsLeft: 2,
      billed: { principal: '400.00', fees: '6.00' },
      toBill: { principal: '800.00', fees: '12.00' },
      status: 'ACTIVE',
      endedOn: null,
      endReason: null,
      // Period 2 is in progress: its fee is kept, period 3's waived.
      payoffToday: { principalAccelerated: '800.00', feeKept: '6.00', feesWaived: '6.00' },
    });
    expect(lamp).toMatchObject({
      planId: 'P-lamp',
      periods: 6,
      periodsBilled: 0,
      periodsLeft: 0,
      billed: { principal: '0.00', fees: '0.00' },
      toBill: { principal: '0.00', fees: '0.00' },
      status: 'ENDED',
      endedOn: '2026-01-05',
      endReason: 'REFUNDED',
      payoffToday: null,
    });
    // The per-plan figures add up to the account's one total.
    const owed = (await ledger.http.get(`/accounts/${account}`).expect(200)).body.owed;
    expect(owed.installmentUnbilled).toBe(phone.toBill.principal);
  });

  it('quotes the payoff the command then records, and lists the plan as paid off from that day', async () => {
    const [before] = await plans();
    const payoff = await ledger.http.post(`/accounts/${account}/installments/P-phone/payoff`).send().expect(201);
    const recorded = payoff.body.events.find((e: { type: string }) => e.type === 'InstallmentPaidOffEarly').data;
    expect({ principalAccelerated: recorded.principalAccelerated, feeKept: recorded.feeKept, feesWaived: recorded.feesWaived }).toEqual(before.payoffToday);

    // Both ended now: the lamp, converted later, comes first.
    const [lamp, phone] = await plans();
    expect(lamp.planId).toBe('P-lamp');
    expect(phone).toMatchObject({ planId: 'P-phone', status: 'ENDED', endedOn: '2026-02-04', endReason: 'PAID_OFF_EARLY', periodsLeft: 0, payoffToday: null });
    // Until February's statement bills them: the remainder and the fee kept.
    expect(phone.toBill).toEqual({ principal: '800.00', fees: '6.00' });

    // January's statement paid, so the account stays current for the next draw.
    const january = (await ledger.http.get(`/accounts/${account}/statements/2026-01`).expect(200)).body;
    await ledger.http.post(`/accounts/${account}/repayments`).send({ reference: 'PAY-jan', amount: january.statementBalance, channel: 'MANUAL' }).expect(201);
    await ledger.closeDays('2026-02-04', '2026-03-01');
    const [, billed] = await plans();
    expect(billed).toMatchObject({ planId: 'P-phone', periodsBilled: 2, billed: { principal: '1200.00', fees: '12.00' }, toBill: { principal: '0.00', fees: '0.00' }, endedOn: '2026-02-04' });
  });

  it('lists the active plans before the ended ones, newest first', async () => {
    await ledger.http.post(`/accounts/${account}/draws`).send(draw('P-desk', '900.00')).expect(201);
    await ledger.http.post(`/accounts/${account}/draws/P-desk/installments`).send({ periods: 6 }).expect(201);
    expect((await plans()).map((p) => [p.planId, p.status])).toEqual([
      ['P-desk', 'ACTIVE'],
      ['P-lamp', 'ENDED'],
      ['P-phone', 'ENDED'],
    ]);
  });

  it('answers an account with no plans with none, and an unknown account with 404', async () => {
    const other = await openAccount(ledger, '1988-08-08', 72);
    expect((await ledger.http.get(`/accounts/${other}/installments`).expect(200)).body).toEqual({ accountId: other, plans: [] });
    const unknown = await ledger.http.get('/accounts/acc_nobody/installments');
    expect([unknown.status, unknown.body.error]).toEqual([404, 'ACCOUNT_NOT_FOUND']);
  });

  it('is read by the roles that read the installment quote', async () => {
    for (const role of ['auditor', 'viewer'] as const) {
      const quote = await ledger.as(role).get(`/accounts/${account}/installment-quote?amount=600.00&periods=3`);
      const listing = await ledger.as(role).get(`/accounts/${account}/installments`);
      expect([role, listing.status]).toEqual([role, quote.status]);
    }
    expect((await ledger.as('anonymous').get(`/accounts/${account}/installments`)).status).toBe(401);
  });
});
