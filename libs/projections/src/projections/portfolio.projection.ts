/**
 * Portfolio figures for the dashboard, kept incrementally: an account contributes figures that depend on
 * its state (its status, what it owes by kind, its delinquency bucket, its limit), and the portfolio moves
 * by (figures after - figures before) on each of its events, never by scanning accounts. Flow figures
 * (the application funnel, interest and fees billed per month, limit decisions per quarter) are counted
 * from the events themselves. One table of (section, key) -> count and decimal amount; a row that comes
 * back to zero is deleted, so the table is the same however the log was cut into batches.
 */
import {
  type CreditAccountEvent,
  type CreditAccountState,
  Money,
  availableCredit,
  inactiveDetail,
  lastOfMonth,
  monthOf,
  overdueAmount,
  overdueOrigin,
} from '@ledger/credit';
import { firstIndexWhere } from '../runner/first-index';
import type { BusinessDayClosed, ByAccountReplay, Db, Projection, ProjectionContext, ProjectionEvent, Statement } from '../runner/projection';
import { owedByKind, sumOfKinds } from './balances.projection';
import { rollStanding, StandingsAtMonthEnd } from './portfolio-rolls';

/** A count and an exact amount (Money: integer fen for whole-fen amounts, which all of these are). */
interface Figure {
  count: number;
  amount: Money;
}

export type Figures = Map<string, Figure>;

const SEP = '\u0000';

const id = (section: string, key: string) => `${section}${SEP}${key}`;

function add(
  figures: Figures,
  section: string,
  key: string,
  count: number,
  amount?: Money | string,
): void {
  const value = amount === undefined ? Money.ZERO : typeof amount === 'string' ? Money.exact(amount) : amount;
  addById(figures, id(section, key), count, value);
}

function addById(figures: Figures, id: string, count: number, amount: Money): void {
  const current = figures.get(id);
  figures.set(id, current ? { count: current.count + count, amount: current.amount.plus(amount) } : { count, amount });
}

/** A state's figures, in a fixed order: status, then (for an open account) outstanding by kind, bucket, vintage, exposure. */
export type Contribution = readonly { id: string; count: number; amount: Money }[];

const OUTSTANDING = ['revolvingUnbilled', 'revolvingBilled', 'installment', 'interest', 'fees', 'penalty'].map((kind) => id('outstanding', kind));
const LIMIT = id('exposure', 'limit');
const AVAILABLE = id('exposure', 'available');

/** What one account contributes to the portfolio in a given state. */
export function accountContribution(state: CreditAccountState): Contribution {
  if (state.status === 'NONE') return [];
  const status = { id: id('status', state.status), count: 1, amount: Money.ZERO };
  if (state.status !== 'ACTIVE' && state.status !== 'CLOSED') return [status];
  const owed = owedByKind(state);
  const outstanding = [owed.revolvingUnbilled, owed.revolvingBilled, owed.installmentBilled.plus(owed.installmentUnbilled), owed.interest, owed.fees, owed.penalty];
  const total = sumOfKinds(owed);
  const available = availableCredit(state, total);
  const overdue = overdueAmount(state);
  const figures = [
    status,
    ...outstanding.map((amount, i) => ({ id: OUTSTANDING[i], count: 0, amount })),
    { id: id('bucket', state.bucket), count: 1, amount: total },
    { id: id('bucket_overdue', state.bucket), count: 0, amount: overdue },
    { id: id('vintage', `${cohortOf(state)}${SEP}${state.bucket}`), count: 1, amount: total },
    { id: LIMIT, count: 1, amount: state.limit },
    { id: AVAILABLE, count: 0, amount: available },
  ];
  // An overdue account under its bucket and why its oldest overdue began (a minimum not paid, or a
  // remainder carried past the 90 days): most of M3+ can be either, and risk reads them apart. It comes
  // and goes, so after the figures every open account has.
  const origin = overdueOrigin(state);
  if (origin !== null) figures.push({ id: id('bucket_kind', `${state.bucket}${SEP}${origin}`), count: 1, amount: overdue });
  // An account that cannot draw (locked, frozen for overdue, suspended: the first, as a draw names it)
  // and the unused limit on it, which `available` counts but no customer can spend. Last, as it comes and goes too.
  const restricted = inactiveDetail(state);
  if (restricted !== null) figures.push({ id: id('restricted', restricted), count: 1, amount: available });
  return figures;
}

