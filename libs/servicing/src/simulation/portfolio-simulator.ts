/**
 * A deterministic portfolio generator: applications with a realistic pay score spread, spending,
 * installments, refunds, pay score changes, a few stolen draws disputed and upheld, and customers who
 * pay in full, pay the minimum, pay part, pay late or stop paying. It drives the same command handlers
 * as the HTTP API, one business day at a time, closing each day through end of day. The same seed always yields the same ledger.
 */
import { CommandBus } from '@nestjs/cqrs';
import { addDays, bucketsTotal, type CreditAccountState, daysBetween, Dec, entriesOf, lastOfMonth, Money, monthOf, nextMonth, totalOwed } from '@ledger/credit';
import { BusinessClock } from '../clock/business-clock';
import { CloseBusinessDayCommand, ExecuteAccountCommand, SubmitApplicationCommand } from '../commands/account.commands';
import { AccountRepository, type ExecuteResult } from '../repository/account-repository';
import { SeededRandom } from './seeded-random';

export type Persona = 'FULL' | 'MINIMUM' | 'PARTIAL' | 'LATE' | 'DEFAULTER';

export interface SimulationOptions {
  accounts: number;
  months: number;
  seed: number;
  /** First business day simulated (applications arrive over the first 60 days). */
  start: string;
  /** The last business day closed, when not the last of the `months`-th month (`lastDay`): a run of a few days. */
  lastDay?: string;
  onDay?(date: string, index: number, total: number): void;
}

export interface SimulationReport {
  days: number;
  applications: number;
  approved: number;
  commands: number;
  refused: number;
  lastClosed: string;
}

interface Customer {
  accountId: string;
  persona: Persona;
  spendPerDay: number;
  applyOn: number;
  payDelay: number;
}

/** Who the simulator's commands are from (the API logs them at debug: a demo sends 140,000 of them). */
export const SIMULATOR_ACTOR = 'system:simulator';
const ACTOR = SIMULATOR_ACTOR;
const PERSONAS: [Persona, number][] = [['FULL', 50], ['MINIMUM', 22], ['PARTIAL', 13], ['LATE', 10], ['DEFAULTER', 5]];

