/**
 * Accounts end of day must visit for a date: `next_action_date <= date`, in account id order, paged by
 * account id. Ordering a large range by account id would sort every due row for every page, so this
 * seeks each distinct due date in the (next_action_date, account_id) index (there are few: today, and
 * rarely a stale earlier one), takes a page from each, and merges them.
 */
import { limitBy } from '@ledger/event-store';
import type { Db } from '../runner/projection';
import { assertDate, pageLimit } from './query-input';

export function accountsDueForEndOfDay(db: Db, date: string, limit: number, afterAccountId = ''): string[] {
  assertDate(date, 'date');
  const size = pageLimit(limit, 1000, 100_000);
  const nextDate = db.prepare(
    'SELECT MIN(next_action_date) AS d FROM eod_schedule WHERE next_action_date > ? AND next_action_date <= ?',
  );
  const page = db.prepare(
    `SELECT account_id FROM eod_schedule WHERE next_action_date = ? AND account_id > ? ORDER BY account_id ${limitBy('?')}`,
  );
  const ids: string[] = [];
  let previous = '';
  for (;;) {
    const { d } = nextDate.get(previous, date) as { d: string | null };
    if (d === null) break;
    for (const row of page.all(d, afterAccountId, size) as { account_id: string }[]) ids.push(row.account_id);
    previous = d;
  }
  return ids.sort().slice(0, size);
}