/**
 * The month the account was approved in: its vintage, the cohort risk follows it in. Every account that
 * is open (active or closed) was approved first, so `approvedOn` is set.
 */
function cohortOf(state: CreditAccountState): string {
  return monthOf(state.approvedOn!);
}

/**
 * Adds (after - before) to the figures. Two contributions list their figures in one order, so a figure
 * under the same id in both moves by its difference, and only if it changed; the rest leave or enter.
 */
function addDifference(into: Figures, before: Contribution, after: Contribution): void {
  if (before === after) return;
  for (let i = 0; i < Math.max(before.length, after.length); i++) {
    const b = before[i];
    const a = after[i];
    if (a !== undefined && b !== undefined && a.id === b.id) {
      const count = a.count - b.count;
      const amount = a.amount.minus(b.amount);
      if (count !== 0 || !amount.isZero()) addById(into, a.id, count, amount);
      continue;
    }
    if (b !== undefined) addById(into, b.id, -b.count, b.amount.negated());
    if (a !== undefined) addById(into, a.id, a.count, a.amount);
  }
}

/** Adds an account's contribution in a state to the figures (`verify` sums them over every account). */
export function addContribution(into: Figures, state: CreditAccountState): void {
  addDifference(into, [], accountContribution(state));
}

/** An account's bucket figures in a state: its share of the delinquency trend kept at each month end. */
export function monthEndBuckets(state: CreditAccountState): Contribution {
  return accountContribution(state).filter((f) => BUCKET_SECTIONS.has(splitKey(f.id)[0]));
}

const BUCKET_PREFIX = id('bucket', '');
const KIND_PREFIX = id('bucket_kind', '');

/**
 * Adds an account's roll at a month end to the roll rates (`roll_month`): one account, and what it owes
 * now, from where it stood at the month end before (`rollStanding` then) to its bucket now; and, for an
 * overdue account, under why its oldest overdue began (`roll_kind_month`: a remainder carried past the
 * 90 days goes from CURRENT to M3+ at once, which risk reads apart from a minimum not paid). `buckets`
 * are its bucket figures now (`monthEndBuckets`); an account not open adds nothing.
 */
export function addMonthEndRoll(into: Figures, buckets: Contribution, from: string, month: string): void {
  const at = buckets.find((f) => f.id.startsWith(BUCKET_PREFIX));
  if (at === undefined) return;
  const to = splitKey(at.id)[1];
  add(into, 'roll_month', `${month}${SEP}${from}${SEP}${to}`, at.count, at.amount);
  // Accounts only: the portfolio keeps no total owed by bucket and kind, which the accounts that stayed
  // in their bucket would be counted from at a month end in the log's order.
  const kind = buckets.find((f) => f.id.startsWith(KIND_PREFIX));
  if (kind !== undefined) add(into, 'roll_kind_month', `${month}${SEP}${from}${SEP}${splitKey(kind.id)[1]}`, kind.count);
}

/** Adds an account's bucket figures (`monthEndBuckets`) under `month`, as the trend keeps them. */
export function addMonthEndBuckets(into: Figures, buckets: Contribution, month: string): void {
  for (const f of buckets) {
    const [section, key] = splitKey(f.id);
    addById(into, monthEndId(section, key, month), f.count, f.amount);
  }
}

