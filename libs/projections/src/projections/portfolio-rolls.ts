/**
 * What the portfolio's roll rates need besides the buckets: where each account stood at the last month
 * end. A roll rate pairs an account's bucket at one month end with its bucket at the one before, per
 * account, so neither the buckets' totals nor the count of DelinquencyBucketChanged events gives it (an
 * account that goes M1 -> M2 -> CURRENT within a month rolled M1 -> CURRENT).
 *
 * Most accounts stand where they stood at the last month end: their roll is the diagonal, which the
 * bucket totals already hold. So only the accounts whose standing moved since are kept, in a sparse table
 * (`portfolio_roll_from`: the account and its standing then), written at most once per account a batch,
 * and only in a batch that moved its bucket or opened it; an event that moves no bucket writes nothing.
 * At a month end, in the log's order, the table is read once: each account in it rolls from its row to
 * where it stands now (its state, from the fold), every other account stays in its bucket (the bucket's
 * count less the table's accounts now in it), and the table is emptied. Replaying by account, each
 * account's month ends come with its own events, so its standing at the last month end is kept for it
 * alone, in memory, and written to the table at the batch's end as the log's order would leave it.
 * The alternatives cost more: a dense table of every account's bucket at the last month end rewrites
 * every row at each month end, and a column in the balances rows writes on every event.
 */
import type { CreditAccountState } from '@ledger/credit';
import type { Db, Statement } from '../runner/projection';

/** Where an account comes from in the roll rates when it was not open at the month end before. */
export const ROLL_NEW = 'NEW';

/** An account's standing for the roll rates: its bucket while open (active or closed, as the buckets count it), NEW before. */
export function rollStanding(state: CreditAccountState): string {
  return state.status === 'ACTIVE' || state.status === 'CLOSED' ? state.bucket : ROLL_NEW;
}

export class StandingsAtMonthEnd {
  static readonly TABLE = 'portfolio_roll_from';
  static readonly DDL = `CREATE TABLE IF NOT EXISTS ${StandingsAtMonthEnd.TABLE} (
      account_id TEXT PRIMARY KEY,
      standing TEXT NOT NULL
    ) STRICT, WITHOUT ROWID`;
  /** The accounts whose standing the batch moved, each with where it stood before its first move in the batch. */
  private readonly pending = new Map<string, string>();
  private insert!: Statement;
  private selectAll!: Statement;
  private clear!: Statement;

  prepare(db: Db): void {
    // A row already there holds the standing at the last month end; a later batch's move keeps it.
    this.insert = db.prepare(`INSERT OR IGNORE INTO ${StandingsAtMonthEnd.TABLE} (account_id, standing) VALUES (?, ?)`);
    this.selectAll = db.prepare(`SELECT account_id AS accountId, standing FROM ${StandingsAtMonthEnd.TABLE}`);
    this.clear = db.prepare(`DELETE FROM ${StandingsAtMonthEnd.TABLE}`);
  }

  /**
   * An account event moved its standing from `before` to `after`. Unless it moved already since the last
   * month end, it stood at `before` then; if it did, the table or the batch holds that standing already.
   */
  moved(accountId: string, before: string, after: string): void {
    if (before !== after && !this.pending.has(accountId)) this.pending.set(accountId, before);
  }

  flush(): void {
    for (const [accountId, standing] of this.pending) this.insert.run(accountId, standing);
    this.pending.clear();
  }

  discard(): void {
    this.pending.clear();
  }

  /**
   * In the log's order, at a month end, once flushed: each account whose standing moved since the last
   * month end, with its standing then. The table is emptied: from here on, this month end is the last.
   */
  takeAll(): { accountId: string; standing: string }[] {
    const moved = this.selectAll.all() as { accountId: string; standing: string }[];
    this.clear.run();
    return moved;
  }

  /**
   * Replaying by account, at a month end its closes pass: where the account stood at the last month end,
   * given where it stands now. Its events and closes all come in one batch, and a replay starts with an
   * empty table, so the batch holds all there is of it: no move since, no row, and it stood where it
   * stands. From here on, this month end is its last.
   */
  passMonthEnd(accountId: string, now: string): string {
    const then = this.pending.get(accountId) ?? now;
    this.pending.delete(accountId);
    return then;
  }
}
