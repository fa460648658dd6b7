import fc from 'fast-check';
import { Money } from '../../money/money';
import { AccountScenario } from '../../testing/account-scenario';
import { type ProductTerms, TERMS_2026_01 } from '../../terms/product-terms';
import { addDays, daysBetween } from '../../time/local-date';
import { bucketsTotal, type CreditAccountState, initialState, interestBearingPrincipal, oldestOverdue, overdueAmount, overdueOrigin, totalOwed } from '../credit-account.state';
import { fold } from '../evolve';
import { delinquencyEvents, nextDelinquencyClosing } from './overdue';

/** Pay score 650 (0.05% a day, penalty 0.065%); 1,000.00 drawn on 2 Jan; statement 1,015.00 due 10 Feb, minimum 101.50. */
const billed = () => {
  const s = new AccountScenario('acc-1', '2026-01-02T09:00:00+08:00').open({ payScore: 650 });
  s.draw('o-1', '1000.00');
  s.closeDaysThrough('2026-01-31');
  return s;
};

describe('an account whose minimum is not paid by the due date', () => {
  it('becomes overdue the day after the due date, in bucket M1', () => {
    const s = billed();
    const decided = s.closeDaysThrough('2026-02-10');
    expect(decided.map((e) => e.type)).toEqual(['StatementDueDatePassed', 'AccountBecameOverdue', 'DelinquencyBucketChanged']);
    expect(decided[1].data).toEqual({ on: '2026-02-11', statementId: '2026-01', overdueAmount: '101.50', kind: 'MINIMUM_NOT_PAID' });
    expect(decided[2].data).toEqual({ on: '2026-02-11', from: 'CURRENT', to: 'M1', daysPastDue: 1 });
  });

  it('is not frozen on days 1 to 3', () => {
    const s = billed();
    s.closeDaysThrough('2026-02-12');
    expect(s.state.frozenForOverdue).toBe(false);
    expect(s.draw('o-2', '10.00')[0].type).toBe('DrawPosted');
  });

  it('is frozen and reported to the credit bureau on day 4, and declines draws', () => {
    const s = billed();
    s.closeDaysThrough('2026-02-12');
    const decided = s.closeDaysThrough('2026-02-13');
    expect(decided.map((e) => e.type)).toEqual(['AccountFrozen', 'OverdueReported']);
    expect(decided[0].data).toEqual({ on: '2026-02-14', reason: 'OVERDUE', daysPastDue: 4 });
    expect(s.draw('o-2', '10.00')[0].data).toMatchObject({ reason: 'ACCOUNT_NOT_ACTIVE', detail: 'FROZEN_OVERDUE' });
  });

  it('moves to M2 on day 31', () => {
    const s = billed();
    s.closeDaysThrough('2026-03-11');
    expect(s.state.bucket).toBe('M1');
    s.closeDaysThrough('2026-03-12');
    expect(s.lastOf('DelinquencyBucketChanged').data).toEqual({ on: '2026-03-13', from: 'M1', to: 'M2', daysPastDue: 31 });
  });

  it('is cured by paying the overdue amount: unfrozen, back to CURRENT, penalty interest stops', () => {
    const s = billed();
    s.closeDaysThrough('2026-02-19');
    const decided = s.repay('r-1', '101.50');
    expect(decided.map((e) => e.type)).toEqual(['RepaymentReceived', 'MinimumRepaymentMet', 'OverdueCured', 'AccountUnfrozen', 'DelinquencyBucketChanged']);
    expect(s.draw('o-2', '10.00')[0].type).toBe('DrawPosted');
    s.repay('r-2', '10.00');
    s.closeDaysThrough('2026-02-28');
    const feb = s.lastOf('StatementIssued').data;
    // 1-10 Feb at 0.05% on 1,000.00 = 5.00; 11-19 Feb at the 0.065% penalty rate = 5.85;
    // 20-28 Feb at 0.05% on 913.50 = 4.11075.
    expect(feb.interest).toMatchObject({ exact: '9.11075', charged: '9.11' });
    expect(feb.penaltyInterest).toEqual({ exact: '5.85', charged: '5.85', residual: '0' });
  });

  it('is not cured by paying less than the overdue amount', () => {
    const s = billed();
    s.closeDaysThrough('2026-02-19');
    expect(s.repay('r-1', '101.49').map((e) => e.type)).toEqual(['RepaymentReceived']);
    expect(s.state.frozenForOverdue).toBe(true);
  });

  it('charges no late fee', () => {
    const s = billed();
    s.closeDaysThrough('2026-02-28');
    expect(s.lastOf('StatementIssued').data.fees).toBe('0.00');
  });
});

