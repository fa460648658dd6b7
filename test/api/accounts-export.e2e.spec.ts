/**
 * GET /accounts/export: the account list as CSV for a spreadsheet, against the JSON list it mirrors.
 * One ledger: a overdue and frozen (M1), b drawn and paid its minimum, c suspended by risk, d untouched, e rejected.
 * (No exported column carries text a customer or merchant chose, so the formula guard is tested on its
 * own in apps/ledger-api/src/read-side/accounts-csv.spec.ts.)
 */
import type { Response } from 'supertest';
import { parseCsv } from '../support/csv';
import { application, draw, openAccount, startLedger, type TestLedger } from '../support/ledger-app';

const COLUMNS = [
  'accountId', 'status', 'channel', 'limit', 'available', 'dailyRate', 'annualRate', 'owedTotal', 'revolvingUnbilled', 'revolvingBilled', 'installmentPrincipal', 'interest',
  'fees', 'penaltyInterest', 'overdueAmount', 'overdueSince', 'overdueKind', 'daysPastDue', 'bucket', 'frozen', 'suspended', 'paymentLocked', 'lastStatementId', 'payScore', 'asOf',
];

interface Account {
  accountId: string;
  status: string;
  channel: string | null;
  limit: string;
  available: string;
  dailyRate: string;
  annualRate: string;
  owed: Record<string, string>;
  overdue: { amount: string; since: string | null; kind: string | null; daysPastDue: number; bucket: string };
  flags: { frozen: boolean; suspended: boolean; paymentLocked: boolean };
  lastStatementId: string | null;
  payScore: number;
  asOf: string | null;
}

/** The row the export should write for an account of the JSON list, by the documented columns. */
function expectedRow(a: Account): string[] {
  const o = a.owed;
  return [
    a.accountId, a.status, a.channel ?? '', a.limit, a.available, a.dailyRate, a.annualRate, o.total, o.revolvingUnbilled, o.revolvingBilled, o.installmentPrincipal, o.interest,
    o.fees, o.penaltyInterest, a.overdue.amount, a.overdue.since ?? '', a.overdue.kind ?? '', String(a.overdue.daysPastDue), a.overdue.bucket, String(a.flags.frozen), String(a.flags.suspended),
    String(a.flags.paymentLocked), a.lastStatementId ?? '', String(a.payScore), a.asOf ?? '',
  ];
}

