import { AccountScenario } from '../../testing/account-scenario';

/** Pay score 650: limit 2,000.00 at 0.05% a day. Opened on 2 January 2026. */
const opened = () => new AccountScenario('acc-1', '2026-01-02T09:00:00+08:00').open({ payScore: 650 });

describe('daily interest and the monthly statement', () => {
  it('charges 15.00 for a 1,000.00 draw held 30 days at 0.05% a day', () => {
    const s = opened();
    s.draw('o-1', '1000.00');
    s.closeDaysThrough('2026-01-31');
    const statement = s.lastOf('StatementIssued').data;
    expect(statement).toMatchObject({
      on: '2026-02-01',
      statementId: '2026-01',
      periodFrom: '2026-01-02',
      periodTo: '2026-01-31',
      dueDate: '2026-02-10',
      revolvingPrincipal: '1000.00',
      interest: { exact: '15', charged: '15.00', residual: '0' },
      penaltyInterest: { charged: '0.00' },
      statementBalance: '1015.00',
      minimumRepayment: '101.50',
    });
  });

  it('covers its calendar month when the months before it had nothing to bill (PRODUCT.md §6)', () => {
    // Opened 2 January, nothing drawn until 15 March: January and February get no statement, and March's
    // runs from 1 March, not from the opening. 100.00 drawn on 15 March and repaid on 31 March accrues
    // 16 days (the day of the repayment does not): 100.00 x 0.05% x 16 = 0.80.
    const s = opened();
    s.closeDaysThrough('2026-03-14');
    expect(s.eventsOf('StatementIssued')).toHaveLength(0);
    s.draw('o-1', '100.00');
    s.closeDaysThrough('2026-03-30');
    s.repay('r-1', '100.00');
    s.closeDaysThrough('2026-03-31');
    expect(s.lastOf('StatementIssued').data).toMatchObject({
      statementId: '2026-03',
      periodFrom: '2026-03-01',
      periodTo: '2026-03-31',
      interest: { exact: '0.8', charged: '0.80', residual: '0' },
      statementBalance: '0.80',
    });
    // March's interest paid, then a quiet April and May: no statement for them, and June's runs from 1 June.
    s.closeDaysThrough('2026-04-04');
    s.repay('r-2', '0.80');
    s.closeDaysThrough('2026-06-09');
    s.draw('o-2', '100.00');
    s.closeDaysThrough('2026-06-30');
    expect(s.eventsOf('StatementIssued').map((e) => [e.data.statementId, e.data.periodFrom, e.data.periodTo, e.data.interest.charged])).toEqual([
      ['2026-03', '2026-03-01', '2026-03-31', '0.80'],
      ['2026-06', '2026-06-01', '2026-06-30', '1.05'],
    ]);
  });

  it('requests auto-repayment of the full statement balance on the statement day', () => {
    const s = opened();
    s.draw('o-1', '1000.00');
    s.closeDaysThrough('2026-01-31');
    expect(s.lastOf('AutoRepaymentRequested').data).toEqual({ on: '2026-02-01', statementId: '2026-01', amount: '1015.00', cardLast4: '6222' });
  });

  describe('a failed auto-repayment debit', () => {
    const fail = (s: AccountScenario, statementId: string) => s.execute({ type: 'RecordAutoRepaymentFailure', statementId, reason: 'INSUFFICIENT_FUNDS' });
    const refused = (s: AccountScenario, statementId: string, code: string) => {
      const before = s.state;
      expect(() => fail(s, statementId)).toThrow(expect.objectContaining({ code, details: expect.objectContaining({ statementId }) }));
      expect(s.state).toBe(before);
    };

    it('is recorded against a statement whose balance is still owed, after a part of it was paid too', () => {
      const s = opened();
      s.draw('o-1', '1000.00');
      s.closeDaysThrough('2026-01-31');
      s.repay('r-1', '1000.00');
      fail(s, '2026-01');
      expect(s.lastOf('AutoRepaymentFailed').data).toEqual({ on: '2026-02-01', statementId: '2026-01', reason: 'INSUFFICIENT_FUNDS' });
    });

    it('is refused for a statement paid in full, and for a later one while an earlier one still owes it is not', () => {
      const s = opened();
      s.draw('o-1', '1000.00');
      s.closeDaysThrough('2026-01-31');
      s.repay('r-1', '1015.00');
      refused(s, '2026-01', 'STATEMENT_SETTLED');
      s.draw('o-2', '100.00');
      s.closeDaysThrough('2026-02-28');
      fail(s, '2026-02');
      expect(s.lastOf('AutoRepaymentFailed').data.statementId).toBe('2026-02');
    });

    it('is refused for a statement that billed nothing to pay, for which no debit was requested', () => {
      const s = opened();
      s.draw('o-1', '100.00');
      s.repay('r-1', '100.00');
      s.closeDaysThrough('2026-01-31');
      expect(s.lastOf('StatementIssued').data).toMatchObject({ statementId: '2026-01', newDraws: '100.00', statementBalance: '0.00' });
      expect(s.eventsOf('AutoRepaymentRequested')).toEqual([]);
      refused(s, '2026-01', 'STATEMENT_SETTLED');
      refused(s, '2025-12', 'STATEMENT_NOT_FOUND');
    });
  });

  it('accrues the day of a draw and not the day of a repayment (算头不算尾)', () => {
    const s = opened();
    s.draw('o-1', '1000.00');
    s.at('2026-01-11');
    s.repay('r-1', '1000.00');
    s.closeDaysThrough('2026-01-31');
    expect(s.lastOf('StatementIssued').data.interest).toEqual({ exact: '4.5', charged: '4.50', residual: '0' });
  });

  it('rounds the minimum repayment up to the fen: a 1,234.56 statement has a 123.46 minimum', () => {
    const s = opened();
    s.at('2026-01-31');
    s.draw('o-1', '1233.94');
    s.closeDaysThrough('2026-01-31');
    const statement = s.lastOf('StatementIssued').data;
    expect(statement.interest).toEqual({ exact: '0.61697', charged: '0.62', residual: '-0.00303' });
    expect(statement.statementBalance).toBe('1234.56');
    expect(statement.minimumRepayment).toBe('123.46');
  });

  it('keeps the sub-fen rounding residual instead of losing it', () => {
    const s = opened();
    s.at('2026-01-31');
    s.draw('o-1', '1233.94');
    s.closeDaysThrough('2026-02-04');
    s.repay('r-1', '123.46');
    s.closeDaysThrough('2026-02-28');
    const feb = s.lastOf('StatementIssued').data;
    // The minimum paid 0.62 of interest and 122.84 of principal on 5 Feb. February:
    // 1,233.94 x 0.05% x 4 days = 2.46788; 1,111.10 x 0.05% x 24 days = 13.3332; sum 15.80108.
    expect(feb.interest).toEqual({ exact: '15.80108', charged: '15.80', residual: '0.00108' });
    expect(s.state.roundingResidual.interest.toExactString()).toBe('-0.00195');
    expect(feb.previousBalance).toBe('1111.10');
  });

  it('issues no statement for a month with nothing owed and no activity', () => {
    const s = opened();
    expect(s.closeDaysThrough('2026-01-31')).toEqual([]);
  });

  it('carries an unpaid balance into the next statement and bills it in the minimum', () => {
    const s = opened();
    s.draw('o-1', '1000.00');
    s.closeDaysThrough('2026-02-04');
    s.repay('r-1', '101.50');
    s.closeDaysThrough('2026-02-28');
    const feb = s.lastOf('StatementIssued').data;
    // 1,015.00 billed, 101.50 paid on 5 Feb: 15.00 interest first, then 86.50 of principal.
    // Principal 1,000.00 for 1-4 Feb (4 days), 913.50 for 5-28 Feb (24 days).
    expect(feb.interest.exact).toBe('12.962');
    expect(feb.previousBalance).toBe('913.50');
    expect(feb.statementBalance).toBe('926.46');
    expect(feb.minimumRepayment).toBe('92.65');
  });
});

