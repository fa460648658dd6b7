/// <reference lib="dom" />
/** The account list (账户列表) with status and bucket filters: the way into a drill-down from the overview. */
import type { AccountPage, AccountView } from '@ledger/projections';
import { get } from './api';
import { byId, el, notice, replace, table } from './dom';
import { formatMoney } from './format';
import { BUCKET_LABELS, label, STATUS_LABELS } from './labels';

const PAGE = 25;

export interface ListFilter {
  status: string;
  bucket: string;
  offset: number;
}

export async function renderAccountList(filter: ListFilter, open: (accountId: string) => void): Promise<void> {
  byId<HTMLSelectElement>('filter-status').value = filter.status;
  byId<HTMLSelectElement>('filter-bucket').value = filter.bucket;
  const params = new URLSearchParams({ limit: String(PAGE), offset: String(filter.offset) });
  if (filter.status) params.set('status', filter.status);
  if (filter.bucket) params.set('bucket', filter.bucket);
  const page = await get<AccountPage>(`/accounts?${params}`);
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
    button.addEventListener('click', () => void renderAccountList({ ...filter, offset }, open));
    pager.append(button);
  };
  move(Math.max(0, filter.offset - PAGE), '‹ Previous', filter.offset > 0);
  pager.append(el('span', { class: 'muted' }, ` ${filter.offset + 1}–${filter.offset + page.items.length} `));
  move(filter.offset + PAGE, 'Next ›', page.nextCursor !== null);
  replace(
    'account-list',
    table(
      [
        { header: 'Account 账户', cell: link },
        { header: 'Status 状态', cell: (a: AccountView) => label(STATUS_LABELS, a.status) },
        { header: 'Bucket 逾期分档', cell: (a) => label(BUCKET_LABELS, a.overdue.bucket) },
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