/** A valid PRC ID number from the generator (ISO 7064 MOD 11-2 check character). */
function idNumber(random: SeededRandom, index: number): string {
  const year = 1971 + random.int(0, 35);
  const body = `${['110105', '310104', '440305', '330106', '510107'][random.int(0, 4)]}${year}${String(random.int(1, 12)).padStart(2, '0')}${String(random.int(1, 28)).padStart(2, '0')}${String(index % 1000).padStart(3, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = weights.reduce((acc, w, i) => acc + w * Number(body[i]), 0);
  return body + '10X98765432'[sum % 11];
}

async function runConcurrently(tasks: (() => Promise<void>)[], width: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(width, tasks.length) }, worker));
}

export class PortfolioSimulator {
  private commandsRun = 0;
  private refused = 0;

  constructor(
    private readonly commands: CommandBus,
    private readonly repository: AccountRepository,
    private readonly clock: BusinessClock,
  ) {}

  /**
   * The last business day a run of `months` from `start` closes: the last day of its `months`-th month,
   * counting the start's own, so the run closes that many month ends and bills that many statements (a
   * run from the 15th has a short first month). Counted as 30.44 days a month, a one-month run from the
   * 1st of January stopped on the 30th and billed nothing.
   */
  static lastDay(start: string, months: number): string {
    let month = monthOf(start);
    for (let i = 1; i < months; i++) month = nextMonth(month);
    return lastOfMonth(month);
  }

  async run(options: SimulationOptions): Promise<SimulationReport> {
    const random = new SeededRandom(options.seed);
    const end = addDays(options.lastDay ?? PortfolioSimulator.lastDay(options.start, options.months), 1);
    const total = daysBetween(options.start, end);
    const pending: { index: number; applyOn: number; id: string }[] = [];
    for (let i = 0; i < options.accounts; i++) pending.push({ index: i, applyOn: random.int(0, Math.min(60, total - 1)), id: idNumber(random, i) });
    const customers: Customer[] = [];
    let approved = 0;
    for (let day = 0; day < total; day++) {
      const date = addDays(options.start, day);
      await this.moveClock(`${date}T09:00:00+08:00`);
      for (const p of pending.filter((x) => x.applyOn === day)) {
        const customer = await this.apply(random, p.index, p.id, date);
        if (customer) {
          customers.push(customer);
          approved++;
        }
      }
      // Decisions are drawn in a fixed order, so the same seed plans the same day; the plans then run
      // concurrently across customers (sequentially within one), which lets group commit batch them.
      const plans: (() => Promise<void>)[] = [];
      for (const c of customers) {
        const plan = await this.plan(random, c, date);
        if (plan) plans.push(plan);
      }
      await runConcurrently(plans, 64);
      await this.moveClock(`${addDays(date, 1)}T00:01:00+08:00`);
      await this.commands.execute(new CloseBusinessDayCommand(date, ACTOR));
      options.onDay?.(date, day + 1, total);
    }
    return { days: total, applications: options.accounts, approved, commands: this.commandsRun, refused: this.refused, lastClosed: addDays(end, -1) };
  }

  private async moveClock(now: string): Promise<void> {
    if (this.clock.mode === 'manual' && Date.parse(now) > Date.parse(this.clock.now())) await this.clock.set(now, ACTOR);
  }

  private async apply(random: SeededRandom, index: number, id: string, date: string): Promise<Customer | null> {
    // Pay scores centred on 690 with a tail below the 600 threshold; a few applicants fail other rules.
    const payScore = Math.max(350, Math.min(850, Math.round(690 + random.normal() * 65)));
    const flaw = random.int(0, 99);
    const result = await this.send(
      new SubmitApplicationCommand(
        {
          idNumber: id,
          name: ['王', '李', '张', '刘', '陈'][random.int(0, 4)] + ['伟', '芳', '娜', '敏', '静'][random.int(0, 4)],
          nationality: flaw === 0 ? 'HK' : 'CN',
          channel: random.int(0, 9) < 8 ? 'INVITED' : 'CUSTOMER_SERVICE',
          payScore,
          paymentsLast6Months: flaw === 1 ? random.int(0, 19) : random.int(20, 300),
          identityVerified: { idCard: true, bankCard: flaw !== 2, phone: true },
          debitCard: flaw === 3 ? { kind: 'CREDIT', last4: '4111' } : { kind: 'DEBIT', last4: String(1000 + random.int(0, 8999)) },
          creditRecord: { currentOverdue: flaw === 4, severeDelinquency: false },
        },
        { actor: ACTOR, commandId: `sim:apply:${index}` },
      ),
    );
    if (!result || !result.events.some((e) => e.type === 'ApplicationApproved')) return null;
    await this.send(new ExecuteAccountCommand(result.accountId, { type: 'ActivateAccount', agreementVersion: 'fenfu-2026.1', autoRepayCardLast4: '6222' }, { actor: ACTOR, commandId: 'sim:activate' }));
    return { accountId: result.accountId, persona: random.pick(PERSONAS), spendPerDay: 0.05 + random.next() * 0.25, applyOn: daysBetween('2000-01-01', date), payDelay: random.int(1, 9) };
  }

  /** What one customer does today, decided now and run later. */
  private async plan(random: SeededRandom, c: Customer, date: string): Promise<(() => Promise<void>) | null> {
    const { state } = await this.repository.load(c.accountId);
    if (state.status !== 'ACTIVE') return null;
    const steps: (() => Promise<unknown>)[] = [];
    if (random.next() < c.spendPerDay) steps.push(this.planSpend(random, c, date));
    const repayment = this.planRepayment(random, c, state, date);
    if (repayment) steps.push(repayment);
    if (random.next() < 0.004) {
      const payScore = Math.max(400, Math.min(850, state.payScore + random.int(-40, 45)));
      steps.push(() => this.send(new ExecuteAccountCommand(c.accountId, { type: 'UpdatePayScore', payScore }, { actor: ACTOR })));
    }
    const stolen = this.stolenDraw(c, state, date);
    if (stolen) {
      const disputeId = `sim-dp-${stolen}`;
      steps.push(async () => {
        await this.send(new ExecuteAccountCommand(c.accountId, { type: 'OpenDispute', disputeId, drawId: stolen, reason: 'customer reports the purchase as not theirs' }, { actor: ACTOR }));
        await this.send(new ExecuteAccountCommand(c.accountId, { type: 'ResolveDispute', disputeId, upheld: true, note: 'merchant confirmed card-not-present fraud' }, { actor: ACTOR }));
      });
    }
    if (steps.length === 0) return null;
    return async () => {
      for (const step of steps) await step();
    };
  }

  private planSpend(random: SeededRandom, c: Customer, date: string): () => Promise<void> {
    const big = random.next() < 0.08;
    const fen = big ? random.int(30_000, 400_000) : random.int(500, 60_000);
    const orderId = `sim-${c.accountId.slice(4, 12)}-${date}-${random.int(0, 99999)}`;
    const merchant = ['JD.com', 'Meituan', 'Pinduoduo', 'Didi', 'Ctrip'][random.int(0, 4)];
    const passed = random.next() > 0.01;
    const convertTo = big && random.next() < 0.45 ? [3, 6, 12][random.int(0, 2)] : null;
    const refundShare = !convertTo && random.next() < 0.03 ? random.int(20, 100) : null;
    const amount = Money.fromFen(BigInt(fen));
    const method = amount.greaterThanOrEqual(Money.of('5000.00')) ? 'FACE' : 'PASSWORD';
    return async () => {
      const result = await this.send(
        new ExecuteAccountCommand(c.accountId, { type: 'RequestDraw', orderId, merchant, amount: amount.toString(), authentication: { method, passed } }, { actor: ACTOR, commandId: `draw:${orderId}` }),
      );
      if (!result?.events.some((e) => e.type === 'DrawPosted')) return;
      if (convertTo) {
        await this.send(new ExecuteAccountCommand(c.accountId, { type: 'ConvertToInstallments', drawId: orderId, periods: convertTo }, { actor: ACTOR }));
      } else if (refundShare) {
        const refund = amount.times(new Dec(refundShare).div(100)).floorToFen();
        await this.send(new ExecuteAccountCommand(c.accountId, { type: 'RefundDraw', drawId: orderId, refundId: `${orderId}-rf`, amount: refund.toString() }, { actor: ACTOR }));
      }
    };
  }

  /**
   * About one customer in forty reports a stolen draw once: on the 20th of a month, the largest draw of
   * the month before still revolving, already billed with its interest, which the dispute then reverses.
   * Chosen from the account id and the state, so the seeded stream of choices stays as it was.
   */
  private stolenDraw(c: Customer, state: CreditAccountState, date: string): string | null {
    if (date.slice(8, 10) !== '20' || Object.keys(state.disputes).length > 0) return null;
    let hash = 0;
    for (const ch of c.accountId) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
    if (hash % 40 !== 0) return null;
    const lastMonth = monthOf(addDays(`${monthOf(date)}-01`, -1));
    let largest: { drawId: string; amount: Money } | null = null;
    for (const draw of entriesOf(state.draws)) {
      if (monthOf(draw.postedOn) !== lastMonth || draw.planId !== null || !draw.refunded.isZero()) continue;
      if (!largest || draw.amount.greaterThan(largest.amount)) largest = { drawId: draw.drawId, amount: draw.amount };
    }
    return largest?.drawId ?? null;
  }

  /** Pays the newest statement according to the customer's habits (decided on the state before today's spending). */
  private planRepayment(random: SeededRandom, c: Customer, state: CreditAccountState, date: string): (() => Promise<unknown>) | null {
    const latest = state.statements[state.statements.length - 1];
    if (!latest || monthOf(latest.statementDate) !== monthOf(date)) return null;
    const dayOfMonth = Number(date.slice(8, 10));
    const owedOnStatement = Money.sum(state.statements.map((s) => bucketsTotal(s.owed)));
    if (!owedOnStatement.isPositive()) return null;
    let amount: Money | null = null;
    if (c.persona === 'FULL' && dayOfMonth === 1) amount = owedOnStatement;
    if (c.persona === 'MINIMUM' && dayOfMonth === c.payDelay) amount = latest.minimum.minus(latest.repaidSinceIssue);
    if (c.persona === 'PARTIAL' && dayOfMonth === c.payDelay) amount = owedOnStatement.times(new Dec(random.int(20, 70)).div(100)).floorToFen();
    if (c.persona === 'LATE' && dayOfMonth === 10 + c.payDelay) amount = latest.minimum.minus(latest.repaidSinceIssue).plus(Money.of('20.00'));
    if (c.persona === 'DEFAULTER' && dayOfMonth === 20 && random.next() < 0.15) amount = latest.minimum;
    if (!amount || !amount.isPositive()) return null;
    const capped = Money.min(amount, totalOwed(state));
    const channel = c.persona === 'FULL' ? 'AUTO_DEBIT' : 'MANUAL';
    const command = new ExecuteAccountCommand(c.accountId, { type: 'ReceiveRepayment', reference: `sim-pay-${c.accountId.slice(4, 12)}-${date}`, amount: capped.toString(), channel }, { actor: ACTOR });
    return () => this.send(command);
  }

  private async send(command: ExecuteAccountCommand | SubmitApplicationCommand): Promise<ExecuteResult | null> {
    this.commandsRun++;
    try {
      return await this.commands.execute(command);
    } catch (error) {
      if ((error as { code?: string }).code === undefined) throw error;
      this.refused++;
      return null;
    }
  }
}
