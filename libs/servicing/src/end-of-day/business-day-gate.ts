/**
 * A command takes effect on its business date, and the facts of closing the day before (the month's
 * statement, a due date's overdue) must come first: billing and due dates are decided on what the
 * account holds when the day closes. So an account command dated D + 2 or later is refused while day D
 * is still open: 409 BUSINESS_DAY_NOT_CLOSED, to be retried after end of day (the system clock's
 * scheduler closes the night's day within a minute of midnight).
 */
import { addDays } from '@ledger/credit';
import { EventStore } from '@ledger/event-store';
import { firstBusinessDay, readLastClosedDay } from './business-days-stream';

export class BusinessDayNotClosedError extends Error {
  readonly code = 'BUSINESS_DAY_NOT_CLOSED';
  constructor(
    readonly businessDate: string,
    readonly lastClosed: string | null,
    /** The day to close first: the one after the last closed, or before any close the ledger's first business day. */
    readonly toClose: string,
    message = `business day ${toClose} must be closed (end of day) before commands dated ${businessDate}`,
  ) {
    super(message);
  }
}

/**
 * A command dated a business day already closed: its facts would land after that day's close (its
 * statement, its due date) was decided without them. Only a process whose clock is behind the log's
 * (a second process with the manual clock, which another moved on) can date one so.
 */
export class BusinessDayAlreadyClosedError extends Error {
  readonly code = 'BUSINESS_DAY_ALREADY_CLOSED';
  constructor(
    readonly businessDate: string,
    readonly lastClosed: string,
  ) {
    super(`business day ${businessDate} is closed (the last closed is ${lastClosed}): this process's business clock is behind the ledger's`);
  }
}

/**
 * Also what end of day waits for: a command is admitted by its business date (`assertOpen`), then waits
 * its turn on its account and is decided and appended. A close of day D that read its accounts while
 * commands dated D still waited would append `BusinessDayClosed` before them, and an account it did not
 * visit (activated on D by one of them, say, with draws of D) would miss what D's close owed it (the
 * month's statement). So the commands are run through the gate (`run`), and a close of D first stops
 * admitting commands dated D or before and waits for those admitted (`closing`); one dated D that comes
 * after is refused as a command during the close is (409 BUSINESS_DAY_NOT_CLOSED), and its retry is
 * dated after D. Within this process: the ledger has one API process taking commands.
 */
export class BusinessDayGate {
  /** The last closed day as last seen; undefined until read. Only ever moves forward. */
  private lastClosed: string | null | undefined;
  /** The latest day whose close this process has begun and not finished (`closing`, `closeEnded`). */
  private closingDay: string | undefined;
  /** The commands admitted and not yet finished, with their business dates (`run`). */
  private readonly admitted = new Set<{ businessDate: string; done: Promise<unknown> }>();
  /**
   * Before the first close, the business date of the log's first event: the ledger's first business day,
   * the open one (the first close may be no other, `EndOfDayService`). Undefined while the log is empty.
   */
  private firstDay: string | undefined;

  constructor(private readonly store: EventStore) {}

  async assertOpen(businessDate: string): Promise<void> {
    // On an empty log, looked at again until its first event names the first business day.
    if (this.lastClosed === undefined || (this.lastClosed === null && this.firstDay === undefined)) await this.refresh();
    if (this.lastClosed && businessDate <= this.lastClosed) throw new BusinessDayAlreadyClosedError(businessDate, this.lastClosed);
    if (this.admits(businessDate)) return;
    // Another process may have closed the day since: look again before refusing.
    await this.refresh();
    if (!this.admits(businessDate)) {
      const lastClosed = this.lastClosed ?? null;
      // A refusal before any close has a first day: an empty log (no first day) admits every date.
      throw new BusinessDayNotClosedError(businessDate, lastClosed, lastClosed === null ? this.firstDay! : addDays(lastClosed, 1));
    }
  }

  /**
   * Runs an admitted command (`assertOpen` passed for `businessDate`), known to a close of its day until
   * it has finished. Refused, running nothing, when a close of its day or a later one has begun here since.
   */
  run<T>(businessDate: string, command: () => Promise<T>): Promise<T> {
    // Checked and registered in one synchronous step: a close begun before it refuses the command, one
    // begun after it waits for it.
    if (this.closingDay !== undefined && businessDate <= this.closingDay) {
      const lastClosed = this.lastClosed ?? null;
      return Promise.reject(
        new BusinessDayNotClosedError(businessDate, lastClosed, this.closingDay, `business day ${this.closingDay} is being closed (end of day): send the command again once it is, when it is dated the next day`),
      );
    }
    const entry = { businessDate, done: command() };
    this.admitted.add(entry);
    const forget = () => void this.admitted.delete(entry);
    entry.done.then(forget, forget);
    return entry.done as Promise<T>;
  }

  /**
   * A close of `date` begins in this process: commands dated it or before are no longer admitted, and
   * this resolves once those admitted before have finished (whatever their outcome).
   */
  async closing(date: string): Promise<void> {
    if (this.closingDay === undefined || date > this.closingDay) this.closingDay = date;
    await Promise.allSettled([...this.admitted].filter((c) => c.businessDate <= date).map((c) => c.done));
  }

  /** The close of `date` has ended here (closed, failed or stopped): commands dated it are admitted as the last closed day says. */
  closeEnded(date: string): void {
    if (this.closingDay === date) this.closingDay = undefined;
  }

  noteClosed(date: string): void {
    if (this.lastClosed === undefined || this.lastClosed === null || date > this.lastClosed) this.lastClosed = date;
  }

  private admits(businessDate: string): boolean {
    if (this.lastClosed) return businessDate <= addDays(this.lastClosed, 1);
    // Before the first close the open day is the ledger's first: a command dated after it would be billed,
    // or fall due, with a day closed after it (a draw just past a month's end on the statement of that month).
    return this.firstDay === undefined || businessDate <= this.firstDay;
  }

  private async refresh(): Promise<void> {
    const last = await readLastClosedDay(this.store);
    if (last) {
      this.noteClosed((last.data as { businessDate: string }).businessDate);
      return;
    }
    this.lastClosed = null;
    this.firstDay = await firstBusinessDay(this.store);
  }
}
