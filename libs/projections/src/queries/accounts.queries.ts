/**
 * Account queries over the balances read model. Days past due are computed here, as of the business day
 * after the last closed one (the current business date), from the stored start of the overdue episode.
 */
import { addDays, daysBetween, Dec, Money } from '@ledger/credit';
import { limitBy } from '@ledger/event-store';
import type { BalanceRow } from '../projections/balances.projection';
import type { Db } from '../runner/projection';
import { lastClosedBusinessDay } from './business-days.queries';
import { pageLimit, QueryInputError } from './query-input';

/** An account as the API shows it; every amount is a decimal string of CNY, every rate a decimal fraction. */
export interface AccountView {
  accountId: string;
  status: string;
  holder: { idNumberMasked: string; nameMasked: string } | null;
  channel: string | null;
  limit: string;
  available: string;
  dailyRate: string;
  /** Simple annualized rate: daily x 365 (PRODUCT.md §2). */
  annualRate: string;
  penaltyDailyRate: string;
  /** penaltyDailyRate x 365, as a statement shows it. */
  penaltyAnnualRate: string;
  owed: {
    revolvingUnbilled: string;
    revolvingBilled: string;
    installmentBilled: string;
    installmentUnbilled: string;
    installmentPrincipal: string;
    interest: string;
    fees: string;
    penaltyInterest: string;
    total: string;
  };
  overdue: { amount: string; since: string | null; kind: string | null; daysPastDue: number; bucket: string };
  flags: { frozen: boolean; suspended: boolean; paymentLocked: boolean };
  lastStatementId: string | null;
  payScore: number;
  /** The business date the figures are as of: the day after the last closed one. */
  asOf: string | null;
  /** Why the application was refused, and the day a new one's 30-day wait counts from (null when none does); null unless rejected. */
  rejection: { reasons: string[]; reapplyWaitFrom: string | null } | null;
  /** A decimal string, as every log position the API answers with. */
  updatedPosition: string;
}

/** Annual rates of the daily rates seen (a handful: one per pricing tier), so a replay does not redo them per event. */
const annualRates = new Map<string, string>();

/** A daily rate annualized as PRODUCT.md §2 shows it: daily x 365, exact. */
export function annualRate(dailyRate: string): string {
  let rate = annualRates.get(dailyRate);
  if (rate === undefined) {
    rate = new Dec(dailyRate).times(365).toFixed();
    if (annualRates.size >= 1024) annualRates.clear();
    annualRates.set(dailyRate, rate);
  }
  return rate;
}

/** An amount as `Money.toJSON` writes a whole-fen amount: its own sum with zero, to 2 decimals. */
const TWO_DECIMALS = /^-?(0|[1-9]\d{0,19})\.\d\d$/;

/** a + b to 2 decimals (half up), in integer fen when both are whole fen. */
function sumTo2Decimals(a: string, b: string): string {
  // Most accounts have no installments, so one side is zero: spare parsing both (an audit replay does this per event).
  if (a === '0.00' && b !== '-0.00' && TWO_DECIMALS.test(b)) return b;
  if (b === '0.00' && a !== '-0.00' && TWO_DECIMALS.test(a)) return a;
  const sum = Money.exact(a).plus(Money.exact(b));
  return sum.isWholeFen() ? sum.toString() : sum.value.toFixed(2);
}

/**
 * The account as of the day after the last one closed; or, for an account whose own last event is dated
 * later, as of that day: a close running now appends each account's events, dated the day they take
 * effect (the day after the day closing), before it records the day closed. Counted from the last day
 * closed, such an account showed an overdue beginning after the day it was shown as of (0 days past due)
 * and 90 where its own event says 91, the M3 and M3+ boundary.
 */