/** Flow figures counted from the event itself. */
export function eventFigures(event: CreditAccountEvent, after: CreditAccountState, into: Figures): Figures {
  const channel = after.channel ?? 'UNKNOWN';
  switch (event.type) {
    case 'ApplicationSubmitted':
      add(into, 'funnel_submitted', event.data.channel, 1);
      break;
    case 'ApplicationApproved':
      add(into, 'funnel_approved', channel, 1);
      break;
    case 'ApplicationRejected':
      add(into, 'funnel_rejected', channel, 1);
      for (const reason of event.data.reasons) add(into, 'rejection_reason', reason, 1);
      break;
    case 'StatementIssued':
      add(into, 'billed_interest', event.data.statementId, 1, event.data.interest.charged);
      add(into, 'billed_penalty', event.data.statementId, 0, event.data.penaltyInterest.charged);
      add(into, 'billed_fees', event.data.statementId, 0, event.data.fees);
      break;
    case 'DisputeOpened':
      add(into, 'dispute_opened', monthOf(event.data.on), 1);
      add(into, 'disputes_open', 'all', 1);
      break;
    case 'DisputeResolved':
      add(into, event.data.upheld ? 'dispute_upheld' : 'dispute_rejected', monthOf(event.data.on), 1);
      add(into, 'disputes_open', 'all', -1);
      break;
    case 'DrawReversed':
      // The draw an upheld dispute reversed in full (全额赔付), in the month of the reversal.
      add(into, 'dispute_reversed', monthOf(event.data.on), 0, event.data.amount);
      // An upheld dispute gives back charges billed on earlier statements, counted against their month.
      for (const s of event.data.charges?.statements ?? []) {
        add(into, 'reversed_interest', s.statementId, 0, s.interest);
        add(into, 'reversed_penalty', s.statementId, 0, s.penaltyInterest);
        add(into, 'reversed_fees', s.statementId, 0, s.fees);
      }
      break;
    case 'CreditLimitReviewed':
      add(
        into,
        'limit_review',
        `${event.data.quarter}${SEP}${event.data.decision}`,
        1,
        Money.exact(event.data.newLimit).minus(Money.exact(event.data.oldLimit)),
      );
      for (const reason of event.data.reasons) {
        add(
          into,
          'limit_review_reason',
          `${event.data.quarter}${SEP}${event.data.decision}${SEP}${reason}`,
          1,
        );
      }
      break;
    default:
      break;
  }
  return into;
}

export function splitKey(id: string): [string, string] {
  const at = id.indexOf(SEP);
  return [id.slice(0, at), id.slice(at + 1)];
}

export { SEP as PORTFOLIO_KEY_SEPARATOR };
export { ROLL_NEW, rollStanding } from './portfolio-rolls';

export class PortfolioProjection implements Projection {
  readonly name = 'portfolio';
  /**
   * 5: the buckets by approval month (`vintage`, and at each month end `vintage_month`) for the vintage
   * curves; the roll rates at each month end (`roll_month`) and the accounts they need (`portfolio_roll_from`).
   * 6: the disputes opened, upheld and rejected, and the draws reversed, per month; the disputes open.
   * 7: the roll rates' overdue accounts by why their oldest overdue began (`roll_kind_month`).
   * 8: `vintage_month` keyed by cohort, then month and bucket (it was month, cohort, bucket), so the last
   * few cohorts are read without the rest.
   */
  readonly version = 8;
  readonly tables = ['portfolio_figures', StandingsAtMonthEnd.TABLE];
  readonly ddl = [
    StandingsAtMonthEnd.DDL,
    `CREATE TABLE IF NOT EXISTS portfolio_figures (
      section TEXT NOT NULL,
      key TEXT NOT NULL,
      count INTEGER NOT NULL,
      amount TEXT NOT NULL,
      PRIMARY KEY (section, key)
    ) STRICT, WITHOUT ROWID`,
  ];
  private readonly pending: Figures = new Map();
  private readonly standings = new StandingsAtMonthEnd();
  /**
   * Each account the batch moved: its contribution before its first event in the batch, and its last
   * state. The state after one event is the state before the next, so the differences an account's
   * events add up to its last contribution less its first: worked out once, when the batch is settled
   * (`settle`), rather than for every event. A replay by account brings each account's whole history in
   * one batch, where working out the contribution after every event was about a twentieth of a rebuild.
   * Cleared with the batch, so it holds no state for longer than the fold's own batch does.
   */
  private readonly moved = new Map<string, { before: Contribution; state: CreditAccountState }>();
  private select!: Statement;
  private upsert!: Statement;
  private remove!: Statement;
  private selectSection!: Statement;
  /** The month-end closes' indexes in each list of closes a replay by account passes. */
  private readonly monthEnds = new WeakMap<readonly BusinessDayClosed[], number[]>();