describe('an account paying only minimums', () => {
  it('has its statement remainder fall overdue 90 days after the due date', () => {
    const s = billed();
    s.closeDaysThrough('2026-02-04');
    s.repay('r-1', s.lastOf('StatementIssued').data.minimumRepayment);
    for (const [statementDay, payDay] of [['2026-02-28', '2026-03-04'], ['2026-03-31', '2026-04-04'], ['2026-04-30', '2026-05-04']]) {
      s.closeDaysThrough(statementDay);
      s.closeDaysThrough(payDay);
      s.repay(`r-${payDay}`, s.lastOf('StatementIssued').data.minimumRepayment);
    }
    expect(s.state.statements.every((st) => st.overdue === null)).toBe(true);
    s.closeDaysThrough('2026-05-10');
    const january = s.state.statements.find((st) => st.id === '2026-01')!;
    const remainder = bucketsTotal(january.owed);
    expect(remainder.greaterThan(Money.ZERO)).toBe(true);
    const decided = s.closeDaysThrough('2026-05-11');
    expect(decided[0]).toEqual({
      type: 'AccountBecameOverdue',
      data: { on: '2026-05-12', statementId: '2026-01', overdueAmount: remainder.toString(), kind: 'DEFERRAL_LIMIT_REACHED' },
    });
    // Days past due count from the day after the due date (11 Feb): 91 on 12 May, so non-performing,
    // frozen and reported at once.
    expect(decided.slice(1).map((e) => e.type)).toEqual(['AccountFrozen', 'OverdueReported', 'DelinquencyBucketChanged']);
    expect(decided[3].data).toEqual({ on: '2026-05-12', from: 'CURRENT', to: 'M3+', daysPastDue: 91 });
    // The account says why: its oldest overdue began with the carry's end, not a minimum missed.
    expect(oldestOverdue(s.state)).toEqual({ since: '2026-02-11', kind: 'DEFERRAL_LIMIT_REACHED' });
    expect(overdueOrigin(s.state)).toBe('DEFERRAL_LIMIT_REACHED');
  });
});

describe('why an overdue account is overdue (overdueOrigin)', () => {
  /** Pays each statement's minimum from February's on, a few days after it is issued, through May's due date. */
  const payMinimumsFromFebruary = (s: AccountScenario) => {
    for (const [statementDay, payDay] of [['2026-02-28', '2026-03-04'], ['2026-03-31', '2026-04-04'], ['2026-04-30', '2026-05-04']]) {
      s.closeDaysThrough(statementDay);
      s.closeDaysThrough(payDay);
      s.repay(`r-${payDay}`, s.lastOf('StatementIssued').data.minimumRepayment);
    }
    s.closeDaysThrough('2026-05-11');
  };

  it('stays MINIMUM_NOT_PAID when the missed statement’s remainder also reaches the 90 days’ end, on the day it turns M3+', () => {
    const s = billed();
    s.closeDaysThrough('2026-02-10');
    expect(overdueOrigin(s.state)).toBe('MINIMUM_NOT_PAID');
    payMinimumsFromFebruary(s);
    // January's whole remainder is overdue now, and the statement's own kind says so; the customer still never paid its minimum.
    expect(oldestOverdue(s.state)).toEqual({ since: '2026-02-11', kind: 'DEFERRAL_LIMIT_REACHED' });
    expect(s.state.bucket).toBe('M3+');
    expect(overdueOrigin(s.state)).toBe('MINIMUM_NOT_PAID');
  });

  it('is MINIMUM_NOT_PAID for a minimum paid late whose remainder then reached the 90 days’ end', () => {
    const s = billed();
    s.closeDaysThrough('2026-02-12');
    s.repay('r-late', '101.50');
    expect(overdueOrigin(s.state)).toBeNull();
    payMinimumsFromFebruary(s);
    expect(oldestOverdue(s.state)?.kind).toBe('DEFERRAL_LIMIT_REACHED');
    expect(overdueOrigin(s.state)).toBe('MINIMUM_NOT_PAID');
  });

  it('is null for an account that is not overdue', () => {
    expect(overdueOrigin(billed().state)).toBeNull();
  });
});

