/**
 * An account replayed to a moment (or to an event of its stream): its events recorded up to then, the
 * state after each, and the final balances, all folded from the stream by the domain. Nothing here reads a projection; the figures take
 * the same shape as `GET /accounts/:id` (the projections' pure row and view functions, applied to the
 * replayed state), so an auditor can hold one against the other field by field.
 */
import { type CreditAccountEvent, evolve, initialState, isValidDate, isValidDateTime, type CreditAccountState } from '@ledger/credit';
import { EventStore, parseRecordedUpTo, type StoredEvent } from '@ledger/event-store';
import { type AccountView, balanceRow, replayStatements, type StatementView, toAccountView } from '@ledger/projections';
import { BUSINESS_DAYS_STREAM, type BusinessDayClosedData } from '../end-of-day/end-of-day.service';
import { accountStream } from '../repository/account-repository';

export interface HistoryEntry {
  revision: string;
  position: string;
  eventId: string;
  type: string;
  recordedAt: string | null;
  businessDate: string | null;
  actor: string | null;
  /** The command that recorded the event (its id within the account), and the request's id (the API's `X-Request-Id`, its log lines' `reqId`). */
  commandId: string | null;
  correlationId: string | null;
  data: unknown;
  /** The account after this event, as of the event's business date. */
  after: AccountView;
}

export interface AccountHistory {
  accountId: string;
  /** The moment replayed to (ISO date-time), or null for everything recorded so far (or a replay to a revision). */
  asOf: string | null;
  /** The stream revision replayed to, or null unless asked for (`accountHistoryToRevision`). */
  revision: string | null;
  /** The business day replayed to the close of, or null unless asked for (`accountHistoryAtClose`). */
  businessDate: string | null;
  /** The log position replayed to, or null unless asked for. */
  position: string | null;
  /** The last business day closed by then: days past due are counted to the day after it. */
  lastClosedBusinessDay: string | null;
  events: HistoryEntry[];
  /** The balances at `asOf`; null when the account did not exist yet. */
  balances: AccountView | null;
  /** Asked for a page (`HistoryPage`): the revision the next page starts at, or null once this one reaches the end of the replay; null when not paged. */
  nextRevision: string | null;
}

/**
 * A page of a replay's events: from a revision of the stream, at most `limit` of them. The replay folds
 * every event up to where it was asked to end (each entry's `after` and the final balances are the
 * whole replay's), but builds the entries of the page alone, so a long history is read in parts.
 */
export interface HistoryPage {
  fromRevision: bigint;
  limit: number;
}

/** What a replay goes up to: a moment recorded (everything when omitted), a revision of the account's stream, the close of a business day, or a position of the log. */
export type ReplayTo = { asOf?: string } | { revision: bigint } | { businessDate: string } | { position: bigint };

/** The part of an answer that says what was replayed to: each way not asked for is null. */
type ReplayedTo = Pick<AccountHistory, 'accountId' | 'asOf' | 'revision' | 'businessDate' | 'position' | 'lastClosedBusinessDay'>;

/** An account's statements as the statements read model showed them at the end of a replay. */
export interface StatementsAt extends ReplayedTo {
  statements: StatementView[];
}

export class AccountNotFoundError extends Error {
  readonly code = 'ACCOUNT_NOT_FOUND';
  constructor(readonly accountId: string) {
    super(`account ${accountId} has no events`);
  }
}

/** A replay to the close of a business day that has not closed: the day's commands are not all in yet. */
export class BusinessDayOpenError extends Error {
  readonly code = 'BUSINESS_DAY_NOT_CLOSED';
  constructor(
    readonly businessDate: string,
    readonly lastClosed: string | null,
    /** The ledger's first closed day, when `businessDate` is before it (a day the ledger never closed). */
    readonly firstClosed: string | null = null,
  ) {
    super(
      firstClosed !== null
        ? `business day ${businessDate} never closed: the ledger's first closed business day is ${firstClosed}`
        : `business day ${businessDate} has not closed (the last closed is ${lastClosed ?? 'none'}): there is no close of it to replay to`,
    );
  }
}

/** A stream revision as text, as the API and the CLI take it: 0 is the first event. */
export const REVISION_TEXT = /^\d{1,15}$/;

/** A log position as text, as the API and the CLI take it. */
export const POSITION_TEXT = /^\d{1,19}$/;

/** A log position past the log's last: what the account will be there is not recorded yet. */
export class PositionNotFoundError extends Error {
  readonly code = 'POSITION_NOT_FOUND';
  constructor(
    readonly position: bigint,
    readonly headPosition: bigint,
  ) {
    super(`the log has no position ${position} yet (its last is ${headPosition})`);
  }
}

/** The account has events, but none at the revision asked for. */
export class RevisionNotFoundError extends Error {
  readonly code = 'EVENT_NOT_FOUND';
  constructor(
    readonly accountId: string,
    readonly revision: bigint,
    /** The account's last revision. */
    readonly lastRevision: bigint,
  ) {
    super(`account ${accountId} has no event at revision ${revision} (its last is ${lastRevision})`);
  }
}

