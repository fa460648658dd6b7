/**
 * The read answers against the OpenAPI document at /docs-json: every GET route behind an API key
 * documents its 200 answer with a JSON schema (the CSV export: with a text/csv string schema whose pattern is
 * its header row), and the real answers of a small ledger with activity
 * (draws, an installment plan, a refund, repayments, a statement, an upheld dispute, an overdue, a
 * quarterly review, a rejected application) validate against it with ajv. The validation is strict so
 * that drift shows: an object schema refuses any property it does not list (unless it declares an open
 * map with `additionalProperties`) and requires those it marks required.
 */
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { defaultAccess } from '../../apps/ledger-api/src/auth/access-policy';
import { application, draw, openAccount, startLedger, type TestLedger } from '../support/ledger-app';

type Schema = Record<string, unknown>;
interface Operation {
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

/**
 * A schema of the document as strict JSON Schema for ajv: examples go, `#/components/schemas/X` points
 * into the `components` schema, and an object schema listing properties refuses others unless it says
 * what else it takes. OpenAPI 3.0.3's `nullable` adds null to the type named in the same schema and
 * nothing else: a schema with a `type` also takes null, but an enum still refuses null unless it lists
 * it. The `allOf: [{ $ref }]` idiom for a nullable object, which generators read as such, takes null too;
 * any other `nullable` without a type adds nothing.
 */
function strict(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strict);
  if (schema === null || typeof schema !== 'object') return schema;
  const source = schema as Schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(source)) {
    if (key === 'example' || key === 'nullable') continue;
    if (key === '$ref') out.$ref = String(value).replace('#/components/schemas/', 'components#/$defs/');
    else if (key === 'properties') out.properties = Object.fromEntries(Object.entries(value as Schema).map(([name, s]) => [name, strict(s)]));
    else out[key] = strict(value);
  }
  if (out.properties !== undefined && !('additionalProperties' in out)) out.additionalProperties = false;
  const refIdiom = Array.isArray(source.allOf) && source.allOf.length === 1 && '$ref' in (source.allOf[0] as Schema);
  if (source.nullable !== true || (typeof source.type !== 'string' && !refIdiom)) return out;
  const { enum: values, ...typed } = out;
  return values === undefined ? { anyOf: [{ type: 'null' }, out] } : { anyOf: [{ type: 'null' }, typed], enum: values };
}

