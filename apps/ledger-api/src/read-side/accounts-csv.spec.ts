import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { initialState } from '@ledger/credit';
import { type Db, listAccounts } from '@ledger/projections';
import { balanceRow, BalancesProjection } from '@ledger/projections/projections/balances.projection';
import { BusinessDaysProjection } from '@ledger/projections/projections/business-days.projection';
import { parseCsv } from '../../../../test/support/csv';
import { type AccountFilters, EXPORT_PAGE_SIZE, ExportAccountsHandler } from './account.queries';
import { ACCOUNT_CSV_COLUMNS, csvField, csvLine } from './accounts-csv';
import type { ReadModels } from './read-models';

describe('a CSV cell', () => {
  it('puts an apostrophe before text a spreadsheet would run as a formula', () => {
    expect(['=HYPERLINK("http://x","y")', '+1+2', '-1+2', '@SUM(A1)', '\t=1', '\r=1', '=', '-', '-cmd|calc'].map(csvField)).toEqual([
      `"'=HYPERLINK(""http://x"",""y"")"`,
      "'+1+2",
      "'-1+2",
      "'@SUM(A1)",
      "'\t=1",
      `"'\r=1"`,
      "'=",
      "'-",
      "'-cmd|calc",
    ]);
  });

  it('leaves plain decimal numbers, negative ones too, and ordinary text as they are', () => {
    expect(['-0.00', '-12.5', '0.00045', '5000.00', '42', 'ACTIVE', 'M3+', 'a=b', 'x-1'].map(csvField)).toEqual(['-0.00', '-12.5', '0.00045', '5000.00', '42', 'ACTIVE', 'M3+', 'a=b', 'x-1']);
    expect([null, true, false, 0, 17].map(csvField)).toEqual(['', 'true', 'false', '0', '17']);
  });

  it('quotes a field holding a comma, a quote, CR or LF, doubling its quotes, and reads back as written', () => {
    expect(['a,b', 'say "hi"', 'two\nlines', 'cr\rhere', 'plain'].map(csvField)).toEqual(['"a,b"', '"say ""hi"""', '"two\nlines"', '"cr\rhere"', 'plain']);
    const cells = ['a,b', 'say "hi"', 'two\r\nlines', '', 'x'];
    expect(parseCsv(csvLine(cells) + csvLine(['=1', '-0.00']))).toEqual([cells, ["'=1", '-0.00']]);
  });

  it('has the header row of the documented columns', () => {
    expect(csvLine(ACCOUNT_CSV_COLUMNS)).toBe(`${ACCOUNT_CSV_COLUMNS.join(',')}\r\n`);
  });
});