describe('the next closing at which an overdue account has a delinquency step', () => {
  const noneOwed = { PENALTY_INTEREST: Money.ZERO, INTEREST: Money.ZERO, FEES: Money.ZERO, INSTALLMENT_PRINCIPAL: Money.ZERO, REVOLVING_PRINCIPAL: Money.ZERO };

  it('is the first closing, day by day, at which delinquencyEvents decides anything', () => {
    const after = '2026-05-01';
    fc.assert(
      fc.property(
        fc.record({
          freeze: fc.integer({ min: 1, max: 10 }),
          report: fc.integer({ min: 1, max: 10 }),
          widths: fc.tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 })),
          openEnded: fc.boolean(),
          // The episode began up to 190 days before `after`, or up to 9 days after it.
          sinceOffset: fc.integer({ min: -190, max: 9 }),
          frozen: fc.boolean(),
          reported: fc.boolean(),
          bucket: fc.constantFrom('CURRENT', 'M1', 'M2', 'M3', 'M3+'),
        }),
        ({ freeze, report, widths, openEnded, sinceOffset, frozen, reported, bucket }) => {
          const [m1, m2, m3] = [widths[0], widths[0] + widths[1], widths[0] + widths[1] + widths[2]];
          const buckets: ProductTerms['overdue']['buckets'] = [
            { name: 'M1', maxDaysPastDue: m1 },
            { name: 'M2', maxDaysPastDue: m2 },
            { name: 'M3', maxDaysPastDue: m3 },
            ...(openEnded ? [{ name: 'M3+' as const, maxDaysPastDue: null }] : []),
          ];
          const terms = { ...TERMS_2026_01, overdue: { ...TERMS_2026_01.overdue, freezeOnDayPastDue: freeze, reportOnDayPastDue: report, buckets } };
          const since = addDays(after, sinceOffset);
          const state: CreditAccountState = {
            ...initialState('acc-1'),
            status: 'ACTIVE',
            frozenForOverdue: frozen,
            overdueReported: reported,
            bucket,
            statements: [{ id: 's-1', statementDate: addDays(since, -11), dueDate: addDays(since, -1), minimum: Money.ZERO, repaidSinceIssue: Money.ZERO, owed: noneOwed, billedDraws: {}, billedPlans: {}, minimumMet: false, dueDatePassed: true, minimumMetByDueDate: false, overdue: { since, kind: 'MINIMUM_NOT_PAID' } }],
          };
          let dayByDay: string | null = null;
          for (let day = 0; day < 400 && dayByDay === null; day++) {
            if (delinquencyEvents(state, addDays(after, day), terms).length > 0) dayByDay = addDays(after, day);
          }
          expect(nextDelinquencyClosing(state, after, terms)).toBe(dayByDay);
        },
      ),
      { numRuns: 400 },
    );
  });
});

/** An account approved before rule revisions were recorded: its approval carries none, as stored events of that time do. */
function approvedUnderRevision1(s: AccountScenario): AccountScenario {
  const approval = s.history.find((e) => e.type === 'ApplicationApproved')!;
  delete (approval.data as { ruleRevision?: number }).ruleRevision;
  s.state = fold(initialState(s.accountId), s.history);
  return s;
}

