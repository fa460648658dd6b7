import fc from 'fast-check';
import { Dec, Money } from '../money/money';
import { addDays, daysBetween, type IsoDate, lastOfMonth, monthOf } from '../time/local-date';
import { AccountScenario } from '../testing/account-scenario';
import { type LifeAction, takeAction } from '../testing/life-actions';
import type { AllocationLine, CreditAccountEvent, StatementIssuedData } from './credit-account.events';
import { billedOwed, overdueAmount, totalOwed } from './credit-account.state';
import { DomainError } from './domain-error';
import { getEntry } from './sharded-record';

/*
 * A differential test of billing, repayment allocation and overdue (PRODUCT.md §6-§8) against an
 * independent model. The model is driven by the money movements alone (draws posted, conversions and
 * early payoffs, refunds and reversals with their amounts, repayments with their amounts, and the
 * interest and penalty interest each StatementIssued charges, which have their own model in
 * credit-account.property.spec.ts, as do the interest and penalty interest an upheld dispute gives back,
 * DrawReversed's `charges.interest` and `charges.penaltyInterest`) and by the calendar. It never reads the
 * ledger's allocation lines, its state or its rule helpers: it allocates every repayment, refund and
 * reversal itself (a reversal's charges too, and the installment fees it gives back, which it works out
 * from the fees it billed), bills its own statements, and decides overdue, cures, freeze and buckets
 * itself. At a reversal it also sets again the minimums of the statements still listed as billing would
 * have set them without the draw and the draws reversed before it (§10), from what it recorded when it
 * billed them and the charges each reversal gives back by statement (the interest and penalty interest
 * read from `charges.statements`, the fees its own), and compares them with the reversal's recorded
 * `minimums`. The ledger's events and the two state helpers `totalOwed` and `overdueAmount` are read
 * only to compare with it.
 *
 * The product terms are written out here as PRODUCT.md gives them, not read from the terms object.
 */
const MINIMUM_RATE = '0.1'; // §6: 10% of the statement balance, rounded up to the fen
const DUE_DAY = '10'; // §6: the 10th
const MAX_DEFERRAL_DAYS = 90; // §8
const FREEZE_ON_DAY = 4; // §8
/** §8: M1 days 1-30, M2 31-60, M3 61-90, M3+ over 90. */
function bucketFor(dpd: number): string {
  if (dpd <= 0) return 'CURRENT';
  if (dpd <= 30) return 'M1';
  if (dpd <= 60) return 'M2';
  if (dpd <= 90) return 'M3';
  return 'M3+';
}
/** §7: statement by statement, oldest first, in this order. */
const COMPONENTS = ['PENALTY_INTEREST', 'INTEREST', 'FEES', 'INSTALLMENT_PRINCIPAL', 'REVOLVING_PRINCIPAL'] as const;
type Component = (typeof COMPONENTS)[number];
/** §10 (全额赔付): the charges an upheld dispute gives back come off what is owed of their kind, in this order, each oldest statement first. */
const CHARGE_KINDS = ['PENALTY_INTEREST', 'INTEREST', 'FEES'] as const;
type ChargeKind = (typeof CHARGE_KINDS)[number];
/** The charges whose amounts the model reads from the ledger (they have their own model). */
type InterestKind = 'PENALTY_INTEREST' | 'INTEREST';


interface ModelDraw {
  amount: Money;
  refunded: Money;
  /** Unbilled: its share of the unbilled revolving principal; billed: on which statement; or converted. */
  place: 'UNBILLED' | 'BILLED' | 'PLAN';
  unbilled: Money;
  /** Reversed by an upheld dispute (§10): once only. */
  reversed: boolean;
}

interface ModelPlan {
  id: string;
  /** Posting order of its draw (plan ids are draw ids). */
  seq: number;
  periods: number;
  feePerPeriod: Money;
  /** Unbilled principal still owed per period (index 0 = period 1). */
  remaining: Money[];
  next: number;
  accelerated: boolean;
  /** §5: an early payoff waives future fees; the period in progress keeps its fee, billed with the remainder. */
  payoffFee: Money;
  closed: boolean;
}

interface ModelStatement {
  id: string;
  dueDate: IsoDate;
  minimum: Money;
  /** Repayments received since the statement was issued (refunds are not repayments). */
  repaid: Money;
  owed: Record<Component, Money>;
  /** Revolving principal billed here per draw, in posting order; repayments reduce it oldest first. */
  draws: Map<string, Money>;
  /** Installment principal billed here per plan. */
  plans: Map<string, Money>;
  /** Installment fees billed here per plan (an upheld dispute gives back those of its draw's plan). */
  fees: Map<string, Money>;
  /** Interest and penalty interest charged here, and how much of each upheld disputes have given back since. */
  charged: Record<InterestKind, Money>;
  givenBack: Record<InterestKind, Money>;
  dueDatePassed: boolean;
  overdue: { since: IsoDate; kind: 'MINIMUM_NOT_PAID' | 'DEFERRAL_LIMIT_REACHED' } | null;
  /** As issued: its balance and minimum (an upheld dispute may lower `minimum` since). */
  balance: Money;
  issuedMinimum: Money;
  /** The statements listed just after it was issued (it among them): the revolving principal of each draw (installment principal of each plan) still owed on each (§10). */
  heldAfter: ListedStatement[];
  /** The draws upheld disputes had reversed when it was issued: its balance no longer holds them (§10). */
  reversedBefore: Set<string>;
  /** The statements overdue just before it was issued, as they were then (index into the statements). */
  overdueBefore: { index: number; minimum: Money; repaid: Money; kind: 'MINIMUM_NOT_PAID' | 'DEFERRAL_LIMIT_REACHED' }[];
  /** The statements listed just before it was issued, as they were then: all each owed, and what of each draw (plan) it still owed. */
  owedBefore: (ListedStatement & { index: number; own: Money })[];
}

/** A listed statement as it stood at some moment: the revolving principal of each draw, and the installment principal of each plan, still owed on it. */
interface ListedStatement {
  id: string;
  draws: Map<string, Money>;
  plans: Map<string, Money>;
}

/** What an upheld dispute sets again (§10): the draw's part of each statement's balance, and the minimums it lowers. */
interface ModelMinimums {
  drawBalances: { statementId: string; amount: string }[];
  lowered: { statementId: string; from: string; to: string }[];
}

/** What the model and the ledger are compared on, as readable lines. */
interface Outputs {
  statements: string[];
  allocations: string[];
  overdue: string[];
  cured: string[];
  frozen: string[];
  unfrozen: string[];
  buckets: string[];
}

const emptyOutputs = (): Outputs => ({ statements: [], allocations: [], overdue: [], cured: [], frozen: [], unfrozen: [], buckets: [] });

const sum = (amounts: Iterable<Money>) => Money.sum(amounts);
const ownTotal = (st: ModelStatement) => sum(COMPONENTS.map((c) => st.owed[c]));

function statementLine(d: {
  on: string;
  statementId: string;
  dueDate: string;
  revolvingPrincipal: string;
  installmentPeriods: { planId: string; period: number; principal: string; fee: string }[];
  fees: string;
  previousBalance: string;
  statementBalance: string;
  overdueIncluded: string;
  minimumRepayment: string;
}): string {
  const periods = d.installmentPeriods.map((p) => `${p.planId}#${p.period}:${p.principal}+${p.fee}`).join(',');
  return (
    `${d.on} ${d.statementId} due ${d.dueDate} revolving ${d.revolvingPrincipal} periods [${periods}] fees ${d.fees} ` +
    `previous ${d.previousBalance} balance ${d.statementBalance} overdueIncluded ${d.overdueIncluded} minimum ${d.minimumRepayment}`
  );
}

