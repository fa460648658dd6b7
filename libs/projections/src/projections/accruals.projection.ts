/**
 * Daily interest accrual without a row per account per day. The domain already describes an account's
 * balance timeline as constant-balance segments; this projection keeps every segment an account ever had
 * (the domain trims its own list at each statement), so any day can be expanded later with the domain's
 * `accrualRows`, the very function billing sums: the two agree to the digit by construction.
 *
 * Only the end-of-day balance counts, so a change effective on day D replaces a segment that starts on D,
 * and a change back to the previous balance on the same day removes it (as the domain's `withSegment`).
 *
 * The portfolio's interest per day is kept as deltas: when an account's balance in force from D changes,
 * the portfolio's daily interest changes by (new - old) from D onwards. A day's total is the prefix sum
 * of deltas up to it, one row per date with a change (a few hundred a year), instead of a scan over every
 * account's segments.
 */
import { type AccrualSegment, Dec, Money } from '@ledger/credit';
import { LruCache } from '@ledger/event-store';
import type { ByAccountReplay, Db, Projection, ProjectionEvent, Statement } from '../runner/projection';

/** Accounts whose last stored segments are held (two small segments each: about a megabyte per 4,000). */
const TAILS_HELD = 20_000;

export interface SegmentRow {
  account_id: string;
  from_date: string;
  normal_principal: string;
  penalty_principal: string;
  daily_rate: string;
  penalty_daily_rate: string;
}

export function segmentFromRow(row: SegmentRow): AccrualSegment {
  return {
    from: row.from_date,
    normal: Money.exact(row.normal_principal),
    penalty: Money.exact(row.penalty_principal),
    dailyRate: row.daily_rate,
    penaltyDailyRate: row.penalty_daily_rate,
  };
}

function sameBalance(a: Omit<AccrualSegment, 'from'>, b: Omit<AccrualSegment, 'from'>): boolean {
  return (
    a.normal.equals(b.normal) &&
    a.penalty.equals(b.penalty) &&
    a.dailyRate === b.dailyRate &&
    a.penaltyDailyRate === b.penaltyDailyRate
  );
}

/** How a change of balance changes a day's interest and penalty interest, exactly (integers while it can). */
function dailyInterestChange(before: AccrualSegment | undefined, after: AccrualSegment): { interest: Money; penalty: Money } {
  const interest = [{ amount: after.normal, factor: after.dailyRate, count: 1 }];
  const penalty = [{ amount: after.penalty, factor: after.penaltyDailyRate, count: 1 }];
  if (before) {
    interest.push({ amount: before.normal, factor: before.dailyRate, count: -1 });
    penalty.push({ amount: before.penalty, factor: before.penaltyDailyRate, count: -1 });
  }
  return { interest: Money.sumOfProducts(interest), penalty: Money.sumOfProducts(penalty) };
}

export class AccrualsProjection implements Projection {
  readonly name = 'accruals';
  readonly version = 1;
  readonly tables = ['accrual_segments', 'accrual_portfolio_delta'];
  /** Segments per account, from its own events; the portfolio's deltas are exact sums, the same in any order. */
  readonly byAccount: ByAccountReplay = {
    shares: { sums: [{ table: 'accrual_portfolio_delta', keys: ['date'], counts: [], amounts: ['interest_delta', 'penalty_delta'] }] },
  };
  readonly ddl = [
    `CREATE TABLE IF NOT EXISTS accrual_segments (
      account_id TEXT NOT NULL,
      from_date TEXT NOT NULL,
      normal_principal TEXT NOT NULL,
      penalty_principal TEXT NOT NULL,
      daily_rate TEXT NOT NULL,
      penalty_daily_rate TEXT NOT NULL,
      PRIMARY KEY (account_id, from_date)
    ) STRICT, WITHOUT ROWID`,
    `CREATE TABLE IF NOT EXISTS accrual_portfolio_delta (
      date TEXT PRIMARY KEY,
      interest_delta TEXT NOT NULL,
      penalty_delta TEXT NOT NULL
    ) STRICT`,
  ];
  private readonly deltas = new Map<string, { interest: Money; penalty: Money }>();
  /**
   * Each account's last two stored segments, newest first, as the table holds them. Every balance change
   * needs them, and reading them was a query per change (a tenth of a rebuild). Only this projection
   * writes the table, so the cache follows every write; a rolled-back batch clears it.
   */
  private readonly tails = new LruCache<string, AccrualSegment[]>(TAILS_HELD);
  private lastTwo!: Statement;
  private insert!: Statement;
  private remove!: Statement;
  private selectDelta!: Statement;
  private upsertDelta!: Statement;
  private removeDelta!: Statement;