describe('principal carried onto an overdue statement (rule revision 2)', () => {
  /**
   * Pay score 650 (0.05% a day, penalty 0.065%). 1,000.00 drawn on 2 Jan; January's statement 1,015.00,
   * its minimum 101.50 paid on 5 Feb, leaving 913.50 of January's principal, carried onto February's
   * statement (previous balance 913.50 + 12.96 interest, minimum 92.65, due 10 Mar), which is not paid:
   * February is overdue from 11 Mar while January is within its 90 days.
   */
  const carried = (revision: 1 | 2) => {
    const s = new AccountScenario('acc-1', '2026-01-02T09:00:00+08:00').open({ payScore: 650 });
    if (revision === 1) approvedUnderRevision1(s);
    s.draw('o-1', '1000.00');
    s.closeDaysThrough('2026-02-04');
    s.repay('r-1', '101.50');
    s.closeDaysThrough('2026-03-10');
    return s;
  };

  it('is new approvals\' rule: they record revision 3, which keeps it', () => {
    expect(carried(2).lastOf('ApplicationApproved').data.ruleRevision).toBe(3);
    expect(carried(2).state.ruleRevision).toBe(3);
  });

  it('bears penalty interest from day 1 past due, with the statement\'s own principal', () => {
    const s = carried(2);
    s.closeDaysThrough('2026-03-11');
    expect(s.state.statements.map((st) => [st.id, st.overdue?.kind ?? null])).toEqual([['2026-01', null], ['2026-02', 'MINIMUM_NOT_PAID']]);
    expect(interestBearingPrincipal(s.state)).toEqual({ normal: Money.ZERO, penalty: Money.of('913.50') });
    s.closeDaysThrough('2026-03-31');
    const march = s.lastOf('StatementIssued').data;
    // 1 to 10 March at 0.05% on 913.50, then 21 days at 0.065%.
    expect(march.interest).toEqual({ exact: '4.5675', charged: '4.57', residual: '-0.0025' });
    expect(march.penaltyInterest).toEqual({ exact: '12.469275', charged: '12.47', residual: '-0.000725' });
  });

  it('goes back to the daily rate once the overdue statement is cured', () => {
    const s = carried(2);
    s.closeDaysThrough('2026-03-14');
    s.repay('cure', s.lastOf('AccountBecameOverdue').data.overdueAmount);
    expect(s.state.statements.every((st) => st.overdue === null)).toBe(true);
    const { normal, penalty } = interestBearingPrincipal(s.state);
    expect([normal.isPositive(), penalty.toString()]).toEqual([true, '0.00']);
  });

  it('keeps the daily rate on an account approved under revision 1, whose history must replay to what it recorded', () => {
    const s = carried(1);
    s.closeDaysThrough('2026-03-31');
    expect(s.lastOf('StatementIssued').data.interest.exact).toBe('14.15925');
    expect(s.lastOf('StatementIssued').data.penaltyInterest.exact).toBe('0');
  });
});

