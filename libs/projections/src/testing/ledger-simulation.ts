/**
 * Writes a portfolio's history into an event store the way the servicing layer does: each account's
 * events on `credit-account-<id>` (domain type and data, schema version 1), and at each end of day the
 * accounts' closing events followed by `BusinessDayClosed` on `ledger-business-days`. Accounts are driven
 * by the domain's AccountScenario on one shared business date. For specs and benchmarks only.
 */
import {
  AccountScenario,
  addDays,
  applicant,
  type ApplicantSnapshot,
  type ApplicationChannel,
  type CreditAccountCommand,
  type CreditAccountEvent,
  DomainError,
} from '@ledger/credit';
import type { EventStore } from '@ledger/event-store';
import { nextActionFor } from '../projections/eod-schedule.projection';
import { accountStream, BUSINESS_DAYS_STREAM } from '../runner/ledger-streams';

export interface LedgerSimulationOptions {
  /**
   * Which accounts a day's close visits: every account (the reference), or, as the end-of-day service
   * does, those the schedule (`nextActionFor`, swept after each day) has due by then.
   */
  closing?: 'every-account' | 'scheduled';
}

export class LedgerSimulation {
  readonly accounts = new Map<string, AccountScenario>();
  /** How many account closes the days so far have run (closes that decided nothing included). */
  accountCloses = 0;
  private readonly revisions = new Map<string, bigint>();
  /** Each account's next action date, as the eod_schedule projection holds it (scheduled closing only). */
  private readonly schedule = new Map<string, string | null>();
  private daysClosed = 0;

  constructor(
    readonly store: EventStore,
    public date = '2026-01-05',
    private readonly options: LedgerSimulationOptions = {},
  ) {}

  async submit(
    accountId: string,
    overrides: Partial<ApplicantSnapshot> = {},
    channel: ApplicationChannel = 'INVITED',
  ): Promise<CreditAccountEvent[]> {
    const scenario = new AccountScenario(accountId, `${this.date}T10:00:00+08:00`);
    this.accounts.set(accountId, scenario);
    return this.command(accountId, {
      type: 'SubmitApplication',
      accountId,
      channel,
      applicant: applicant(overrides),
    });
  }

  /** Applies and activates (when approved). */
  async open(
    accountId: string,
    overrides: Partial<ApplicantSnapshot> = {},
    channel: ApplicationChannel = 'INVITED',
  ): Promise<void> {
    await this.submit(accountId, overrides, channel);
    if (this.scenario(accountId).state.status !== 'APPROVED') return;
    await this.command(accountId, {
      type: 'ActivateAccount',
      agreementVersion: 'fenfu-2026.1',
      autoRepayCardLast4: '6222',
    });
  }

  /** Decides a command at the current business date and appends its events; a refusal throws. */
  async command(
    accountId: string,
    command: CreditAccountCommand,
    time = '10:00',
  ): Promise<CreditAccountEvent[]> {
    const scenario = this.scenario(accountId).at(this.date, time);
    const events = scenario.execute(command);
    await this.append(accountId, events);
    return events;
  }

  /** Like `command`, but a refusal (DomainError) decides nothing instead of throwing. */
  async attempt(accountId: string, command: CreditAccountCommand): Promise<CreditAccountEvent[]> {
    try {
      return await this.command(accountId, command);
    } catch (error) {
      if (error instanceof DomainError) return [];
      throw error;
    }
  }

  draw(accountId: string, orderId: string, amount: string): Promise<CreditAccountEvent[]> {
    const method = Number(amount) >= 5000 ? 'FACE' : 'PASSWORD';
    return this.command(accountId, {
      type: 'RequestDraw',
      orderId,
      merchant: 'JD.com',
      amount,
      authentication: { method, passed: true },
    });
  }

  repay(accountId: string, reference: string, amount: string): Promise<CreditAccountEvent[]> {
    return this.command(accountId, { type: 'ReceiveRepayment', reference, amount, channel: 'MANUAL' });
  }

  /** Closes the current business day for every account, records BusinessDayClosed, moves to the next day. */
  async closeDay(): Promise<void> {
    const counts: Record<string, number> = {};
    for (const accountId of [...this.accounts.keys()].sort()) {
      if (this.options.closing === 'scheduled' && !this.isDue(accountId, this.date)) continue;
      this.accountCloses += 1;
      const events = this.scenario(accountId)
        .at(this.date, '23:59')
        .execute({ type: 'CloseBusinessDay', businessDate: this.date });
      for (const e of events) counts[e.type] = (counts[e.type] ?? 0) + 1;
      await this.append(accountId, events);
    }
    await this.store.append(
      BUSINESS_DAYS_STREAM,
      this.daysClosed === 0 ? 'no_stream' : BigInt(this.daysClosed - 1),
      [
        {
          id: `business-day-${this.date}`,
          type: 'BusinessDayClosed',
          schemaVersion: 1,
          data: {
            businessDate: this.date,
            closedAt: `${addDays(this.date, 1)}T00:05:00+08:00`,
            accounts: this.accounts.size,
            counts,
          },
          metadata: { businessDate: this.date, actor: 'system:end-of-day' },
        },
      ],
    );
    this.daysClosed += 1;
    this.date = addDays(this.date, 1);
    // The projection's sweep: accounts still due by the closed day are rescheduled from the next one.
    for (const accountId of this.schedule.keys()) {
      if (this.isDue(accountId, addDays(this.date, -1))) this.reschedule(accountId, this.date);
    }
  }

  private isDue(accountId: string, date: string): boolean {
    const next = this.schedule.get(accountId);
    return next !== undefined && next !== null && next <= date;
  }

  private reschedule(accountId: string, after: string): void {
    const { state, terms } = this.scenario(accountId);
    this.schedule.set(accountId, nextActionFor(state, after, terms));
  }

  async closeDaysThrough(lastDate: string): Promise<void> {
    while (this.date <= lastDate) await this.closeDay();
  }

  scenario(accountId: string): AccountScenario {
    const scenario = this.accounts.get(accountId);
    if (!scenario) throw new Error(`no account ${accountId} in the simulation`);
    return scenario;
  }

  private async append(accountId: string, events: CreditAccountEvent[]): Promise<void> {
    if (events.length === 0) return;
    const next = this.revisions.get(accountId) ?? 0n;
    await this.store.append(
      accountStream(accountId),
      next === 0n ? 'no_stream' : next - 1n,
      events.map((e, i) => ({
        id: `${accountId}:${next + BigInt(i)}`,
        type: e.type,
        schemaVersion: 1,
        data: e.data,
        metadata: {
          businessDate: this.date,
          actor: 'spec',
          commandId: `cmd-${accountId}-${next}`,
          correlationId: `corr-${accountId}-${next}`,
        },
      })),
    );
    this.revisions.set(accountId, next + BigInt(events.length));
    if (this.options.closing === 'scheduled') this.reschedule(accountId, events[events.length - 1].data.on);
  }
}
