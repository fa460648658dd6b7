/**
 * The OpenAPI document at /docs-json against what the API answers: every status a real request gets is
 * documented for its route, every error answer points at the error body, the roles a 403 names are the
 * ones the guard applies, and the command and operations answers carry exactly the documented fields.
 */
import type { Response } from 'supertest';
import { defaultAccess } from '../../apps/ledger-api/src/auth/access-policy';
import { application, draw, openAccount, startLedger, type TestLedger } from '../support/ledger-app';

interface Schema {
  $ref?: string;
  type?: string;
  pattern?: string;
  enum?: unknown[];
  nullable?: boolean;
  description?: string;
  properties?: Record<string, Schema>;
  allOf?: Schema[];
  required?: string[];
}
interface Operation {
  parameters?: { name: string; in: string; description?: string; schema?: Schema }[];
  requestBody?: unknown;
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }>; headers?: Record<string, { schema: Schema }> }>;
  security?: unknown[];
}
interface Document {
  info: { description: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

/** Every schema object in `value`, with where it is. */
function schemasIn(value: unknown, at = ''): [string, Schema][] {
  if (value === null || typeof value !== 'object') return [];
  const own: [string, Schema][] = 'type' in value || 'nullable' in value || 'pattern' in value || 'enum' in value ? [[at, value as Schema]] : [];
  return [...own, ...Object.entries(value).flatMap(([key, child]) => schemasIn(child, `${at}/${key}`))];
}

describe('the OpenAPI document', () => {
  let ledger: TestLedger;
  let doc: Document;
  let account: string;

  beforeAll(async () => {
    ledger = await startLedger();
    doc = (await ledger.http.get('/docs-json').expect(200)).body as Document;
    account = await openAccount(ledger, '1990-03-04', 71);
  });
  afterAll(async () => ledger.close());

  /** The operation a concrete request reached, by the document's path templates. */
  function operationOf(method: string, path: string): { template: string; op: Operation } {
    const bare = path.split('?')[0];
    for (const [template, item] of Object.entries(doc.paths)) {
      const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
      const op = item[method.toLowerCase()];
      if (op && pattern.test(bare)) return { template, op };
    }
    throw new Error(`no documented operation for ${method} ${bare}`);
  }

  /** The property names of a schema, following $ref and allOf (a subclass's schema). */
  function propertiesOf(schema: Schema): string[] {
    if (schema.$ref) return propertiesOf(doc.components.schemas[schema.$ref.split('/').pop() as string]);
    return [...Object.keys(schema.properties ?? {}), ...(schema.allOf ?? []).flatMap(propertiesOf)];
  }

  function expectDocumented(method: string, path: string, res: Response): Operation {
    const { template, op } = operationOf(method, path);
    expect([method, template, res.status, Object.keys(op.responses)]).toEqual([method, template, res.status, expect.arrayContaining([String(res.status)])]);
    expect([method, template, res.status, typeof res.headers['x-request-id']]).toEqual([method, template, res.status, 'string']);
    if (res.headers['retry-after'] !== undefined) expect([method, template, res.status, op.responses[res.status].headers?.['Retry-After']]).toEqual([method, template, res.status, expect.anything()]);
    if (res.status >= 400) {
      expect(Object.keys(res.body).sort()).toEqual(propertiesOf(op.responses[res.status].content!['application/json'].schema).sort());
      expect(op.responses[res.status].description).toContain(res.body.error);
    }
    return op;
  }

  it('points every error answer of every route at the error body, whose fields the filter always sends, but the health probes\' 503', () => {
    expect(propertiesOf({ $ref: '#/components/schemas/ErrorBodySchema' }).sort()).toEqual(['details', 'error', 'message']);
    const errors = Object.entries(doc.paths).flatMap(([path, item]) => Object.values(item).flatMap((op) => Object.entries(op.responses).filter(([status]) => Number(status) >= 400).map(([status, response]) => [path, status, response] as const)));
    expect(errors.length).toBeGreaterThan(100);
    const probes = ['/health', '/health/ready'];
    for (const [path, status, response] of errors) {
      const own = probes.includes(path) && status === '503' ? (path === '/health' ? 'HealthSummarySchema' : 'HealthCheckSchema') : 'ErrorBodySchema';
      expect([path, status, response.content?.['application/json'].schema]).toEqual([path, status, { $ref: `#/components/schemas/${own}` }]);
    }
  });

  it("documents none of the read models' refusals for the reads of the log itself, and the read models' for the others", () => {
    const readsLog = ['/accounts/{id}/next-statement', '/accounts/{id}/installments', '/accounts/{id}/installment-quote', '/accounts/{id}/controls'];
    for (const path of readsLog) {
      const responses = doc.paths[path].get.responses;
      expect([path, responses['503']?.description ?? '']).toEqual([path, expect.not.stringContaining('READ_MODELS_BEHIND')]);
      expect([path, responses['400'].description]).toEqual([path, expect.not.stringContaining('past the head of the log')]);
      expect([path, responses['404'].description]).toEqual([path, 'ACCOUNT_NOT_FOUND']);
    }
    const statements = doc.paths['/accounts/{id}/statements'].get.responses;
    expect([statements['503'].description, statements['400'].description]).toEqual([expect.stringContaining('READ_MODELS_BEHIND'), expect.stringContaining('past the head of the log')]);
  });

  it('names in each 403 the roles the guard lets through, and asks no key of the open routes', () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const access = defaultAccess(method, path);
        if (access === 'open') {
          expect([path, op.security]).toEqual([path, []]);
          expect(op.responses['401']).toBeUndefined();
        } else {
          expect(op.responses['403'].description).toContain(`role ${access.join(', ')}`);
          // Every route behind a key reads or writes the store, and may find it unavailable.
          expect([path, method, op.responses['503']?.description]).toEqual([path, method, expect.stringContaining('STORE_UNAVAILABLE')]);
        }
      }
    }
  });