  /**
   * Replaying by account, the month-end buckets are built from each account's share of them: its bucket
   * figures at each month-end close, added up over the accounts. They sum to the buckets the table held
   * at that close, which is what a replay in the log's order keeps; every other figure is a sum of
   * differences, the same in any order. The roll rates likewise: each account's roll at each month end.
   */
  readonly byAccount: ByAccountReplay = {
    shares: { sums: [{ table: 'portfolio_figures', keys: ['section', 'key'], counts: ['count'], amounts: ['amount'] }] },
    closedFor: (accountId, state, closes, from, to) => {
      const ends = this.monthEndsOf(closes);
      let buckets: Contribution | undefined;
      for (let k = firstIndexWhere(ends.length, (i) => ends[i] >= from); k < ends.length && ends[k] < to; k++) {
        buckets ??= monthEndBuckets(state);
        const month = closes[ends[k]].data.businessDate.slice(0, 7);
        addMonthEndBuckets(this.pending, buckets, month);
        addMonthEndRoll(this.pending, buckets, this.standings.passMonthEnd(accountId, rollStanding(state)), month);
      }
    },
  };

  prepare(db: Db): void {
    this.standings.prepare(db);
    this.select = db.prepare('SELECT count, amount FROM portfolio_figures WHERE section = ? AND key = ?');
    this.upsert = db.prepare(
      'INSERT OR REPLACE INTO portfolio_figures (section, key, count, amount) VALUES (?, ?, ?, ?)',
    );
    this.remove = db.prepare('DELETE FROM portfolio_figures WHERE section = ? AND key = ?');
    this.selectSection = db.prepare(
      "SELECT section, key, count, amount FROM portfolio_figures WHERE section IN ('bucket', 'bucket_overdue', 'bucket_kind', 'vintage') ORDER BY section, key",
    );
  }

  apply(event: ProjectionEvent, context: ProjectionContext): void {
    if (event.kind === 'businessDayClosed') {
      if (isMonthEnd(event.data.businessDate)) this.snapshotBuckets(event.data.businessDate.slice(0, 7), context);
      return;
    }
    this.standings.moved(event.accountId, rollStanding(event.before), rollStanding(event.after));
    const moved = this.moved.get(event.accountId);
    if (moved === undefined) this.moved.set(event.accountId, { before: accountContribution(event.before), state: event.after });
    else if (moved.state === event.before) moved.state = event.after;
    else {
      // Not the state the account's last event left (no fold hands one over, but nothing here relies on
      // that): what it moved up to there is settled, and it moves on from this event's state before.
      addDifference(this.pending, moved.before, accountContribution(moved.state));
      this.moved.set(event.accountId, { before: accountContribution(event.before), state: event.after });
    }
    eventFigures(event.event, event.after, this.pending);
  }

  /** Adds what each account the batch moved changed of the figures (its last contribution less its first). */
  private settle(): void {
    for (const { before, state } of this.moved.values()) addDifference(this.pending, before, accountContribution(state));
    this.moved.clear();
  }

  flush(): void {
    this.settle();
    for (const [id, delta] of this.pending) {
      if (delta.count === 0 && delta.amount.isZero()) continue;
      const [section, key] = splitKey(id);
      const row = this.select.get(section, key) as { count: number; amount: string } | undefined;
      const count = (row?.count ?? 0) + delta.count;
      const amount = row ? delta.amount.plus(Money.exact(row.amount)) : delta.amount;
      if (count === 0 && amount.isZero()) this.remove.run(section, key);
      else this.upsert.run(section, key, count, amount.toExactString());
    }
    this.pending.clear();
    this.standings.flush();
  }

