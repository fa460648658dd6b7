/**
 * A command takes effect on its business date, and the facts of closing the day before (the month's
 * statement, a due date's overdue) must come first: billing and due dates are decided on what the
 * account holds when the day closes. So an account command dated D + 2 or later is refused while day D
 * is still open: 409 BUSINESS_DAY_NOT_CLOSED, to be retried after end of day (the system clock's
 * scheduler closes the night's day within a minute of midnight).
 */
import { addDays } from '@ledger/credit';
import { EventStore } from '@ledger/event-store';
import { readLastClosedDay } from './business-days-stream';

export class BusinessDayNotClosedError extends Error {
  readonly code = 'BUSINESS_DAY_NOT_CLOSED';
  constructor(
    readonly businessDate: string,
    readonly lastClosed: string,
  ) {
    super(`business day ${addDays(lastClosed, 1)} must be closed (end of day) before commands dated ${businessDate}`);
  }
}

export class BusinessDayGate {
  /** The last closed day as last seen; undefined until read. Only ever moves forward. */
  private lastClosed: string | null | undefined;

  constructor(private readonly store: EventStore) {}

  async assertOpen(businessDate: string): Promise<void> {
    if (this.lastClosed === undefined) await this.refresh();
    if (this.admits(businessDate)) return;
    // Another process may have closed the day since: look again before refusing.
    await this.refresh();
    if (!this.admits(businessDate)) throw new BusinessDayNotClosedError(businessDate, this.lastClosed as string);
  }

  noteClosed(date: string): void {
    if (this.lastClosed === undefined || this.lastClosed === null || date > this.lastClosed) this.lastClosed = date;
  }

  private admits(businessDate: string): boolean {
    // Before the first close there is nothing to order commands against.
    return this.lastClosed === null || this.lastClosed === undefined || businessDate <= addDays(this.lastClosed, 1);
  }

  private async refresh(): Promise<void> {
    const last = await readLastClosedDay(this.store);
    if (last) this.noteClosed((last.data as { businessDate: string }).businessDate);
    else this.lastClosed = null;
  }
}