  it('says how null is allowed where it is: a type beside `nullable` (an enum listing null too), or the nullable $ref idiom described as nullable', () => {
    const nullable = schemasIn(doc).filter(([, schema]) => schema.nullable === true);
    expect(nullable.length).toBeGreaterThan(30);
    for (const [at, schema] of nullable) {
      expect([at, typeof schema.type]).toEqual([at, 'string']);
      if (schema.enum) expect([at, schema.enum]).toEqual([at, expect.arrayContaining([null])]);
      if (schema.allOf) expect([at, schema.allOf.length, schema.allOf[0].$ref !== undefined, /\bnull\b/.test(schema.description ?? '')]).toEqual([at, 1, true, true]);
    }
    // No enum anywhere lists null without allowing it.
    for (const [at, schema] of schemasIn(doc).filter(([, s]) => s.enum?.includes(null))) expect([at, schema.nullable]).toEqual([at, true]);
  });

  it('documents the read-consistency parameters on every read of the accounts and the portfolio but the audit reads of the log', () => {
    const audit = /\/(history|disputes|explanation)(\/|$)/;
    const reads = Object.entries(doc.paths).filter(([path, item]) => /^\/(accounts|portfolio)(\/|$)/.test(path) && !audit.test(path) && item.get !== undefined);
    expect(reads.length).toBeGreaterThan(15);
    for (const [path, item] of reads) {
      expect([path, item.get!.parameters!.filter((p) => p.in === 'query' && ['after', 'consistency'].includes(p.name)).map((p) => p.name).sort()]).toEqual([path, ['after', 'consistency']]);
    }
  });