export function toDomain(stored: StoredEvent): CreditAccountEvent {
  return { type: stored.type, data: stored.data } as CreditAccountEvent;
}

/**
 * An `asOf` as the API and the CLI take it, as the moment to replay to: a bare date is the end of that
 * day in Asia/Shanghai (everything recorded on it), a date-time with an offset is itself; null for
 * anything else.
 */
export function asOfMoment(asOf: string): string | null {
  if (isValidDate(asOf)) return `${asOf}T23:59:59.999+08:00`;
  return isValidDateTime(asOf) ? asOf : null;
}

/**
 * The account's stored events recorded at or before `asOf` (all of them when it is omitted); none when
 * the account was opened after `asOf`, and `AccountNotFoundError` when it has no events at all.
 */
export async function readAccountStream(store: EventStore, accountId: string, asOf?: string): Promise<StoredEvent[]> {
  const stored = await store.readStream(accountStream(accountId), asOf === undefined ? {} : { recordedUpTo: asOf });
  if (stored.length === 0 && (asOf === undefined || (await store.readStream(accountStream(accountId), { maxCount: 1 })).length === 0)) throw new AccountNotFoundError(accountId);
  return stored;
}

interface ClosedDay {
  recordedAtMs: number;
  position: bigint;
  businessDate: string;
}

/**
 * The business-days stream, as (recorded at, position, business date) of each closed day, per store. The stream only grows (one
 * event per closed day), so each call reads just the days closed since the last one; re-reading and
 * parsing five years of days for every replay was a fifth of a five-year account's replay time.
 */
const closedDays = new WeakMap<EventStore, ClosedDay[]>();

async function closedDaysOf(store: EventStore): Promise<ClosedDay[]> {
  const known = closedDays.get(store) ?? [];
  const added = await store.readStream(BUSINESS_DAYS_STREAM, { fromRevision: BigInt(known.length) });
  if (added.length === 0 && closedDays.has(store)) return known;
  const days = [...known];
  for (const e of added) {
    // Revisions are gapless from 0, so the array index is the revision; anything else means the stream
    // was tampered with, and a fresh read (not the cache) must answer.
    if (e.revision !== BigInt(days.length)) {
      closedDays.delete(store);
      return (await store.readStream(BUSINESS_DAYS_STREAM)).map(closedDay);
    }
    days.push(closedDay(e));
  }
  closedDays.set(store, days);
  return days;
}

function closedDay(e: StoredEvent): ClosedDay {
  return { recordedAtMs: Date.parse(String(e.metadata.recordedAt)), position: e.position, businessDate: (e.data as BusinessDayClosedData).businessDate };
}

/** The last business day closed (by revision) among those recorded at or before `asOf`: what `readStream` with `recordedUpTo` would end with. */
export async function lastClosedAsOf(store: EventStore, asOf?: string): Promise<string | null> {
  const days = await closedDaysOf(store);
  const upTo = asOf === undefined ? Number.POSITIVE_INFINITY : parseRecordedUpTo(asOf);
  for (let i = days.length - 1; i >= 0; i--) if (days[i].recordedAtMs <= upTo) return days[i].businessDate;
  return null;
}

/** The last business day closed before the event at `position` was appended. */
export async function lastClosedBefore(store: EventStore, position: bigint): Promise<string | null> {
  const days = await closedDaysOf(store);
  for (let i = days.length - 1; i >= 0; i--) if (days[i].position < position) return days[i].businessDate;
  return null;
}

export function viewOf(state: CreditAccountState, position: bigint, lastClosed: string | null): AccountView {
  return toAccountView(balanceRow(state, position), lastClosed);
}

export async function accountHistory(store: EventStore, accountId: string, asOf?: string): Promise<AccountHistory> {
  return accountHistoryTo(store, accountId, { asOf });
}

/** The account at the close of business day `businessDate` (`ReplayTo`, and `eventsUpTo` for what that takes in). */
export async function accountHistoryAtClose(store: EventStore, accountId: string, businessDate: string): Promise<AccountHistory> {
  return accountHistoryTo(store, accountId, { businessDate });
}

/** The account replayed to `to`: its events, the account after each, and the balances at the end. */
export async function accountHistoryTo(store: EventStore, accountId: string, to: ReplayTo, page?: HistoryPage): Promise<AccountHistory> {
  const { stored, replayedTo } = await eventsUpTo(store, accountId, to);
  return { ...replayedTo, ...replay(accountId, stored, replayedTo.lastClosedBusinessDay, page) };
}

/**
 * The account's statements as the statements read model showed them at `to`: each one's status, what was
 * paid against it and what was outstanding then (`replayStatements`, the read model's own code).
 */
export async function accountStatementsTo(store: EventStore, accountId: string, to: ReplayTo): Promise<StatementsAt> {
  const { stored, replayedTo } = await eventsUpTo(store, accountId, to);
  return { ...replayedTo, statements: replayStatements(accountId, stored) };
}