  prepare(db: Db): void {
    this.tails.clear();
    this.lastTwo = db.prepare(
      'SELECT * FROM accrual_segments WHERE account_id = ? ORDER BY from_date DESC LIMIT 2',
    );
    this.insert = db.prepare(
      `INSERT OR REPLACE INTO accrual_segments (account_id, from_date, normal_principal, penalty_principal, daily_rate, penalty_daily_rate)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.remove = db.prepare('DELETE FROM accrual_segments WHERE account_id = ? AND from_date = ?');
    this.selectDelta = db.prepare(
      'SELECT interest_delta, penalty_delta FROM accrual_portfolio_delta WHERE date = ?',
    );
    this.removeDelta = db.prepare('DELETE FROM accrual_portfolio_delta WHERE date = ?');
    this.upsertDelta = db.prepare(
      'INSERT OR REPLACE INTO accrual_portfolio_delta (date, interest_delta, penalty_delta) VALUES (?, ?, ?)',
    );
  }

  apply(event: ProjectionEvent): void {
    if (event.kind !== 'account') return;
    const segments = event.after.accrual.segments;
    const next = segments[segments.length - 1];
    if (!next) return;
    const previous = event.before.accrual.segments[event.before.accrual.segments.length - 1];
    if (previous && sameBalance(previous, next)) return;
    this.change(event.accountId, event.event.data.on, next);
  }

  /** Makes `balance` the one in force from `on` in the stored timeline. */
  private change(accountId: string, on: string, balance: AccrualSegment): void {
    const [last, beforeLast] = this.tailOf(accountId);
    if (last && sameBalance(last, balance)) return;
    if (last && last.from === on && beforeLast && sameBalance(beforeLast, balance)) {
      this.remove.run(accountId, on);
      // The new tail's second segment is one not held: read it when next needed.
      this.tails.delete(accountId);
    } else if (last && on < last.from) {
      // A segment dated before the last one lands in the middle of the timeline: read it afresh.
      this.write(accountId, on, balance);
      this.tails.delete(accountId);
    } else {
      this.write(accountId, on, balance);
      // On the last segment's day it replaces that segment; on a later day it follows it.
      const previous = last && last.from === on ? beforeLast : last;
      const newest = { ...balance, from: on };
      this.tails.set(accountId, previous ? [newest, previous] : [newest]);
    }
    const change = dailyInterestChange(last, balance);
    const delta = this.deltas.get(on);
    this.deltas.set(on, delta ? { interest: delta.interest.plus(change.interest), penalty: delta.penalty.plus(change.penalty) } : change);
  }

  private tailOf(accountId: string): AccrualSegment[] {
    let tail = this.tails.get(accountId);
    if (tail === undefined) {
      tail = (this.lastTwo.all(accountId) as SegmentRow[]).map(segmentFromRow);
      this.tails.set(accountId, tail);
    }
    return tail;
  }

  private write(accountId: string, on: string, s: AccrualSegment): void {
    this.insert.run(
      accountId,
      on,
      s.normal.toExactString(),
      s.penalty.toExactString(),
      s.dailyRate,
      s.penaltyDailyRate,
    );
  }

  flush(): void {
    for (const [date, delta] of this.deltas) {
      if (delta.interest.isZero() && delta.penalty.isZero()) continue;
      const row = this.selectDelta.get(date) as { interest_delta: string; penalty_delta: string } | undefined;
      // Read through Dec, which takes any text Dec's toFixed wrote (Money.exact's pattern stops at 30 decimals).
      const interest = row ? delta.interest.plus(Money.exact(new Dec(row.interest_delta))) : delta.interest;
      const penalty = row ? delta.penalty.plus(Money.exact(new Dec(row.penalty_delta))) : delta.penalty;
      // A date whose deltas cancel out leaves no row, so the table never depends on how batches fell.
      if (interest.isZero() && penalty.isZero()) this.removeDelta.run(date);
      else this.upsertDelta.run(date, interest.toExactString(), penalty.toExactString());
    }
    this.deltas.clear();
  }

  discard(): void {
    this.deltas.clear();
    this.tails.clear();
  }
}
