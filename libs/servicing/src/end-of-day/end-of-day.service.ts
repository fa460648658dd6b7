/**
 * End of day. Closing business day D runs, for every account that needs it, what falls due when D ends
 * (statements on month ends, due dates, overdue, freezes, buckets, quarterly reviews), then records
 * `BusinessDayClosed` in the `ledger-business-days` stream.
 *
 * - Scales: the accounts come from the end-of-day schedule (a read model of each account's next action
 *   date, kept from the log), never from a scan of every stream.
 * - Once only: BusinessDayClosed is appended at the stream's exact expected revision with a
 *   deterministic event id, and each account's part runs under the command id `eod:<date>`, so a day
 *   already done for an account is replayed, not redone.
 * - Resumable: a crash leaves some accounts done; the next call does the rest and then closes the day.
 *   A close first records `BusinessDayCloseBegun` in `ledger-business-day-runs`, so that a close that
 *   finds its day begun counts the accounts done before (their events under `eod:<date>`, after that
 *   mark in the log) into the day's `accounts` and `counts`, which are then the day's whole work.
 * - In order: a day is closed only after the day before, and only once the business clock has passed it.
 * - After the day's commands: those of the day admitted before the close and still waiting their turn on
 *   their account are recorded first, and one of the day that comes during it is refused
 *   (`BusinessDayGate.closing`).
 */
import { v5 as uuidv5 } from 'uuid';
import { addDays, type CreditAccountEvent, isValidDate } from '@ledger/credit';
import { ConcurrencyError, EventStore, type StoredEvent } from '@ledger/event-store';
import { ACCOUNT_STREAM_PREFIX, BUSINESS_DAYS_STREAM } from '@ledger/projections';
import { BusinessClock } from '../clock/business-clock';
import { AccountRepository, accountStream } from '../repository/account-repository';
import { BusinessDayGate } from './business-day-gate';
import { firstBusinessDay, readLastClosedDay } from './business-days-stream';

export { BUSINESS_DAYS_STREAM };
const BUSINESS_DAY_NAMESPACE = '0b6f7c2a-3d4e-4f8a-9b1c-5e6d7f8a9b0c';

/** Where each close of a business day began: one `BusinessDayCloseBegun` a day, no read model reads it. */
export const BUSINESS_DAY_RUNS_STREAM = 'ledger-business-day-runs';

/** What closes of a day before this one did: the accounts and their events, by type. */
interface DoneBefore {
  accounts: Set<string>;
  counts: Record<string, number>;
}

export interface BusinessDayClosedData {
  businessDate: string;
  closedAt: string;
  accounts: number;
  counts: Record<string, number>;
}

export interface EndOfDayReport extends BusinessDayClosedData {
  alreadyClosed: boolean;
  position: string;
}

/** Where end of day finds its accounts: implemented over the eod_schedule read model. */
export abstract class EndOfDaySchedule {
  /** Waits until the schedule has seen every event appended so far. */
  abstract catchUp(): Promise<void>;
  /** Up to `limit` account ids due on or before `date`, ordered by id, after `afterAccountId`. */
  abstract accountsDue(date: string, limit: number, afterAccountId: string | null): Promise<string[]>;
}

