/// <reference lib="dom" />
/**
 * The account list (账户列表) with status and bucket filters: the way into a drill-down from the overview.
 * The filter and the page are in the URL hash (#accounts?status=ACTIVE&bucket=M3%2B&offset=25), so a
 * refresh re-draws the same page and a bucket can be linked to.
 */
import type { AccountPage, AccountView } from '@ledger/projections';
import { get, readModel } from './api';
import { byId, el, notice, replace, table } from './dom';
import { formatCount, formatMoney } from './format';
import { bucketLabel, label, STATUS_LABELS } from './labels';

const PAGE = 25;

export interface ListFilter {
  status: string;
  bucket: string;
  offset: number;
}

/**
 * The hash of a list. URLSearchParams encodes every value ('M3+' as 'M3%2B'), and the page reads the
 * query back with URLSearchParams, so any status or bucket comes back as it went in.
 */
export function listHash(filter: Partial<ListFilter>): string {
  const params = new URLSearchParams();
  if (filter.status) params.set('status', filter.status);
  if (filter.bucket) params.set('bucket', filter.bucket);
  if (filter.offset) params.set('offset', String(filter.offset));
  const query = params.toString();
  return `#accounts${query ? `?${query}` : ''}`;
}

export function listFilter(params: URLSearchParams): ListFilter {
  const offset = Number(params.get('offset') ?? 0);
  return { status: params.get('status') ?? '', bucket: params.get('bucket') ?? '', offset: Number.isSafeInteger(offset) && offset > 0 ? offset : 0 };
}

/** The latest list asked for: an answer to an older request (a slow one, overtaken) is dropped, not drawn. */
let latestRequest = 0;
/** The filter of the list on screen; another filter is a new list, and the old one must not stand in for it. */
let shownFilter: string | null = null;

export async function renderAccountList(filter: ListFilter, open: (accountId: string) => void): Promise<void> {
  const request = ++latestRequest;
  const params = new URLSearchParams({ limit: String(PAGE), offset: String(filter.offset) });
  if (filter.status) params.set('status', filter.status);
  if (filter.bucket) params.set('bucket', filter.bucket);
  // The selects follow the hash, unless the user is choosing in one right now.
  for (const [name, value] of [['status', filter.status], ['bucket', filter.bucket]]) {
    const select = byId<HTMLSelectElement>(`filter-${name}`);
    if (document.activeElement !== select) select.value = value;
  }
  const key = params.toString();
  if (shownFilter !== key) {
    shownFilter = null;
    replace('account-list', notice('Loading accounts …'));
  }
  let page: AccountPage;
  try {
    page = await get<AccountPage>(readModel(`/accounts?${params}`));
  } catch (error) {
    if (request !== latestRequest) return;
    shownFilter = null;
    replace('account-list', notice(`Could not load the accounts: ${(error as Error).message}`, 'error'));
    return;
  }
  if (request !== latestRequest) return;
  shownFilter = key;
  if (page.items.length === 0) {
    replace('account-list', notice('No account matches these filters.'));
    return;
  }
  const link = (a: AccountView) => {
    const anchor = el('a', { href: `#account/${encodeURIComponent(a.accountId)}`, 'data-account': a.accountId }, a.accountId);
    anchor.addEventListener('click', (event) => {
      event.preventDefault();
      open(a.accountId);
    });
    return anchor;
  };
  const pager = el('div', { class: 'pager' });
  const move = (offset: number, text: string, enabled: boolean) => {
    const button = el('button', { type: 'button' }, text);
    button.disabled = !enabled;
    button.addEventListener('click', () => {
      location.hash = listHash({ ...filter, offset });
    });
    pager.append(button);
  };
  move(Math.max(0, filter.offset - PAGE), '‹ Previous', filter.offset > 0);
  // The filters' total is on every page, to check the list against the portfolio's counts; -1 is a server that did not count.
  const of = page.total >= 0 ? ` of ${formatCount(page.total)}` : '';
  pager.append(el('span', { class: 'muted', 'data-pager': 'range' }, ` ${formatCount(filter.offset + 1)}–${formatCount(filter.offset + page.items.length)}${of} `));
  move(filter.offset + PAGE, 'Next ›', page.nextCursor !== null);
  replace(
    'account-list',
    table(
      [
        { header: 'Account 账户', cell: link },
        { header: 'Status 状态', cell: (a: AccountView) => label(STATUS_LABELS, a.status) },
        { header: 'Bucket 逾期分档', cell: (a) => bucketLabel(a.status, a.overdue.bucket) },
        { header: 'Limit 额度', cell: (a) => formatMoney(a.limit), numeric: true },
        { header: 'Owed 欠款', cell: (a) => formatMoney(a.owed.total), numeric: true },
        { header: 'Overdue 逾期', cell: (a) => formatMoney(a.overdue.amount), numeric: true },
      ],
      page.items,
      { 'data-table': 'accounts' },
    ),
    pager,
  );
}