describe('the accounts export', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-export-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A read-model database with `count` accounts, a few of them overdue, and a closed business day. */
  function readModels(count: number, file: string | null): Db {
    const db = new Database(file ?? ':memory:', { timeout: 100 });
    if (file) db.pragma('journal_mode = WAL');
    for (const ddl of [...new BalancesProjection().ddl, ...new BusinessDaysProjection().ddl]) db.exec(ddl);
    db.prepare("INSERT INTO business_days VALUES ('2026-04-13', '2026-04-14T00:05:00+08:00', 0, '{}', 1)").run();
    db.transaction(() => {
      for (let i = 0; i < count; i++) insert(db, `acc-${String(i).padStart(5, '0')}`, i % 97 === 0 ? '2026-03-11' : null);
    })();
    return db;
  }
  function insert(db: Db, id: string, overdueSince: string | null): void {
    const row = { ...balanceRow(initialState(id), 1n), status: 'ACTIVE', overdue_since: overdueSince, bucket: overdueSince ? 'M1' : 'CURRENT' };
    const columns = Object.keys(row);
    db.prepare(`INSERT INTO balances (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`).run(row);
  }
  const handler = (db: Db) => new ExportAccountsHandler({ db, consistent: async () => undefined, assertOfThisLogNow: async () => undefined } as unknown as ReadModels);
  async function text(csv: Readable): Promise<string> {
    let out = '';
    for await (const chunk of csv) out += chunk as string;
    return out;
  }
  /** Every account id of the list, page by page through the JSON query. */
  function listed(db: Db, filters: AccountFilters): string[] {
    const ids: string[] = [];
    for (let offset = 0; ; offset += 500) {
      const page = listAccounts(db, { ...filters, limit: 500, offset });
      ids.push(...page.items.map((a) => a.accountId));
      if (page.items.length < 500) return ids;
    }
  }
  /** The checkpoint leaves WAL frames behind while a reader holds an older snapshot. */
  function snapshotHeld(db: Db): boolean {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    return result.checkpointed < result.log;
  }

  it.each([['accountId'], ['daysPastDue']] as const)('writes every account across pages in the order of sort=%s', async (sort) => {
    const db = readModels(EXPORT_PAGE_SIZE * 2 + 3, join(dir, `pages-${sort}.sqlite`));
    const prepared = jest.spyOn(Database.prototype, 'prepare');
    const { asOf, csv } = await handler(db).execute({ filters: { sort }, consistency: { eventual: true } } as never);
    const rows = parseCsv(await text(csv));
    // One statement a part of the order reads the three pages (the overdue, then the rest, by days past
    // due): pages by offset read every account before the page again for each page.
    expect(prepared.mock.calls.filter(([sql]) => /^SELECT \* FROM balances\b/.test(sql))).toHaveLength(sort === 'daysPastDue' ? 2 : 1);
    prepared.mockRestore();
    expect(asOf).toBe('2026-04-14');
    expect(rows[0]).toEqual([...ACCOUNT_CSV_COLUMNS]);
    const ids = rows.slice(1).map((r) => r[0]);
    expect(ids).toEqual(listed(db, { sort }));
    expect(new Set(ids).size).toBe(EXPORT_PAGE_SIZE * 2 + 3);
    expect(rows.slice(1).every((r) => r.length === ACCOUNT_CSV_COLUMNS.length && r[ACCOUNT_CSV_COLUMNS.indexOf('asOf')] === '2026-04-14')).toBe(true);
    db.close();
  });

  it.each([['accountId'], ['daysPastDue']] as const)('reads one snapshot with sort=%s while the projections write, and lets it go when the stream closes', async (sort) => {
    const db = readModels(EXPORT_PAGE_SIZE * 6, join(dir, `snapshot-${sort}.sqlite`));
    const before = await text((await handler(db).execute({ filters: { sort }, consistency: { eventual: true } } as never)).csv);
    const { csv } = await handler(db).execute({ filters: { sort }, consistency: { eventual: true } } as never);
    const chunks = csv[Symbol.asyncIterator]();
    let out = ((await chunks.next()).value as string) + ((await chunks.next()).value as string);
    // Mid-export, the projections add accounts, and move the last one to the head of the overdue order.
    db.transaction(() => {
      insert(db, 'acc-00000-new', null);
      insert(db, 'acc-99999-new', '2026-01-01');
      db.prepare("UPDATE balances SET overdue_since = '2025-12-01', bucket = 'M3+' WHERE account_id = 'acc-02999'").run();
    })();
    expect(snapshotHeld(db)).toBe(true);
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) out += next.value as string;
    expect(out).toBe(before);
    if (!csv.closed) await once(csv, 'close');
    expect(snapshotHeld(db)).toBe(false);
    db.close();
  });

  it('lets the snapshot go when the client goes away part way', async () => {
    const db = readModels(EXPORT_PAGE_SIZE * 4, join(dir, 'abort.sqlite'));
    const { csv } = await handler(db).execute({ filters: {}, consistency: { eventual: true } } as never);
    await csv[Symbol.asyncIterator]().next();
    db.prepare("UPDATE balances SET pay_score = 1 WHERE account_id = 'acc-00001'").run();
    expect(snapshotHeld(db)).toBe(true);
    csv.destroy();
    await once(csv, 'close');
    expect(snapshotHeld(db)).toBe(false);
    db.close();
  });

  it('exports in-memory read models in one transaction', async () => {
    const db = readModels(EXPORT_PAGE_SIZE + 1, null);
    const { asOf, csv } = await handler(db).execute({ filters: { bucket: 'M1' }, consistency: { eventual: true } } as never);
    const rows = parseCsv(await text(csv));
    expect(asOf).toBe('2026-04-14');
    expect(rows.slice(1).map((r) => r[0])).toEqual(listed(db, { bucket: 'M1' }));
    expect(rows.length - 1).toBe(6);
    db.close();
  });
});
