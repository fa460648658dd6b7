import { Money } from '../../money/money';
import { AccountScenario } from '../../testing/account-scenario';
import type { EventOf } from '../credit-account.events';
import { initialState, isOverdue, overdueAmount, type StatementState } from '../credit-account.state';
import { fold } from '../evolve';

/** Opens an account on 2026-01-05 (pay score 720: limit 3,000.00, 0.045% a day). */
function opened(): AccountScenario {
  return new AccountScenario().open();
}

function uphold(s: AccountScenario, drawId: string, disputeId = `dp-${drawId}`): EventOf<'DrawReversed'> {
  s.execute({ type: 'OpenDispute', disputeId, drawId, reason: 'not mine' });
  s.execute({ type: 'ResolveDispute', disputeId, upheld: true, note: 'upheld' });
  return s.lastOf('DrawReversed');
}

function listed(s: AccountScenario, id: string): StatementState {
  const found = s.state.statements.find((st) => st.id === id);
  if (!found) throw new Error(`statement ${id} is not listed`);
  return found;
}

function issued(s: AccountScenario, id: string): EventOf<'StatementIssued'>['data'] {
  const found = s.eventsOf('StatementIssued').find((e) => e.data.statementId === id);
  if (!found) throw new Error(`no statement ${id}`);
  return found.data;
}

/**
 * Two lives of one customer: a legitimate 500.00 on 01-08 in both, and in `victim` a stolen 2,000.00 on
 * 01-20. Each month the customer pays, on the 5th, the minimum the life without the stolen draw asks
 * (what their own spending asks), in both lives.
 */
function twoLives(months: number): { victim: AccountScenario; own: AccountScenario } {
  const victim = opened();
  const own = opened();
  for (const s of [victim, own]) {
    s.at('2026-01-08').draw('legit', '500.00');
    s.closeDaysThrough('2026-01-19');
  }
  victim.draw('stolen', '2000.00');
  for (let m = 2; m < 2 + months; m++) {
    const month = `2026-${String(m).padStart(2, '0')}`;
    const billed = `2026-${String(m - 1).padStart(2, '0')}`;
    for (const s of [victim, own]) s.closeDaysThrough(`${month}-04`);
    const asked = listed(own, billed).minimum.toString();
    for (const s of [victim, own]) s.at(`${month}-05`).repay(`pay-${billed}`, asked);
  }
  return { victim, own };
}