/** Lines sorted, except a reversal's: its order (principal, then the charges kind by kind, oldest first) is part of the rule. */
function allocationLine(on: string, kind: string, amount: string, lines: AllocationLine[], returned: string): string {
  const parts = lines.map((l) =>
    l.target === 'STATEMENT' ? `${l.statementId}/${l.component}=${l.amount}` : l.target === 'UNBILLED_REVOLVING' ? `unbilled=${l.amount}` : `${l.planId}#${l.period}=${l.amount}`,
  );
  return `${on} ${kind} ${amount}: ${(kind === 'reversal' ? parts : parts.sort()).join(' ')} returned ${returned}`;
}

const REACHED_IN_MODEL = {
  carried: 0,
  overdue: 0,
  cured: 0,
  m2plus: 0,
  deferral: 0,
  frozen: 0,
  billedRefund: 0,
  planRefund: 0,
  installmentBilled: 0,
  payoffBilled: 0,
  /** Of those, billed with the fee of the period in progress at the payoff (§5: only future fees are waived). */
  payoffFeeBilled: 0,
  unbilledInstallmentPaid: 0,
  severalPastLimit: 0,
  overdueIncluded: 0,
  capped: 0,
  curedPartly: 0,
  /** A partial cure that moved the bucket down on the day of the payment (M2 -> M1). */
  rebucketedOnPayment: 0,
  /** Upheld disputes' reversals; those giving back interest, penalty interest, fees, two kinds or more. */
  reversals: 0,
  reversalInterest: 0,
  reversalPenalty: 0,
  reversalFees: 0,
  reversalSeveralKinds: 0,
  /** Something returned to the customer; some of the charges returned (paid already), some of them while others were still owed. */
  reversalReturned: 0,
  reversalChargesReturned: 0,
  reversalFeesReturned: 0,
  reversalChargesPartlyOwed: 0,
  /** No principal left, only charges. */
  reversalChargesOnly: 0,
  /** Statements issued after a reversal, leaving out the draw's share of the unbilled interest. */
  unbilledReversed: 0,
  /** Reversals lowering a minimum (§10: set again without the draw); one of an overdue statement; one of a statement an earlier reversal took a draw out of. */
  reversalLowered: 0,
  reversalLoweredOverdue: 0,
  reversalLoweredAfterReversal: 0,
  /** Reversals curing an overdue statement; one still owing something, cured only by its lowered minimum. */
  reversalCured: 0,
  reversalCuredByMinimum: 0,
  /** Reversals curing every overdue statement, lifting the freeze. */
  reversalUnfroze: 0,
};

class BillingModel {
  readonly draws = new Map<string, ModelDraw>();
  readonly plans = new Map<string, ModelPlan>();
  readonly statements: ModelStatement[] = [];
  readonly out = emptyOutputs();
  frozen = false;
  bucket = 'CURRENT';
  /** Interesting cases reached, for the guard. */
  readonly reached = { ...REACHED_IN_MODEL };
  /** The draws upheld disputes reversed, in order, each with all the charges its reversal gave back by statement (interest, penalty interest, fees). */
  readonly givenBackOf = new Map<string, Map<string, Record<ChargeKind, Money>>>();

  unbilledRevolving(): Money {
    return sum([...this.draws.values()].filter((d) => d.place === 'UNBILLED').map((d) => d.unbilled));
  }

  unbilledInstallment(): Money {
    return sum([...this.plans.values()].filter((p) => !p.closed).flatMap((p) => p.remaining.slice(p.next - 1)));
  }

  billed(): Money {
    return sum(this.statements.map(ownTotal));
  }

  /** §7: all that is owed now: billed amounts, unbilled revolving principal, installment principal not yet billed. */
  totalOwed(): Money {
    return this.billed().plus(this.unbilledRevolving()).plus(this.unbilledInstallment());
  }

  /** Everything billed and still owed on each statement and the ones before it. */
  owedUpTo(): Money[] {
    let running = Money.ZERO;
    return this.statements.map((st) => (running = running.plus(ownTotal(st))));
  }

  /**
   * What is overdue on one statement (§8): its unpaid minimum, never more than is owed up to it; past
   * its 90 days, its whole unpaid remainder. Every statement before one past its 90 days is past its own
   * (earlier due date, and what a statement owes only ever goes down), so the remainder overdue up to it
   * is everything owed up to it.
   */
  statementOverdue(st: ModelStatement, upTo: Money): Money {
    if (!st.overdue) return Money.ZERO;
    if (st.overdue.kind === 'DEFERRAL_LIMIT_REACHED') return upTo;
    return Money.min(upTo, Money.max(Money.ZERO, st.minimum.minus(st.repaid)));
  }

  /** The account's overdue amount: the largest over the overdue statements (a later minimum includes earlier overdue amounts). */
  overdueAmount(): Money {
    const upTo = this.owedUpTo();
    return this.statements.reduce((largest, st, i) => Money.max(largest, this.statementOverdue(st, upTo[i])), Money.ZERO);
  }

  overdueSince(): IsoDate | null {
    const since = this.statements.flatMap((st) => (st.overdue ? [st.overdue.since] : [])).sort();
    return since[0] ?? null;
  }

  // --- money movements ---

  draw(drawId: string, amount: Money): void {
    this.draws.set(drawId, { amount, refunded: Money.ZERO, place: 'UNBILLED', unbilled: amount, reversed: false });
  }

  /** A conversion takes what is left of the unbilled draw into a plan; its schedule is the conversion's figures. */
  convert(planId: string, drawId: string, principal: Money, schedule: Money[], feePerPeriod: Money): void {
    const draw = this.draws.get(drawId)!;
    expect({ convert: drawId, principal: principal.toString() }).toEqual({ convert: drawId, principal: draw.unbilled.toString() });
    draw.place = 'PLAN';
    draw.unbilled = Money.ZERO;
    const seq = [...this.draws.keys()].indexOf(drawId);
    this.plans.set(planId, { id: planId, seq, periods: schedule.length, feePerPeriod, remaining: schedule, next: 1, accelerated: false, payoffFee: Money.ZERO, closed: false });
  }

  /** The fee the payoff keeps (the period in progress, unless prepaid to nothing), to compare with the event's. */
  payOff(planId: string): Money {
    const plan = this.plans.get(planId)!;
    plan.accelerated = true;
    plan.payoffFee = plan.remaining[plan.next - 1].isZero() ? Money.ZERO : plan.feePerPeriod;
    return plan.payoffFee;
  }

  private closeIfEmpty(plan: ModelPlan): void {
    if (plan.remaining.slice(plan.next - 1).every((r) => r.isZero())) plan.closed = true;
  }

  private plansInPostingOrder(ids: Iterable<string>): string[] {
    return [...ids].sort((a, b) => (this.plans.get(a)?.seq ?? 0) - (this.plans.get(b)?.seq ?? 0));
  }

