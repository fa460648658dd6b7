/**
 * The HTTP contract's edges: malformed input is 400 with the field named, unknown things are 404,
 * conflicts are 409, product refusals are 422, and none of them writes anything.
 */
import { gzipSync } from 'node:zlib';
import { CommandBus } from '@nestjs/cqrs';
import { ExecuteAccountCommand } from '@ledger/servicing';
import { requestHashes } from '../../apps/ledger-api/src/http/request-context';
import { application, draw, openAccount, startLedger, type TestLedger } from '../support/ledger-app';
import { idNumber } from '../support/id-numbers';

describe('the HTTP contract', () => {
  let ledger: TestLedger;
  let account: string;

  beforeAll(async () => {
    ledger = await startLedger();
    account = await openAccount(ledger, '1991-06-30', 41);
  });
  afterAll(async () => ledger.close());

  const head = async () => BigInt((await ledger.http.get('/health')).body.store.head);

  it('refuses a JSON number for money with 400 naming the field, and writes nothing', async () => {
    const before = await head();
    const res = await ledger.http.post(`/accounts/${account}/draws`).send({ ...draw('N-1', '1.00'), amount: 100 });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'VALIDATION_FAILED', details: [{ field: 'amount' }] });
    expect(await head()).toBe(before);
  });

  it.each([
    ['more than 2 decimals', '10.001'],
    ['zero', '0.00'],
    ['a negative amount', '-5.00'],
    ['an exponent', '1e3'],
    ['more than 10 integer digits', '12345678901.00'],
    ['a leading zero', '01'],
    ['leading zeros before a fraction', '00.5'],
  ])('refuses %s with 400', async (_label, amount) => {
    const res = await ledger.http.post(`/accounts/${account}/draws`).send(draw('N-2', amount));
    expect(res.status).toBe(400);
    expect(res.body.details[0].field).toBe('amount');
  });

  it('refuses unknown fields, missing fields and malformed JSON', async () => {
    expect((await ledger.http.post(`/accounts/${account}/draws`).send({ ...draw('N-3', '1.00'), tip: '1.00' })).body).toMatchObject({ error: 'VALIDATION_FAILED', details: [{ field: 'tip' }] });
    expect((await ledger.http.post(`/accounts/${account}/repayments`).send({ amount: '1.00' })).status).toBe(400);
    const malformed = await ledger.http.post(`/accounts/${account}/draws`).set('content-type', 'application/json').send('{"orderId":');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toBe('MALFORMED_JSON');
  });

  it('reads a body as JSON only, an empty one as {}, and writes nothing for any body it refuses', async () => {
    const before = await head();
    const drawPath = `/accounts/${account}/draws`;
    const empty = await ledger.http.post(drawPath).set('content-type', 'application/json').send('');
    expect(empty.status).toBe(400);
    expect(empty.body.error).toBe('VALIDATION_FAILED');
    expect(empty.body.details.map((d: { field: string }) => d.field)).toEqual(expect.arrayContaining(['orderId', 'amount']));
    const text = await ledger.http.post(drawPath).set('content-type', 'text/plain').send(JSON.stringify(draw('N-7', '1.00')));
    expect([text.status, text.body.error]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const scalar = await ledger.http.post(drawPath).set('content-type', 'application/json').send('"1.00"');
    expect([scalar.status, scalar.body.error, scalar.body.message]).toEqual([400, 'MALFORMED_JSON', 'the body must be a JSON object, not a string']);
    // JSON, but not an object: said as such, not as JSON that does not parse.
    const nothing = await ledger.http.post(drawPath).set('content-type', 'application/json').send('null');
    expect([nothing.status, nothing.body.error, nothing.body.message]).toEqual([400, 'MALFORMED_JSON', 'the body must be a JSON object, not null']);
    const broken = await ledger.http.post(drawPath).set('content-type', 'application/json').send('nul');
    expect([broken.status, broken.body.message]).toEqual([400, 'the body is not valid JSON']);
    const proto = await ledger.http.post(drawPath).set('content-type', 'application/json').send(`{"__proto__":{"admin":true},${JSON.stringify(draw('N-8', '1.00')).slice(1)}`);
    expect(proto.status).toBe(400);
    expect(proto.body).toMatchObject({ error: 'VALIDATION_FAILED', details: [{ field: '__proto__' }] });
    const large = await ledger.http.post(drawPath).send({ ...draw('N-9', '1.00'), merchant: 'x'.repeat(70_000) });
    expect(large.body).toEqual({ error: 'PAYLOAD_TOO_LARGE', message: 'the body is larger than 64 kB', details: [] });
    expect(large.status).toBe(413);
    const blank = await ledger.http.post(drawPath).set('content-type', 'application/json').send(' \n ');
    expect([blank.status, blank.body.error]).toEqual([400, 'MALFORMED_JSON']);
    const latin1 = await ledger.http.post(drawPath).set('content-type', 'application/json; charset=latin1').send(JSON.stringify(draw('N-10', '1.00')));
    expect([latin1.status, latin1.body.error]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const gzipped = await ledger.http.post(drawPath).set('content-type', 'application/json').set('content-encoding', 'gzip').send(gzipSync(JSON.stringify(draw('N-11', '1.00'))));
    expect([gzipped.status, gzipped.body.error]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const unlabelled = await ledger.http.post(drawPath).unset('content-type').send(Buffer.from(JSON.stringify(draw('N-12', '1.00'))));
    expect([unlabelled.status, unlabelled.body.error]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    // An empty body of another type is no body: refused field by field, as an empty JSON body is.
    const emptyForm = await ledger.http.post(drawPath).set('content-type', 'application/x-www-form-urlencoded').send('');
    expect([emptyForm.status, emptyForm.body.error, emptyForm.body.details[0].field]).toEqual([400, 'VALIDATION_FAILED', 'orderId']);
    expect(await head()).toBe(before);
  });

  it('takes a command without a body whatever type its empty body is labelled (curl -d \'\' sends a form)', async () => {
    const suspended = await openAccount(ledger, '1991-07-01', 45);
    for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'application/octet-stream']) {
      await ledger.http.post(`/accounts/${suspended}/risk-suspension`).send({ reason: 'OTHER', note: type }).expect(201);
      const cleared = await ledger.http.post(`/accounts/${suspended}/risk-suspension/clearance`).set('content-type', type).send('');
      expect([type, cleared.status, cleared.body.events?.[0]?.type]).toEqual([type, 201, 'SuspensionCleared']);
    }
  });

  it('matches a path with a trailing slash or in another case, and a long id reaches the ledger', async () => {
    expect((await ledger.http.get(`/accounts/${account}/`)).body).toMatchObject({ accountId: account });
    expect((await ledger.http.get(`/ACCOUNTS/${account}`)).body).toMatchObject({ accountId: account });
    const long = await ledger.http.get(`/accounts/acc_${'0'.repeat(3_000)}`);
    expect([long.status, long.body.error]).toEqual([404, 'ACCOUNT_NOT_FOUND']);
    const unreadable = await ledger.http.get('/accounts/%E0%A4%A').set('X-Request-Id', 'req-bad-path-1');
    expect([unreadable.status, unreadable.body.error, unreadable.headers['x-request-id']]).toEqual([400, 'MALFORMED_REQUEST', 'req-bad-path-1']);
    const insane = await ledger.http.get('/accounts/%E0%A4%A').set('X-Request-Id', 'not a token!');
    expect(insane.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends a caller without a key from the root path to the dashboard, and lists where the rest is', async () => {
    const root = await ledger.as('anonymous').get('/');
    expect([root.status, root.headers.location]).toEqual([302, '/dashboard']);
    expect(root.body).toMatchObject({ dashboard: '/dashboard', docs: '/docs', health: '/health/ready' });
    for (const path of Object.values(root.body as Record<string, string>)) {
      expect([path, (await ledger.as('anonymous').get(path)).status]).toEqual([path, 200]);
    }
  });

  it('refuses a body nested deeper than 32 levels with 400, and takes brackets inside strings as text', async () => {
    const before = await head();
    const path = `/accounts/${account}/pay-score`;
    const deep = await ledger.http.post(path).set('content-type', 'application/json').send(`{"payScore":700,"x":${'['.repeat(3000)}${']'.repeat(3000)}}`);
    expect([deep.status, deep.body.error]).toEqual([400, 'MALFORMED_JSON']);
    expect(deep.body.message).toContain('deeper than 32');
    const quoted = await ledger.http.post(path).send({ payScore: 700, note: '['.repeat(100) });
    expect(quoted.body.details[0].field).toBe('note');
    expect(await head()).toBe(before);
  });

  it('refuses a field named after what every object inherits, in a body at any depth and in a query string, writing nothing', async () => {
    const drawPath = `/accounts/${account}/draws`;
    const before = await ledger.http.get(`/accounts/${account}`);
    for (const name of ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__']) {
      const top = await ledger.http.post(drawPath).send({ ...draw(`I-${name}`, '1.00'), [name]: 1 });
      expect([name, top.status, top.body.error, top.body.details]).toEqual([name, 400, 'VALIDATION_FAILED', [{ field: name, problems: [`property ${name} should not exist`] }]]);
      const nested = await ledger.http.post(drawPath).send({ ...draw(`J-${name}`, '1.00'), authentication: { method: 'PASSWORD', passed: true, [name]: 1 } });
      expect([name, nested.status, nested.body.details[0].field]).toEqual([name, 400, `authentication.${name}`]);
      const query = await ledger.http.get(`/accounts?${name}=1`);
      expect([name, query.status, query.body.details[0].field]).toEqual([name, 400, name]);
    }
    // An escaped __proto__ is named as what it is.
    const escaped = await ledger.http.post(drawPath).set('content-type', 'application/json').send(`{"\\u005f_proto__":{},${JSON.stringify(draw('I-esc', '1.00')).slice(1)}`);
    expect([escaped.status, escaped.body.details[0].field]).toEqual([400, '__proto__']);
    expect((await ledger.http.get(`/accounts/${account}`)).body.updatedPosition).toBe(before.body.updatedPosition);
  });

  it('answers 404 for a dashboard file named after an object property, not 500', async () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const res = await ledger.as('anonymous').get(`/dashboard/${name}`);
      expect([name, res.status, res.body.error]).toEqual([name, 404, 'NOT_FOUND']);
    }
  });

  it('answers 405 with Allow for a path that exists under other methods, and 404 for one that does not', async () => {
    const wrong = await ledger.http.delete(`/Accounts/${account}/`);
    expect([wrong.status, wrong.headers.allow, wrong.body.error, wrong.body.details]).toEqual([405, 'GET, HEAD', 'METHOD_NOT_ALLOWED', [{ allowed: ['GET', 'HEAD'] }]]);
    expect(wrong.body.message).toBe(`DELETE is not a method of /Accounts/${account}/: it takes GET, HEAD`);
    const controls = await ledger.http.post(`/accounts/${account}/controls`).send({ nightLock: true });
    expect([controls.status, controls.headers.allow]).toEqual([405, 'GET, HEAD, PUT']);
    const draws = await ledger.http.get(`/accounts/${account}/draws`);
    expect([draws.status, draws.headers.allow]).toEqual([405, 'POST']);
    const nowhere = await ledger.http.get(`/accounts/${account}/nowhere`);
    expect([nowhere.status, nowhere.body.error, nowhere.headers.allow]).toEqual([404, 'NOT_FOUND', undefined]);
    // A route that takes GET and finds nothing there (the OpenAPI page's files) is a 404, not a 405 naming GET.
    const missing = await ledger.as('anonymous').get('/docs/json');
    expect([missing.status, missing.headers.allow]).toEqual([404, undefined]);
  });

  it("answers a static file's unmet Range or precondition with its 4xx, not a 500 (which pages whoever is on call)", async () => {
    const range = await ledger.as('anonymous').get('/docs/swagger-ui.css').set('Range', 'bytes=5-1');
    expect([range.status, range.body.error]).toEqual([416, 'REQUESTED_RANGE_NOT_SATISFIABLE']);
    const precondition = await ledger.as('anonymous').get('/docs/swagger-ui.css').set('If-Match', '"x"');
    expect([precondition.status, precondition.body.error]).toEqual([412, 'PRECONDITION_FAILED']);
    expect((await ledger.as('anonymous').get('/docs/swagger-ui.css')).status).toBe(200);
  });

  it('keeps answers to a request with a key out of shared caches, and leaves the open routes their own', async () => {
    const keyed = await ledger.http.get(`/accounts/${account}`);
    expect([keyed.status, keyed.headers['cache-control']]).toEqual([200, 'private, no-cache']);
    const refused = await ledger.as('viewer').post(`/accounts/${account}/draws`).send(draw('C-1', '1.00'));
    expect([refused.status, refused.headers['cache-control']]).toEqual([403, 'private, no-cache']);
    expect((await ledger.as('anonymous').get('/metrics')).headers['cache-control']).toBe('no-store');
    expect((await ledger.as('anonymous').get('/health')).headers['cache-control']).toBeUndefined();
  });

  it('tags a response with an ETag and answers a GET that already has it with 304', async () => {
    const first = await ledger.http.get('/docs-json');
    expect(first.headers.etag).toMatch(/^W\/"/);
    const again = await ledger.http.get('/docs-json').set('If-None-Match', first.headers.etag);
    expect(again.status).toBe(304);
  });

  it('refuses an ID number with a wrong check character', async () => {
    const body = application('1990-01-01', 1);
    const wrong = body.idNumber.slice(0, 17) + (body.idNumber[17] === '1' ? '2' : '1');
    const res = await ledger.http.post('/applications').send({ ...body, idNumber: wrong });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'INVALID_ID_NUMBER' });
  });

  it('refuses an ID number whose check character holds but whose birth date cannot exist, writing nothing', async () => {
    const head = async () => (await ledger.http.get('/health')).body.store.head;
    const before = await head();
    // idNumber() computes a valid check character for any eight digits.
    for (const birthDate of ['1990-02-30', '1990-13-01', '1990-00-10', '1990-02-29', '0000-01-01']) {
      const res = await ledger.http.post('/applications').send({ ...application('1990-01-01', 1), idNumber: idNumber(birthDate, 1) });
      expect({ birthDate, status: res.status, body: res.body }).toMatchObject({ birthDate, status: 400, body: { error: 'INVALID_ID_NUMBER', details: [{ field: 'idNumber' }] } });
    }
    expect(await head()).toBe(before);
  });

  it('answers 404 for an unknown account, on commands and queries', async () => {
    expect((await ledger.http.post('/accounts/acc_unknown/draws').send(draw('N-4', '1.00'))).status).toBe(404);
    expect((await ledger.http.get('/accounts/acc_unknown')).body).toMatchObject({ error: 'ACCOUNT_NOT_FOUND' });
  });

  it('replays a command retried with the same Idempotency-Key and refuses the key with another body', async () => {
    const first = await ledger.http.post(`/accounts/${account}/pay-score`).set('Idempotency-Key', 'ps-1').send({ payScore: 700 });
    expect(first.status).toBe(201);
    const retry = await ledger.http.post(`/accounts/${account}/pay-score`).set('Idempotency-Key', 'ps-1').send({ payScore: 700 });
    expect(retry.body).toMatchObject({ replayed: true, position: first.body.position });
    const reused = await ledger.http.post(`/accounts/${account}/pay-score`).set('Idempotency-Key', 'ps-1').send({ payScore: 710 });
    expect(reused.status).toBe(409);
    expect(reused.body.error).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('takes refunds whose draw and refund ids join alike as two refunds, and a retry of either as its retry', async () => {
    await ledger.http.post(`/accounts/${account}/draws`).send(draw('RJ', '50.00')).expect(201);
    await ledger.http.post(`/accounts/${account}/draws`).send(draw('RJ:Y', '50.00')).expect(201);
    // Refund Y:R of draw RJ and refund R of draw RJ:Y: "RJ:Y:R" both ways.
    const first = await ledger.http.post(`/accounts/${account}/draws/RJ/refunds`).send({ refundId: 'Y:R', amount: '10.00' });
    const second = await ledger.http.post(`/accounts/${account}/draws/${encodeURIComponent('RJ:Y')}/refunds`).send({ refundId: 'R', amount: '10.00' });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body.events).toEqual([expect.objectContaining({ type: 'DrawRefunded', data: expect.objectContaining({ drawId: 'RJ:Y', refundId: 'R' }) })]);
    const retry = await ledger.http.post(`/accounts/${account}/draws/${encodeURIComponent('RJ:Y')}/refunds`).send({ refundId: 'R', amount: '10.00' });
    expect(retry.body).toMatchObject({ replayed: true, position: second.body.position });
  });

  it('answers the retry of a refund an earlier build recorded under refund:<draw>:<refund> with its first answer, and takes a refund that form would have named alike as its own', async () => {
    for (const orderId of ['LG', 'LG:Y', 'PLAIN']) await ledger.http.post(`/accounts/${account}/draws`).send(draw(orderId, '50.00')).expect(201);
    // What the earlier build's controller sent: the command id refund:<draw>:<refund>, the request's hash.
    const recordedEarlier = (drawId: string, refundId: string) => {
      const body = { refundId, amount: '10.00' };
      return ledger.app.get(CommandBus).execute(
        new ExecuteAccountCommand(account, { type: 'RefundDraw', drawId, refundId, amount: body.amount }, { commandId: `refund:${drawId}:${refundId}`, requestHash: requestHashes(`POST draws/${drawId}/refunds`, body).hash, actor: 'operator:test' }),
      );
    };
    for (const [drawId, refundId] of [['LG:Y', 'R'], ['PLAIN', 'R']]) {
      const first = await recordedEarlier(drawId, refundId);
      const retry = await ledger.http.post(`/accounts/${account}/draws/${encodeURIComponent(drawId)}/refunds`).send({ refundId, amount: '10.00' });
      expect([retry.status, retry.body.replayed, retry.body.position, retry.body.events]).toEqual([201, true, first.position.toString(), [expect.objectContaining({ type: 'DrawRefunded' })]]);
    }
    // refund:LG:Y:R is refund R of draw LG:Y's, recorded for another request: refund Y:R of draw LG is a refund of its own.
    const own = await ledger.http.post(`/accounts/${account}/draws/LG/refunds`).send({ refundId: 'Y:R', amount: '10.00' });
    expect([own.status, own.body.replayed, own.body.events]).toEqual([201, false, [expect.objectContaining({ type: 'DrawRefunded', data: expect.objectContaining({ drawId: 'LG', refundId: 'Y:R' }) })]]);
  });

  it('answers 422 with the domain code when a product rule refuses a command', async () => {
    const res = await ledger.http.post(`/accounts/${account}/draws/nope/installments`).send({ periods: 3 });
    expect(res.status).toBe(404);
    await ledger.http.post(`/accounts/${account}/draws`).send(draw('N-5', '100.00')).expect(201);
    const small = await ledger.http.post(`/accounts/${account}/draws/N-5/installments`).send({ periods: 3 });
    expect(small.status).toBe(422);
    expect(small.body.error).toBe('INSTALLMENT_NOT_ELIGIBLE');
  });

  it('moves the manual clock only forward and closes business days only in order, once they are over', async () => {
    expect((await ledger.http.put('/operations/clock').send({ now: '2025-12-31T10:00:00+08:00' })).body.error).toBe('CLOCK_WENT_BACKWARDS');
    const notOver = await ledger.http.post('/operations/end-of-day').send({ businessDate: '2026-01-02' });
    expect(notOver.status).toBe(409);
    expect(notOver.body.error).toBe('BUSINESS_DAY_NOT_OVER');
    await ledger.setClock('2026-01-05T00:10:00+08:00');
    await ledger.http.post('/operations/end-of-day').send({ businessDate: '2026-01-02' }).expect(200);
    const skipped = await ledger.http.post('/operations/end-of-day').send({ businessDate: '2026-01-04' });
    expect(skipped.body).toMatchObject({ error: 'BUSINESS_DAY_SKIPPED' });
    const again = await ledger.http.post('/operations/end-of-day').send({ businessDate: '2026-01-02' });
    expect(again.body).toMatchObject({ alreadyClosed: true, businessDate: '2026-01-02' });
  });

  it('refuses account commands dated after a day that is not closed yet, and takes them once it is', async () => {
    // The clock says 5 January; only 2 January is closed, so 3 and 4 January must close first.
    const before = await head();
    const early = await ledger.http.post(`/accounts/${account}/draws`).send(draw('N-6', '10.00'));
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ error: 'BUSINESS_DAY_NOT_CLOSED', details: [{ businessDate: '2026-01-05', lastClosed: '2026-01-02' }] });
    expect(await head()).toBe(before);
    await ledger.http.post('/operations/end-of-day').send({ businessDate: '2026-01-03' }).expect(200);
    await ledger.http.post('/operations/end-of-day').send({ businessDate: '2026-01-04' }).expect(200);
    expect((await ledger.http.post(`/accounts/${account}/draws`).send(draw('N-6', '10.00'))).status).toBe(201);
  });

  it('serves the OpenAPI document with every command route', async () => {
    const res = await ledger.http.get('/docs-json');
    expect(res.status).toBe(200);
    for (const path of ['/applications', '/accounts/{id}/draws', '/accounts/{id}/repayments', '/operations/end-of-day', '/accounts/{id}/statements/{month}']) {
      expect(Object.keys(res.body.paths)).toContain(path);
    }
  });
});