describe('the documented read answers', () => {
  let ledger: TestLedger;
  let doc: Document;
  let ajv: Ajv;
  /** a: overdue and frozen; b: installments, a refund, repayments, an upheld and an open dispute; c: an installment plan prepaid. */
  let a: string;
  let b: string;
  let c: string;

  beforeAll(async () => {
    // Late in a quarter, so that 25 closed days give a statement, a quarterly review and an overdue.
    ledger = await startLedger({ LEDGER_CLOCK_START: '2026-03-20T09:00:00+08:00' });
    const http = ledger.http;
    a = await openAccount(ledger, '1993-07-21', 81);
    b = await openAccount(ledger, '1990-11-02', 82);
    c = await openAccount(ledger, '1985-05-05', 83);
    await http.post('/applications').send(application('1992-03-04', 84, { payScore: 580 })).expect(201);
    await http.post(`/accounts/${a}/draws`).send(draw('A-1', '400.00')).expect(201);
    await http.post(`/accounts/${b}/draws`).send(draw('B-sofa', '600.00')).expect(201);
    await http.post(`/accounts/${b}/draws/B-sofa/installments`).send({ periods: 3 }).expect(201);
    await http.post(`/accounts/${b}/draws`).send(draw('B-shoes', '400.00')).expect(201);
    await http.post(`/accounts/${b}/draws`).send(draw('B-stolen', '300.00')).expect(201);
    await http.post(`/accounts/${b}/draws/B-shoes/refunds`).send({ refundId: 'RF-1', amount: '100.00' }).expect(201);
    await http.post(`/accounts/${b}/repayments`).send({ reference: 'B-pay-0', amount: '50.00', channel: 'MANUAL' }).expect(201);
    await http.post(`/accounts/${c}/draws`).send(draw('C-tv', '300.00')).expect(201);
    await http.post(`/accounts/${c}/draws/C-tv/installments`).send({ periods: 3 }).expect(201);
    await http.post(`/accounts/${c}/repayments`).send({ reference: 'C-pay-0', amount: '10.00', channel: 'MANUAL' }).expect(201);
    await ledger.closeDays('2026-03-20', '2026-03-31');
    const statement = await http.get(`/accounts/${b}/statements/2026-03`).expect(200);
    await http.post(`/accounts/${b}/repayments`).send({ reference: 'B-pay-1', amount: statement.body.minimumRepayment, channel: 'MANUAL' }).expect(201);
    await http.post(`/accounts/${b}/disputes`).send({ disputeId: 'DP-1', drawId: 'B-stolen', reason: 'not my purchase' }).expect(201);
    await http.post(`/accounts/${b}/disputes/DP-1/resolution`).send({ upheld: true, note: 'confirmed fraud' }).expect(201);
    await http.post(`/accounts/${b}/disputes`).send({ disputeId: 'DP-2', drawId: 'B-shoes', reason: 'wrong size' }).expect(201);
    // a pays nothing: overdue from 04-11 (M1), frozen from 04-14.
    await ledger.closeDays('2026-04-01', '2026-04-13');

    doc = (await http.get('/docs-json').expect(200)).body as Document;
    ajv = new Ajv({ allErrors: true, strict: true });
    addFormats(ajv);
    ajv.addSchema({ $id: 'components', $defs: Object.fromEntries(Object.entries(doc.components.schemas).map(([name, s]) => [name, strict(s)])) });
  });
  afterAll(async () => ledger?.close());

  /** The GET routes behind an API key: those integrators read (health and metrics are open probes). */
  function keyedGetRoutes(): [string, Operation][] {
    return Object.entries(doc.paths)
      .filter(([path, item]) => item.get !== undefined && defaultAccess('get', path) !== 'open')
      .map(([path, item]) => [path, item.get]);
  }

  /** The GET routes whose 200 answer is CSV text rather than JSON. */
  const CSV_ROUTES = ['/accounts/export'];

  /** The route template a concrete path reached: a static path before a template (`/accounts/export` is not `/accounts/{id}`), as the router does. */
  function templateOf(path: string): string {
    const bare = path.split('?')[0];
    if (doc.paths[bare]?.get) return bare;
    const template = Object.keys(doc.paths).find((t) => doc.paths[t].get && new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(bare));
    if (!template) throw new Error(`no documented GET for ${bare}`);
    return template;
  }

  /** The media type a route's 200 answer is documented with. */
  const mediaOf = (template: string) => (CSV_ROUTES.includes(template) ? 'text/csv' : 'application/json');

  function validator(template: string) {
    return ajv.compile(strict(doc.paths[template].get.responses['200'].content![mediaOf(template)].schema) as Schema);
  }

  function problems(template: string, body: unknown): string[] {
    const validate = validator(template);
    return validate(body) ? [] : (validate.errors as ErrorObject[]).map((e) => `${template}: ${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
  }

  it('documents the 200 answer of every GET route behind a key with a JSON schema', () => {
    const routes = keyedGetRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(13);
    for (const [path, op] of routes) {
      const ok = op.responses['200'];
      // Exactly one media type: JSON, or for the CSV routes text/csv alone.
      expect([path, Object.keys(ok?.content ?? {})]).toEqual([path, [mediaOf(path)]]);
      const schema = ok.content![mediaOf(path)].schema;
      expect([path, typeof schema === 'object' && schema !== null && ('$ref' in schema || 'type' in schema)]).toEqual([path, true]);
      expect(() => validator(path)).not.toThrow();
    }
    // A CSV answer is a string whose documented pattern is its header row, and the description names the columns.
    for (const path of CSV_ROUTES) {
      const ok = doc.paths[path].get.responses['200'];
      const schema = ok.content!['text/csv'].schema as { type: string; pattern: string };
      expect([path, schema.type, schema.pattern.startsWith('^accountId,status,')]).toEqual([path, 'string', true]);
      for (const column of schema.pattern.slice(1).split('\\r')[0].split(',')) expect([path, ok.description.includes(column)]).toEqual([path, true]);
    }
  });

  it('documents the health probes with their own body, ready (200) or not (503), and their answers validate', async () => {
    for (const path of ['/health', '/health/ready', '/health/live']) {
      const answer = await ledger.as('anonymous').get(path).expect(200);
      expect(problems(path, answer.body)).toEqual([]);
      const responses = doc.paths[path].get.responses;
      if (path !== '/health/live') expect([path, responses['503'].content!['application/json'].schema]).toEqual([path, responses['200'].content!['application/json'].schema]);
    }
    // Not ready: the same shape, with the store down.
    const down = { status: 'error', info: {}, error: { store: { status: 'down', kind: 'sqlite', head: null, error: 'SQLITE_BUSY' } }, details: { store: { status: 'down', kind: 'sqlite', head: null, error: 'SQLITE_BUSY' } } };
    expect(problems('/health/ready', down)).toEqual([]);
    expect(problems('/health/ready', { ...down, details: { store: { kind: 'sqlite' } } })).toEqual([expect.stringContaining("must have required property 'status'")]);
    const summary = (await ledger.as('anonymous').get('/health').expect(200)).body;
    expect(problems('/health', { ...summary, projections: { ...summary.projections, state: 'sleeping' } })).not.toEqual([]);
  });

  it('refuses an answer with a field the schema does not list, or without one it requires', async () => {
    const account = (await ledger.http.get(`/accounts/${a}`).expect(200)).body;
    expect(problems('/accounts/{id}', account)).toEqual([]);
    expect(problems('/accounts/{id}', { ...account, extra: 1 })).toEqual([expect.stringContaining('must NOT have additional properties')]);
    expect(problems('/accounts/{id}', { ...account, owed: { ...account.owed, extra: '1.00' } })).toEqual([expect.stringContaining('/owed must NOT have additional properties')]);
    const { payScore: _payScore, ...withoutPayScore } = account;
    expect(problems('/accounts/{id}', withoutPayScore)).toEqual([expect.stringContaining("must have required property 'payScore'")]);
    expect(problems('/accounts/{id}', { ...account, limit: 2000 })).not.toEqual([]);
    expect(problems('/accounts/{id}', { ...account, holder: null, lastStatementId: null })).toEqual([]);
    // A nullable enum takes null and its values, nothing else; a log position is a decimal string.
    expect(account.overdue.kind).toBe('MINIMUM_NOT_PAID');
    expect(problems('/accounts/{id}', { ...account, channel: null, overdue: { ...account.overdue, kind: null } })).toEqual([]);
    expect(problems('/accounts/{id}', { ...account, overdue: { ...account.overdue, kind: 'LATE' } })).not.toEqual([]);
    expect(problems('/accounts/{id}', { ...account, updatedPosition: Number(account.updatedPosition) })).not.toEqual([]);
    // An open map takes any key, but only values of its documented shape.
    const portfolio = (await ledger.http.get('/portfolio').expect(200)).body;
    expect(problems('/portfolio', { ...portfolio, accountsByStatus: { ...portfolio.accountsByStatus, SOMETHING_NEW: 3 } })).toEqual([]);
    expect(problems('/portfolio', { ...portfolio, accountsByStatus: { SOMETHING_NEW: '3' } })).not.toEqual([]);
  });

  it('answers every documented read with exactly the documented fields', async () => {
    const range = 'from=2026-03-20&to=2026-04-13';
    const paths = [
      '/operations/clock',
      '/portfolio',
      `/portfolio/accruals?${range}`,
      `/portfolio/trial-balance?${range}`,
      '/portfolio/journal-days?from=2026-03-01&to=2026-04-13',
      '/portfolio/vintages',
      '/portfolio/vintages?from=2026-03&to=2026-04',
      '/portfolio/roll-rates',
      '/portfolio/roll-rates?from=2026-03',
      '/accounts',
      '/accounts?limit=1',
      '/accounts?status=REJECTED',
      `/accounts/${a}`,
      `/accounts/${b}`,
      `/accounts/${b}/statements`,
      `/accounts/${a}/statements/2026-03`,
      `/accounts/${b}/accruals?${range}`,
      `/accounts/${a}/accruals?from=2026-05-01&to=2026-05-31`,
      `/accounts/${b}/limit-reviews`,
      `/accounts/${b}/installment-quote?amount=600.00&periods=3`,
      `/accounts/${a}/installments`,
      `/accounts/${b}/installments`,
      `/accounts/${c}/installments`,
      `/accounts/${b}/controls`,
      `/accounts/${a}/next-statement`,
      `/accounts/${b}/next-statement`,
      `/accounts/${b}/history`,
      `/accounts/${b}/history?businessDate=2026-03-31`,
      `/accounts/${b}/history?revision=0`,
      `/accounts/${b}/history?asOf=2020-01-01`,
      `/accounts/${b}/history?position=1`,
      `/accounts/${b}/history?limit=2`,
      `/accounts/${b}/history/statements`,
      `/accounts/${b}/history/statements?businessDate=2026-03-31`,
      `/accounts/${a}/disputes`,
      `/accounts/${b}/disputes`,
      `/accounts/${a}/statements/2026-03/explanation`,
      `/accounts/${b}/statements/2026-03/explanation`,
      `/accounts/${c}/statements/2026-03/explanation`,
      '/accounts/export',
      '/accounts/export?status=REJECTED&sort=daysPastDue',
    ];
    const found: string[] = [];
    const reached = new Set<string>();
    for (const path of paths) {
      const res = await ledger.http.get(path);
      expect([path, res.status]).toEqual([path, 200]);
      const template = templateOf(path);
      reached.add(template);
      expect([path, res.headers['content-type']]).toEqual([path, mediaOf(template) === 'text/csv' ? 'text/csv; charset=utf-8' : expect.stringMatching(/^application\/json/)]);
      found.push(...problems(template, mediaOf(template) === 'text/csv' ? res.text : res.body));
    }
    expect(found).toEqual([]);
    // Every read route was exercised, so a route added without a sample here fails.
    expect([...reached].sort()).toEqual(keyedGetRoutes().map(([path]) => path).sort());
  });

  it('covered the shapes that are easy to get wrong: paging, nulls, the open maps, the allocation union', async () => {
    const page = (await ledger.http.get('/accounts?limit=1').expect(200)).body;
    expect(page.nextCursor).toEqual(expect.any(String));
    const portfolio = (await ledger.http.get('/portfolio').expect(200)).body;
    expect(portfolio.exposure.restricted.byReason).toHaveProperty('FROZEN_OVERDUE');
    expect(portfolio.funnel.rejectionReasons).toHaveProperty('PAY_SCORE_TOO_LOW');
    expect((await ledger.http.get(`/accounts/${b}`).expect(200)).body.overdue).toMatchObject({ since: null, kind: null });
    const disputes = (await ledger.http.get(`/accounts/${b}/disputes`).expect(200)).body.disputes;
    expect(disputes.map((d: { reversal: unknown }) => d.reversal === null)).toEqual([false, true]);
    const targets = new Set<string>();
    for (const account of [a, b, c]) {
      const explanation = (await ledger.http.get(`/accounts/${account}/statements/2026-03/explanation`).expect(200)).body;
      for (const payment of explanation.payments) for (const line of payment.allocation) targets.add(line.target);
    }
    expect([...targets].sort()).toEqual(['STATEMENT', 'UNBILLED_INSTALLMENT', 'UNBILLED_REVOLVING']);
    expect((await ledger.http.get(`/accounts/${b}/history?asOf=2020-01-01`).expect(200)).body).toMatchObject({ events: [], balances: null });
    // An ended plan: its end and reason as a date and an enum, no payoff to quote; a reason it does not list is refused.
    const listing = (await ledger.http.get(`/accounts/${b}/installments`).expect(200)).body;
    expect(listing.plans[0].payoffToday).not.toBeNull();
    const ended = { ...listing.plans[0], status: 'ENDED', endedOn: '2026-04-02', endReason: 'PAID_OFF_EARLY', payoffToday: null };
    expect(problems('/accounts/{id}/installments', { ...listing, plans: [ended] })).toEqual([]);
    expect(problems('/accounts/{id}/installments', { ...listing, plans: [{ ...ended, endReason: 'CANCELLED' }] })).not.toEqual([]);
  });
});