  /** §7 allocation of a repayment; the model's own lines, applied to the model. */
  repay(on: string, amount: Money): void {
    const lines: AllocationLine[] = [];
    let left = amount;
    const take = (owed: Money): Money => {
      const part = Money.min(left, owed);
      left = left.minus(part);
      return part;
    };
    for (const st of this.statements) {
      for (const component of COMPONENTS) {
        if (!left.isPositive() || !st.owed[component].isPositive()) continue;
        const part = take(st.owed[component]);
        st.owed[component] = st.owed[component].minus(part);
        lines.push({ target: 'STATEMENT', statementId: st.id, component, amount: part.toString() });
        // Which draw's (plan's) share a repayment pays: oldest first, so that a later refund finds what is left of its own.
        if (component === 'REVOLVING_PRINCIPAL') reduceOldestFirst(st.draws, [...st.draws.keys()], part);
        if (component === 'INSTALLMENT_PRINCIPAL') reduceOldestFirst(st.plans, this.plansInPostingOrder(st.plans.keys()), part);
      }
    }
    const unbilled = this.unbilledRevolving();
    if (left.isPositive() && unbilled.isPositive()) {
      let part = take(unbilled);
      lines.push({ target: 'UNBILLED_REVOLVING', amount: part.toString() });
      for (const draw of this.draws.values()) {
        if (draw.place !== 'UNBILLED' || !part.isPositive()) continue;
        const share = Money.min(part, draw.unbilled);
        draw.unbilled = draw.unbilled.minus(share);
        part = part.minus(share);
      }
    }
    // Installment principal not yet billed, next period first (plans in the order they were made).
    const open = [...this.plans.values()].filter((p) => !p.closed);
    for (let offset = 0; left.isPositive() && offset < 12; offset++) {
      for (const plan of open) {
        const period = plan.next + offset;
        if (period > plan.periods || !left.isPositive() || !plan.remaining[period - 1].isPositive()) continue;
        const part = take(plan.remaining[period - 1]);
        plan.remaining[period - 1] = plan.remaining[period - 1].minus(part);
        lines.push({ target: 'UNBILLED_INSTALLMENT', planId: plan.id, period, amount: part.toString() });
        this.reached.unbilledInstallmentPaid++;
      }
    }
    for (const plan of open) this.closeIfEmpty(plan);
    const paid = amount.minus(left);
    for (const st of this.statements) st.repaid = st.repaid.plus(paid);
    this.out.allocations.push(allocationLine(on, 'repayment', amount.toString(), lines, left.toString()));
    this.settle(on);
  }

  /** A refund reduces the draw's own principal wherever it lives; the rest goes back. */
  refund(on: string, drawId: string, amount: Money): void {
    const { lines, left } = this.takePrincipal(drawId, amount);
    this.out.allocations.push(allocationLine(on, 'refund', amount.toString(), lines, left.toString()));
    this.settle(on);
  }

  /**
   * The installment fees an upheld dispute gives back (§10, 全额赔付): every fee the model billed on the
   * draw's plan, per statement (nothing once the draw was reversed, or when it never was converted).
   */
  feesToGiveBack(drawId: string): { statementId: string; fee: Money }[] {
    const draw = this.draws.get(drawId)!;
    if (draw.reversed || draw.place !== 'PLAN') return [];
    return this.statements.flatMap((st) => {
      const fee = st.fees.get(drawId) ?? Money.ZERO;
      return fee.isPositive() ? [{ statementId: st.id, fee }] : [];
    });
  }

  /**
   * An upheld dispute's reversal (§10, 全额赔付): what is left of the draw's principal, as a refund takes
   * it, then the charges it gave rise to, off what is owed of their kind (penalty interest, interest,
   * fees), each oldest statement first; what of them is not owed (paid already) goes back with the
   * principal already repaid. `given`: the interest and penalty interest each statement gives back, as
   * the ledger's event has them; over all reversals no statement gives back more than it charged.
   * `givenBackBy`: all the charges each statement gives back (interest, penalty interest and fees). The
   * reversal also lowers the minimums of the statements still listed to what billing would have set
   * without the draw (`minimumsWithout`), which it returns.
   */
  reverse(
    on: string,
    drawId: string,
    amount: Money,
    charges: Record<(typeof CHARGE_KINDS)[number], Money>,
    given: { statementId: string; kind: InterestKind; amount: Money }[],
    givenBackBy: Map<string, Record<ChargeKind, Money>>,
  ): ModelMinimums {
    const draw = this.draws.get(drawId)!;
    expect({ reversedTwice: drawId, before: draw.reversed }).toEqual({ reversedTwice: drawId, before: false });
    // Set again on the statements as they are before the reversal takes anything off.
    const minimums = this.minimumsWithout(drawId, givenBackBy);
    const { lines, left } = this.takePrincipal(drawId, amount);
    let returned = left;
    let chargesReturned = Money.ZERO;
    for (const kind of CHARGE_KINDS) {
      let rest = charges[kind];
      for (const st of this.statements) {
        const part = Money.min(rest, st.owed[kind]);
        if (!part.isPositive()) continue;
        st.owed[kind] = st.owed[kind].minus(part);
        lines.push({ target: 'STATEMENT', statementId: st.id, component: kind, amount: part.toString() });
        rest = rest.minus(part);
      }
      returned = returned.plus(rest);
      chargesReturned = chargesReturned.plus(rest);
      if (kind === 'FEES' && rest.isPositive()) this.reached.reversalFeesReturned++;
    }
    for (const g of given) {
      const st = this.statements.find((x) => x.id === g.statementId);
      expect({ givenBackBy: g.statementId, known: st !== undefined }).toEqual({ givenBackBy: g.statementId, known: true });
      st!.givenBack[g.kind] = st!.givenBack[g.kind].plus(g.amount);
      expect({ givenBackBy: g.statementId, kind: g.kind, withinCharged: st!.givenBack[g.kind].lessThanOrEqual(st!.charged[g.kind]) }).toEqual({
        givenBackBy: g.statementId,
        kind: g.kind,
        withinCharged: true,
      });
    }
    draw.reversed = true;
    this.givenBackOf.set(drawId, givenBackBy);
    this.reached.reversals++;
    if (charges.INTEREST.isPositive()) this.reached.reversalInterest++;
    if (charges.PENALTY_INTEREST.isPositive()) this.reached.reversalPenalty++;
    if (charges.FEES.isPositive()) this.reached.reversalFees++;
    if (CHARGE_KINDS.filter((k) => charges[k].isPositive()).length >= 2) this.reached.reversalSeveralKinds++;
    if (returned.isPositive()) this.reached.reversalReturned++;
    if (chargesReturned.isPositive()) this.reached.reversalChargesReturned++;
    if (chargesReturned.isPositive() && chargesReturned.lessThan(sum(CHARGE_KINDS.map((k) => charges[k])))) this.reached.reversalChargesPartlyOwed++;
    if (!amount.isPositive()) this.reached.reversalChargesOnly++;
    this.out.allocations.push(allocationLine(on, 'reversal', amount.toString(), lines, returned.toString()));
    const lowered = new Set(minimums.lowered.map((l) => l.statementId));
    const overdueIds = this.statements.filter((st) => st.overdue).map((st) => st.id);
    const wasFrozen = this.frozen;
    const curedBefore = this.out.cured.length;
    this.settle(on);
    const cured = this.out.cured.slice(curedBefore).map((line) => line.slice(line.indexOf(' ') + 1));
    if (minimums.lowered.length > 0) this.reached.reversalLowered++;
    if (overdueIds.some((id) => lowered.has(id))) this.reached.reversalLoweredOverdue++;
    if (cured.length > 0) this.reached.reversalCured++;
    const upTo = this.owedUpTo();
    if (cured.some((id) => lowered.has(id) && upTo[this.statements.findIndex((st) => st.id === id)].isPositive())) this.reached.reversalCuredByMinimum++;
    if (wasFrozen && !this.frozen) this.reached.reversalUnfroze++;
    return minimums;
  }