describe('an upheld dispute sets the minimums again without the draw (PRODUCT.md §6, §10)', () => {
  it("upheld before the due date: the minimum is what the customer's own spending asks, to the fen, and they never go overdue", () => {
    const { victim, own } = twoLives(0);
    victim.closeDaysThrough('2026-02-02');
    own.closeDaysThrough('2026-02-02');
    expect(listed(victim, '2026-01').minimum.toString()).toBe('251.62');
    const reversed = uphold(victim, 'stolen');
    const minimums = reversed.data.minimums!;
    // January's balance held the stolen 2,000.00 and the 10.80 of interest it bore (12 days x 0.045%).
    expect(minimums.drawBalances).toEqual([{ statementId: '2026-01', amount: '2010.80' }]);
    expect(Money.of(reversed.data.charges!.interest).toString()).toBe('10.80');
    expect(minimums.lowered).toEqual([{ statementId: '2026-01', from: '251.62', to: listed(own, '2026-01').minimum.toString() }]);
    expect(listed(victim, '2026-01').minimum.toString()).toBe('50.54');

    // From here both lives pay the same and are billed the same.
    for (let m = 2; m <= 5; m++) {
      const month = `2026-${String(m).padStart(2, '0')}`;
      const billed = `2026-${String(m - 1).padStart(2, '0')}`;
      for (const s of [victim, own]) s.closeDaysThrough(`${month}-04`);
      const asked = listed(own, billed).minimum.toString();
      for (const s of [victim, own]) s.at(`${month}-05`).repay(`pay-${billed}`, asked);
    }
    // To the day before January's 90 days end (its remainder, carried by paying minimums, falls overdue then).
    for (const s of [victim, own]) s.closeDaysThrough('2026-05-10');
    expect(victim.eventsOf('AccountBecameOverdue')).toEqual([]);
    expect(victim.eventsOf('AccountFrozen')).toEqual([]);
    for (const id of ['2026-02', '2026-03', '2026-04']) {
      expect(issued(victim, id).statementBalance).toBe(issued(own, id).statementBalance);
      expect(issued(victim, id).minimumRepayment).toBe(issued(own, id).minimumRepayment);
    }
  });

  it("upheld after months overdue: the statements whose lowered minimum was paid are cured, and the overdue left is what the penalty on the customer's own principal added", () => {
    const { victim, own } = twoLives(3);
    for (const s of [victim, own]) s.closeDaysThrough('2026-04-14');
    expect(isOverdue(own.state)).toBe(false);
    expect(overdueAmount(victim.state).toString()).toBe('614.39');
    expect(victim.state.frozenForOverdue).toBe(true);
    const since = victim.state.statements.map((s) => s.overdue?.since);

    const reversed = uphold(victim, 'stolen');
    const lowered = new Map(reversed.data.minimums!.lowered.map((l) => [l.statementId, l]));
    // January's balance held nothing but the customer's spending and the draw: its minimum is their own.
    expect(lowered.get('2026-01')!.to).toBe(listed(own, '2026-01').minimum.toString());
    // February and March also billed penalty interest on the customer's own 500.00 while the account was
    // overdue for the draw's sake, which is not given back: their minimums stay that much above.
    for (const id of ['2026-02', '2026-03']) {
      const minimum = listed(victim, id).minimum;
      expect(minimum.greaterThan(listed(own, id).minimum)).toBe(true);
      expect(minimum.minus(listed(own, id).minimum).lessThan(Money.of('1.00'))).toBe(true);
      expect(lowered.get(id)!.to).toBe(minimum.toString());
    }
    // January and February are cured (their lowered minimums were paid); March is short of its own.
    const cured = victim.eventsOf('OverdueCured').map((e) => e.data.statementId);
    expect(cured).toEqual(['2026-01', '2026-02']);
    expect(listed(victim, '2026-03').overdue).toEqual({ since: '2026-04-11', kind: 'MINIMUM_NOT_PAID' });
    const left = overdueAmount(victim.state);
    expect(left.toString()).toBe(listed(victim, '2026-03').minimum.minus(listed(victim, '2026-03').repaidSinceIssue).toString());
    expect(since).toContain('2026-02-11');

    // Paying what is left cures the account and lifts the freeze.
    victim.repay('pay-rest', left.toString());
    expect(isOverdue(victim.state)).toBe(false);
    expect(victim.state.frozenForOverdue).toBe(false);
    expect(victim.state.bucket).toBe('CURRENT');
  });

  it('keeps what the customer paid towards the minimum, even the part returned because it had paid the draw', () => {
    const s = opened();
    s.at('2026-01-08').draw('stolen', '2000.00');
    s.at('2026-01-20').draw('legit', '500.00');
    s.closeDaysThrough('2026-02-04');
    const january = listed(s, '2026-01');
    // The whole minimum paid: it goes to the oldest draw first, the stolen one.
    s.at('2026-02-05').repay('pay-1', january.minimum.toString());
    s.closeDaysThrough('2026-02-06');
    const reversed = uphold(s, 'stolen');
    expect(Money.of(reversed.data.returnedToCustomer).isPositive()).toBe(true);
    const lowered = listed(s, '2026-01');
    expect(lowered.minimum.lessThan(january.minimum)).toBe(true);
    expect(lowered.repaidSinceIssue.toString()).toBe(january.minimum.toString());
    expect(lowered.minimumMet).toBe(true);
    s.closeDaysThrough('2026-02-20');
    expect(isOverdue(s.state)).toBe(false);
  });

  it("counts what was paid of the draw's principal as never paid: a customer who paid it all is asked their own spending's minimum, not nothing", () => {
    const victim = opened();
    const own = opened();
    for (const s of [victim, own]) s.at('2026-01-08').draw('legit', '500.00');
    victim.at('2026-01-20').draw('stolen', '2000.00');
    for (const s of [victim, own]) {
      s.closeDaysThrough('2026-02-01');
      // Each pays the whole January balance on 02-02, the victim the stolen draw's with it.
      s.at('2026-02-02').repay('pay-all', issued(s, '2026-01').statementBalance);
      s.at('2026-02-10').draw('legit-2', '800.00');
      s.closeDaysThrough('2026-03-04');
    }
    const reversed = uphold(victim, 'stolen');
    // The 2,000.00 and its January interest, paid, go back to the customer.
    expect(Money.of(reversed.data.returnedToCustomer).greaterThan(Money.of('2000.00'))).toBe(true);
    expect(listed(victim, '2026-02').minimum.toString()).toBe(listed(own, '2026-02').minimum.toString());
    expect(listed(victim, '2026-02').minimumMet).toBe(false);
  });

  it('lowers nothing for a draw reversed before it was billed', () => {
    const s = opened();
    s.at('2026-01-08').draw('legit', '500.00');
    s.closeDaysThrough('2026-02-04');
    s.draw('stolen', '800.00');
    const before = listed(s, '2026-01').minimum.toString();
    const reversed = uphold(s, 'stolen');
    expect(reversed.data.minimums).toEqual({ drawBalances: [], lowered: [] });
    expect(listed(s, '2026-01').minimum.toString()).toBe(before);
  });

  it('leaves out every draw reversed on a statement: two stolen draws end at the minimum of the life without both', () => {
    const victim = opened();
    const own = opened();
    for (const s of [victim, own]) s.at('2026-01-08').draw('legit', '700.00');
    victim.at('2026-01-12').draw('stolen-1', '900.00');
    victim.at('2026-01-15').draw('stolen-2', '1200.00');
    for (const s of [victim, own]) s.closeDaysThrough('2026-02-03');
    const first = uphold(victim, 'stolen-1');
    expect(first.data.minimums!.lowered[0].to).not.toBe(listed(own, '2026-01').minimum.toString());
    const second = uphold(victim, 'stolen-2');
    expect(second.data.minimums!.lowered).toEqual([
      { statementId: '2026-01', from: first.data.minimums!.lowered[0].to, to: listed(own, '2026-01').minimum.toString() },
    ]);
  });

  describe('the overdue amount a later minimum includes, without the draw', () => {
    /** 500.00 of the customer's own on 01-08 in both lives, nothing ever paid; `victim` also had `stolen` drawn on 01-20. */
    function unpaidLives(stolen: [string, string][]): { victim: AccountScenario; own: AccountScenario } {
      const victim = opened();
      const own = opened();
      for (const s of [victim, own]) s.at('2026-01-08').draw('legit', '500.00');
      victim.at('2026-01-20');
      for (const [id, amount] of stolen) victim.draw(id, amount);
      own.closeDaysThrough('2026-03-04');
      return { victim, own };
    }

    it("after a merchant refund between the statements, is what the customer's own January left unpaid, not less", () => {
      const { victim, own } = unpaidLives([['stolen', '2000.00']]);
      victim.closeDaysThrough('2026-02-14');
      victim.execute({ type: 'RefundDraw', drawId: 'stolen', refundId: 'rf-1', amount: '1800.00' });
      victim.closeDaysThrough('2026-03-04');
      uphold(victim, 'stolen');
      // Both lives owe January's unpaid minimum inside February's: the refund does not take it off twice.
      expect(issued(own, '2026-02').overdueIncluded).toBe(listed(own, '2026-01').minimum.toString());
      expect(listed(victim, '2026-02').minimum.toString()).toBe(listed(own, '2026-02').minimum.toString());
      expect(listed(victim, '2026-01').minimum.toString()).toBe(listed(own, '2026-01').minimum.toString());
      expect(overdueAmount(victim.state).toString()).toBe(overdueAmount(own.state).toString());
    });

    /** Two stolen 1,000.00 draws, the first upheld on 02-15 (`first` may rewrite its reversal), the second on 03-05. */
    function twoReversals(first: (reversal: EventOf<'DrawReversed'>, victim: AccountScenario) => void = () => undefined) {
      const lives = unpaidLives([
        ['stolen-1', '1000.00'],
        ['stolen-2', '1000.00'],
      ]);
      lives.victim.closeDaysThrough('2026-02-14');
      first(uphold(lives.victim, 'stolen-1'), lives.victim);
      lives.victim.closeDaysThrough('2026-03-04');
      uphold(lives.victim, 'stolen-2');
      return lives;
    }

    it('after an earlier reversal between the statements, is the same: two stolen draws end at the life without both', () => {
      const { victim, own } = twoReversals();
      for (const id of ['2026-01', '2026-02']) expect(listed(victim, id).minimum.toString()).toBe(listed(own, id).minimum.toString());
      expect(overdueAmount(victim.state).toString()).toBe(overdueAmount(own.state).toString());
    });

    it('leaves out a draw reversed by a build before minimums were set again, whose reversal records none', () => {
      const { victim, own } = twoReversals((reversal, victim) => {
        delete (reversal.data as { minimums?: unknown }).minimums;
        victim.state = fold(initialState(victim.accountId), victim.history);
      });
      for (const id of ['2026-01', '2026-02']) expect(listed(victim, id).minimum.toString()).toBe(listed(own, id).minimum.toString());
    });

    it('under rule revision 1, leaves the draw out of a statement whose own remainder fell overdue after its 90 days', () => {
      const victim = opened();
      const own = opened();
      for (const s of [victim, own]) {
        // Approved before rule revisions were recorded: a remainder overdue after 90 days is the statement's own charges.
        const approval = s.history.find((e) => e.type === 'ApplicationApproved')!;
        delete (approval.data as { ruleRevision?: number }).ruleRevision;
        s.state = fold(initialState(s.accountId), s.history);
        s.at('2026-01-08').draw('legit', '500.00');
      }
      victim.at('2026-01-20').draw('stolen', '2000.00');
      // February's spending keeps May's minimum below its balance, so what it includes of January shows.
      for (const s of [victim, own]) {
        s.closeDaysThrough('2026-02-04');
        s.draw('legit-2', '400.00');
      }
      // Nothing paid: January's remainder falls overdue on 05-11, 90 days after its due date, in both lives,
      // and May's statement includes it.
      for (const s of [victim, own]) s.closeDaysThrough('2026-06-03');
      expect(Money.of(issued(own, '2026-05').minimumRepayment).lessThan(Money.of(issued(own, '2026-05').statementBalance))).toBe(true);
      expect(victim.state.ruleRevision).toBe(1);
      expect(listed(victim, '2026-01').overdue?.kind).toBe('DEFERRAL_LIMIT_REACHED');
      expect(Money.of(issued(victim, '2026-05').overdueIncluded).greaterThan(Money.of('2000.00'))).toBe(true);
      uphold(victim, 'stolen');
      // Both lives were overdue on the same days for the customer's own 500.00, so without the draw every
      // minimum is the customer's own, to the fen.
      for (const id of ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05']) expect(listed(victim, id).minimum.toString()).toBe(listed(own, id).minimum.toString());
    });
  });
});