  discard(): void {
    this.pending.clear();
    this.moved.clear();
    this.standings.discard();
  }

  private monthEndsOf(closes: readonly BusinessDayClosed[]): number[] {
    let ends = this.monthEnds.get(closes);
    if (ends === undefined) {
      ends = [];
      for (let i = 0; i < closes.length; i++) if (isMonthEnd(closes[i].data.businessDate)) ends.push(i);
      this.monthEnds.set(closes, ends);
    }
    return ends;
  }

  /**
   * The delinquency trend: when a month's last business day closes, the buckets as they stand (overall
   * and by approval month, for the vintage curves) are kept under that month, so the dashboard can chart
   * M1..M3+ over time without any per-day rows.
   */
  private snapshotBuckets(month: string, context: ProjectionContext): void {
    this.flush();
    const rows = this.selectSection.all() as {
      section: string;
      key: string;
      count: number;
      amount: string;
    }[];
    for (const r of rows) addById(this.pending, monthEndId(r.section, r.key, month), r.count, Money.exact(r.amount));
    this.snapshotRolls(month, rows, context);
  }

  /**
   * The roll rates at a month end, from the buckets as they stand: each account whose standing moved
   * since the last month end rolls from where it stood then to its bucket now (its state read from the
   * fold); every other account in a bucket stood in it then too (see `portfolio-rolls.ts`).
   */
  private snapshotRolls(month: string, rows: readonly { section: string; key: string; count: number; amount: string }[], context: ProjectionContext): void {
    const stayed = new Map(rows.filter((r) => r.section === 'bucket').map((b) => [b.key, { count: b.count, amount: Money.exact(b.amount) }]));
    // Keyed bucket and kind, as `bucket_kind` is: the overdue accounts of each bucket by why their oldest overdue began.
    const stayedKinds = new Map(rows.filter((r) => r.section === 'bucket_kind').map((k) => [k.key, k.count]));
    for (const { accountId, standing } of this.standings.takeAll()) {
      const now = monthEndBuckets(context.accountState(accountId));
      addMonthEndRoll(this.pending, now, standing, month);
      for (const f of now) {
        const [section, key] = splitKey(f.id);
        if (section === 'bucket_kind') stayedKinds.set(key, (stayedKinds.get(key) ?? 0) - f.count);
        const bucket = section === 'bucket' ? stayed.get(key) : undefined;
        if (bucket === undefined) continue;
        bucket.count -= f.count;
        bucket.amount = bucket.amount.minus(f.amount);
      }
    }
    for (const [bucket, { count, amount }] of stayed) if (count !== 0) add(this.pending, 'roll_month', `${month}${SEP}${bucket}${SEP}${bucket}`, count, amount);
    for (const [key, count] of stayedKinds) {
      if (count === 0) continue;
      const [bucket] = key.split(SEP);
      add(this.pending, 'roll_kind_month', `${month}${SEP}${bucket}${SEP}${key}`, count);
    }
  }
}

/** The sections kept per month at each month end, and the section each is kept under. */
const BUCKET_SECTIONS = new Map([
  ['bucket', 'bucket_month'],
  ['bucket_overdue', 'bucket_overdue_month'],
  ['bucket_kind', 'bucket_kind_month'],
  ['vintage', 'vintage_month'],
]);

/**
 * Where a bucket figure (`section`, `key`) is kept at a month end: under the section's month-end section,
 * keyed by the month and the key; a vintage's (`cohort SEP bucket`) by its cohort, then the month and the
 * bucket, so each cohort's month ends lie together and the vintage curves read only the cohorts they answer.
 */
function monthEndId(section: string, key: string, month: string): string {
  const monthSection = BUCKET_SECTIONS.get(section)!;
  if (section !== 'vintage') return id(monthSection, `${month}${SEP}${key}`);
  const [cohort, bucket] = key.split(SEP);
  return id(monthSection, `${cohort}${SEP}${month}${SEP}${bucket}`);
}

export function isMonthEnd(date: string): boolean {
  return date === lastOfMonth(monthOf(date));
}