  /**
   * §10 (全额赔付): every statement's minimum as billing would have set it without the draws upheld
   * disputes reversed (this one, and every one reversed before it), from what the model recorded when it
   * billed. What such draws still held of a listed statement, for those not reversed yet at the time
   * (`heldBy`): their principal still owed on it, and all the charges their reversals give back of it
   * (in full, even those paid already). A statement's balance as issued, less what those draws held of
   * the statements listed once it was issued (this draw's part is its `drawBalances`). The overdue amount
   * it included, from the statements overdue just before it was issued, as they were then: each one's
   * minimum set again (never above the one it had then) less what was repaid towards it by then, never
   * more than was owed up to it less what those draws held of the statements listed up to it (even
   * below nothing); past its 90 days, all that. Never more than the minimum issued nor than the balance
   * without the draws. What was repaid since issue stays. The statements still listed whose minimum is
   * higher are lowered to it.
   */
  private minimumsWithout(drawId: string, givenBackBy: Map<string, Record<ChargeKind, Money>>): ModelMinimums {
    const reversedDraws = new Map(this.givenBackOf).set(drawId, givenBackBy);
    /** What the given draws, among those reversed, held of a listed statement: their principal still owed there, and their charges given back there in full. */
    const heldBy = (on: ListedStatement, draws: Iterable<string>): Money => {
      let held = Money.ZERO;
      for (const id of draws) {
        held = held.plus(on.draws.get(id) ?? Money.ZERO).plus(on.plans.get(id) ?? Money.ZERO);
        const given = reversedDraws.get(id)!.get(on.id);
        if (given) held = held.plus(sum(CHARGE_KINDS.map((k) => given[k])));
      }
      return held;
    };
    const drawBalances: ModelMinimums['drawBalances'] = [];
    const without: Money[] = [];
    /** The statements whose balance held the part of a draw reversed before this one. */
    const heldEarlier = new Set<string>();
    for (const st of this.statements) {
      // The reversed draws it still held when issued (not reversed by then).
      const held = [...reversedDraws.keys()].filter((id) => !st.reversedBefore.has(id));
      const part = sum(st.heldAfter.map((on) => heldBy(on, [drawId])));
      if (part.isPositive()) drawBalances.push({ statementId: st.id, amount: part.toString() });
      if (held.some((id) => id !== drawId && sum(st.heldAfter.map((on) => heldBy(on, [id]))).isPositive())) heldEarlier.add(st.id);
      const balance = Money.max(Money.ZERO, st.balance.minus(sum(st.heldAfter.map((on) => heldBy(on, held)))));
      // What was owed up to each statement listed just before this one was issued, less what the draws held of them.
      const owedUpToWithout = new Map<number, Money>();
      let owedUpTo = Money.ZERO;
      for (const before of st.owedBefore) owedUpToWithout.set(before.index, (owedUpTo = owedUpTo.plus(before.own.minus(heldBy(before, held)))));
      let overdueIncluded = Money.ZERO;
      for (const j of st.overdueBefore) {
        const upTo = owedUpToWithout.get(j.index)!;
        const minimum = Money.min(j.minimum, without[j.index]);
        const amount = j.kind === 'DEFERRAL_LIMIT_REACHED' ? upTo : Money.min(upTo, Money.max(Money.ZERO, minimum.minus(j.repaid)));
        overdueIncluded = Money.max(overdueIncluded, amount);
      }
      without.push(Money.min(st.issuedMinimum, Money.min(balance, balance.times(MINIMUM_RATE).ceilToFen().plus(overdueIncluded))));
    }
    const lowered: ModelMinimums['lowered'] = [];
    for (const i of this.listed()) {
      const st = this.statements[i];
      if (without[i].lessThan(st.minimum)) {
        lowered.push({ statementId: st.id, from: st.minimum.toString(), to: without[i].toString() });
        st.minimum = without[i];
      }
    }
    if (lowered.some((l) => heldEarlier.has(l.statementId))) this.reached.reversalLoweredAfterReversal++;
    return { drawBalances, lowered };
  }

  /** The draw's own principal, wherever it lives, reduced by `amount`: the lines, and what of it was no longer owed. */
  private takePrincipal(drawId: string, amount: Money): { lines: AllocationLine[]; left: Money } {
    const draw = this.draws.get(drawId)!;
    const lines: AllocationLine[] = [];
    let left = amount;
    draw.refunded = draw.refunded.plus(amount);
    if (!amount.isPositive()) return { lines, left };
    if (draw.place === 'UNBILLED') {
      const part = Money.min(left, draw.unbilled);
      if (part.isPositive()) lines.push({ target: 'UNBILLED_REVOLVING', amount: part.toString() });
      draw.unbilled = draw.unbilled.minus(part);
      left = left.minus(part);
    } else if (draw.place === 'BILLED') {
      const st = this.statements.find((s) => s.draws.has(drawId));
      const share = st?.draws.get(drawId) ?? Money.ZERO;
      const part = Money.min(left, share);
      if (st && part.isPositive()) {
        lines.push({ target: 'STATEMENT', statementId: st.id, component: 'REVOLVING_PRINCIPAL', amount: part.toString() });
        st.draws.set(drawId, share.minus(part));
        st.owed.REVOLVING_PRINCIPAL = st.owed.REVOLVING_PRINCIPAL.minus(part);
        left = left.minus(part);
        this.reached.billedRefund++;
      }
    } else {
      const plan = this.plans.get(drawId)!;
      // The plan from its last period backwards, then its periods already billed, oldest statement first.
      if (!plan.closed) {
        for (let period = plan.periods; period >= plan.next && left.isPositive(); period--) {
          const part = Money.min(left, plan.remaining[period - 1]);
          if (!part.isPositive()) continue;
          lines.push({ target: 'UNBILLED_INSTALLMENT', planId: plan.id, period, amount: part.toString() });
          plan.remaining[period - 1] = plan.remaining[period - 1].minus(part);
          left = left.minus(part);
        }
        this.closeIfEmpty(plan);
      }
      for (const st of this.statements) {
        const share = st.plans.get(plan.id) ?? Money.ZERO;
        const part = Money.min(left, share);
        if (!part.isPositive()) continue;
        lines.push({ target: 'STATEMENT', statementId: st.id, component: 'INSTALLMENT_PRINCIPAL', amount: part.toString() });
        st.plans.set(plan.id, share.minus(part));
        st.owed.INSTALLMENT_PRINCIPAL = st.owed.INSTALLMENT_PRINCIPAL.minus(part);
        left = left.minus(part);
      }
      this.reached.planRefund++;
    }
    return { lines, left };
  }

  /**
   * What follows money paid down (§8): overdue statements cured, the freeze lifted, the bucket back to
   * current; or, with a later statement still overdue, the bucket its days past due give, from that day.
   */
  private settle(on: string): void {
    const upTo = this.owedUpTo();
    this.statements.forEach((st, i) => {
      if (!st.overdue) return;
      // A statement is settled when nothing billed up to it is owed (README); past its 90 days, cured when its own remainder is paid.
      // Past its 90 days it is cured when its whole remainder, everything owed up to it, is paid.
      const cured = upTo[i].isZero() || (st.overdue.kind === 'MINIMUM_NOT_PAID' && st.repaid.greaterThanOrEqual(st.minimum));
      if (cured) {
        st.overdue = null;
        this.out.cured.push(`${on} ${st.id}`);
        this.reached.cured++;
      }
    });
    const since = this.overdueSince();
    if (since !== null) {
      // Some cured, others still overdue: days past due count from the oldest still overdue.
      if (this.out.cured.at(-1)?.startsWith(on)) this.reached.curedPartly++;
      const dpd = daysBetween(since, on) + 1;
      const bucket = bucketFor(dpd);
      if (bucket !== this.bucket) {
        this.out.buckets.push(`${on} ${this.bucket}->${bucket} ${dpd}`);
        this.reached.rebucketedOnPayment++;
        this.bucket = bucket;
      }
      return;
    }
    if (this.frozen) this.out.unfrozen.push(on);
    this.frozen = false;
    if (this.bucket !== 'CURRENT') this.out.buckets.push(`${on} ${this.bucket}->CURRENT 0`);
    this.bucket = 'CURRENT';
  }

