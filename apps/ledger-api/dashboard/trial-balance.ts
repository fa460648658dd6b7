/// <reference lib="dom" />
/**
 * The trial balance card (试算平衡) on the overview: per ledger account the opening, debits, credits and
 * closing over a range of posting dates, as `ledger gl` prints them, for finance's daily reconciliation.
 * By default the month to date of the last closed business day; a range chosen in the card's form stays
 * until the page is reloaded. A failure shows in the card alone.
 */
import type { JournalDating } from '@ledger/credit';
import type { TrialBalanceView } from '@ledger/projections';
import { get, readingEventually, readModel, settle } from './api';
import { byId, el, notice, replace, table } from './dom';
import { formatCount, formatMoney } from './format';
import { label, LEDGER_ACCOUNT_LABELS } from './labels';

/** The range chosen in the form, or null for the month to date of the last closed day. */
let chosen: { from: string; to: string } | null = null;
/**
 * How the lines are dated: by posting date (`ledger gl`'s default), or as of each close (`gl --by
 * business-day`), which a month's close reconciles with: its statements post on the 1st after it.
 */
let dateBy: JournalDating = 'posting';
/** The last closed business day the page last read, for a form sent between refreshes. */
let lastClosedSeen: string | null = null;

/** The month to date of the last closed business day. */
export function monthToDate(lastClosed: string): { from: string; to: string } {
  return { from: `${lastClosed.slice(0, 7)}-01`, to: lastClosed };
}

type Line = TrialBalanceView['trialBalance'][number];

export async function renderTrialBalance(lastClosed: string | null): Promise<void> {
  lastClosedSeen = lastClosed;
  wireForm();
  const range = chosen ?? (lastClosed === null ? null : monthToDate(lastClosed));
  if (range === null) {
    replace('note-trial-balance', null);
    replace('table-trial-balance', notice('No business day has closed yet: the trial balance shows the month to date of the last closed day, or a range chosen above.'));
    return;
  }
  fillForm(range);
  const answer = await settle(get<TrialBalanceView>(readModel(`/portfolio/trial-balance?from=${range.from}&to=${range.to}&dateBy=${dateBy}`)));
  if ('error' in answer) {
    replace('note-trial-balance', null);
    replace('table-trial-balance', notice(`Could not load the trial balance: ${answer.error.message}`, 'error'));
    return;
  }
  const tb = answer.value;
  const open = tb.lastClosedBusinessDay === null || tb.to > tb.lastClosedBusinessDay;
  // Read from read models that do not follow the log (rebuilding, or behind), the figures leave out
  // what they have not applied yet, and still balance: not figures to reconcile with.
  const behind = readingEventually();
  replace(
    'note-trial-balance',
    `${tb.from} to ${tb.to} ${tb.dateBy === 'businessDay' ? "as of each day's close (a month end's statements in its own month)" : 'by posting date'}, ${formatCount(tb.lineCount)} journal ${tb.lineCount === 1 ? 'line' : 'lines'}; debits positive, credits negative. ` +
      (open ? 'Days after the last closed business day may still take lines. ' : '') +
      (behind ? '' : `Reconcile with ledger gl${tb.dateBy === 'businessDay' ? ' --by business-day' : ''} over the same dates.`),
  );
  const totals: Line = { ledgerAccount: 'TOTAL' as Line['ledgerAccount'], opening: '', debits: tb.totals.debits, credits: tb.totals.credits, closing: tb.totals.closing };
  const money = (value: string) => (value === '' ? '' : formatMoney(value));
  replace(
    'table-trial-balance',
    behind ? notice('The read models are behind the log (rebuilding or catching up): these figures leave out what they have not applied yet, though they balance. Do not reconcile with them until the status above says they follow the log.', 'warn') : null,
    table(
      [
        { header: 'Ledger account 科目', cell: (r: Line) => (r === totals ? el('strong', {}, 'Total 合计') : label(LEDGER_ACCOUNT_LABELS, r.ledgerAccount)) },
        { header: 'Opening 期初', cell: (r) => money(r.opening), numeric: true },
        { header: 'Debits 借方', cell: (r) => money(r.debits), numeric: true },
        { header: 'Credits 贷方', cell: (r) => money(r.credits), numeric: true },
        { header: 'Closing 期末', cell: (r) => money(r.closing), numeric: true },
      ],
      [...tb.trialBalance, totals],
      { 'data-table': 'trial-balance', 'data-range': `${tb.from}/${tb.to}`, 'data-date-by': tb.dateBy },
    ),
  );
}

let wired = false;

/** The card's form: a range to show in place of the month to date, or the month to date again when both dates are cleared. */
function wireForm(): void {
  if (wired) return;
  wired = true;
  byId('form-trial-balance').addEventListener('submit', (event) => {
    event.preventDefault();
    const from = byId<HTMLInputElement>('trial-balance-from').value;
    const to = byId<HTMLInputElement>('trial-balance-to').value;
    if (Boolean(from) !== Boolean(to)) {
      replace('table-trial-balance', notice('Give both dates, or clear both for the month to date of the last closed day.', 'error'));
      return;
    }
    chosen = from && to ? { from, to } : null;
    dateBy = byId<HTMLSelectElement>('trial-balance-by').value === 'businessDay' ? 'businessDay' : 'posting';
    void renderTrialBalance(lastClosedSeen);
  });
}

/** Shows the range in the form, unless someone is typing in it. */
function fillForm(range: { from: string; to: string }): void {
  for (const [id, value] of [['trial-balance-from', range.from], ['trial-balance-to', range.to]] as const) {
    const input = byId<HTMLInputElement>(id);
    if (document.activeElement !== input) input.value = value;
  }
}
