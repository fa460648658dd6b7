/**
 * The actions of the random account lives the property tests drive (`credit-account.property.spec`,
 * `billing.model.property.spec`): each spec weighs its own generator of them; this takes one on an
 * AccountScenario the same way for both. For specs only.
 */
import { Dec, Money } from '../money/money';
import { totalOwed } from '../account/credit-account.state';
import { getEntry } from '../account/sharded-record';
import type { AccountScenario } from './account-scenario';

export type LifeAction =
  | { kind: 'draw'; fen: number; hour: number }
  | { kind: 'repay'; percent: number }
  | { kind: 'refund'; pick: number; percent: number }
  | { kind: 'convert'; pick: number; periods: number }
  | { kind: 'payoff'; pick: number }
  | { kind: 'dispute'; pick: number; upheld: boolean }
  | { kind: 'skip' };

export function fenString(fen: number): string {
  return Money.fromFen(BigInt(fen)).toString();
}

/**
 * Takes `action` on the scenario's business day, with `key` making its order, reference or dispute id
 * unique; posted draws are added to `drawIds`, which refunds, conversions, payoffs and disputes pick
 * from. A refusal throws the domain's DomainError, as the command would.
 */
export function takeAction(s: AccountScenario, action: LifeAction, key: number, drawIds: string[]): void {
  const picked = (pick: number) => drawIds[pick % drawIds.length];
  if (action.kind === 'draw') {
    s.at(s.businessDate, `${String(action.hour).padStart(2, '0')}:30`);
    const [e] = s.draw(`o-${key}`, fenString(action.fen), action.fen >= 500_000 ? 'FACE' : 'PASSWORD');
    if (e.type === 'DrawPosted') drawIds.push(e.data.drawId);
  } else if (action.kind === 'repay') {
    const amount = totalOwed(s.state).times(new Dec(action.percent).div(100)).floorToFen();
    if (amount.isPositive()) s.repay(`r-${key}`, amount.toString());
  } else if (action.kind === 'skip' || drawIds.length === 0) {
    return;
  } else if (action.kind === 'refund') {
    const draw = getEntry(s.state.draws, picked(action.pick))!;
    const amount = draw.amount.minus(draw.refunded).times(new Dec(action.percent).div(100)).floorToFen();
    if (amount.isPositive()) s.execute({ type: 'RefundDraw', drawId: draw.drawId, refundId: `rf-${key}`, amount: amount.toString() });
  } else if (action.kind === 'convert') {
    s.execute({ type: 'ConvertToInstallments', drawId: picked(action.pick), periods: action.periods });
  } else if (action.kind === 'payoff') {
    s.execute({ type: 'PayOffInstallmentEarly', planId: picked(action.pick) });
  } else {
    const disputeId = `d-${key}`;
    s.execute({ type: 'OpenDispute', disputeId, drawId: picked(action.pick), reason: 'not mine' });
    s.execute({ type: 'ResolveDispute', disputeId, upheld: action.upheld, note: 'checked' });
  }
}