  // --- the calendar ---

  /**
   * Closing business day `day` (what takes effect on the next day): the month's statement on its last
   * day, due dates and deferral limits, then freeze and bucket. `issued` is the ledger's statement of the
   * month, read for the interest and penalty interest it charges and for whether one was issued at all
   * when nothing is owed.
   */
  close(day: IsoDate, issued: StatementIssuedData | undefined): void {
    const on = addDays(day, 1);
    if (day === lastOfMonth(monthOf(day))) this.bill(day, on, issued);
    // Due dates (§8).
    const upTo = this.owedUpTo();
    this.statements.forEach((st, i) => {
      if (!st.dueDatePassed && st.dueDate <= day) {
        st.dueDatePassed = true;
        const met = st.repaid.greaterThanOrEqual(st.minimum) || upTo[i].isZero();
        if (!met) {
          if (upTo[i].lessThan(st.minimum.minus(st.repaid))) this.reached.capped++;
          st.overdue = { since: st.overdue?.since ?? on, kind: 'MINIMUM_NOT_PAID' };
          this.out.overdue.push(`${on} ${st.id} ${Money.min(upTo[i], st.minimum.minus(st.repaid)).toString()} MINIMUM_NOT_PAID`);
          this.reached.overdue++;
        }
      }
      // At most 90 days of deferral, then the whole unpaid remainder is overdue; days past due count from the due date.
      const own = ownTotal(st);
      if (addDays(st.dueDate, MAX_DEFERRAL_DAYS) <= day && own.isPositive() && st.overdue?.kind !== 'DEFERRAL_LIMIT_REACHED') {
        st.overdue = { since: st.overdue?.since ?? addDays(st.dueDate, 1), kind: 'DEFERRAL_LIMIT_REACHED' };
        // The whole remainder: everything owed up to it (a statement holds the earlier ones' balances, §6).
        this.out.overdue.push(`${on} ${st.id} ${upTo[i].toString()} DEFERRAL_LIMIT_REACHED`);
        this.reached.deferral++;
      }
    });
    // Freeze on the 4th day past due; buckets by days past due.
    const since = this.overdueSince();
    if (since === null) return;
    const dpd = daysBetween(since, on) + 1;
    if (dpd >= FREEZE_ON_DAY && !this.frozen) {
      this.frozen = true;
      this.out.frozen.push(`${on} ${dpd}`);
      this.reached.frozen++;
    }
    const bucket = bucketFor(dpd);
    if (bucket !== this.bucket) {
      this.out.buckets.push(`${on} ${this.bucket}->${bucket} ${dpd}`);
      if (bucket !== 'M1') this.reached.m2plus++;
      this.bucket = bucket;
    }
  }

  private bill(day: IsoDate, on: IsoDate, issued: StatementIssuedData | undefined): void {
    const id = monthOf(day);
    const revolving = this.unbilledRevolving();
    const periods: { plan: ModelPlan; period: number; principal: Money; fee: Money }[] = [];
    for (const plan of this.plans.values()) {
      if (plan.closed) continue;
      if (plan.accelerated) {
        const principal = sum(plan.remaining.slice(plan.next - 1));
        const fee = principal.isZero() ? Money.ZERO : plan.payoffFee;
        periods.push({ plan, period: plan.next, principal, fee });
        if (fee.isPositive()) this.reached.payoffFeeBilled++;
        this.reached.payoffBilled++;
      } else {
        // A period prepaid or refunded to nothing carries no fee (§5, §7: early repayment has no fee).
        const principal = plan.remaining[plan.next - 1];
        periods.push({ plan, period: plan.next, principal, fee: principal.isZero() ? Money.ZERO : plan.feePerPeriod });
      }
    }
    const fees = sum(periods.map((p) => p.fee));
    const installment = sum(periods.map((p) => p.principal));
    const interest = issued ? Money.of(issued.interest.charged) : Money.ZERO;
    const penalty = issued ? Money.of(issued.penaltyInterest.charged) : Money.ZERO;
    const previous = this.billed();
    const balance = previous.plus(interest).plus(penalty).plus(fees).plus(installment).plus(revolving);
    if (!issued && balance.isZero() && periods.length === 0) return;
    const overdueIncluded = this.overdueAmount();
    const overdueBefore = this.statements.flatMap((st, index) => (st.overdue ? [{ index, minimum: st.minimum, repaid: st.repaid, kind: st.overdue.kind }] : []));
    const owedBefore = this.listed().map((index) => ({ ...this.listedAsNow(index), index, own: ownTotal(this.statements[index]) }));
    // Two remainders past their 90 days at once: the overdue amount is everything owed up to the later one.
    if (this.statements.filter((st) => st.overdue?.kind === 'DEFERRAL_LIMIT_REACHED' && ownTotal(st).isPositive()).length >= 2) this.reached.severalPastLimit++;
    const minimum = Money.min(balance, balance.times(MINIMUM_RATE).ceilToFen().plus(overdueIncluded));
    this.out.statements.push(
      statementLine({
        on,
        statementId: id,
        dueDate: `${monthOf(on)}-${DUE_DAY}`,
        revolvingPrincipal: revolving.toString(),
        installmentPeriods: periods.map((p) => ({ planId: p.plan.id, period: p.period, principal: p.principal.toString(), fee: p.fee.toString() })),
        fees: fees.toString(),
        previousBalance: previous.toString(),
        statementBalance: balance.toString(),
        overdueIncluded: overdueIncluded.toString(),
        minimumRepayment: minimum.toString(),
      }),
    );
    if (previous.isPositive()) this.reached.carried++;
    if (overdueIncluded.isPositive()) this.reached.overdueIncluded++;
    if (installment.isPositive()) this.reached.installmentBilled++;
    const billedDraws = new Map<string, Money>();
    for (const [drawId, draw] of this.draws) {
      if (draw.place !== 'UNBILLED') continue;
      if (draw.unbilled.isPositive()) billedDraws.set(drawId, draw.unbilled);
      draw.place = 'BILLED';
      draw.unbilled = Money.ZERO;
    }
    const billedPlans = new Map<string, Money>();
    const billedFees = new Map<string, Money>();
    for (const { plan, period, principal, fee } of periods) {
      billedPlans.set(plan.id, principal);
      billedFees.set(plan.id, fee);
      if (plan.accelerated) {
        plan.remaining = plan.remaining.map(() => Money.ZERO);
        plan.next = plan.periods + 1;
      } else {
        plan.remaining[period - 1] = Money.ZERO;
        plan.next = period + 1;
      }
      if (plan.next > plan.periods) plan.closed = true;
      this.closeIfEmpty(plan);
    }
    const statement: ModelStatement = {
      id,
      dueDate: `${monthOf(on)}-${DUE_DAY}`,
      minimum,
      repaid: Money.ZERO,
      owed: { PENALTY_INTEREST: penalty, INTEREST: interest, FEES: fees, INSTALLMENT_PRINCIPAL: installment, REVOLVING_PRINCIPAL: revolving },
      draws: billedDraws,
      plans: billedPlans,
      fees: billedFees,
      charged: { PENALTY_INTEREST: penalty, INTEREST: interest },
      givenBack: { PENALTY_INTEREST: Money.ZERO, INTEREST: Money.ZERO },
      dueDatePassed: false,
      overdue: null,
      balance,
      issuedMinimum: minimum,
      heldAfter: [],
      reversedBefore: new Set([...this.draws].filter(([, draw]) => draw.reversed).map(([drawId]) => drawId)),
      overdueBefore,
      owedBefore,
    };
    this.statements.push(statement);
    // What each draw still owed on the statements listed once it was issued (§10: the draw's part of its balance).
    statement.heldAfter = this.listed().map((index) => this.listedAsNow(index));
  }