/**
 * The account's events a replay to `to` takes in, and what it replayed to:
 * - a moment (`asOf`): those recorded at or before it; days past due count to the day after the last
 *   business day closed by then. A moment still to come answers what is recorded so far.
 * - a revision: up to the event at that revision of the stream, that one included; exact where a replay
 *   to a moment is not (two commands recorded in the same millisecond). Days past due count to the day
 *   after the business days closed before that event was appended, or to the account's own last event's
 *   date where that is later (`toAccountView`: a close appends its events before the day closed).
 * - the close of a business day: the commands taken on that day and before, and what the day's end of
 *   day decided (a statement, a due date passed, an overdue step), which takes effect the next day. The
 *   business calendar, not the wall clock, so the question an auditor asks of a month end has its
 *   answer whenever the events were recorded (a manual clock's demo records a year in a minute). A
 *   stream's business dates never go back (a day's commands are refused until the day before it is
 *   closed), so this is a prefix of the stream; an event without a business date (none the repository
 *   writes) takes the one before it. A day later than the last closed one has no close yet:
 *   `BusinessDayOpenError`.
 * - a position of the log (as a command's answer gives it): the account's events at or before it, as a
 *   reader of the log at that position saw the account; days past due as for a revision.
 */
async function eventsUpTo(store: EventStore, accountId: string, to: ReplayTo): Promise<{ stored: StoredEvent[]; replayedTo: ReplayedTo }> {
  const replayedTo: ReplayedTo = { accountId, asOf: null, revision: null, businessDate: null, position: null, lastClosedBusinessDay: null };
  if ('revision' in to) {
    const stored = await store.readStream(accountStream(accountId), { toRevision: to.revision });
    const last = stored[stored.length - 1];
    if (last === undefined) throw new AccountNotFoundError(accountId);
    if (last.revision !== to.revision) throw new RevisionNotFoundError(accountId, to.revision, last.revision);
    return { stored, replayedTo: { ...replayedTo, revision: to.revision.toString(), lastClosedBusinessDay: await lastClosedBefore(store, last.position) } };
  }
  if ('position' in to) {
    const head = await store.headPosition();
    if (to.position > head) throw new PositionNotFoundError(to.position, head);
    const all = await readAccountStream(store, accountId);
    let end = 0;
    while (end < all.length && all[end].position <= to.position) end++;
    return { stored: all.slice(0, end), replayedTo: { ...replayedTo, position: to.position.toString(), lastClosedBusinessDay: await lastClosedBefore(store, to.position + 1n) } };
  }
  if ('businessDate' in to) {
    const { businessDate } = to;
    // Days close in order, one after another: the last is the latest.
    const days = await closedDaysOf(store);
    const lastClosed = days.length > 0 ? days[days.length - 1].businessDate : null;
    if (lastClosed === null || businessDate > lastClosed) throw new BusinessDayOpenError(businessDate, lastClosed);
    if (businessDate < days[0].businessDate) throw new BusinessDayOpenError(businessDate, lastClosed, days[0].businessDate);
    const all = await readAccountStream(store, accountId);
    let end = 0;
    let dated = '';
    for (; end < all.length; end++) {
      const recorded = all[end].metadata.businessDate;
      if (typeof recorded === 'string') dated = recorded;
      if (dated > businessDate) break;
    }
    let closedBy: string | null = null;
    for (let i = days.length - 1; i >= 0 && closedBy === null; i--) if (days[i].businessDate <= businessDate) closedBy = days[i].businessDate;
    return { stored: all.slice(0, end), replayedTo: { ...replayedTo, businessDate, lastClosedBusinessDay: closedBy } };
  }
  const stored = await readAccountStream(store, accountId, to.asOf);
  return { stored, replayedTo: { ...replayedTo, asOf: to.asOf ?? null, lastClosedBusinessDay: await lastClosedAsOf(store, to.asOf) } };
}

function replay(accountId: string, stored: StoredEvent[], lastClosed: string | null, page?: HistoryPage): Pick<AccountHistory, 'events' | 'balances' | 'nextRevision'> {
  let state = initialState(accountId);
  const events: HistoryEntry[] = [];
  let nextRevision: string | null = null;
  let lastPosition: bigint | undefined;
  for (let i = 0; i < stored.length; i++) {
    const e = stored[i];
    // Let go of each stored event once it is used: only its data and five metadata fields are kept, so
    // the rest (most of the parsed metadata) dies young instead of being copied by every collection
    // during the replay.
    stored[i] = undefined!;
    state = evolve(state, toDomain(e));
    lastPosition = e.position;
    if (page !== undefined && (e.revision < page.fromRevision || events.length >= page.limit)) {
      if (nextRevision === null && e.revision >= page.fromRevision) nextRevision = e.revision.toString();
      continue;
    }
    events.push({
      revision: e.revision.toString(),
      position: e.position.toString(),
      eventId: e.id,
      type: e.type,
      recordedAt: e.metadata.recordedAt ?? null,
      businessDate: e.metadata.businessDate ?? null,
      actor: e.metadata.actor ?? null,
      commandId: e.metadata.commandId ?? null,
      correlationId: e.metadata.correlationId ?? null,
      data: e.data,
      after: viewOf(state, e.position, null),
    });
  }
  return { events, balances: lastPosition === undefined ? null : viewOf(state, lastPosition, lastClosed), nextRevision };
}
