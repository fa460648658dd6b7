import Database from 'better-sqlite3';
import fc from 'fast-check';
import { Dec, initialState, Money } from '@ledger/credit';
import { balanceRow, type BalanceRow, BalancesProjection } from '../projections/balances.projection';
import { BusinessDaysProjection } from '../projections/business-days.projection';
import type { Db } from '../runner/projection';
import { type AccountFlag, type AccountPage, type AccountSort, eachAccount, listAccounts, toAccountView } from './accounts.queries';

describe('an account view', () => {
  it('adds billed and unbilled installment principal to 2 decimals, half up, whatever the amounts look like', () => {
    // Amounts as the balances row writes them: whole fen with 2 decimals ("0.00" most of all), and exact
    // amounts with more decimals; the reference adds them as decimals and rounds once.
    const fen = fc.bigInt(-(10n ** 13n), 10n ** 13n).map((f) => Money.fromFen(f).toJSON());
    const exact = fc.tuple(fc.bigInt(-(10n ** 9n), 10n ** 9n), fc.integer({ min: 3, max: 8 })).map(([digits, places]) => new Dec(digits.toString()).div(new Dec(10).pow(places)).toFixed());
    const amount = fc.oneof(fc.constant('0.00'), fen, exact);
    const row = balanceRow(initialState('acc-1'), 1n);
    fc.assert(
      fc.property(amount, amount, (billed, unbilled) => {
        const view = toAccountView({ ...row, installment_billed: billed, installment_unbilled: unbilled }, null);
        expect(view.owed.installmentPrincipal).toBe(new Dec(billed).plus(unbilled).toFixed(2));
      }),
      { numRuns: 2000 },
    );
  });

  it('counts days past due to the day after the last close, or to its own last event where a close running now dated that later', () => {
    const row = { ...balanceRow(initialState('acc-1'), 1n), overdue_since: '2026-02-11', overdue_amount: '150.63' };
    // Closed through 2026-02-11: the 12th is open, and the overdue has run two days.
    expect(toAccountView({ ...row, last_on: '2026-02-11' }, '2026-02-11')).toMatchObject({ asOf: '2026-02-12', overdue: { daysPastDue: 2 } });
    // The close of 2026-02-10 has appended the account's overdue, dated the 11th, but not the day's close yet.
    expect(toAccountView({ ...row, last_on: '2026-02-11' }, '2026-02-09')).toMatchObject({ asOf: '2026-02-11', overdue: { daysPastDue: 1 } });
    // No day closed yet: as of its own last event.
    expect(toAccountView({ ...row, last_on: '2026-02-11' }, null)).toMatchObject({ asOf: '2026-02-11', overdue: { daysPastDue: 1 } });
  });
});