  /** The statements still listed (indexes): not those settled after their due date (nothing owed up to them, not overdue). */
  listed(): number[] {
    const upTo = this.owedUpTo();
    return this.statements.flatMap((st, i) => (st.dueDatePassed && !st.overdue && upTo[i].isZero() ? [] : [i]));
  }

  private listedAsNow(index: number): ListedStatement {
    const st = this.statements[index];
    return { id: st.id, draws: new Map(st.draws), plans: new Map(st.plans) };
  }
}

function reduceOldestFirst(shares: Map<string, Money>, order: string[], amount: Money): void {
  let left = amount;
  for (const key of order) {
    if (!left.isPositive()) break;
    const part = Money.min(left, shares.get(key) ?? Money.ZERO);
    shares.set(key, shares.get(key)!.minus(part));
    left = left.minus(part);
  }
}


type Action = LifeAction;

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('draw' as const), fen: fc.integer({ min: 1, max: 250_000 }), hour: fc.integer({ min: 6, max: 22 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('repay' as const), percent: fc.integer({ min: 1, max: 100 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('refund' as const), pick: fc.nat(), percent: fc.integer({ min: 1, max: 100 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('convert' as const), pick: fc.nat(), periods: fc.constantFrom(3, 6, 12) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('payoff' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('dispute' as const), pick: fc.nat(), upheld: fc.boolean() }) },
  { weight: 8, arbitrary: fc.constant({ kind: 'skip' as const }) },
);

/**
 * How the customer pays each month, on `payDay` (after the 10th: late), until `stopAfter` days into the
 * life: the unpaid minimum, a part of it (short: overdue), the whole statement balance, the overdue
 * amount alone, or nothing at all.
 */
const habit = fc.record({
  kind: fc.constantFrom('minimum', 'minimum', 'partial', 'full', 'overdue', 'none'),
  payDay: fc.integer({ min: 1, max: 25 }),
  percent: fc.integer({ min: 1, max: 99 }),
  stopAfter: fc.integer({ min: 0, max: 300 }),
});

/**
 * Lives may then go quiet for 130 days: nothing at all, or only the habit's payments (minimums carried to
 * the 90-day limit). A draw may be found stolen late, `after` days past the last active day (the life's
 * last day at most), by then often billed and charged interest, penalty interest or fees: an upheld
 * dispute, or one after a merchant refund of all that is left of it (`refundFirst`: the reversal gives back
 * the charges alone). `plan`: a draw converted to installments and not reversed yet, if there is one (its
 * fees are given back too).
 */
const lateDispute = fc.record({
  kind: fc.constantFrom('none', 'none', 'dispute', 'refundFirst'),
  after: fc.integer({ min: 0, max: 130 }),
  pick: fc.nat(),
  plan: fc.boolean(),
});

const life = fc.record({
  payScore: fc.integer({ min: 600, max: 850 }),
  startDay: fc.integer({ min: 0, max: 364 }),
  days: fc.array(fc.array(action, { maxLength: 3 }), { minLength: 20, maxLength: 130 }),
  habit,
  tail: fc.constantFrom('none', 'silent', 'habitOnly'),
  lateDispute,
});
type Life = typeof life extends fc.Arbitrary<infer T> ? T : never;

/**
 * A life the seed's no longer reach since the draw's part of a statement is what is still owed of it
 * (§10): paying the overdue amount each month, the customer is cured by the minimum a late upheld dispute
 * lowers, below what they had paid towards it, while still owing their own spending.
 */
const CURED_BY_LOWERED_MINIMUM: Life = {
  payScore: 689,
  startDay: 0,
  days: [
    [{ kind: 'skip' }],
    [{ kind: 'dispute', pick: 1305905085, upheld: true }, { kind: 'convert', pick: 1847095197, periods: 6 }],
    [{ kind: 'skip' }],
    [{ kind: 'convert', pick: 1876370579, periods: 3 }],
    [{ kind: 'skip' }, { kind: 'skip' }],
    [{ kind: 'skip' }, { kind: 'skip' }],
    [],
    [{ kind: 'skip' }, { kind: 'draw', fen: 241167, hour: 15 }, { kind: 'skip' }],
    [],
    [{ kind: 'skip' }],
    [{ kind: 'skip' }, { kind: 'convert', pick: 270127475, periods: 12 }, { kind: 'skip' }],
    [],
    [{ kind: 'skip' }, { kind: 'draw', fen: 146795, hour: 16 }],
    [{ kind: 'skip' }],
    [{ kind: 'repay', percent: 23 }, { kind: 'draw', fen: 141762, hour: 7 }],
    [],
    [{ kind: 'repay', percent: 17 }, { kind: 'skip' }, { kind: 'repay', percent: 20 }],
    [{ kind: 'draw', fen: 86727, hour: 10 }, { kind: 'payoff', pick: 613275033 }, { kind: 'skip' }],
    [],
    [{ kind: 'draw', fen: 115182, hour: 9 }, { kind: 'skip' }],
  ],
  habit: { kind: 'overdue', payDay: 3, percent: 4, stopAfter: 260 },
  tail: 'habitOnly',
  lateDispute: { kind: 'dispute', after: 126, pick: 1905082621, plan: false },
};

/** Runs a life; refusals (DomainError) write nothing. Records the ledger's end-of-day figures (after the day's own events, before its closing). */
function simulate(input: Life) {
  const start = addDays('2026-01-01', input.startDay);
  const s = new AccountScenario('acc-b', `${start}T08:00:00+08:00`).open({ payScore: input.payScore });
  const drawIds: string[] = [];
  const endOfDay = new Map<IsoDate, { owed: string; overdue: string }>();
  const days = input.tail === 'none' ? input.days : [...input.days, ...Array.from({ length: 130 }, () => [] as Action[])];
  let counter = 0;
  days.forEach((actions, index) => {
    const day = s.businessDate;
    const paying = index < input.habit.stopAfter;
    const active = index < input.days.length;
    const attempt = (run: () => void) => {
      counter++;
      try {
        run();
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
      }
    };
    for (const a of active ? actions : []) {
      // Past the habit's stop day the customer repays nothing, not even at random.
      attempt(() => (a.kind !== 'repay' || paying ? takeAction(s, a, counter, drawIds) : undefined));
    }
    const late = input.lateDispute;
    if (late.kind !== 'none' && drawIds.length > 0 && index === Math.min(days.length - 1, input.days.length - 1 + late.after)) {
      const converted = drawIds.filter((id) => getEntry(s.state.draws, id)!.planId !== null && getEntry(s.state.draws, id)!.reversedByDispute === null);
      const among = late.plan && converted.length > 0 ? converted : drawIds;
      const drawId = among[late.pick % among.length];
      if (late.kind === 'refundFirst') {
        attempt(() => {
          const draw = getEntry(s.state.draws, drawId)!;
          const left = draw.amount.minus(draw.refunded);
          if (left.isPositive()) s.execute({ type: 'RefundDraw', drawId, refundId: `lr-${counter}`, amount: left.toString() });
        });
      }
      attempt(() => takeAction(s, { kind: 'dispute', pick: drawIds.indexOf(drawId), upheld: true }, counter, drawIds));
    }
    if (paying && (active || input.tail === 'habitOnly') && Number(day.slice(8)) === input.habit.payDay && input.habit.kind !== 'none') {
      attempt(() => {
        const newest = s.state.statements.at(-1);
        const unpaidMinimum = newest ? Money.max(Money.ZERO, newest.minimum.minus(newest.repaidSinceIssue)) : Money.ZERO;
        const amount =
          input.habit.kind === 'minimum'
            ? unpaidMinimum
            : input.habit.kind === 'partial'
              ? unpaidMinimum.times(new Dec(input.habit.percent).div(100)).floorToFen()
              : input.habit.kind === 'full'
                ? billedOwed(s.state)
                : overdueAmount(s.state);
        if (amount.isPositive()) s.repay(`h-${counter}`, amount.toString());
      });
    }
    endOfDay.set(day, { owed: totalOwed(s.state).toString(), overdue: overdueAmount(s.state).toString() });
    s.closeDaysThrough(day);
  });
  return { s, endOfDay, lastClosed: addDays(s.businessDate, -1) };
}

/** The ledger's figures, in the model's words. */
function ledgerOutputs(events: readonly CreditAccountEvent[]): Outputs {
  const out = emptyOutputs();
  for (const e of events) {
    if (e.type === 'StatementIssued') out.statements.push(statementLine(e.data));
    else if (e.type === 'RepaymentReceived') out.allocations.push(allocationLine(e.data.on, 'repayment', e.data.amount, e.data.allocation, e.data.returnedToCustomer));
    else if (e.type === 'DrawRefunded') out.allocations.push(allocationLine(e.data.on, 'refund', e.data.amount, e.data.appliedTo, e.data.returnedToCustomer));
    else if (e.type === 'DrawReversed') out.allocations.push(allocationLine(e.data.on, 'reversal', e.data.amount, e.data.appliedTo, e.data.returnedToCustomer));
    else if (e.type === 'AccountBecameOverdue') out.overdue.push(`${e.data.on} ${e.data.statementId} ${e.data.overdueAmount} ${e.data.kind}`);
    else if (e.type === 'OverdueCured') out.cured.push(`${e.data.on} ${e.data.statementId}`);
    else if (e.type === 'AccountFrozen') out.frozen.push(`${e.data.on} ${e.data.daysPastDue}`);
    else if (e.type === 'AccountUnfrozen') out.unfrozen.push(e.data.on);
    else if (e.type === 'DelinquencyBucketChanged') out.buckets.push(`${e.data.on} ${e.data.from}->${e.data.to} ${e.data.daysPastDue}`);
  }
  return out;
}

/** The model's figures at the end of a day. */
interface EndOfDay {
  owed: string;
  overdue: string;
}

/**
 * Runs the model over a life's money movements and calendar, day by day: before each day's events,
 * the closings of the days before it; at the end of each day, the model's total owed and overdue amount
 * beside the ledger's.
 */
function runModel(events: readonly CreditAccountEvent[], lastClosed: IsoDate) {
  const model = new BillingModel();
  const issued = new Map<IsoDate, StatementIssuedData>();
  for (const e of events) if (e.type === 'StatementIssued') issued.set(e.data.on, e.data);
  const daily = new Map<IsoDate, EndOfDay>();
  const endOfDay = (): EndOfDay => ({
    owed: model.totalOwed().toString(),
    overdue: model.overdueAmount().toString(),
  });
  let day: IsoDate | null = null;
  const closeThrough = (until: IsoDate) => {
    for (; day !== null && day < until && day <= lastClosed; day = addDays(day, 1)) {
      daily.set(day, endOfDay());
      model.close(day, issued.get(addDays(day, 1)));
    }
  };
  // The exact interest (penalty interest) accrued since the last statement that reversals took off, which the next statement leaves out.
  let unbilledReversed = { interest: Money.ZERO, penaltyInterest: Money.ZERO };
  events.forEach((e, index) => {
    closeThrough(e.data.on);
    day ??= e.data.on;
    if (e.type === 'DrawPosted') model.draw(e.data.drawId, Money.of(e.data.amount));
    else if (e.type === 'InstallmentPlanCreated')
      model.convert(e.data.planId, e.data.drawId, Money.of(e.data.principal), e.data.schedule.map((p) => Money.of(p.principal)), Money.of(e.data.feePerPeriod));
    else if (e.type === 'InstallmentPaidOffEarly') {
      const kept = model.payOff(e.data.planId);
      expect({ payoff: e.data.planId, feeKept: e.data.feeKept }).toEqual({ payoff: e.data.planId, feeKept: kept.toString() });
    }
    else if (e.type === 'RepaymentReceived') model.repay(e.data.on, Money.of(e.data.amount));
    else if (e.type === 'DrawRefunded') model.refund(e.data.on, e.data.drawId, Money.of(e.data.amount));
    else if (e.type === 'DisputeResolved' && e.data.upheld) {
      // A draw not yet reversed with principal left or fees billed on its plan is reversed at once; a draw reversed before, never again.
      const draw = model.draws.get(e.data.drawId)!;
      const next = events[index + 1];
      const reversedNow = next?.type === 'DrawReversed' && next.data.drawId === e.data.drawId;
      const due = !draw.reversed && (draw.amount.minus(draw.refunded).isPositive() || model.feesToGiveBack(e.data.drawId).length > 0);
      if (due || draw.reversed) expect({ upheld: e.data.disputeId, reversedNow }).toEqual({ upheld: e.data.disputeId, reversedNow: !draw.reversed });
    } else if (e.type === 'DrawReversed') {
      // An upheld dispute reverses what is left of the draw and the charges it gave rise to (§10, 全额赔付).
      const d = e.data;
      const draw = model.draws.get(d.drawId)!;
      expect({ reversed: d.drawId, amount: d.amount }).toEqual({ reversed: d.drawId, amount: draw.amount.minus(draw.refunded).toString() });
      const charges = d.charges;
      if (!charges) throw new Error(`reversal of ${d.drawId} without its charges`);
      // The fees are the model's own: those it billed on the draw's plan, statement by statement.
      const fees = model.feesToGiveBack(d.drawId);
      const ledgerFees = charges.statements.filter((c) => Money.of(c.fees).isPositive()).map((c) => `${c.statementId}:${c.fees}`);
      expect({ fees: charges.fees, byStatement: ledgerFees }).toEqual({
        fees: sum(fees.map((f) => f.fee)).toString(),
        byStatement: fees.map((f) => `${f.statementId}:${f.fee.toString()}`),
      });
      // The interest and penalty interest given back have their own model; read here, they add up over the statements that give them back.
      const interest = Money.of(charges.interest);
      const penaltyInterest = Money.of(charges.penaltyInterest);
      expect({ interest: charges.interest, penaltyInterest: charges.penaltyInterest }).toEqual({
        interest: sum(charges.statements.map((c) => Money.of(c.interest))).toString(),
        penaltyInterest: sum(charges.statements.map((c) => Money.of(c.penaltyInterest))).toString(),
      });
      const unbilled = { interest: Money.exact(charges.unbilledInterest), penaltyInterest: Money.exact(charges.unbilledPenaltyInterest) };
      // Nothing left of the principal: a reversal only for the charges.
      if (!Money.of(d.amount).isPositive()) {
        expect({ chargesOnly: d.drawId, something: [interest, penaltyInterest, sum(fees.map((f) => f.fee)), unbilled.interest, unbilled.penaltyInterest].some((m) => !m.isZero()) }).toEqual({
          chargesOnly: d.drawId,
          something: true,
        });
      }
      const given = charges.statements.flatMap((c) => [
        { statementId: c.statementId, kind: 'INTEREST' as const, amount: Money.of(c.interest) },
        { statementId: c.statementId, kind: 'PENALTY_INTEREST' as const, amount: Money.of(c.penaltyInterest) },
      ]);
      // All the charges each statement gives back: the interest and penalty interest read, the fees the model's own.
      const givenBackBy = new Map<string, Record<ChargeKind, Money>>(
        charges.statements.map((c) => [c.statementId, { PENALTY_INTEREST: Money.of(c.penaltyInterest), INTEREST: Money.of(c.interest), FEES: Money.ZERO }]),
      );
      for (const f of fees) {
        const by = givenBackBy.get(f.statementId) ?? { PENALTY_INTEREST: Money.ZERO, INTEREST: Money.ZERO, FEES: Money.ZERO };
        givenBackBy.set(f.statementId, { ...by, FEES: by.FEES.plus(f.fee) });
      }
      const minimums = model.reverse(
        d.on,
        d.drawId,
        Money.of(d.amount),
        { PENALTY_INTEREST: penaltyInterest, INTEREST: interest, FEES: sum(fees.map((f) => f.fee)) },
        given,
        givenBackBy,
      );
      // The minimums set again are the model's own; the ledger records them on the reversal (§10).
      expect({ reversal: d.drawId, on: d.on, minimums: d.minimums }).toEqual({ reversal: d.drawId, on: d.on, minimums });
      unbilledReversed = { interest: unbilledReversed.interest.plus(unbilled.interest), penaltyInterest: unbilledReversed.penaltyInterest.plus(unbilled.penaltyInterest) };
    } else if (e.type === 'StatementIssued') {
      // The next statement charges the month's exact sum less what reversals took off it, rounded half-up once (AccrualBreakdown.reversed).
      const d = e.data;
      const figures = (b: typeof d.interest) => `exact ${b.exact} reversed ${b.reversed ?? '-'} charged ${b.charged} residual ${b.residual}`;
      const expected = (b: typeof d.interest, reversed: Money) => {
        const net = Money.exact(b.exact).minus(reversed);
        const charged = net.roundHalfUpToFen();
        return `exact ${b.exact} reversed ${reversed.isZero() ? '-' : reversed.toExactString()} charged ${charged.toString()} residual ${net.minus(charged).toExactString()}`;
      };
      expect({ statement: d.statementId, interest: figures(d.interest), penaltyInterest: figures(d.penaltyInterest) }).toEqual({
        statement: d.statementId,
        interest: expected(d.interest, unbilledReversed.interest),
        penaltyInterest: expected(d.penaltyInterest, unbilledReversed.penaltyInterest),
      });
      if (!unbilledReversed.interest.isZero() || !unbilledReversed.penaltyInterest.isZero()) model.reached.unbilledReversed++;
      unbilledReversed = { interest: Money.ZERO, penaltyInterest: Money.ZERO };
    }
  });
  closeThrough(addDays(lastClosed, 1));
  if (day !== null) daily.set(day, endOfDay());
  return { model, daily };
}

describe('billing, repayment allocation and overdue, against an independent model (PRODUCT.md §6-§8)', () => {
  it('bills, allocates, makes overdue, cures, freezes and buckets every life as the model does', () => {
    const reached = { lives: 0, statements: 0, ...REACHED_IN_MODEL };
    fc.assert(
      fc.property(life, (input) => {
        const { s, endOfDay, lastClosed } = simulate(input);
        expect(s.lastOf('ApplicationApproved').data.ruleRevision).toBe(3);
        const { model, daily } = runModel(s.history, lastClosed);
        const ledger = ledgerOutputs(s.history);
        expect(model.out.statements).toEqual(ledger.statements);
        expect(model.out.allocations).toEqual(ledger.allocations);
        expect(model.out.overdue).toEqual(ledger.overdue);
        expect(model.out.cured).toEqual(ledger.cured);
        expect(model.out.frozen).toEqual(ledger.frozen);
        expect(model.out.unfrozen).toEqual(ledger.unfrozen);
        expect(model.out.buckets).toEqual(ledger.buckets);
        const days = [...endOfDay.keys()];
        const modelDays = days.map((d) => `${d} owed ${daily.get(d)?.owed} overdue ${daily.get(d)?.overdue}`);
        expect(modelDays).toEqual(days.map((d) => `${d} owed ${endOfDay.get(d)!.owed} overdue ${endOfDay.get(d)!.overdue}`));
        reached.lives++;
        reached.statements += model.out.statements.length;
        for (const key of Object.keys(model.reached) as (keyof typeof model.reached)[]) reached[key] += model.reached[key];
      }),
      { numRuns: 100, seed: 20261207, examples: [[CURED_BY_LOWERED_MINIMUM]] },
    );
    // With this seed (and the life above): 326 statements, 211 carrying a balance, 184 including an overdue
    // amount, 242 overdue (2 capped at what was still owed), 53 cured (5 leaving another overdue, 2 of
    // those moving the bucket down that day), 143 bucket moves past M1, 78 remainders past the 90 days,
    // 88 freezes, 59 refunds (or reversals) of billed
    // draws, 34 of installment draws, 63 statements billing installment principal (15 of an early payoff),
    // 97 repayments reaching installment principal not yet billed, and 5 statements issued with two
    // remainders past their 90 days at once. 117 upheld disputes reversed a draw: 42 giving back interest,
    // 13 penalty interest, 5 installment fees (16 two kinds or more), 16 with no principal left (charges
    // alone); 49 returned something to the customer, 18 some of the charges (2 fees; 1 while other charges
    // were still owed); 63 statements left out a reversed draw's share of the interest accrued before them.
    // 39 reversals lowered a minimum (17 of an overdue statement, 3 of a statement an earlier reversal had
    // already taken a draw out of); 7 cured an overdue statement (1 still owing, cured by the lowered
    // minimum alone, in the life above) and 4 lifted the freeze.
    expect(reached.lives).toBe(100);
    expect(reached.carried).toBeGreaterThan(100);
    expect(reached.overdueIncluded).toBeGreaterThan(80);
    expect(reached.overdue).toBeGreaterThan(100);
    expect(reached.capped).toBeGreaterThan(0);
    expect(reached.cured).toBeGreaterThan(15);
    expect(reached.curedPartly).toBeGreaterThan(0);
    expect(reached.rebucketedOnPayment).toBeGreaterThan(0);
    expect(reached.m2plus).toBeGreaterThan(50);
    expect(reached.deferral).toBeGreaterThan(30);
    expect(reached.frozen).toBeGreaterThan(30);
    expect(reached.billedRefund).toBeGreaterThan(15);
    expect(reached.planRefund).toBeGreaterThan(10);
    expect(reached.installmentBilled).toBeGreaterThan(20);
    expect(reached.payoffBilled).toBeGreaterThan(5);
    expect(reached.payoffFeeBilled).toBeGreaterThan(2);
    expect(reached.unbilledInstallmentPaid).toBeGreaterThan(30);
    expect(reached.severalPastLimit).toBeGreaterThan(0);
    expect(reached.reversals).toBeGreaterThan(60);
    expect(reached.reversalInterest).toBeGreaterThan(20);
    expect(reached.reversalPenalty).toBeGreaterThan(5);
    expect(reached.reversalFees).toBeGreaterThan(2);
    expect(reached.reversalSeveralKinds).toBeGreaterThan(5);
    expect(reached.reversalChargesOnly).toBeGreaterThan(5);
    expect(reached.reversalReturned).toBeGreaterThan(20);
    expect(reached.reversalChargesReturned).toBeGreaterThan(8);
    expect(reached.reversalFeesReturned).toBeGreaterThan(0);
    expect(reached.reversalChargesPartlyOwed).toBeGreaterThan(0);
    expect(reached.unbilledReversed).toBeGreaterThan(30);
    expect(reached.reversalLowered).toBeGreaterThan(20);
    expect(reached.reversalLoweredOverdue).toBeGreaterThan(7);
    expect(reached.reversalLoweredAfterReversal).toBeGreaterThan(0);
    expect(reached.reversalCured).toBeGreaterThan(4);
    expect(reached.reversalCuredByMinimum).toBeGreaterThan(0);
    expect(reached.reversalUnfroze).toBeGreaterThan(3);
  });
});