describe('an overdue the quarter starts in (rule revision 2)', () => {
  /** Pay score 720. February's minimum missed: overdue from 11 Mar, still on 1 Apr (day 22), when it is paid off; every later minimum paid on time. */
  const secondQuarter = (revision: 1 | 2) => {
    const s = new AccountScenario('acc-1', '2026-01-02T09:00:00+08:00').open({ payScore: 720 });
    if (revision === 1) approvedUnderRevision1(s);
    s.draw('o-1', '1500.00');
    s.closeDaysThrough('2026-02-04');
    s.repay('r-1', s.lastOf('StatementIssued').data.minimumRepayment);
    s.closeDaysThrough('2026-03-31');
    expect(s.state.frozenForOverdue).toBe(true);
    s.repay('cure', totalOwed(s.state).toString());
    s.draw('o-2', '1500.00');
    for (const [statementDay, payDay] of [['2026-04-30', '2026-05-04'], ['2026-05-31', '2026-06-04']]) {
      s.closeDaysThrough(statementDay);
      s.closeDaysThrough(payDay);
      s.repay(`r-${payDay}`, s.lastOf('StatementIssued').data.minimumRepayment);
    }
    s.closeDaysThrough('2026-06-30');
    return s.lastOf('CreditLimitReviewed').data;
  };

  it('counts among the quarter\'s episodes though it is cured on the first day, so the review decreases the limit', () => {
    const review = secondQuarter(2);
    expect(review).toMatchObject({ quarter: '2026-Q2', decision: 'DECREASED', inputs: { overdueEpisodes: 1, overdueDays: 0 } });
  });

  it('does not count on an account approved under revision 1', () => {
    expect(secondQuarter(1)).toMatchObject({ quarter: '2026-Q2', decision: 'INCREASED', inputs: { overdueEpisodes: 0, overdueDays: 0 } });
  });
});

/** An account approved under an earlier rule revision: its approval records that one, as stored events of that time do. */
function approvedUnderRevision(s: AccountScenario, revision: 1 | 2): AccountScenario {
  if (revision === 1) return approvedUnderRevision1(s);
  const approval = s.history.find((e) => e.type === 'ApplicationApproved')!;
  (approval.data as { ruleRevision?: number }).ruleRevision = revision;
  s.state = fold(initialState(s.accountId), s.history);
  return s;
}

describe('a statement with nothing of its own owed while an earlier one owes (rule revision 3)', () => {
  /**
   * Pay score 650 (0.05% a day). 500.00 drawn on 10 Jan: January's statement 500.00 + 22 days x 500.00 x
   * 0.05% = 5.50 interest, 505.50, paid in full on 5 Feb. February's statement bills the 4 days of 1 to 4
   * Feb: 1.00 of interest, minimum 0.10, not paid: overdue from 11 Mar. Interest bears no interest, so
   * March's statement has nothing of its own: its balance is the 1.00 carried, its minimum 10% of that
   * plus February's unpaid 0.10, 0.20, due 10 Apr.
   */
  const carriedInterest = (revision: 2 | 3) => {
    const s = new AccountScenario('acc-1', '2026-01-10T09:00:00+08:00').open({ payScore: 650 });
    if (revision !== 3) approvedUnderRevision(s, revision);
    s.draw('o-1', '500.00');
    s.closeDaysThrough('2026-02-04');
    s.repay('r-1', '505.50');
    s.closeDaysThrough('2026-04-10');
    return s;
  };

  it('is new approvals\' rule: the approval records revision 3', () => {
    expect(carriedInterest(3).lastOf('ApplicationApproved').data.ruleRevision).toBe(3);
  });

  it('stays listed at its due date, goes overdue for its unpaid minimum, and the account owes that larger amount', () => {
    const s = carriedInterest(3);
    const [february, march] = s.eventsOf('StatementIssued').slice(1).map((e) => e.data);
    expect([february.statementBalance, february.minimumRepayment]).toEqual(['1.00', '0.10']);
    expect([march.statementBalance, march.minimumRepayment, march.overdueIncluded]).toEqual(['1.00', '0.20', '0.10']);
    expect(s.lastOf('AccountBecameOverdue').data).toEqual({ on: '2026-04-11', statementId: '2026-03', overdueAmount: '0.20', kind: 'MINIMUM_NOT_PAID' });
    expect(s.state.statements.map((st) => [st.id, st.overdue?.since ?? null])).toEqual([['2026-02', '2026-03-11'], ['2026-03', '2026-04-11']]);
    expect(overdueAmount(s.state).toString()).toBe('0.20');
  });

  it('is not cured by paying the older statement\'s smaller overdue amount: March\'s minimum is still unpaid', () => {
    const s = carriedInterest(3);
    const decided = s.repay('r-2', '0.10');
    expect(decided.map((e) => e.type)).toEqual(['RepaymentReceived', 'MinimumRepaymentMet', 'OverdueCured', 'DelinquencyBucketChanged']);
    expect(s.state.statements.map((st) => [st.id, st.overdue?.since ?? null])).toEqual([['2026-02', null], ['2026-03', '2026-04-11']]);
    // Days past due now count from March's overdue, so the bucket follows them the same day, not at the next close.
    const on = decided[0].data.on;
    expect(decided[3].data).toEqual({ on, from: 'M2', to: 'M1', daysPastDue: daysBetween('2026-04-11', on) + 1 });
    expect([s.state.frozenForOverdue, overdueAmount(s.state).toString()]).toEqual([true, '0.10']);
    // The rest of March's minimum cures it: the account is unfrozen and back to CURRENT.
    expect(s.repay('r-3', '0.10').map((e) => e.type)).toEqual(['RepaymentReceived', 'MinimumRepaymentMet', 'OverdueCured', 'AccountUnfrozen', 'DelinquencyBucketChanged']);
  });

  it('keeps revision 2\'s rule on an account approved under it, whose history must replay to what it recorded', () => {
    const s = carriedInterest(2);
    expect(s.state.statements.map((st) => st.id)).toEqual(['2026-02']);
    expect(overdueAmount(s.state).toString()).toBe('0.10');
    expect(s.repay('r-2', '0.10').map((e) => e.type)).toContain('AccountUnfrozen');
  });
});