export function toAccountView(row: BalanceRow, lastClosed: string | null): AccountView {
  const afterClose = lastClosed ? addDays(lastClosed, 1) : null;
  const asOf = afterClose !== null && (row.last_on === null || row.last_on <= afterClose) ? afterClose : row.last_on;
  const daysPastDue = row.overdue_since && asOf ? Math.max(0, daysBetween(row.overdue_since, asOf) + 1) : 0;
  return {
    accountId: row.account_id,
    status: row.status,
    holder:
      row.id_number_masked && row.name_masked
        ? { idNumberMasked: row.id_number_masked, nameMasked: row.name_masked }
        : null,
    channel: row.channel,
    limit: row.credit_limit,
    available: row.available,
    dailyRate: row.daily_rate,
    annualRate: annualRate(row.daily_rate),
    penaltyDailyRate: row.penalty_daily_rate,
    penaltyAnnualRate: annualRate(row.penalty_daily_rate),
    owed: {
      revolvingUnbilled: row.revolving_unbilled,
      revolvingBilled: row.revolving_billed,
      installmentBilled: row.installment_billed,
      installmentUnbilled: row.installment_unbilled,
      installmentPrincipal: sumTo2Decimals(row.installment_billed, row.installment_unbilled),
      interest: row.interest_owed,
      fees: row.fees_owed,
      penaltyInterest: row.penalty_owed,
      total: row.total_owed,
    },
    overdue: { amount: row.overdue_amount, since: row.overdue_since, kind: row.overdue_kind, daysPastDue, bucket: row.bucket },
    flags: { frozen: row.frozen === 1, suspended: row.suspended === 1, paymentLocked: row.locked === 1 },
    lastStatementId: row.last_statement_id,
    payScore: row.pay_score,
    asOf,
    rejection: row.rejection_reasons === null ? null : { reasons: row.rejection_reasons === '' ? [] : row.rejection_reasons.split(','), reapplyWaitFrom: row.reapply_wait_from },
    updatedPosition: String(row.updated_position),
  };
}

export function getAccount(db: Db, accountId: string): AccountView | null {
  const row = db.prepare('SELECT * FROM balances WHERE account_id = ?').get(accountId) as
    BalanceRow | undefined;
  return row ? toAccountView(row, lastClosedBusinessDay(db)) : null;
}

/** The restrictions an account can be listed by: the `flags` of its view. */
export const ACCOUNT_FLAGS = { frozen: 'frozen', suspended: 'suspended', paymentLocked: 'locked' } as const;
export type AccountFlag = keyof typeof ACCOUNT_FLAGS;

/** Orders of a list: by account id (the default, and the only one keyset paging follows), or most days past due first. */
export const ACCOUNT_SORTS = ['accountId', 'daysPastDue'] as const;
export type AccountSort = (typeof ACCOUNT_SORTS)[number];

export interface ListAccountsOptions {
  status?: string;
  /** Only opened accounts (active or closed, as the portfolio's buckets count them) in this bucket. */
  bucket?: string;
  /** Only accounts with this restriction on (frozen for overdue, suspended for risk, payment-locked). */
  flag?: AccountFlag;
  /**
   * `daysPastDue`: the longest overdue first (the oldest `overdue.since`), then the accounts not overdue,
   * each in account id order. It sorts every account the filters leave, so page with `offset`.
   */
  sort?: AccountSort;
  /** Page size, 1 to 500; default 50. */
  limit?: number;
  /** Keyset paging: accounts after this id (preferred over offset on large portfolios); account id order only. */
  after?: string;
  offset?: number;
  /** Whether to count the accounts the filters select (`total`); an export reading every page skips it. Default true. */
  count?: boolean;
}

export interface AccountPage {
  items: AccountView[];
  /** Pass as `after` (over HTTP, `cursor`) for the next page; null on the last page. */
  nextCursor: string | null;
  /** The accounts the filters select, on every page (before `after` and `offset`), to check a list against the portfolio's counts; -1 when not counted (`count: false`). */
  total: number;
}

/**
 * The accounts a list's filters select, as the parts it reads in order, each with its own SQL order: by
 * account id one part; most days past due first two, the overdue accounts by `overdue.since` (read along
 * the partial index of overdue accounts) and then the rest by account id. One `ORDER BY overdue_since IS
 * NULL, ...` sorted every selected account for each page: 264 ms a page at 1,000,000 accounts, against
 * about 1 ms a part read along an index (a request's cost no longer depends on its sort).
 */
function accountSelection(options: Pick<ListAccountsOptions, 'status' | 'bucket' | 'flag' | 'sort'>): { where: string[]; params: string[]; parts: { where: string; order: string }[] } {
  const sort = options.sort ?? 'accountId';
  if (!(ACCOUNT_SORTS as readonly string[]).includes(sort)) throw new QueryInputError(`sort must be one of ${ACCOUNT_SORTS.join(', ')}`, 'sort');
  if (options.flag !== undefined && !Object.hasOwn(ACCOUNT_FLAGS, options.flag))
    throw new QueryInputError(`flag must be one of ${Object.keys(ACCOUNT_FLAGS).join(', ')}`, 'flag');
  const filters: [string, string | undefined][] = [
    ['status = ?', options.status],
    ['bucket = ?', options.bucket],
  ];
  const used = filters.filter((filter): filter is [string, string] => filter[1] !== undefined);
  const where = used.map(([clause]) => clause);
  if (options.flag !== undefined) where.push(`${ACCOUNT_FLAGS[options.flag]} = 1`);
  // An application rejected or not yet activated has the bucket an account starts in, CURRENT, which the
  // portfolio counts for no account: a list by bucket checks against the portfolio's counts.
  if (options.bucket !== undefined) where.push(`status IN ('ACTIVE', 'CLOSED')`);
  const parts =
    sort === 'daysPastDue'
      ? [
          { where: 'overdue_since IS NOT NULL', order: 'overdue_since, account_id' },
          { where: 'overdue_since IS NULL', order: 'account_id' },
        ]
      : [{ where: '', order: 'account_id' }];
  return { where, params: used.map(([, value]) => value), parts };
}

