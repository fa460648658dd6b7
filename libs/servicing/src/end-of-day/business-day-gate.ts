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
  ) {
    super(`business day ${toClose} must be closed (end of day) before commands dated ${businessDate}`);
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

export class BusinessDayGate {
  /** The last closed day as last seen; undefined until read. Only ever moves forward. */
  private lastClosed: string | null | undefined;
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
