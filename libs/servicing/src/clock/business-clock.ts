/**
 * The business clock: what time it is for the ledger. `system` follows the wall clock in Asia/Shanghai;
 * `manual` is set and advanced through the operations API (simulation, demos, tests) and only moves
 * forward. Its settings are events in the `ledger-clock` stream, so a restart resumes at the same time
 * and an auditor can see when an operator moved time.
 */
import { randomUUID } from 'node:crypto';
import { ConcurrencyError, EventStore, StoreUnavailableError } from '@ledger/event-store';
import { isValidDateTime, toShanghai } from '@ledger/credit';

export const CLOCK_STREAM = 'ledger-clock';

/**
 * How far the operations API may move the manual clock past the next business day to close: a year.
 * Commands wait for every day up to the clock's to be closed, one at a time, and the clock never goes
 * back, so a typo in the year would otherwise stall the ledger for good.
 */
export const MAX_CLOCK_STEP_DAYS = 366;

export interface ClockSetOptions {
  /** The last business date the clock may be set to (CLOCK_JUMP_TOO_FAR past it). */
  latestBusinessDate?: string;
}

export class ClockError extends Error {
  constructor(
    readonly code: 'CLOCK_NOT_MANUAL' | 'CLOCK_WENT_BACKWARDS' | 'CLOCK_JUMP_TOO_FAR' | 'INVALID_DATE_TIME',
    message: string,
    readonly details: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Formats an instant as an ISO date-time in Shanghai local time with its +08:00 offset. */
export function shanghaiIso(instant: Date): string {
  const local = new Date(instant.getTime() + 8 * 3600_000);
  return `${local.toISOString().slice(0, 19)}+08:00`;
}

export abstract class BusinessClock {
  abstract readonly mode: 'system' | 'manual';
  /** ISO-8601 date-time with the +08:00 offset. */
  abstract now(): string;
  businessDate(): string {
    return toShanghai(this.now()).date;
  }
  abstract set(dateTime: string, actor: string, options?: ClockSetOptions): Promise<string>;
}

export class SystemClock extends BusinessClock {
  readonly mode = 'system' as const;
  now(): string {
    return shanghaiIso(new Date());
  }
  async set(): Promise<string> {
    throw new ClockError('CLOCK_NOT_MANUAL', 'the business clock follows the system clock (LEDGER_CLOCK=system) and is not set by hand: end of day closes each day by itself after midnight (a manual clock is for demos and tests; production refuses it)');
  }
}

/** How often a manual clock whose store did not answer at start asks it again. */
const CATCH_UP_RETRY_MS = 1_000;

export class ManualClock extends BusinessClock {
  readonly mode = 'manual' as const;
  private current: string;
  private revision: bigint | 'no_stream' = 'no_stream';
  /** False until the clock has read its stream: the time is the store's to tell, not the start value's. */
  private caughtUp = false;
  private retry: NodeJS.Timeout | undefined;

  private constructor(
    private readonly store: EventStore,
    start: string,
  ) {
    super();
    this.current = start;
  }

  /**
   * Resumes at the last time set, or starts at `start`. A store that does not answer (EventStoreDB not up
   * yet) does not stop the start: the clock asks it again every second, and until it has answered the
   * clock's time is unknown, so what asks for it gets the store's own 503 (the API starts, answers its
   * liveness probe and reports itself unready, whatever the order things start in).
   */
  static async open(store: EventStore, start: string, retryMs = CATCH_UP_RETRY_MS): Promise<ManualClock> {
    const clock = new ManualClock(store, normalize(start));
    try {
      await clock.refresh();
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      clock.retryCatchUp(retryMs);
    }
    return clock;
  }

  private retryCatchUp(retryMs: number): void {
    this.retry = setTimeout(() => {
      this.refresh().catch(() => this.retryCatchUp(retryMs));
    }, retryMs);
    this.retry.unref();
  }

  /** Stops asking a store that has not answered (at shutdown). */
  close(): void {
    clearTimeout(this.retry);
  }

  /** Takes the last time set from the clock's stream: this process's, or another's (a CLI, a second API). */
  async refresh(): Promise<void> {
    const events = await this.store.readStream(CLOCK_STREAM, this.revision === 'no_stream' ? {} : { fromRevision: this.revision + 1n });
    const last = events[events.length - 1];
    if (last) {
      this.current = (last.data as { now: string }).now;
      this.revision = last.revision;
    }
    this.caughtUp = true;
  }

  now(): string {
    if (!this.caughtUp) throw new StoreUnavailableError('the manual business clock is kept in the event store, which has not answered since start');
    return this.current;
  }

  /**
   * Moves the clock forward. Another writer may have moved it since this process last looked (a CLI
   * command on the same ledger, a second API): its append then conflicts, and the clock takes that
   * writer's time and tries once more, so it never stays behind the stream it is the last word of.
   */
  async set(dateTime: string, actor: string, options: ClockSetOptions = {}): Promise<string> {
    if (!isValidDateTime(dateTime)) throw new ClockError('INVALID_DATE_TIME', `not an ISO date-time with an offset: ${dateTime}`);
    const next = normalize(dateTime);
    if (!this.caughtUp) await this.refresh();
    const latest = options.latestBusinessDate;
    if (latest !== undefined && toShanghai(next).date > latest) {
      throw new ClockError('CLOCK_JUMP_TOO_FAR', `the business clock may move at most to ${latest} (${MAX_CLOCK_STEP_DAYS} days past the next business day to close); asked for ${next}`, { field: 'now', latest });
    }
    for (let attempt = 1; ; attempt++) {
      if (Date.parse(next) < Date.parse(this.current)) {
        throw new ClockError('CLOCK_WENT_BACKWARDS', `the business clock only moves forward: it is ${this.current}, asked for ${next}`);
      }
      try {
        const result = await this.store.append(CLOCK_STREAM, this.revision, [
          { id: randomUUID(), type: 'BusinessClockSet', schemaVersion: 1, data: { now: next, previous: this.current }, metadata: { actor, businessDate: toShanghai(next).date } },
        ]);
        this.revision = result.nextRevision;
        this.current = next;
        return next;
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || attempt > 1) throw error;
        await this.refresh();
      }
    }
  }
}

function normalize(dateTime: string): string {
  return shanghaiIso(new Date(Date.parse(dateTime)));
}