  it('types counts as integers and publishes patterns a linear-time engine (RE2) compiles, the amount rule on every amount a request takes', () => {
    const schemas = doc.components.schemas;
    expect([schemas.ClockSchema.properties!.daysNotClosed.type, schemas.EndOfDayReportSchema.properties!.accounts.type]).toEqual(['integer', 'integer']);
    expect(schemasIn(doc).filter(([, schema]) => schema.type === 'number')).toEqual([]);
    const patterns = schemasIn(doc).filter(([, schema]) => schema.pattern !== undefined);
    expect(patterns.filter(([, schema]) => /\(\?<?[=!]|\\[1-9]/.test(schema.pattern!))).toEqual([]);
    const amount = schemas.DrawDto.properties!.amount.pattern;
    expect(schemas.ControlsDto.properties!.singleTransactionLimit).toMatchObject({ type: 'string', nullable: true, pattern: amount });
    for (const dto of ['RefundDto', 'RepaymentDto']) expect([dto, schemas[dto].properties!.amount.pattern]).toEqual([dto, amount]);
    expect(doc.paths['/accounts/{id}/installment-quote'].get.parameters!.find((p) => p.name === 'amount')!.schema!.pattern).toBe(amount);
    const rule = new RegExp(amount!);
    expect(['0.01', '0.1', '0.10', '100', '100.00', '9999999999.99'].filter((a) => !rule.test(a))).toEqual([]);
    expect(['0', '0.00', '00.5', '01', '10000000000'].filter((a) => rule.test(a))).toEqual([]);
    expect(schemas.AccountViewSchema.properties!.updatedPosition).toMatchObject({ type: 'string', pattern: '^\\d+$' });
  });

  it('documents on every operation the 400 of an unreadable path, and on every route behind a key the 400 of a query parameter it does not take, as the API answers them', async () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        expect([method, path, op.responses['400']?.description]).toEqual([method, path, expect.stringContaining('MALFORMED_REQUEST')]);
        if (defaultAccess(method, path) === 'open') continue;
        expect([method, path, op.responses['400'].description]).toEqual([method, path, expect.stringContaining('VALIDATION_FAILED')]);
        // Refused before anything runs: no command here changes the ledger.
        const concrete = path.replace('{id}', account).replace('{month}', '2026-01').replace(/\{\w+\}/g, 'X');
        const res = await ledger.http[method as 'get' | 'post' | 'put'](`${concrete}?x=1`);
        expect([method, path, res.status, res.body.error]).toEqual([method, path, 400, 'VALIDATION_FAILED']);
        expectDocumented(method.toUpperCase(), concrete, res);
      }
    }
    const unreadable = await ledger.http.get('/accounts/%E0%A4%A/controls');
    expect([unreadable.status, unreadable.body.error, typeof unreadable.headers['x-request-id']]).toEqual([400, 'MALFORMED_REQUEST', 'string']);
  });

  it('documents the headers the answers carry: X-Request-Id on every answer, Retry-After on 429 and 503, Content-Disposition on the CSV export', async () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        for (const [status, response] of Object.entries(op.responses)) {
          expect([method, path, status, response.headers?.['X-Request-Id']?.schema]).toEqual([method, path, status, { type: 'string' }]);
          if (status === '429' || (status === '503' && defaultAccess(method, path) !== 'open')) expect([method, path, status, response.headers?.['Retry-After']?.schema.type]).toEqual([method, path, status, 'integer']);
        }
      }
    }
    const disposition = doc.paths['/accounts/export'].get.responses['200'].headers!['Content-Disposition'].schema;
    const exported = await ledger.http.get('/accounts/export').expect(200);
    expect(exported.headers['content-disposition']).toMatch(new RegExp(disposition.pattern!));
  });

  it('names in its description the 405 no operation can list, as the API answers it', async () => {
    expect(doc.info.description).toContain('405 METHOD_NOT_ALLOWED');
    const res = await ledger.http.delete('/operations/clock');
    expect([res.status, res.body.error, res.headers.allow, typeof res.headers['x-request-id']]).toEqual([405, 'METHOD_NOT_ALLOWED', 'GET, HEAD, PUT', 'string']);
  });

  it('documents 409 BUSINESS_DAY_NOT_CLOSED on the dated commands, which the API answers while the day before is not closed, and scopes an application\'s Idempotency-Key to the applicant', async () => {
    const other = await startLedger();
    try {
      const id = await openAccount(other, '1990-03-04', 75);
      const keyed = await other.http.post('/applications').set('Idempotency-Key', 'K-1').send(application('1991-01-01', 76));
      // The same key with another ID number is another applicant's first application, not a reuse.
      const sameKey = await other.http.post('/applications').set('Idempotency-Key', 'K-1').send(application('1991-01-01', 77));
      expect([keyed.status, sameKey.status, sameKey.body.replayed, sameKey.body.accountId === keyed.body.accountId]).toEqual([201, 201, false, false]);
      const header = doc.paths['/applications'].post.parameters!.find((p) => p.name === 'Idempotency-Key')!;
      expect(header.description).toContain('another idNumber is a new application');
      await other.setClock('2026-01-03T09:00:00+08:00');
      const requests: [string, string, () => Promise<Response>][] = [
        ['POST', '/applications', () => other.http.post('/applications').send(application('1992-02-02', 78))],
        ['POST', `/accounts/${id}/draws`, () => other.http.post(`/accounts/${id}/draws`).send(draw('D-1', '1.00'))],
      ];
      for (const [method, path, send] of requests) {
        const res = await send();
        expect([method, path, res.status, res.body.error]).toEqual([method, path, 409, 'BUSINESS_DAY_NOT_CLOSED']);
        expectDocumented(method, path, res);
      }
    } finally {
      await other.close();
    }
  });

  it('documents each status the API answers, with the code it sends', async () => {
    const drawPath = `/accounts/${account}/draws`;
    const requests: [string, string, () => Promise<Response>][] = [
      ['GET', '/accounts', () => ledger.as('anonymous').get('/accounts')],
      ['GET', '/accounts', () => ledger.http.get('/accounts').set('Authorization', 'Bearer not-a-key')],
      ['POST', drawPath, () => ledger.as('viewer').post(drawPath).send(draw('O-1', '1.00'))],
      ['POST', drawPath, () => ledger.http.post(drawPath).send(draw('O-2', '12.34'))],
      ['POST', drawPath, () => ledger.http.post(drawPath).send(draw('O-3', '1.00', 'PASSWORD', false))],
      ['POST', drawPath, () => ledger.http.post(drawPath).set('content-type', 'application/json').send('{"orderId":')],
      ['POST', drawPath, () => ledger.http.post(drawPath).set('content-type', 'text/plain').send('x')],
      ['POST', drawPath, () => ledger.http.post(drawPath).send({ ...draw('O-4', '1.00'), merchant: 'x'.repeat(70_000) })],
      ['POST', `/accounts/${account}/repayments`, () => ledger.http.post(`/accounts/${account}/repayments`).send({ reference: 'O-R1', amount: '99999.00', channel: 'MANUAL' })],
      ['POST', drawPath, () => ledger.http.post(drawPath).send(draw('O-2', '12.35'))],
      ['POST', '/accounts/nobody/draws', () => ledger.http.post('/accounts/nobody/draws').send(draw('O-6', '1.00'))],
      ['PUT', `/accounts/${account}/controls`, () => ledger.http.put(`/accounts/${account}/controls`).send({ singleTransactionLimit: '500.00', nightLock: false })],
      ['POST', '/applications', () => ledger.http.post('/applications').send(application('1992-02-02', 72))],
      ['POST', '/applications', () => ledger.http.post('/applications').send({ ...application('1992-02-02', 73), idNumber: '123' })],
      ['GET', `/accounts/${account}`, () => ledger.http.get(`/accounts/${account}?after=abc`)],
      ['GET', `/accounts/${account}`, () => ledger.http.get(`/accounts/${account}?after=999999999`)],
      ['GET', `/accounts/${account}`, () => ledger.http.get(`/accounts/${account}`)],
      ['GET', `/accounts/${account}/installment-quote`, () => ledger.http.get(`/accounts/${account}/installment-quote?amount=600.00&periods=5`)],
      ['GET', `/accounts/${account}/installment-quote`, () => ledger.http.get(`/accounts/${account}/installment-quote?amount=100.00&periods=6`)],
      ['GET', `/accounts/${account}/history`, () => ledger.http.get(`/accounts/${account}/history?businessDate=2030-01-01`)],
      ['GET', `/accounts/${account}/history`, () => ledger.http.get(`/accounts/${account}/history?businessDate=2030-02-30`)],
      ['GET', `/accounts/${account}/statements/2026-1/explanation`, () => ledger.http.get(`/accounts/${account}/statements/2026-1/explanation`)],
      ['GET', '/portfolio/vintages', () => ledger.http.get('/portfolio/vintages?from=2026-03&to=2026-02')],
      ['GET', '/portfolio/roll-rates', () => ledger.http.get('/portfolio/roll-rates?to=March')],
      ['GET', '/operations/clock', () => ledger.http.get('/operations/clock')],
      ['PUT', '/operations/clock', () => ledger.http.put('/operations/clock').send({ now: '2020-01-01T00:00:00+08:00' })],
      ['PUT', '/operations/clock', () => ledger.http.put('/operations/clock').send({ now: 'soon' })],
      ['POST', '/operations/end-of-day', () => ledger.http.post('/operations/end-of-day').send({ businessDate: '2026-13-01' })],
      ['POST', '/operations/end-of-day', () => ledger.http.post('/operations/end-of-day').send({ businessDate: '2026-01-02' })],
    ];
    const seen = new Set<string>();
    for (const [method, path, send] of requests) {
      const res = await send();
      expectDocumented(method, path, res);
      seen.add(String(res.status));
    }
    // The requests above reach every kind of answer the document lists, not only the easy ones.
    expect([...seen].sort()).toEqual(['200', '201', '400', '401', '403', '404', '409', '413', '415', '422']);
  });

  it("gives examples the API takes: an application whose ID number, pay score and card are the documented examples is approved", async () => {
    const schemas = doc.components.schemas as Record<string, { properties: Record<string, { example?: unknown }> }>;
    const example = (schema: string, field: string) => schemas[schema].properties[field].example;
    const submitted = await ledger.http.post('/applications').send(application('1990-05-17', 1, { idNumber: example('SubmitApplicationDto', 'idNumber'), payScore: example('SubmitApplicationDto', 'payScore') }));
    expect([submitted.status, submitted.body.events?.at(-1)?.type]).toEqual([201, 'ApplicationApproved']);
    const activation = { agreementVersion: example('ActivationDto', 'agreementVersion'), autoRepayCardLast4: example('ActivationDto', 'autoRepayCardLast4') };
    await ledger.http.post(`/accounts/${submitted.body.accountId}/activation`).send(activation).expect(201);
  });

  it('lists exactly the fields the command, draw, application, clock and end-of-day answers carry', async () => {
    const fields = (method: string, path: string, res: Response) => {
      const op = expectDocumented(method, path, res);
      return propertiesOf(op.responses[res.status].content!['application/json'].schema).sort();
    };
    const drawPath = `/accounts/${account}/draws`;
    const posted = await ledger.http.post(drawPath).send(draw('F-1', '20.00'));
    expect(Object.keys(posted.body).sort()).toEqual(fields('POST', drawPath, posted));
    const declined = await ledger.http.post(drawPath).send(draw('F-2', '20.00', 'FACE', false));
    expect(declined.status).toBe(200);
    expect(Object.keys(declined.body).sort()).toEqual(fields('POST', drawPath, declined));
    const repaid = await ledger.http.post(`/accounts/${account}/repayments`).send({ reference: 'F-R1', amount: '5.00', channel: 'MANUAL' });
    expect(Object.keys(repaid.body).sort()).toEqual(fields('POST', `/accounts/${account}/repayments`, repaid));
    expect(Object.keys(repaid.body.account).sort()).toEqual(propertiesOf({ $ref: '#/components/schemas/AccountSummarySchema' }).sort());
    const approved = await ledger.http.post('/applications').send(application('1988-08-08', 74));
    expect(approved.body.decision).toBe('APPROVED');
    expect(Object.keys(approved.body).sort()).toEqual(fields('POST', '/applications', approved));
    const clock = await ledger.http.get('/operations/clock');
    expect(Object.keys(clock.body).sort()).toEqual(fields('GET', '/operations/clock', clock));
    await ledger.setClock('2026-01-03T00:05:00+08:00');
    const closed = await ledger.http.post('/operations/end-of-day').send({ businessDate: '2026-01-02' });
    expect(Object.keys(closed.body).sort()).toEqual(fields('POST', '/operations/end-of-day', closed));
  });
});
