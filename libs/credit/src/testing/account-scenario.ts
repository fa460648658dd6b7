/**
 * Drives one account through commands with a business clock, the way the servicing layer does:
 * decide, then fold the decided events. Used by specs and by the portfolio simulator.
 */
import type { CreditAccountCommand } from '../account/credit-account.commands';
import type { ApplicantSnapshot, CreditAccountEvent } from '../account/credit-account.events';
import { type CreditAccountState, initialState } from '../account/credit-account.state';
import { decide } from '../account/decide';
import { contextAt } from '../account/decide-context';
import { fold } from '../account/evolve';
import { DEFAULT_TERMS_CATALOGUE, type TermsCatalogue } from '../terms/product-terms';
import { addDays, toShanghai } from '../time/local-date';

export function applicant(overrides: Partial<ApplicantSnapshot> = {}): ApplicantSnapshot {
  return {
    idNumberHash: 'hmac-sha256:0f3c',
    idNumberMasked: '110***********1234',
    nameMasked: '张*',
    birthDate: '1990-05-17',
    nationality: 'CN',
    payScore: 720,
    paymentsLast6Months: 48,
    identityVerified: { idCard: true, bankCard: true, phone: true },
    debitCard: { kind: 'DEBIT', last4: '6222' },
    creditRecord: { currentOverdue: false, severeDelinquency: false },
    ...overrides,
  };
}

export class AccountScenario {
  state: CreditAccountState;
  readonly history: CreditAccountEvent[] = [];
  now: string;

  constructor(
    readonly accountId = 'acc-1',
    start = '2026-01-05T10:00:00+08:00',
    readonly terms: TermsCatalogue = DEFAULT_TERMS_CATALOGUE,
  ) {
    this.state = initialState(accountId);
    this.now = start;
  }

  get businessDate(): string {
    return toShanghai(this.now).date;
  }

  /** Sets the business clock (date at 10:00 local unless a time is given). */
  at(date: string, time = '10:00'): this {
    this.now = `${date}T${time}:00+08:00`;
    return this;
  }

  /** Folds events as recorded (an older build's, say) without deciding them. */
  record(events: CreditAccountEvent[]): this {
    this.state = fold(this.state, events);
    this.history.push(...events);
    return this;
  }

  execute(command: CreditAccountCommand): CreditAccountEvent[] {
    const events = decide(command, this.state, contextAt(this.now, this.terms, this.history));
    this.state = fold(this.state, events);
    this.history.push(...events);
    return events;
  }

  /** Closes every business day from today up to and including `lastDate`, then moves to the day after. */
  closeDaysThrough(lastDate: string): CreditAccountEvent[] {
    const decided: CreditAccountEvent[] = [];
    for (let day = this.businessDate; day <= lastDate; day = addDays(day, 1)) {
      decided.push(...this.execute({ type: 'CloseBusinessDay', businessDate: day }));
    }
    this.at(addDays(lastDate, 1));
    return decided;
  }

  /** Applies and activates with the given applicant, on the current business date. */
  open(overrides: Partial<ApplicantSnapshot> = {}): this {
    this.execute({ type: 'SubmitApplication', accountId: this.accountId, channel: 'INVITED', applicant: applicant(overrides) });
    this.execute({ type: 'ActivateAccount', agreementVersion: 'fenfu-2026.1', autoRepayCardLast4: '6222' });
    return this;
  }

  draw(orderId: string, amount: string, method: 'PASSWORD' | 'FACE' = 'PASSWORD'): CreditAccountEvent[] {
    return this.execute({ type: 'RequestDraw', orderId, merchant: 'JD.com', amount, authentication: { method, passed: true } });
  }

  repay(reference: string, amount: string, channel: 'MANUAL' | 'AUTO_DEBIT' = 'MANUAL'): CreditAccountEvent[] {
    return this.execute({ type: 'ReceiveRepayment', reference, amount, channel });
  }

  eventsOf<T extends CreditAccountEvent['type']>(type: T): Extract<CreditAccountEvent, { type: T }>[] {
    return this.history.filter((e): e is Extract<CreditAccountEvent, { type: T }> => e.type === type);
  }

  lastOf<T extends CreditAccountEvent['type']>(type: T): Extract<CreditAccountEvent, { type: T }> {
    const all = this.eventsOf(type);
    if (all.length === 0) throw new Error(`no ${type} event`);
    return all[all.length - 1];
  }
}

/** given(events) -> when(command at time) -> the decided events, for Emmett-style specs. */
export function given(events: CreditAccountEvent[], accountId = 'acc-1') {
  const state = fold(initialState(accountId), events);
  return {
    state,
    when(command: CreditAccountCommand, now = '2026-01-05T10:00:00+08:00', terms: TermsCatalogue = DEFAULT_TERMS_CATALOGUE) {
      return decide(command, state, contextAt(now, terms, events));
    },
  };
}