export class EndOfDayError extends Error {
  constructor(
    readonly code: 'INVALID_BUSINESS_DATE' | 'BUSINESS_DAY_SKIPPED' | 'BUSINESS_DAY_NOT_OVER' | 'BUSINESS_DAY_BEFORE_LEDGER' | 'END_OF_DAY_STOPPED',
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface EndOfDayProgress {
  onProgress?(date: string, accountsDone: number): void;
}

/**
 * Accounts end of day processes at once (LEDGER_EOD_CONCURRENCY). Their appends share group commits, so
 * this is also about how many accounts one durable transaction carries. The statement day at 100,000
 * accounts (the app as `npm start` runs it, files cached): 32 at once took 153.9 to 178.5 s and 117 to 124
 * s of the deciding thread's CPU; 128 took 134.9 and 138.9 s and 104 and 107 s; 512 took 171.3 s and 121 s.
 */
export const DEFAULT_END_OF_DAY_CONCURRENCY = 128;

export class EndOfDayService {
  progress: EndOfDayProgress = {};
  /** Set by `stop`: closes under way stop at their next account. */
  private stopping = false;
  private stopAsked!: () => void;
  /** Resolves when `stop` is called: a close waiting for the read models to catch up stops waiting. */
  private readonly stopRequested = new Promise<void>((resolve) => (this.stopAsked = resolve));
  /** The closes running in this process, by business date (`close`). */
  private readonly closing = new Map<string, Promise<EndOfDayReport>>();

  constructor(
    private readonly store: EventStore,
    private readonly repository: AccountRepository,
    private readonly schedule: EndOfDaySchedule,
    private readonly clock: BusinessClock,
    private readonly concurrency = DEFAULT_END_OF_DAY_CONCURRENCY,
    private readonly gate?: BusinessDayGate,
  ) {}

  async lastClosed(): Promise<{ date: string | null; revision: bigint | 'no_stream'; data: BusinessDayClosedData | null; position: bigint }> {
    const last = await readLastClosedDay(this.store);
    if (!last) return { date: null, revision: 'no_stream', data: null, position: 0n };
    const data = last.data as BusinessDayClosedData;
    return { date: data.businessDate, revision: last.revision, data, position: last.position };
  }

  /**
   * The business day whose end of day has begun and not finished, or null: one running now (its
   * accounts' events are in the log and its BusinessDayClosed is not yet, so the read models show the day
   * part-applied), or one a crash interrupted, to be closed again.
   */
  async unfinishedClose(lastClosed?: string | null): Promise<string | null> {
    const closed = lastClosed === undefined ? (await this.lastClosed()).date : lastClosed;
    const runs = await this.store.readStream(BUSINESS_DAY_RUNS_STREAM);
    const begun = (runs.at(-1)?.data as { businessDate?: unknown } | undefined)?.businessDate;
    return typeof begun === 'string' && (closed === null || begun > closed) ? begun : null;
  }

  /**
   * Stops the closes under way at a safe point (each stops once the accounts it is on are done) and
   * resolves when they have ended; no close starts after it. For shutdown, before the store closes.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopAsked();
    await Promise.allSettled([...this.closing.values()]);
  }

  /**
   * Closes `date`. A close of the same date already running in this process is joined rather than
   * started again: a day of a million accounts runs for minutes before it answers, so a client that gave
   * up and sent it again, or the scheduler and an operator at once, would otherwise have it visit every
   * account a second time: correct (each account's step and the day's event are idempotent), but the
   * day's whole cost again on a host already busy with it.
   */
  close(date: string, actor: string): Promise<EndOfDayReport> {
    const running = this.closing.get(date);
    if (running) return running;
    const run = this.closeOnce(date, actor).finally(() => this.closing.delete(date));
    this.closing.set(date, run);
    return run;
  }

  private async closeOnce(date: string, actor: string): Promise<EndOfDayReport> {
    if (this.stopping) throw stopped(date, `the ledger is stopping: close ${date} once it has started again`);
    if (!isValidDate(date)) throw new EndOfDayError('INVALID_BUSINESS_DATE', `not a calendar date: ${date}`, { field: 'businessDate' });
    const last = await this.lastClosed();
    if (last.date !== null && date <= last.date) {
      const days = await this.store.readStream(BUSINESS_DAYS_STREAM);
      const closed = closedIn(days, date);
      if (closed) return closed;
      // Every day from the first close on is closed, so a day not among them comes before the ledger's calendar.
      const first = (days[0].data as BusinessDayClosedData).businessDate;
      throw new EndOfDayError('BUSINESS_DAY_BEFORE_LEDGER', `business day ${date} comes before the ledger's first closed day, ${first}: there is nothing to close on it`, { field: 'businessDate', earliest: first });
    }
    if (last.date !== null && date !== addDays(last.date, 1)) {
      throw new EndOfDayError('BUSINESS_DAY_SKIPPED', `the next business day to close is ${addDays(last.date, 1)}`, { lastClosed: last.date, next: addDays(last.date, 1) });
    }
    const today = this.clock.businessDate();
    if (date >= today) {
      throw new EndOfDayError('BUSINESS_DAY_NOT_OVER', `business day ${date} is not over: the business clock says ${this.clock.now()}`, { businessDate: date, now: this.clock.now() });
    }
    if (last.date === null) await this.assertFirstClose(date, today);
    try {
      // The commands of the day admitted and still waiting their turn come first: an account one of them
      // makes due today (activated on a month end) is then among the accounts the schedule gives.
      // A stop does not wait for them: nothing of the day is written yet, and the next close goes on.
      await Promise.race([this.gate?.closing(date), this.stopRequested]);
      if (this.stopping) throw stopped(date, `end of day ${date} stopped for shutdown before it began: close the day again once the ledger has started`);
      return await this.closeAdmitted(date, actor, last.revision);
    } finally {
      this.gate?.closeEnded(date);
    }
  }

  /** Closes `date` once the checks have passed and no command of it is in flight. */
  private async closeAdmitted(date: string, actor: string, lastRevision: bigint | 'no_stream'): Promise<EndOfDayReport> {
    const before = await this.begin(date, actor);
    const counts: Record<string, number> = { ...before.counts };
    const accounts = before.accounts.size + (await this.processAccounts(date, actor, counts, before.accounts));
    const data: BusinessDayClosedData = { businessDate: date, closedAt: this.clock.now(), accounts, counts };
    const result = await this.store.append(BUSINESS_DAYS_STREAM, lastRevision, [
      { id: uuidv5(`business-day|${date}`, BUSINESS_DAY_NAMESPACE), type: 'BusinessDayClosed', schemaVersion: 1, data, metadata: { actor, businessDate: date, commandId: `eod:${date}` } },
    ]);
    this.gate?.noteClosed(date);
    if (result.alreadyStored) {
      // Another process closed the day at the same moment (its BusinessDayClosed has this id): its report
      // is the day's, and this close found it closed.
      const closed = await this.closedReport(date);
      if (closed) return closed;
    }
    return { ...data, alreadyClosed: false, position: result.position.toString() };
  }

  /** The report of `date`'s close as the log holds it (`alreadyClosed`), or null when it is not closed. */
  private async closedReport(date: string): Promise<EndOfDayReport | null> {
    return closedIn(await this.store.readStream(BUSINESS_DAYS_STREAM), date);
  }

  /**
   * The first day to close on a ledger that has closed none: the business date of the log's first event,
   * or yesterday on a ledger with none, or whose first event is dated today (yesterday then has nothing on
   * it, and closing it fixes the calendar with today next).
   */
  async firstToClose(today = this.clock.businessDate()): Promise<string> {
    const first = await firstBusinessDay(this.store);
    return first !== undefined && first < today ? first : addDays(today, -1);
  }

  /**
   * The first close fixes the ledger's calendar: every later day must be closed in turn, and commands
   * dated after a day not yet closed are refused (`BusinessDayGate`, which before any close takes the
   * ledger's first business day as the open one). So the first close is the business date of the log's
   * first event, or yesterday on a ledger with none: an earlier one (a typo such as 2000-01-01) would
   * leave it refusing every command until decades of days were closed, and a later one would skip days
   * the ledger has business on (a month end's statements, a due date).
   */
  private async assertFirstClose(date: string, today: string): Promise<void> {
    const first = await this.firstToClose(today);
    if (date < first) {
      throw new EndOfDayError('BUSINESS_DAY_BEFORE_LEDGER', `the first business day to close is ${first}: the ledger has nothing before it`, { field: 'businessDate', earliest: first });
    }
    if (date > first) {
      throw new EndOfDayError('BUSINESS_DAY_SKIPPED', `the first business day to close is ${first}: the ledger has business on it`, { lastClosed: null, next: first });
    }
  }

  /**
   * Marks the close of `date` begun, or, where an earlier close of it began and did not finish (a crash,
   * a failed account), finds what that one did: the events under `eod:<date>` after its mark.
   */
  private async begin(date: string, actor: string): Promise<DoneBefore> {
    const commandId = `eod:${date}`;
    for (let attempt = 1; ; attempt++) {
      const runs = await this.store.readStream(BUSINESS_DAY_RUNS_STREAM);
      const begun = runs.find((e) => (e.data as { businessDate?: unknown }).businessDate === date);
      if (begun) return this.doneAfter(begun.position, commandId);
      try {
        await this.store.append(BUSINESS_DAY_RUNS_STREAM, runs.at(-1)?.revision ?? 'no_stream', [
          { id: uuidv5(`business-day-begun|${date}`, BUSINESS_DAY_NAMESPACE), type: 'BusinessDayCloseBegun', schemaVersion: 1, data: { businessDate: date, begunAt: this.clock.now() }, metadata: { actor, businessDate: date, commandId } },
        ]);
        return { accounts: new Set(), counts: {} };
      } catch (error) {
        // Another process began a close at the same moment: read the stream again and go on from its mark.
        if (!(error instanceof ConcurrencyError) || attempt >= 3) throw error;
      }
    }
  }

  private async doneAfter(position: bigint, commandId: string): Promise<DoneBefore> {
    const done: DoneBefore = { accounts: new Set(), counts: {} };
    for (let after = position; ; ) {
      const page = await this.store.readAll({ after, maxCount: 1000 });
      if (page.length === 0) return done;
      for (const e of page) {
        if (e.metadata.commandId !== commandId || !e.stream.startsWith(ACCOUNT_STREAM_PREFIX)) continue;
        done.accounts.add(e.stream);
        done.counts[e.type] = (done.counts[e.type] ?? 0) + 1;
      }
      after = page[page.length - 1].position;
    }
  }

  /** Visits the accounts due; returns how many it did that `doneBefore` (by stream) did not hold. */
  private async processAccounts(date: string, actor: string, counts: Record<string, number>, doneBefore: Set<string>): Promise<number> {
    // The read models may take minutes to catch up after a heavy day: a stop does not wait for them.
    await Promise.race([this.schedule.catchUp(), this.stopRequested]);
    if (this.stopping) throw stopped(date, `end of day ${date} stopped for shutdown before its first account: close the day again to go on`);
    let after: string | null = null;
    let done = 0;
    const now = `${date}T23:59:59+08:00`;
    for (;;) {
      const batch = await this.schedule.accountsDue(date, 1000, after);
      if (batch.length === 0) return done;
      let next = 0;
      const worker = async () => {
        while (next < batch.length) {
          // Stopping (SIGTERM): each worker finishes the account it is on and takes no other; the
          // accounts done are in the log, and closing the day again goes on from them.
          if (this.stopping) return;
          const accountId = batch[next++];
          const result = await this.repository.execute(accountId, { type: 'CloseBusinessDay', businessDate: date }, { commandId: `eod:${date}`, actor, now });
          // An account a close before this one did answers with those events again: counted already.
          if (result.replayed && doneBefore.has(accountStream(accountId))) continue;
          tally(counts, result.events);
          done++;
        }
      };
      await Promise.all(Array.from({ length: Math.min(this.concurrency, batch.length) }, worker));
      if (this.stopping) throw stopped(date, `end of day ${date} stopped for shutdown after ${done} accounts: close the day again to go on from there`);
      this.progress.onProgress?.(date, done);
      after = batch[batch.length - 1];
    }
  }
}

/** The report of `date`'s close among the days closed (`alreadyClosed`), or null when it is not among them. */
function closedIn(days: StoredEvent[], date: string): EndOfDayReport | null {
  const closed = days.find((e) => (e.data as BusinessDayClosedData).businessDate === date);
  return closed ? { ...(closed.data as BusinessDayClosedData), alreadyClosed: true, position: closed.position.toString() } : null;
}

/** A close stopped, or refused, for shutdown (`EndOfDayService.stop`). */
function stopped(date: string, message: string): EndOfDayError {
  return new EndOfDayError('END_OF_DAY_STOPPED', message, { businessDate: date });
}

function tally(counts: Record<string, number>, events: CreditAccountEvent[]): void {
  for (const e of events) counts[e.type] = (counts[e.type] ?? 0) + 1;
}
