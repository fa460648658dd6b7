/**
 * A seeded random portfolio: accounts with different habits (paying in full, paying the minimum, never
 * paying, anything) drawing, refunding, converting to installments and repaying over months, so overdue,
 * penalty interest, freezes, buckets and quarterly reviews all occur. Deterministic for a given seed.
 */
import { entriesOf, Money, totalOwed } from '@ledger/credit';
import type { LedgerSimulation } from './ledger-simulation';

/** mulberry32: a tiny deterministic PRNG (Math.random cannot be seeded). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Habit = 'FULL' | 'MINIMUM' | 'NEVER' | 'RANDOM';
const HABITS: Habit[] = ['FULL', 'MINIMUM', 'NEVER', 'RANDOM'];

export interface RandomPortfolioOptions {
  seed: number;
  accounts: number;
  lastDate: string;
}

export async function simulateRandomPortfolio(
  sim: LedgerSimulation,
  options: RandomPortfolioOptions,
): Promise<void> {
  const random = seededRandom(options.seed);
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
  const fen = (min: number, max: number) =>
    Money.fromFen(BigInt(min + Math.floor(random() * (max - min)))).toString();
  const habits = new Map<string, Habit>();
  for (let i = 0; i < options.accounts; i++) {
    const id = `acc-${String(i).padStart(3, '0')}`;
    const payScore = i % 7 === 6 ? 560 : pick([620, 680, 720, 780]);
    await sim.open(
      id,
      { payScore, idNumberMasked: `110***********${String(1000 + i)}` },
      i % 3 === 0 ? 'CUSTOMER_SERVICE' : 'INVITED',
    );
    habits.set(id, HABITS[i % HABITS.length]);
  }
  let order = 0;
  while (sim.date <= options.lastDate) {
    for (const [id, habit] of habits) {
      const state = sim.scenario(id).state;
      if (state.status !== 'ACTIVE') continue;
      const r = random();
      if (r < 0.25) {
        const orderId = `o-${++order}`;
        const drawn = await sim.attempt(id, {
          type: 'RequestDraw',
          orderId,
          merchant: 'JD.com',
          amount: fen(1000, 60000),
          authentication: { method: 'PASSWORD', passed: true },
        });
        if (drawn.some((e) => e.type === 'DrawPosted') && random() < 0.2) {
          await sim.attempt(id, {
            type: 'ConvertToInstallments',
            drawId: orderId,
            periods: pick([3, 6, 12]),
          });
        }
      } else if (r < 0.3) {
        const draws = entriesOf(state.draws).filter((d) => d.amount.minus(d.refunded).isPositive());
        if (draws.length > 0) {
          const draw = pick(draws);
          await sim.attempt(id, {
            type: 'RefundDraw',
            drawId: draw.drawId,
            refundId: `rf-${++order}`,
            amount: Money.min(draw.amount.minus(draw.refunded), Money.of('50.00')).toString(),
          });
        }
      } else if (r < 0.32) {
        await sim.attempt(id, { type: 'UpdatePayScore', payScore: pick([640, 700, 760, 800]) });
      }
      await repayByHabit(sim, id, habit, random, () => `p-${++order}`);
    }
    await sim.closeDay();
  }
}

async function repayByHabit(
  sim: LedgerSimulation,
  id: string,
  habit: Habit,
  random: () => number,
  reference: () => string,
): Promise<void> {
  const state = sim.scenario(id).state;
  const day = Number(sim.date.slice(8, 10));
  const open = state.statements.filter((s) => !s.minimumMet);
  let amount: Money | null = null;
  if (habit === 'FULL' && day === 5) amount = totalOwed(state);
  if (habit === 'MINIMUM' && day === 8 && open.length > 0)
    amount = Money.sum(open.map((s) => Money.max(Money.ZERO, s.minimum.minus(s.repaidSinceIssue))));
  if (habit === 'RANDOM' && random() < 0.08) amount = Money.min(totalOwed(state), Money.of('300.00'));
  if (amount && amount.isPositive())
    await sim.attempt(id, {
      type: 'ReceiveRepayment',
      reference: reference(),
      amount: amount.toString(),
      channel: 'MANUAL',
    });
}
