import { Money } from '../../money/money';
import { AccountScenario } from '../../testing/account-scenario';
import { isBalanced, postingsFor } from '../../journal/journal';
import type { EventOf } from '../credit-account.events';
import { isOverdue, overdueAmount, totalOwed } from '../credit-account.state';
import { decide } from '../decide';
import { fold } from '../evolve';
import { contextAt, needsHistory } from '../decide-context';

/** Opens an account on 2026-01-05 (pay score 720: limit 3,000.00, 0.045% a day). */
function opened(): AccountScenario {
  return new AccountScenario().open();
}

function uphold(s: AccountScenario, drawId: string, disputeId = 'dp-1'): EventOf<'DrawReversed'> {
  s.execute({ type: 'OpenDispute', disputeId, drawId, reason: 'not mine' });
  s.execute({ type: 'ResolveDispute', disputeId, upheld: true, note: 'upheld' });
  return s.lastOf('DrawReversed');
}

function statement(s: AccountScenario, id: string): EventOf<'StatementIssued'> {
  const found = s.eventsOf('StatementIssued').find((e) => e.data.statementId === id);
  if (!found) throw new Error(`no statement ${id}`);
  return found;
}

describe('an upheld dispute reverses the charges its draw gave rise to (PRODUCT.md §10, 全额赔付)', () => {
  it('leaves the account owing, statement by statement, what it would owe had the draw never been made', () => {
    // The same life twice: with a stolen 2,000.00 draw reversed on 03-15, and without it. Nothing is
    // repaid, so both go overdue on the same days and the legitimate draw bears the same principal in both.
    const withFraud = opened();
    const without = opened();
    for (const s of [withFraud, without]) {
      s.at('2026-01-08').draw('legit', '500.00');
      s.closeDaysThrough('2026-01-19');
    }
    withFraud.draw('stolen', '2000.00');
    for (const s of [withFraud, without]) s.closeDaysThrough('2026-03-14');
    expect(isOverdue(withFraud.state)).toBe(true);
    expect(withFraud.state.frozenForOverdue).toBe(true);

    const reversed = uphold(withFraud, 'stolen');
    const charges = reversed.data.charges!;
    // January and February billed interest on the stolen draw, February penalty interest too.
    expect(charges.statements.map((c) => c.statementId)).toEqual(['2026-01', '2026-02']);
    expect(Money.of(charges.interest).isPositive()).toBe(true);
    expect(Money.of(charges.penaltyInterest).isPositive()).toBe(true);
    expect(Money.exact(charges.unbilledPenaltyInterest).isPositive()).toBe(true);
    for (const id of ['2026-01', '2026-02']) {
      const charged = Money.of(statement(withFraud, id).data.interest.charged).plus(Money.of(statement(withFraud, id).data.penaltyInterest.charged));
      const back = charges.statements.find((c) => c.statementId === id)!;
      const chargedWithout = Money.of(statement(without, id).data.interest.charged).plus(Money.of(statement(without, id).data.penaltyInterest.charged));
      expect(charged.minus(Money.of(back.interest)).minus(Money.of(back.penaltyInterest)).toString()).toBe(chargedWithout.toString());
    }
    expect(totalOwed(withFraud.state).toString()).toBe(totalOwed(without.state).toString());

    for (const s of [withFraud, without]) s.closeDaysThrough('2026-04-05');
    // March's statement leaves out the stolen draw's share of the days before the reversal.
    const march = statement(withFraud, '2026-03').data;
    expect(march.penaltyInterest.reversed).toBe(charges.unbilledPenaltyInterest);
    expect(march.penaltyInterest.charged).toBe(statement(without, '2026-03').data.penaltyInterest.charged);
    expect(march.interest.charged).toBe(statement(without, '2026-03').data.interest.charged);
    expect(Money.exact(march.penaltyInterest.exact).minus(Money.exact(march.penaltyInterest.reversed!)).toExactString()).toBe(
      statement(without, '2026-03').data.penaltyInterest.exact,
    );
    expect(totalOwed(withFraud.state).toString()).toBe(totalOwed(without.state).toString());
    expect(overdueAmount(withFraud.state).isPositive()).toBe(true);
  });

  it('clears a victim who owes nothing else: nothing owed, the overdue cured and the freeze lifted', () => {
    const s = opened();
    s.at('2026-01-10').draw('stolen', '2000.00');
    s.closeDaysThrough('2026-02-20');
    expect(s.state.frozenForOverdue).toBe(true);
    const reversed = uphold(s, 'stolen');
    expect(Money.of(reversed.data.charges!.interest).isPositive()).toBe(true);
    expect(totalOwed(s.state).toString()).toBe('0.00');
    expect(isOverdue(s.state)).toBe(false);
    expect(s.state.frozenForOverdue).toBe(false);
    expect(s.eventsOf('OverdueCured').length).toBeGreaterThan(0);
    s.closeDaysThrough('2026-03-02');
    // February's statement charges nothing for the days the stolen draw bore interest before its reversal.
    const feb = statement(s, '2026-02').data;
    expect(feb.interest.charged).toBe('0.00');
    expect(feb.penaltyInterest.charged).toBe('0.00');
    expect(Money.exact(feb.interest.exact).isPositive()).toBe(true);
    expect(totalOwed(s.state).toString()).toBe('0.00');
  });

  it('returns interest already paid to the customer, out of interest income', () => {
    const s = opened();
    s.at('2026-01-10').draw('stolen', '1000.00');
    s.closeDaysThrough('2026-02-01');
    const january = statement(s, '2026-01').data;
    s.repay('pay-1', january.statementBalance);
    expect(totalOwed(s.state).toString()).toBe('0.00');
    const reversed = uphold(s, 'stolen');
    const charges = reversed.data.charges!;
    expect(charges.interest).toBe(january.interest.charged);
    expect(reversed.data.returnedToCustomer).toBe(Money.of('1000.00').plus(Money.of(january.interest.charged)).toString());
    const postings = postingsFor(reversed);
    expect(isBalanced(postings)).toBe(true);
    expect(postings).toContainEqual({ account: 'INTEREST_INCOME', side: 'DEBIT', amount: Money.of(january.interest.charged) });
    expect(totalOwed(s.state).toString()).toBe('0.00');
  });

  it('takes the charges off what is owed of their kind, and gives back the installment fees billed on the plan', () => {
    const s = opened();
    s.at('2026-01-10').draw('stolen', '1200.00');
    s.execute({ type: 'ConvertToInstallments', drawId: 'stolen', periods: 3 });
    s.closeDaysThrough('2026-03-01');
    const fees = ['2026-01', '2026-02'].map((id) => Money.of(statement(s, id).data.fees));
    expect(fees.every((f) => f.isPositive())).toBe(true);
    const owedBefore = totalOwed(s.state);
    const reversed = uphold(s, 'stolen');
    const charges = reversed.data.charges!;
    expect(charges.fees).toBe(Money.sum(fees).toString());
    // Converted the day it was drawn, it bore no interest; unpaid, its January period went overdue on 02-11
    // and bore penalty interest until the reversal.
    expect(charges.interest).toBe('0.00');
    expect(Money.of(charges.penaltyInterest).isPositive()).toBe(true);
    const linesOf = (component: string) => Money.sum(reversed.data.appliedTo.filter((l) => l.target === 'STATEMENT' && l.component === component).map((l) => Money.of(l.amount))).toString();
    expect(linesOf('FEES')).toBe(charges.fees);
    expect(linesOf('PENALTY_INTEREST')).toBe(charges.penaltyInterest);
    expect(totalOwed(s.state).toString()).toBe('0.00');
    expect(owedBefore.isPositive()).toBe(true);
    expect(isBalanced(postingsFor(reversed))).toBe(true);
  });

  it('reverses a draw once: a second dispute on it is refused while the first is open or upheld, and writes nothing', () => {
    const s = opened();
    s.at('2026-01-10').draw('stolen', '800.00');
    s.closeDaysThrough('2026-02-03');
    const again = { type: 'OpenDispute', disputeId: 'dp-2', drawId: 'stolen', reason: 'again' } as const;
    s.execute({ type: 'OpenDispute', disputeId: 'dp-1', drawId: 'stolen', reason: 'not mine' });
    expect(() => s.execute(again)).toThrow(expect.objectContaining({ code: 'DRAW_ALREADY_DISPUTED', details: { drawId: 'stolen', disputeId: 'dp-1' } }));
    s.execute({ type: 'ResolveDispute', disputeId: 'dp-1', upheld: true, note: 'upheld' });
    const before = s.history.length;
    expect(() => s.execute(again)).toThrow(expect.objectContaining({ code: 'DRAW_ALREADY_DISPUTED', message: expect.stringContaining('dispute dp-1 is upheld') }));
    expect(s.history.length).toBe(before);
    // The same dispute sent again is still the same dispute, not a second one.
    expect(s.execute({ type: 'OpenDispute', disputeId: 'dp-1', drawId: 'stolen', reason: 'not mine' })).toEqual([]);
  });

  it('lets a draw be disputed again once a dispute on it was rejected', () => {
    const s = opened();
    s.at('2026-01-10').draw('contested', '300.00');
    s.execute({ type: 'OpenDispute', disputeId: 'dp-1', drawId: 'contested', reason: 'not mine' });
    s.execute({ type: 'ResolveDispute', disputeId: 'dp-1', upheld: false, note: 'the customer signed for it' });
    expect(s.execute({ type: 'OpenDispute', disputeId: 'dp-2', drawId: 'contested', reason: 'new evidence' }).map((e) => e.type)).toEqual(['DisputeOpened']);
    s.execute({ type: 'ResolveDispute', disputeId: 'dp-2', upheld: true, note: 'upheld on the new evidence' });
    expect(s.lastOf('DrawReversed').data.drawId).toBe('contested');
  });

  it('refuses to uphold a second dispute on a reversed draw in a ledger written before the refusal above', () => {
    const s = opened();
    s.at('2026-01-10').draw('stolen', '800.00');
    s.closeDaysThrough('2026-02-03');
    s.execute({ type: 'OpenDispute', disputeId: 'dp-1', drawId: 'stolen', reason: 'not mine' });
    // A second dispute opened while the first was, as earlier builds recorded it.
    const legacy = { type: 'DisputeOpened', data: { on: s.businessDate, disputeId: 'dp-2', drawId: 'stolen', reason: 'again' } } as const;
    s.state = fold(s.state, [legacy]);
    s.history.push(legacy);
    s.execute({ type: 'ResolveDispute', disputeId: 'dp-1', upheld: true, note: 'upheld' });
    expect(() => s.execute({ type: 'ResolveDispute', disputeId: 'dp-2', upheld: true, note: 'again' })).toThrow(
      expect.objectContaining({ code: 'DRAW_ALREADY_DISPUTED', details: { drawId: 'stolen', disputeId: 'dp-1' } }),
    );
    expect(s.execute({ type: 'ResolveDispute', disputeId: 'dp-2', upheld: false, note: 'already reversed' }).map((e) => e.type)).toEqual(['DisputeResolved']);
  });

  it("splits a month's interest between two disputed draws so that both reversals together give back what the month charged on them", () => {
    const s = opened();
    const without = opened();
    s.at('2026-01-10').draw('a', '333.33');
    s.draw('b', '666.67');
    without.at('2026-01-10').draw('legit', '1.00');
    s.draw('legit', '1.00');
    for (const x of [s, without]) x.closeDaysThrough('2026-02-02');
    const first = uphold(s, 'a', 'dp-a').data.charges!;
    const second = uphold(s, 'b', 'dp-b').data.charges!;
    const jan = statement(s, '2026-01').data;
    const back = Money.of(first.interest).plus(Money.of(second.interest));
    expect(Money.of(jan.interest.charged).minus(back).toString()).toBe(statement(without, '2026-01').data.interest.charged);
  });

  it('computes each share as the interest on the draw alone, from its own days', () => {
    const s = opened();
    s.at('2026-01-10').draw('stolen', '1000.00');
    s.closeDaysThrough('2026-01-31');
    s.at('2026-02-01');
    const reversed = uphold(s, 'stolen');
    // 22 days (01-10..01-31) at 0.045% a day on 1,000.00, billed on January's statement.
    const jan = reversed.data.charges!.statements[0];
    expect(jan.interestShare).toBe('9.9');
    expect(jan.interest).toBe('9.90');
  });

  it('refuses to decide an upheld dispute without the history of the state it is decided on', () => {
    const s = opened();
    s.at('2026-01-10').draw('stolen', '500.00');
    s.execute({ type: 'OpenDispute', disputeId: 'dp-1', drawId: 'stolen', reason: 'not mine' });
    const command = { type: 'ResolveDispute', disputeId: 'dp-1', upheld: true, note: 'n' } as const;
    expect(() => decide(command, s.state, contextAt(s.now, s.terms))).toThrow(/history/);
    expect(() => decide(command, s.state, contextAt(s.now, s.terms, s.history.filter((e) => e.type !== 'DrawPosted')))).toThrow(/does not fold/);
  });

  it('reads the history only to uphold a dispute not yet resolved, so a retry of the resolution reads none', () => {
    const s = opened();
    s.at('2026-01-10').draw('stolen', '500.00');
    s.execute({ type: 'OpenDispute', disputeId: 'dp-1', drawId: 'stolen', reason: 'not mine' });
    const uphold = { type: 'ResolveDispute', disputeId: 'dp-1', upheld: true, note: 'n' } as const;
    expect(needsHistory(uphold, s.state)).toBe(true);
    expect(needsHistory({ ...uphold, upheld: false }, s.state)).toBe(false);
    s.execute(uphold);
    expect(needsHistory(uphold, s.state)).toBe(false);
    // Decided again without it, as the repository does for a retry: the resolution is found made.
    expect(decide(uphold, s.state, contextAt(s.now, s.terms))).toEqual([]);
  });
});
