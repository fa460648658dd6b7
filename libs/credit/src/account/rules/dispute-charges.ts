/**
 * The charges a disputed draw gave rise to (PRODUCT.md §10: an upheld dispute reverses it in full, 全额赔付).
 *
 * Interest is charged on the account's pooled principal, but a day's interest is principal x rate, kept
 * exact, so a draw's share of any day is its own part of that principal (`drawBearingPrincipal`) x the
 * day's rate, and the shares of all draws add up to the day's interest. The account's history is folded
 * again, and after each event the draw's part is kept as a balance timeline of its own, as `evolve` keeps
 * the account's; each statement's share is then `accrueDays` over that statement's period, the very
 * function billing sums.
 *
 * A statement charged its month's exact sum rounded half-up once, so a billed month gives back what it
 * charged less what it would have charged without the draw's share and the shares reversed before it:
 * the account ends, to the fen, as if the draw had never borne interest. The share accrued since the last
 * statement is taken off the next one exactly (`AccrualBreakdown.reversed`). Installment fees billed on
 * the draw's plan are given back whole; the fees still to come are waived by the reversal of its principal.
 */
import { Money } from '../../money/money';
import { accrueDays, type AccrualSegment, withSegment } from '../../interest/accrual';
import { addDays } from '../../time/local-date';
import type { CreditAccountEvent, DisputedDrawCharges, DisputedStatementCharges } from '../credit-account.events';
import { type CreditAccountState, drawBearingPrincipal, initialState, totalOwed } from '../credit-account.state';
import { evolve } from '../evolve';
import { getEntry, sizeOf } from '../sharded-record';

interface StatementShare {
  statementId: string;
  /** What the statement's interest is now charged on: its exact sum, less what reversals took off before it was issued and since. */
  interestBase: Money;
  penaltyBase: Money;
  interestShare: Money;
  penaltyShare: Money;
  fees: Money;
}

/**
 * The charges to reverse with draw `drawId` on business date `on`, from the account's whole history (the
 * events that folded into `decidedOn`, the state the dispute is decided on). Nothing when the draw was
 * reversed before.
 */
export function disputedDrawCharges(history: readonly CreditAccountEvent[], drawId: string, on: string, decidedOn: CreditAccountState): DisputedDrawCharges {
  let state = initialState(decidedOn.accountId);
  let timeline: AccrualSegment[] = [];
  const shares: StatementShare[] = [];
  const byId = new Map<string, StatementShare>();
  let reversedBefore = false;
  for (const event of history) {
    if (event.type === 'StatementIssued') {
      const d = event.data;
      const draw = getEntry(state.draws, drawId);
      const share = accrueDays(timeline, d.periodFrom, d.periodTo);
      const fees = draw?.planId ? Money.sum(d.installmentPeriods.filter((p) => p.planId === draw.planId).map((p) => Money.of(p.fee))) : Money.ZERO;
      const entry: StatementShare = {
        statementId: d.statementId,
        interestBase: Money.exact(d.interest.exact).minus(Money.exact(d.interest.reversed ?? '0')),
        penaltyBase: Money.exact(d.penaltyInterest.exact).minus(Money.exact(d.penaltyInterest.reversed ?? '0')),
        interestShare: share.interest,
        penaltyShare: share.penaltyInterest,
        fees,
      };
      shares.push(entry);
      byId.set(d.statementId, entry);
    } else if (event.type === 'DrawReversed') {
      if (event.data.drawId === drawId) reversedBefore = true;
      // An earlier reversal of another draw took its shares off these statements' charges.
      for (const earlier of event.data.charges?.statements ?? []) {
        const entry = byId.get(earlier.statementId);
        if (!entry) continue;
        entry.interestBase = entry.interestBase.minus(Money.exact(earlier.interestShare));
        entry.penaltyBase = entry.penaltyBase.minus(Money.exact(earlier.penaltyInterestShare));
      }
    }
    state = evolve(state, event);
    if (state.status !== 'ACTIVE' && state.status !== 'CLOSED') continue;
    const draw = getEntry(state.draws, drawId);
    const part = draw ? drawBearingPrincipal(state, draw) : { normal: Money.ZERO, penalty: Money.ZERO };
    timeline = withSegment(timeline, { from: event.data.on, normal: part.normal, penalty: part.penalty, dailyRate: state.dailyRate, penaltyDailyRate: state.penaltyDailyRate });
  }
  assertSameAccount(state, decidedOn);
  if (reversedBefore) return noCharges();
  const statements: DisputedStatementCharges[] = [];
  for (const s of shares) {
    const interest = givenBack(s.interestBase, s.interestShare);
    const penaltyInterest = givenBack(s.penaltyBase, s.penaltyShare);
    if (s.interestShare.isZero() && s.penaltyShare.isZero() && s.fees.isZero()) continue;
    statements.push({
      statementId: s.statementId,
      interestShare: s.interestShare.toExactString(),
      interest: interest.toString(),
      penaltyInterestShare: s.penaltyShare.toExactString(),
      penaltyInterest: penaltyInterest.toString(),
      fees: s.fees.toString(),
    });
  }
  // Interest for day D is on the end-of-day principal: the draw bears none from the day it is reversed.
  const periodStart = state.accrual.periodStart ?? on;
  const unbilled = accrueDays(timeline, periodStart, addDays(on, -1));
  return {
    interest: Money.sum(statements.map((s) => Money.of(s.interest))).toString(),
    penaltyInterest: Money.sum(statements.map((s) => Money.of(s.penaltyInterest))).toString(),
    fees: Money.sum(statements.map((s) => Money.of(s.fees))).toString(),
    unbilledInterest: unbilled.interest.toExactString(),
    unbilledPenaltyInterest: unbilled.penaltyInterest.toExactString(),
    statements,
  };
}

/** A history that does not fold into the state decided on is a caller's mistake: shares taken from it would be another account's. */
function assertSameAccount(folded: CreditAccountState, decidedOn: CreditAccountState): void {
  const same =
    folded.lastOn === decidedOn.lastOn &&
    folded.lastStatementId === decidedOn.lastStatementId &&
    sizeOf(folded.draws) === sizeOf(decidedOn.draws) &&
    totalOwed(folded).equals(totalOwed(decidedOn));
  if (!same) throw new Error(`the history given for account ${decidedOn.accountId} does not fold into the state the dispute is decided on`);
}

/** What a statement charged on `base`, less what it would have charged on `base - share`. */
function givenBack(base: Money, share: Money): Money {
  const without = Money.max(Money.ZERO, base.minus(share));
  return base.roundHalfUpToFen().minus(without.roundHalfUpToFen());
}

function noCharges(): DisputedDrawCharges {
  return { interest: '0.00', penaltyInterest: '0.00', fees: '0.00', unbilledInterest: '0', unbilledPenaltyInterest: '0', statements: [] };
}

/** What the charges give back of what was billed: interest, penalty interest and fees. */
export function billedChargesGivenBack(charges: DisputedDrawCharges): Money {
  return Money.of(charges.interest).plus(Money.of(charges.penaltyInterest)).plus(Money.of(charges.fees));
}

/** Whether the charges give anything back, billed or left out of the next statement. */
export function chargesToReverse(charges: DisputedDrawCharges): boolean {
  return billedChargesGivenBack(charges).isPositive() || !Money.exact(charges.unbilledInterest).isZero() || !Money.exact(charges.unbilledPenaltyInterest).isZero();
}