describe('two statements past their 90 days at once (rule revision 3)', () => {
  /**
   * Pay score 720 (0.045% a day). 100.00 drawn on 20 Feb and 500.00 on 9 Mar, nothing ever repaid.
   * February's statement (100.41 with its interest) passes its 90 days on 8 Jun, March's (507.00 of its own)
   * on 9 Jul: from 10 Jul the whole remainder of both is overdue, 100.41 + 507.00 = 607.41, not the
   * larger of the two (figures worked out by the independent billing model, billing.model.property.spec).
   */
  const both = () => {
    const s = new AccountScenario('acc-k', '2026-02-01T10:00:00+08:00').open({ payScore: 720 });
    s.closeDaysThrough('2026-02-19');
    s.draw('o-1', '100.00');
    s.closeDaysThrough('2026-03-08');
    s.draw('o-2', '500.00');
    s.closeDaysThrough('2026-07-31');
    return s;
  };

  it('makes everything owed up to the later one overdue, and the next statement\'s minimum includes it', () => {
    const s = both();
    const remainders = s.eventsOf('AccountBecameOverdue').filter((e) => e.data.kind === 'DEFERRAL_LIMIT_REACHED').map((e) => [e.data.on, e.data.statementId, e.data.overdueAmount]);
    // Each records its whole remainder: all owed up to it (March's 507.00 of its own and February's 100.41).
    expect(remainders.slice(0, 2)).toEqual([['2026-06-09', '2026-02', '100.41'], ['2026-07-10', '2026-03', '607.41']]);
    const july = s.lastOf('StatementIssued').data;
    // Capped at the balance: 10% of 653.99 plus 607.41 is more than it.
    expect([july.statementId, july.statementBalance, july.overdueIncluded, july.minimumRepayment]).toEqual(['2026-07', '653.99', '607.41', '653.99']);
    // July's own minimum is not due until 10 Aug: what is overdue on 1 Aug is the two remainders.
    expect(overdueAmount(s.state).toString()).toBe('607.41');
  });

  it('is cured, unfrozen and back to CURRENT by paying the overdue amount it shows', () => {
    const s = both();
    const decided = s.repay('cure', overdueAmount(s.state).toString());
    expect(decided.map((e) => e.type)).toEqual(expect.arrayContaining(['AccountUnfrozen', 'DelinquencyBucketChanged']));
    expect([s.state.bucket, s.state.frozenForOverdue, s.state.statements.some((st) => st.overdue !== null)]).toEqual(['CURRENT', false, false]);
  });
});