describe('allocation of a repayment', () => {
  it('pays statements oldest first, each interest before principal, then unbilled principal', () => {
    const s = opened();
    s.draw('o-1', '1000.00');
    s.closeDaysThrough('2026-02-04');
    s.repay('r-1', '101.50');
    s.draw('o-2', '300.00');
    s.closeDaysThrough('2026-03-03');
    s.draw('o-3', '50.00');
    // February: 1,000.00 for 1-4 Feb, then 913.50 + 300.00 for 5-28 Feb: 2.00 + 14.562 = 16.562, charged 16.56.
    expect(s.lastOf('StatementIssued').data).toMatchObject({ interest: { exact: '16.562' }, statementBalance: '1230.06' });
    const [received] = s.repay('r-2', '1000.00');
    expect(received.type).toBe('RepaymentReceived');
    expect(received.type === 'RepaymentReceived' && received.data.allocation).toEqual([
      { target: 'STATEMENT', statementId: '2026-01', component: 'REVOLVING_PRINCIPAL', amount: '913.50' },
      { target: 'STATEMENT', statementId: '2026-02', component: 'INTEREST', amount: '16.56' },
      { target: 'STATEMENT', statementId: '2026-02', component: 'REVOLVING_PRINCIPAL', amount: '69.94' },
    ]);
    s.repay('r-3', '280.06');
    expect(s.lastOf('RepaymentReceived').data.allocation).toEqual([
      { target: 'STATEMENT', statementId: '2026-02', component: 'REVOLVING_PRINCIPAL', amount: '230.06' },
      { target: 'UNBILLED_REVOLVING', amount: '50.00' },
    ]);
  });

  it('refuses a manual repayment above all that is owed', () => {
    const s = opened();
    s.draw('o-1', '100.00');
    expect(() => s.repay('r-1', '100.01')).toThrow(expect.objectContaining({ code: 'REPAYMENT_EXCEEDS_BALANCE' }));
    expect(s.history.filter((e) => e.type === 'RepaymentReceived')).toHaveLength(0);
  });

  it('returns the excess of an auto-debit to the card rather than losing it', () => {
    const s = opened();
    s.draw('o-1', '100.00');
    const [received] = s.repay('auto-1', '150.00', 'AUTO_DEBIT');
    expect(received.data).toMatchObject({ amount: '150.00', returnedToCustomer: '50.00' });
  });

  it('treats the same payment reference and amount as the same repayment', () => {
    const s = opened();
    s.draw('o-1', '100.00');
    s.repay('r-1', '40.00');
    expect(s.repay('r-1', '40.00')).toEqual([]);
    expect(() => s.repay('r-1', '41.00')).toThrow(expect.objectContaining({ code: 'REPAYMENT_EXISTS_WITH_DIFFERENT_AMOUNT' }));
    expect(s.state.unbilledRevolving.toString()).toBe('60.00');
  });
});
