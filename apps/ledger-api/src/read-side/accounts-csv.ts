/**
 * The account list as CSV for a spreadsheet (GET /accounts/export): RFC 4180 text (CRLF line ends,
 * a field holding a comma, a quote, CR or LF is quoted, its quotes doubled), one header row, then one
 * row per account with the figures exactly as the JSON has them (decimal strings, never a float).
 *
 * Formula injection: a spreadsheet runs a cell that begins with = + - @ (or a tab or CR before one) as a
 * formula. Every such cell gets a leading apostrophe, so it is shown as text, with one exception: a cell
 * that is a plain decimal number (`-?digits[.digits]`, such as `-0.00`) is left as it is, since a
 * spreadsheet reads it as a number and a number calls nothing. No column exported today carries text a
 * customer or merchant chose (the ids are the ledger's, the rest are enums, dates and figures, and the
 * masked holder fields are left out), so the guard is a second line: it keeps that true if a column is
 * added later.
 */
import type { AccountView } from '@ledger/projections';

export const ACCOUNT_CSV_COLUMNS = [
  'accountId',
  'status',
  'channel',
  'limit',
  'available',
  'dailyRate',
  'annualRate',
  'owedTotal',
  'revolvingUnbilled',
  'revolvingBilled',
  'installmentPrincipal',
  'interest',
  'fees',
  'penaltyInterest',
  'overdueAmount',
  'overdueSince',
  'overdueKind',
  'daysPastDue',
  'bucket',
  'frozen',
  'suspended',
  'paymentLocked',
  'lastStatementId',
  'payScore',
  'asOf',
] as const;

type Cell = string | number | boolean | null;

/** An account's cells in the order of ACCOUNT_CSV_COLUMNS; null is an empty cell. */
export function accountCsvCells(a: AccountView): Cell[] {
  return [
    a.accountId,
    a.status,
    a.channel,
    a.limit,
    a.available,
    a.dailyRate,
    a.annualRate,
    a.owed.total,
    a.owed.revolvingUnbilled,
    a.owed.revolvingBilled,
    a.owed.installmentPrincipal,
    a.owed.interest,
    a.owed.fees,
    a.owed.penaltyInterest,
    a.overdue.amount,
    a.overdue.since,
    a.overdue.kind,
    a.overdue.daysPastDue,
    a.overdue.bucket,
    a.flags.frozen,
    a.flags.suspended,
    a.flags.paymentLocked,
    a.lastStatementId,
    a.payScore,
    a.asOf,
  ];
}

const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One cell as CSV: a formula-looking text behind an apostrophe, then quoted when RFC 4180 asks for it. */
export function csvField(value: Cell): string {
  if (value === null) return '';
  let text = String(value);
  if (FORMULA_START.test(text) && !PLAIN_NUMBER.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV record with its CRLF. */
export function csvLine(cells: readonly Cell[]): string {
  return `${cells.map(csvField).join(',')}\r\n`;
}

export const ACCOUNT_CSV_HEADER = csvLine(ACCOUNT_CSV_COLUMNS);

/** A page of accounts as CSV records. */
export function accountsCsv(accounts: readonly AccountView[]): string {
  let out = '';
  for (const account of accounts) out += csvLine(accountCsvCells(account));
  return out;
}
