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
 * A batch's postings are added up in memory and written once at its flush, each day (and month) the batch
 * touched written whole once: the figures only grow, so they are the same however the log was cut into
 * batches, in whichever order the accounts were replayed, and summed over shares.
 *
 * The same figures are kept per month too (`journal_months`, by posting month and business month): a
 * trial balance opens its range with the months before it and the days of its first month, where summing
 * every day before it made a month's trial balance cost more each year (bench/HISTORY.md, forty-seventh
 * round: 16.5 ms at five years against 3.4 at one).
 */
import { addDays, CHART_OF_ACCOUNTS, type CreditAccountEvent, type LedgerAccount, Money, postingsFor } from '@ledger/credit';
import type { ByAccountReplay, Db, Projection, ProjectionEvent, Statement } from '../runner/projection';

/** One ledger account's lines on a day (or in a month). */
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

/** `a` and `b` added up, in a new cell (a batch's cells are added to as its events come). */
const plus = (a: Cell | undefined, b: Cell): Cell => (a === undefined ? { ...b } : { debits: a.debits.plus(b.debits), credits: a.credits.plus(b.credits), lines: a.lines + b.lines });

/**
 * One of the journal's tables of figures, by a posting date (or month), the business day (or month) that
 * decided them, and ledger account. Its rows are read once (a few thousand a year of dates): a replay by
 * account brings every date in each batch, where reading each row back before adding to it was a query
 * for every other event. Only this projection writes the table, so the copy follows every write; a batch
 * rolled back, or tables made anew, drop it, to be read again.
 */
/** A row of such a table: its two dates (days, or months) and its cells, by place in the chart. */
interface SummedRow {
  posted: string;
  decided: string;
  cells: (Cell | undefined)[];
}

class SummedCells {
  private stored: Map<string, SummedRow> | null = null;
  /** The rows added to since the last write, by key. */
  private readonly changed = new Map<string, SummedRow>();
  private selectAll!: Statement;
  private upsert!: Statement;

  constructor(
    private readonly table: string,
    private readonly posted: string,
    private readonly decided: string,
  ) {}

  prepare(db: Db): void {
    this.forget();
    this.selectAll = db.prepare(`SELECT ${this.posted} AS posted, ${this.decided} AS decided, ledger_account, debits, credits, lines FROM ${this.table}`);
    this.upsert = db.prepare(`INSERT OR REPLACE INTO ${this.table} (${this.posted}, ${this.decided}, ledger_account, debits, credits, lines) VALUES (?, ?, ?, ?, ?, ?)`);
  }

  /** Adds `cell` to the figures of (`posted`, `decided`, the ledger account at `place`). */
  add(key: string, posted: string, decided: string, place: number, cell: Cell): void {
    const stored = this.storedRows();
    let row = stored.get(key);
    if (row === undefined) {
      row = { posted, decided, cells: [] };
      stored.set(key, row);
    }
    row.cells[place] = plus(row.cells[place], cell);
    this.changed.set(key, row);
  }

  /** Writes every row added to, each once. */
  write(): void {
    for (const row of this.changed.values()) {
      for (let place = 0; place < row.cells.length; place++) {
        const cell = row.cells[place];
        if (cell !== undefined) this.upsert.run(row.posted, row.decided, CHART_OF_ACCOUNTS[place], cell.debits.toExactString(), cell.credits.toExactString(), cell.lines);
      }
    }
    this.changed.clear();
  }

  forget(): void {
    this.stored = null;
    this.changed.clear();
  }

  private storedRows(): Map<string, SummedRow> {
    if (this.stored === null) {
      const rows = this.selectAll.all() as { posted: string; decided: string; ledger_account: LedgerAccount; debits: string; credits: string; lines: number }[];
      const stored = new Map<string, SummedRow>();
      for (const r of rows) {
        const key = `${r.posted} ${r.decided}`;
        let row = stored.get(key);
        if (row === undefined) {
          row = { posted: r.posted, decided: r.decided, cells: [] };
          stored.set(key, row);
        }
        row.cells[PLACE[r.ledger_account]] = { debits: Money.exact(r.debits), credits: Money.exact(r.credits), lines: r.lines };
      }
      this.stored = stored;
    }
    return this.stored;
  }
}

export class JournalProjection implements Projection {
  readonly name = 'journal';
  /** 2: the business day that decided each row's lines (`business_date`). 3: the months' figures (`journal_months`). */
  readonly version = 3;
  readonly tables = ['journal_days', 'journal_months'];
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
    // A trial balance by business day reads its first month's days by it, not every day kept.
    'CREATE INDEX IF NOT EXISTS journal_days_by_business_date ON journal_days (business_date)',
    // A posting month's figures by the business month that decided them: its days' rows added up.
    `CREATE TABLE IF NOT EXISTS journal_months (
      month TEXT NOT NULL,
      business_month TEXT NOT NULL,
      ledger_account TEXT NOT NULL,
      debits TEXT NOT NULL,
      credits TEXT NOT NULL,
      lines INTEGER NOT NULL,
      PRIMARY KEY (month, business_month, ledger_account)
    ) STRICT, WITHOUT ROWID`,
  ];
  readonly byAccount: ByAccountReplay = {
    shares: {
      sums: [
        { table: 'journal_days', keys: ['date', 'business_date', 'ledger_account'], counts: ['lines'], amounts: ['debits', 'credits'] },
        { table: 'journal_months', keys: ['month', 'business_month', 'ledger_account'], counts: ['lines'], amounts: ['debits', 'credits'] },
      ],
    },
  };
  /** The batch's figures by posting date and business day (`dayKey`), then ledger account. */
  private readonly pending = new Map<string, Day>();
  private readonly days = new SummedCells('journal_days', 'date', 'business_date');
  private readonly months = new SummedCells('journal_months', 'month', 'business_month');

  prepare(db: Db): void {
    this.days.prepare(db);
    this.months.prepare(db);
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
    for (const day of this.pending.values()) {
      const month = day.date.slice(0, 7);
      const businessMonth = day.businessDate.slice(0, 7);
      for (let place = 0; place < day.cells.length; place++) {
        const cell = day.cells[place];
        if (cell === undefined) continue;
        this.days.add(`${day.date} ${day.businessDate}`, day.date, day.businessDate, place, cell);
        this.months.add(`${month} ${businessMonth}`, month, businessMonth, place, cell);
      }
    }
    this.days.write();
    this.months.write();
    this.pending.clear();
  }

  discard(): void {
    this.pending.clear();
    this.days.forget();
    this.months.forget();
  }
}

/**
 * The business day whose commands or close decided an event's lines: its own date, but for a statement,
 * which the close of the month's last day issues dated the 1st.
 */
export function businessDateOf(event: CreditAccountEvent): string {
  return event.type === 'StatementIssued' ? addDays(event.data.on, -1) : event.data.on;
}