/** A part's statement: the filters, the part's own condition and `extra` (a cursor), in the part's order. */
function partSql(where: string[], part: { where: string; order: string }, extra: string[] = [], paged = false): string {
  const conditions = [...where, ...(part.where ? [part.where] : []), ...extra];
  return `SELECT * FROM balances ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''} ORDER BY ${part.order}${paged ? ` ${limitBy('?')} OFFSET ?` : ''}`;
}

export function listAccounts(db: Db, options: ListAccountsOptions = {}): AccountPage {
  // One read transaction: the count and the page's parts see the same read models, where a projector
  // committing between them could repeat or drop an account where one part ends and the next begins.
  return db.transaction(() => listAccountsNow(db, options))();
}

function listAccountsNow(db: Db, options: ListAccountsOptions): AccountPage {
  const limit = pageLimit(options.limit, 50, 500);
  const offset = options.offset ?? 0;
  if (!Number.isSafeInteger(offset) || offset < 0)
    throw new QueryInputError('offset must be a non-negative integer', 'offset');
  const { where, params, parts } = accountSelection(options);
  if (options.sort === 'daysPastDue' && options.after !== undefined)
    throw new QueryInputError('cursor pages in account id order: with another sort, page with offset', 'cursor');
  // A cursor is a page's nextCursor, an account the read models hold: any other id is a typo or another
  // ledger's, and would page from wherever it sorts (an empty page, as if the list had ended).
  if (options.after !== undefined && db.prepare('SELECT 1 FROM balances WHERE account_id = ?').get(options.after) === undefined)
    throw new QueryInputError(`cursor ${options.after} names no account: pass a page's nextCursor`, 'cursor');
  const selected = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = options.count === false ? -1 : (db.prepare(`SELECT COUNT(*) AS total FROM balances ${selected}`).get(...params) as { total: number }).total;
  const after = options.after !== undefined ? ['account_id > ?'] : [];
  // One more than the page, to tell whether another follows. A part the offset passes whole (the overdue
  // accounts, counted along their index) is not read, and the next starts where the offset leaves it.
  const rows: BalanceRow[] = [];
  let skip = offset;
  for (const [i, part] of parts.entries()) {
    const wanted = limit + 1 - rows.length;
    if (wanted <= 0) break;
    if (skip > 0 && i < parts.length - 1) {
      const inPart = (db.prepare(`SELECT COUNT(*) AS n FROM balances WHERE ${[...where, part.where].join(' AND ')}`).get(...params) as { n: number }).n;
      if (skip >= inPart) {
        skip -= inPart;
        continue;
      }
    }
    rows.push(...(db.prepare(partSql(where, part, after, true)).all(...params, ...(options.after !== undefined ? [options.after] : []), wanted, skip) as BalanceRow[]));
    skip = 0;
  }
  const lastClosed = lastClosedBusinessDay(db);
  const items = rows.slice(0, limit).map((r) => toAccountView(r, lastClosed));
  return { items, nextCursor: options.sort !== 'daysPastDue' && rows.length > limit ? items[items.length - 1].accountId : null, total };
}

/**
 * Every account the filters select, in the list's order, read by one statement a part: an export reads
 * each once, where pages by offset read every account before the page again for each page. The statement holds the
 * connection until the iteration ends (or is returned): give it a connection of its own.
 */
export function* eachAccount(db: Db, options: Pick<ListAccountsOptions, 'status' | 'bucket' | 'flag' | 'sort'> = {}): Generator<AccountView> {
  const { where, params, parts } = accountSelection(options);
  const lastClosed = lastClosedBusinessDay(db);
  for (const part of parts) {
    for (const row of db.prepare(partSql(where, part)).iterate(...params) as IterableIterator<BalanceRow>) yield toAccountView(row, lastClosed);
  }
}