describe('the accounts CSV export', () => {
  let ledger: TestLedger;
  let a: string;
  let c: string;
  let rejected: string;
  let beforeFirstClose: Response;

  beforeAll(async () => {
    ledger = await startLedger({ LEDGER_CLOCK_START: '2026-03-28T09:00:00+08:00' });
    const http = ledger.http;
    a = await openAccount(ledger, '1990-11-02', 92);
    const b = await openAccount(ledger, '1993-07-21', 91);
    c = await openAccount(ledger, '1985-05-05', 93);
    await openAccount(ledger, '1988-08-08', 94);
    rejected = (await http.post('/applications').send(application('1992-03-04', 95, { payScore: 580 })).expect(201)).body.accountId;
    await http.post(`/accounts/${a}/draws`).send(draw('X-1', '400.00')).expect(201);
    await http.post(`/accounts/${b}/draws`).send({ ...draw('X-2', '123.45'), merchant: '=HYPERLINK("http://evil","x"),"' }).expect(201);
    await http.post(`/accounts/${c}/risk-suspension`).send({ reason: 'OTHER', note: '=cmd|calc' }).expect(201);
    beforeFirstClose = await http.get('/accounts/export');
    await ledger.closeDays('2026-03-28', '2026-03-31');
    const statement = await http.get(`/accounts/${b}/statements/2026-03`).expect(200);
    await http.post(`/accounts/${b}/repayments`).send({ reference: 'X-pay', amount: statement.body.minimumRepayment, channel: 'MANUAL' }).expect(201);
    // a pays nothing: overdue from 04-11 (M1), frozen from 04-14.
    await ledger.closeDays('2026-04-01', '2026-04-13');
  });
  afterAll(async () => ledger?.close());

  async function exported(query: string): Promise<string[][]> {
    const res = await ledger.http.get(`/accounts/export${query ? `?${query}` : ''}`);
    expect([query, res.status, res.headers['content-type']]).toEqual([query, 200, 'text/csv; charset=utf-8']);
    const rows = parseCsv(res.text);
    expect(rows[0]).toEqual(COLUMNS);
    return rows.slice(1);
  }

  it('answers a CSV attachment named by the business date, "all" before the first end of day', async () => {
    const res = await ledger.http.get('/accounts/export').expect(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="accounts-2026-04-14.csv"');
    expect(res.text.startsWith(`${COLUMNS.join(',')}\r\n`)).toBe(true);
    expect([beforeFirstClose.status, beforeFirstClose.headers['content-disposition']]).toEqual([200, 'attachment; filename="accounts-all.csv"']);
    expect(parseCsv(beforeFirstClose.text)).toHaveLength(6);
  });

  it('writes the rows of GET /accounts field by field, for each filter and order', async () => {
    const queries = ['', 'status=REJECTED', 'status=ACTIVE', 'bucket=M1', 'bucket=CURRENT', 'flag=frozen', 'flag=suspended', 'flag=paymentLocked', 'sort=daysPastDue', 'status=ACTIVE&sort=daysPastDue', 'sort=accountId&flag=frozen&bucket=M1'];
    const counts: Record<string, number> = {};
    for (const query of queries) {
      const list = (await ledger.http.get(`/accounts?limit=500${query ? `&${query}` : ''}`).expect(200)).body as { items: Account[]; total: number };
      const rows = await exported(query);
      expect([query, rows]).toEqual([query, list.items.map(expectedRow)]);
      counts[query] = rows.length;
    }
    // The filters select what they say (so the comparison above compares different lists).
    expect(counts).toEqual({
      '': 5,
      'status=REJECTED': 1,
      'status=ACTIVE': 4,
      'bucket=M1': 1,
      // The three active accounts not overdue: the rejected application is in no bucket, as in the portfolio's counts.
      'bucket=CURRENT': 3,
      'flag=frozen': 1,
      'flag=suspended': 1,
      'flag=paymentLocked': 0,
      'sort=daysPastDue': 5,
      'status=ACTIVE&sort=daysPastDue': 4,
      'sort=accountId&flag=frozen&bucket=M1': 1,
    });
  });

  it('selects and orders by the filters: the overdue account first by days past due, ids in order otherwise', async () => {
    const byId = (await exported('')).map((r) => r[0]);
    expect(byId).toEqual([...byId].sort());
    // a comes last by id, so an order by id alone would not put it first.
    expect(byId[byId.length - 1]).toBe(a);
    const byDays = await exported('sort=daysPastDue');
    expect(byDays[0].slice(0, 2)).toEqual([a, 'ACTIVE']);
    expect(byDays[0].slice(COLUMNS.indexOf('overdueSince'), COLUMNS.indexOf('frozen') + 1)).toEqual(['2026-04-11', 'MINIMUM_NOT_PAID', '4', 'M1', 'true']);
    expect(byDays.slice(1).map((r) => r[0])).toEqual(byId.filter((id) => id !== a));
    expect((await exported('flag=suspended')).map((r) => [r[0], r[COLUMNS.indexOf('suspended')]])).toEqual([[c, 'true']]);
    expect((await exported('status=REJECTED')).map((r) => r[0])).toEqual([rejected]);
  });

  it('leaves the holder, the merchant and the notes out: nothing a customer wrote reaches a cell', async () => {
    const res = await ledger.http.get('/accounts/export').expect(200);
    const list = (await ledger.http.get('/accounts?limit=500').expect(200)).body as { items: { holder: { nameMasked: string; idNumberMasked: string } | null }[] };
    const masked = list.items.flatMap((i) => (i.holder ? [i.holder.nameMasked, i.holder.idNumberMasked] : []));
    expect(masked.length).toBeGreaterThan(0);
    for (const text of [...masked, 'HYPERLINK', 'cmd|calc']) expect([text, res.text.includes(text)]).toEqual([text, false]);
    expect(parseCsv(res.text).flat().filter((cell) => /^[=+@\t\r]/.test(cell) || /^-(?!\d+(\.\d+)?$)/.test(cell))).toEqual([]);
  });

  it('is routed before GET /accounts/:id, whatever the case or a trailing slash', async () => {
    for (const path of ['/accounts/export', '/Accounts/EXPORT', '/accounts/export/']) {
      const res = await ledger.http.get(path);
      expect([path, res.status, res.headers['content-type']]).toEqual([path, 200, 'text/csv; charset=utf-8']);
    }
    const account = await ledger.http.get(`/accounts/${a}`).expect(200);
    expect(account.body.accountId).toBe(a);
  });

  it('takes the read-consistency parameters and refuses any other, or a bad value, with 400', async () => {
    const { position } = (await ledger.http.post(`/accounts/${c}/pay-score`).send({ payScore: 702 }).expect(201)).body;
    expect((await ledger.http.get(`/accounts/export?after=${position}&consistency=strong`)).status).toBe(200);
    expect((await ledger.http.get('/accounts/export?consistency=eventual&sort=daysPastDue')).status).toBe(200);
    const payScore = (await exported(`flag=suspended&after=${position}`))[0][COLUMNS.indexOf('payScore')];
    expect(payScore).toBe('702');
    for (const query of ['limit=10', 'offset=0', `cursor=${a}`, 'foo=1', 'status=NOPE', 'bucket=M9', 'flag=closed', 'sort=balance', 'consistency=sometimes', 'after=abc', 'after=99999999']) {
      const res = await ledger.http.get(`/accounts/export?${query}`);
      expect([query, res.status, res.body.error]).toEqual([query, 400, 'VALIDATION_FAILED']);
    }
  });

  it('lets a viewer key export, and no caller without a key', async () => {
    const viewer = await ledger.as('viewer').get('/accounts/export?sort=daysPastDue');
    expect([viewer.status, viewer.headers['content-type']]).toEqual([200, 'text/csv; charset=utf-8']);
    expect(viewer.text).toBe((await ledger.http.get('/accounts/export?sort=daysPastDue')).text);
    expect((await ledger.as('auditor').get('/accounts/export')).status).toBe(200);
    expect((await ledger.as('anonymous').get('/accounts/export')).status).toBe(401);
  });
});
