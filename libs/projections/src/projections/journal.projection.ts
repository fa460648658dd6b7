/**
 * The journal by posting date: per day and ledger account, the debits, credits and journal lines of every
 * account event's postings (`postingsFor`), dated by the event's `on` as `ledger gl` dates them by
 * default. A trial balance over any range is then a sum over a few rows a day, where `ledger gl` reads
 * the whole log.
 *
 * Each row also names the business day that decided its lines (`business_date`), so a trial balance can
 * be as of each close, as `ledger gl --by business-day` gives it from each event's recorded business
 * day: the posting date, but for a statement, which a month end's close issues dated the 1st, so the
 * day before (`businessDateOf`). Replays read no metadata (bench/HISTORY.md, thirty-second round), so it
 * is worked out from the event; a test holds it to `gl`'s over a simulated ledger, where only
 * statements differ.
 *
 * A batch's postings are added up in memory and written once at its flush, one row read and written per
 * day and ledger account the batch touched: the figures only grow, so they are the same however the log
 * was cut into batches, in whichever order the accounts were replayed, and summed over shares.
 */
import { addDays, CHART_OF_ACCOUNTS, type CreditAccountEvent, type LedgerAccount, Money, postingsFor } from '@ledger/credit';
import type { ByAccountReplay, Db, Projection, ProjectionEvent, Statement } from '../runner/projection';

/** One ledger account's lines on a day. */
interface Cell {
  debits: Money;
  credits: Money;
  lines: number;
}

/**
 * A posting date's cells, by business day (a day's own events, or the statements the close before it
 * issued), each indexed by the ledger account's place in the chart: an event's lines find their day
 * once, and no key is made for each line (a key per line was most of the projection's time in a rebuild).
 */
interface Day {
  date: string;
  businessDate: string;
  cells: (Cell | undefined)[];
}

const PLACE = Object.fromEntries(CHART_OF_ACCOUNTS.map((account, i) => [account, i])) as Record<LedgerAccount, number>;

/** The key of a posting date's cells decided on it, or by the close before it (a statement's). */
const dayKey = (date: string, statement: boolean) => (statement ? `${date} statements` : date);

export class JournalProjection implements Projection {
  readonly name = 'journal';
  /** 2: the business day that decided each row's lines (`business_date`). */
  readonly version = 2;
  readonly tables = ['journal_days'];
  readonly ddl = [
    `CREATE TABLE IF NOT EXISTS journal_days (
      date TEXT NOT NULL,
      business_date TEXT NOT NULL,
      ledger_account TEXT NOT NULL,
      debits TEXT NOT NULL,
      credits TEXT NOT NULL,
      lines INTEGER NOT NULL,
      PRIMARY KEY (date, business_date, ledger_account)
    ) STRICT, WITHOUT ROWID`,
  ];
  readonly byAccount: ByAccountReplay = {
    shares: { sums: [{ table: 'journal_days', keys: ['date', 'business_date', 'ledger_account'], counts: ['lines'], amounts: ['debits', 'credits'] }] },
  };
  /** The batch's figures by posting date and business day (`dayKey`), then ledger account. */
  private readonly pending = new Map<string, Day>();
  /**
   * The table's rows, read once (a few thousand a year of dates): a replay by account brings every
   * date in each batch, where reading each row back before adding to it was a query for every other
   * event. Only this projection writes the table, so the copy follows every write; a batch rolled
   * back, or tables made anew, drop it, to be read again.
   */
  private stored: Map<string, Day> | null = null;
  private selectAll!: Statement;
  private upsert!: Statement;

  prepare(db: Db): void {
    this.stored = null;
    this.selectAll = db.prepare('SELECT date, business_date, ledger_account, debits, credits, lines FROM journal_days');
    this.upsert = db.prepare('INSERT OR REPLACE INTO journal_days (date, business_date, ledger_account, debits, credits, lines) VALUES (?, ?, ?, ?, ?, ?)');
  }

  apply(event: ProjectionEvent): void {
    if (event.kind !== 'account') return;
    const postings = postingsFor(event.event);
    if (postings.length === 0) return;
    const date = event.event.data.on;
    const statement = event.event.type === 'StatementIssued';
    const key = dayKey(date, statement);
    let day = this.pending.get(key);
    if (day === undefined) {
      day = { date, businessDate: statement ? businessDateOf(event.event) : date, cells: [] };
      this.pending.set(key, day);
    }
    for (const p of postings) {
      const place = PLACE[p.account];
      const cell = (day.cells[place] ??= { debits: Money.ZERO, credits: Money.ZERO, lines: 0 });
      if (p.side === 'DEBIT') cell.debits = cell.debits.plus(p.amount);
      else cell.credits = cell.credits.plus(p.amount);
      cell.lines++;
    }
  }

  flush(): void {
    if (this.pending.size === 0) return;
    const stored = this.storedRows();
    for (const [key, day] of this.pending) {
      let held = stored.get(key);
      if (held === undefined) {
        held = { date: day.date, businessDate: day.businessDate, cells: [] };
        stored.set(key, held);
      }
      for (let place = 0; place < day.cells.length; place++) {
        const cell = day.cells[place];
        if (cell === undefined) continue;
        const row = held.cells[place];
        const sum = row === undefined ? cell : { debits: row.debits.plus(cell.debits), credits: row.credits.plus(cell.credits), lines: row.lines + cell.lines };
        this.upsert.run(day.date, day.businessDate, CHART_OF_ACCOUNTS[place], sum.debits.toExactString(), sum.credits.toExactString(), sum.lines);
        held.cells[place] = sum;
      }
    }
    this.pending.clear();
  }

  discard(): void {
    this.pending.clear();
    this.stored = null;
  }

  private storedRows(): Map<string, Day> {
    if (this.stored === null) {
      const rows = this.selectAll.all() as { date: string; business_date: string; ledger_account: LedgerAccount; debits: string; credits: string; lines: number }[];
      const stored = new Map<string, Day>();
      for (const r of rows) {
        const key = dayKey(r.date, r.business_date !== r.date);
        let day = stored.get(key);
        if (day === undefined) {
          day = { date: r.date, businessDate: r.business_date, cells: [] };
          stored.set(key, day);
        }
        day.cells[PLACE[r.ledger_account]] = { debits: Money.exact(r.debits), credits: Money.exact(r.credits), lines: r.lines };
      }
      this.stored = stored;
    }
    return this.stored;
  }
}

/**
 * The business day whose commands or close decided an event's lines: its own date, but for a statement,
 * which the close of the month's last day issues dated the 1st.
 */
export function businessDateOf(event: CreditAccountEvent): string {
  return event.type === 'StatementIssued' ? addDays(event.data.on, -1) : event.data.on;
}
