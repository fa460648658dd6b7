/**
 * The trial balance and the journal per day, read from the journal read model (`journal_days`). Dated by
 * posting date, as `ledger gl` dates by default, or by business day, and in its shape and signs: debits
 * positive, credits negative, every ledger account listed (`trialBalanceLines`, which `gl` builds with too).
 */
import { CHART_OF_ACCOUNTS, type JournalDating, type LedgerAccount, Money, type TrialBalanceLine, trialBalanceLines, zeroPerAccount } from '@ledger/credit';
import type { Db } from '../runner/projection';
import { lastClosedBusinessDay } from './business-days.queries';
import { assertRange, QueryInputError } from './query-input';

/** The most days one answer of the journal per day covers, as the daily accruals. */
const MAX_DAYS = 731;

export interface TrialBalanceView {
  from: string;
  to: string;
  dateBy: JournalDating;
  /**
   * Null before the first end of day. A posting date after it may still take lines (a month end's close
   * posts the statements on the 1st), so a range that ends after it is not final.
   */
  lastClosedBusinessDay: string | null;
  /** Journal lines posted in the range. */
  lineCount: number;
  trialBalance: TrialBalanceLine[];
  /** Over every ledger account: debits equal credits and the closing balances sum to zero. */
  totals: { debits: string; credits: string; closing: string };
}

export interface JournalDay {
  date: string;
  ledgerAccount: LedgerAccount;
  debits: string;
  credits: string;
  lineCount: number;
}

interface JournalRow {
  date: string;
  ledger_account: LedgerAccount;
  debits: string;
  credits: string;
  lines: number;
}

/**
 * The trial balance over `from`..`to`. By business day the lines are those of the closes of those days,
 * as `ledger gl --by business-day` gives them (a month end's statements in its own month, though they
 * post on the 1st): a day not closed has no close to be as of, and is refused.
 */
export function trialBalance(db: Db, from: string, to: string, dateBy: JournalDating = 'posting'): TrialBalanceView {
  assertRange(from, to);
  const lastClosed = lastClosedBusinessDay(db);
  if (dateBy === 'businessDay' && (lastClosed === null || to > lastClosed)) {
    throw new QueryInputError(
      lastClosed === null
        ? 'no business day has closed yet: by business day the trial balance is as of each close; date by posting for the journal so far'
        : `business day ${to} has not closed (the last closed is ${lastClosed}): by business day the trial balance is as of each close; pass to=${lastClosed} or earlier`,
      'to',
    );
  }
  const opening = zeroPerAccount();
  const debits = zeroPerAccount();
  const credits = zeroPerAccount();
  let lineCount = 0;
  const [day, month] = dateBy === 'businessDay' ? ['business_date', 'business_month'] : ['date', 'month'];
  // Opened by the months before `from`'s and that month's days before `from`: what the range costs grows
  // with the months kept, not with every day of them.
  const months = db.prepare(`SELECT ledger_account, debits, credits FROM journal_months WHERE ${month} < ?`).all(from.slice(0, 7)) as Omit<JournalRow, 'date' | 'lines'>[];
  for (const r of months) opening[r.ledger_account] = opening[r.ledger_account].plus(Money.exact(r.debits)).minus(Money.exact(r.credits));
  const rows = db.prepare(`SELECT ${day} AS date, ledger_account, debits, credits, lines FROM journal_days WHERE ${day} >= ? AND ${day} <= ?`).all(`${from.slice(0, 7)}-01`, to) as JournalRow[];
  for (const r of rows) {
    const account = r.ledger_account;
    if (r.date < from) {
      opening[account] = opening[account].plus(Money.exact(r.debits)).minus(Money.exact(r.credits));
      continue;
    }
    debits[account] = debits[account].plus(Money.exact(r.debits));
    credits[account] = credits[account].plus(Money.exact(r.credits));
    lineCount += r.lines;
  }
  return {
    from,
    to,
    dateBy,
    lastClosedBusinessDay: lastClosed,
    lineCount,
    ...trialBalanceLines(opening, debits, credits),
  };
}

/** Each day's debits, credits and lines per ledger account (by posting date), for the days and accounts with lines, in date and chart order. */
export function journalDays(db: Db, from: string, to: string): JournalDay[] {
  assertRange(from, to, MAX_DAYS);
  // A day's rows of one ledger account, one per business day that decided them: added up.
  const rows = db.prepare('SELECT date, ledger_account, debits, credits, lines FROM journal_days WHERE date BETWEEN ? AND ?').all(from, to) as JournalRow[];
  const days = new Map<string, { date: string; ledgerAccount: LedgerAccount; debits: Money; credits: Money; lines: number }>();
  for (const r of rows) {
    const key = `${r.date} ${r.ledger_account}`;
    const day = days.get(key);
    if (day === undefined) days.set(key, { date: r.date, ledgerAccount: r.ledger_account, debits: Money.exact(r.debits), credits: Money.exact(r.credits), lines: r.lines });
    else Object.assign(day, { debits: day.debits.plus(Money.exact(r.debits)), credits: day.credits.plus(Money.exact(r.credits)), lines: day.lines + r.lines });
  }
  const order = (a: LedgerAccount) => CHART_OF_ACCOUNTS.indexOf(a);
  return [...days.values()]
    .sort((a, b) => (a.date === b.date ? order(a.ledgerAccount) - order(b.ledgerAccount) : a.date < b.date ? -1 : 1))
    .map((d) => ({ date: d.date, ledgerAccount: d.ledgerAccount, debits: d.debits.toString(), credits: d.credits.toString(), lineCount: d.lines }));
}
