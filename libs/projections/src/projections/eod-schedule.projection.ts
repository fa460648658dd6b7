/**
 * The end-of-day schedule: per account, the next business date whose closing may need it (the domain's
 * `nextActionDate`), so end of day selects `next_action_date <= :date` through an index instead of
 * reading every stream. Accounts without an action (not active) have no row.
 *
 * An account that end of day visits but that decides nothing (a month end with nothing to bill) writes
 * no event, so its row would stay in the past and be selected every day after. When a day D closes, the
 * rows still at or before D are therefore recomputed from D + 1; each moves past D (the domain only
 * returns dates on or after the one it is given), so the sweep ends.
 *
 * A row's position is that of the event (or closed day) that set its date. Most events leave the date
 * as it was (a draw or a repayment keeps the account's next statement date), and then the row is not
 * written at all: writing it dirtied a table page and a page of the index by date for nearly every
 * event, 1.4 of the 6.6 pages the projections wrote an event at 10,000 accounts (bench/HISTORY.md,
 * twenty-ninth round). Version 2: version 1's rows carried the position of the account's last event,
 * or of the closed day whose sweep last wrote the row.
 */
import { addDays, type CreditAccountState, nextActionDate, type TermsCatalogue } from '@ledger/credit';
import { limitBy } from '@ledger/event-store';
import type { ByAccountReplay, Db, Projection, ProjectionContext, ProjectionEvent, Statement } from '../runner/projection';

const SWEEP_CHUNK = 1000;

export function nextActionFor(
  state: CreditAccountState,
  after: string,
  terms: TermsCatalogue,
): string | null {
  const productTerms = terms.get(state.termsVersion || terms.currentVersion);
  return nextActionDate(state, state.lastOn && state.lastOn > after ? state.lastOn : after, productTerms);
}

interface ScheduleRow {
  date: string | null;
  position: number;
}

/** An account's row as the batch leaves it, and as the table held it before (no row: date null). */
type PendingRow = ScheduleRow & { stored: ScheduleRow };

/** Sets the row's date as of `position`; a date it already has keeps the position that set it. */
function set(row: ScheduleRow, date: string | null, position: number): void {
  if (row.date === date) return;
  row.date = date;
  row.position = position;
}

export class EodScheduleProjection implements Projection {
  readonly name = 'eod_schedule';
  readonly version = 2;
  readonly tables = ['eod_schedule'];
  readonly ddl = [
    `CREATE TABLE IF NOT EXISTS eod_schedule (
      account_id TEXT PRIMARY KEY,
      next_action_date TEXT NOT NULL,
      position INTEGER NOT NULL
    ) STRICT`,
    'CREATE INDEX IF NOT EXISTS eod_schedule_by_date ON eod_schedule (next_action_date, account_id)',
  ];
  /** The accounts the batch touched, by id. */
  private readonly pending = new Map<string, PendingRow>();
  private upsert!: Statement;
  private select!: Statement;
  private remove!: Statement;
  private due!: Statement;

  /**
   * Replaying by account, each account's own row goes through the sweeps of the closes after its events
   * as it would in the log's order: at each close on or after the row's date, the row is recomputed from
   * the next day with the account's state at that close. The account's events and closes arrive in one
   * batch, so its row is the one pending.
   */
  readonly byAccount: ByAccountReplay = {
    closedFor: (accountId, state, closes, from, to, context) => {
      const row = this.pending.get(accountId);
      for (let i = from; i < to && row !== undefined && row.date !== null; i++) {
        const closed = closes[i].data.businessDate;
        if (row.date > closed) continue;
        set(row, nextActionFor(state, addDays(closed, 1), context.terms), Number(closes[i].stored.position));
      }
    },
  };

  prepare(db: Db): void {
    this.upsert = db.prepare(
      // Updated in place, as balances are (not deleted and inserted again under a new rowid).
      `INSERT INTO eod_schedule (account_id, next_action_date, position) VALUES (?, ?, ?)
       ON CONFLICT (account_id) DO UPDATE SET next_action_date = excluded.next_action_date, position = excluded.position`,
    );
    this.remove = db.prepare('DELETE FROM eod_schedule WHERE account_id = ?');
    this.select = db.prepare('SELECT next_action_date AS date, position FROM eod_schedule WHERE account_id = ?');
    this.due = db.prepare(
      `SELECT account_id FROM eod_schedule WHERE next_action_date <= ? ORDER BY next_action_date, account_id ${limitBy('?')}`,
    );
  }

  apply(event: ProjectionEvent, context: ProjectionContext): void {
    if (event.kind === 'account') {
      set(this.touch(event.accountId), nextActionFor(event.after, event.event.data.on, context.terms), Number(event.stored.position));
      return;
    }
    // The sweep reads the table, so the day's account events must be in it first.
    this.flush();
    const closed = event.data.businessDate;
    const from = addDays(closed, 1);
    for (;;) {
      const ids = (this.due.all(closed, SWEEP_CHUNK) as { account_id: string }[]).map((r) => r.account_id);
      if (ids.length === 0) break;
      for (const id of ids) {
        this.write(
          id,
          nextActionFor(context.accountState(id), from, context.terms),
          Number(event.stored.position),
        );
      }
    }
  }

  flush(): void {
    for (const [accountId, { date, position, stored }] of this.pending) {
      if (date !== stored.date || position !== stored.position) this.write(accountId, date, position);
    }
    this.pending.clear();
  }

  discard(): void {
    this.pending.clear();
  }

  /**
   * The account's pending row, starting from the table's on its first event since the last flush (a
   * closed day flushes mid-batch before its sweep, so a row the sweep moved is read again here).
   */
  private touch(accountId: string): PendingRow {
    let row = this.pending.get(accountId);
    if (row === undefined) {
      const stored = (this.select.get(accountId) as ScheduleRow | undefined) ?? { date: null, position: 0 };
      row = { ...stored, stored };
      this.pending.set(accountId, row);
    }
    return row;
  }

  private write(accountId: string, date: string | null, position: number): void {
    if (date === null) this.remove.run(accountId);
    else this.upsert.run(accountId, date, position);
  }
}