describe('the account list', () => {
  /** A balances table of its own, with a row per account as `rows` shapes it from an empty state. */
  function withAccounts(rows: Partial<BalanceRow>[]): Db {
    const db = new Database(':memory:');
    for (const ddl of [...new BalancesProjection().ddl, ...new BusinessDaysProjection().ddl]) db.exec(ddl);
    rows.forEach((overrides, i) => {
      const row = { ...balanceRow(initialState(`acc-${i}`), BigInt(i + 1)), status: 'ACTIVE', ...overrides };
      const columns = Object.keys(row);
      db.prepare(`INSERT INTO balances (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`).run(row);
    });
    return db;
  }
  const ids = (page: AccountPage) => page.items.map((a) => a.accountId);

  it('lists the longest overdue first with sort=daysPastDue, then the rest, each in account id order', () => {
    const db = withAccounts([
      { account_id: 'a', overdue_since: null },
      { account_id: 'b', overdue_since: '2026-03-11', bucket: 'M1' },
      { account_id: 'c', overdue_since: '2026-01-11', bucket: 'M3' },
      { account_id: 'd', overdue_since: null },
      { account_id: 'e', overdue_since: '2026-01-11', bucket: 'M3' },
    ]);
    expect(ids(listAccounts(db, { sort: 'daysPastDue' }))).toEqual(['c', 'e', 'b', 'a', 'd']);
    expect(ids(listAccounts(db, { sort: 'daysPastDue', limit: 2, offset: 2 }))).toEqual(['b', 'a']);
    expect(listAccounts(db, { sort: 'daysPastDue', limit: 2 }).nextCursor).toBeNull();
    expect(() => listAccounts(db, { sort: 'daysPastDue', after: 'a' })).toThrow(expect.objectContaining({ field: 'cursor' }));
    expect(() => listAccounts(db, { sort: 'owed' as AccountSort })).toThrow(expect.objectContaining({ field: 'sort' }));
  });

  it('pages by days past due as one sort of every account would, at any offset and with any filter, along the index of the overdue', () => {
    const buckets = ['CURRENT', 'M1', 'M2', 'M3', 'M3+'];
    const db = withAccounts(
      Array.from({ length: 37 }, (_, i) => {
        const overdue = i % 3 === 0;
        // Every ninth a rejected application: CURRENT as every state starts, and in no bucket's list.
        const status = i % 9 === 4 ? 'REJECTED' : 'ACTIVE';
        return { account_id: `acc-${String((i * 7) % 37).padStart(2, '0')}`, status, overdue_since: overdue ? `2026-0${1 + (i % 5)}-11` : null, bucket: overdue ? buckets[1 + (i % 4)] : 'CURRENT', frozen: i % 2 };
      }),
    );
    for (const filters of [{}, { bucket: 'M2' }, { bucket: 'CURRENT' }, { flag: 'frozen' as const }, { status: 'ACTIVE', flag: 'frozen' as const }, { status: 'REJECTED' }] as { status?: string; bucket?: string; flag?: 'frozen' }[]) {
      const where = [
        filters.status ? `status = '${filters.status}'` : '',
        filters.bucket ? `bucket = '${filters.bucket}' AND status IN ('ACTIVE', 'CLOSED')` : '',
        filters.flag ? 'frozen = 1' : '',
      ].filter(Boolean);
      const sorted = (db.prepare(`SELECT account_id FROM balances ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY overdue_since IS NULL, overdue_since, account_id`).all() as { account_id: string }[]).map((r) => r.account_id);
      expect([...eachAccount(db, { ...filters, sort: 'daysPastDue' })].map((a) => a.accountId)).toEqual(sorted);
      for (const limit of [1, 4, 13, 50]) {
        for (let offset = 0; offset <= sorted.length + 1; offset++) {
          const page = listAccounts(db, { ...filters, sort: 'daysPastDue', limit, offset });
          expect({ filters, limit, offset, ids: ids(page), total: page.total }).toEqual({ filters, limit, offset, ids: sorted.slice(offset, offset + limit), total: sorted.length });
        }
      }
    }
    // The statements the list runs: the overdue part reads the overdue accounts in order along their
    // index, and neither part sorts.
    const prepared = jest.spyOn(db, 'prepare');
    listAccounts(db, { sort: 'daysPastDue', limit: 30 });
    const parts = prepared.mock.calls.map(([sql]) => sql).filter((sql) => sql.startsWith('SELECT * FROM balances'));
    prepared.mockRestore();
    expect(parts).toHaveLength(2);
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(30, 0) as { detail: string }[]).map((p) => p.detail).join('; ');
    expect(plan(parts[0])).toMatch(/USING INDEX balances_by_overdue/);
    for (const sql of parts) expect(plan(sql)).not.toMatch(/TEMP B-TREE/);
  });

  it('filters by a restriction and counts what the filters select on every page', () => {
    const db = withAccounts([
      { account_id: 'a', frozen: 1 },
      { account_id: 'b', suspended: 1 },
      { account_id: 'c', frozen: 1, locked: 1 },
      { account_id: 'd', status: 'REJECTED' },
      { account_id: 'e', frozen: 1, status: 'CLOSED' },
    ]);
    expect(ids(listAccounts(db, { flag: 'frozen' }))).toEqual(['a', 'c', 'e']);
    expect(ids(listAccounts(db, { flag: 'frozen', status: 'ACTIVE' }))).toEqual(['a', 'c']);
    expect(ids(listAccounts(db, { flag: 'paymentLocked' }))).toEqual(['c']);
    expect(ids(listAccounts(db, { flag: 'suspended' }))).toEqual(['b']);
    expect(() => listAccounts(db, { flag: 'locked' as AccountFlag })).toThrow(expect.objectContaining({ field: 'flag' }));
    const first = listAccounts(db, { flag: 'frozen', limit: 1 });
    const second = listAccounts(db, { flag: 'frozen', limit: 1, after: first.nextCursor! });
    expect([ids(first), first.total, ids(second), second.total]).toEqual([['a'], 3, ['c'], 3]);
    expect(listAccounts(db, { status: 'ACTIVE', offset: 10 })).toMatchObject({ items: [], total: 3 });
    expect(listAccounts(db, { flag: 'frozen', count: false })).toMatchObject({ total: -1, items: [{ accountId: 'a' }, { accountId: 'c' }, { accountId: 'e' }] });
  });
});
