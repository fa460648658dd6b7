/**
 * Who gets in, how much they may send, and what leaves: API keys with roles, the actor on every event,
 * per-key rate limits, security headers, the body size limit, and no stack trace in any answer.
 */
import { EventStore, SqliteEventStore } from '@ledger/event-store';
import { draw, openAccount, startLedger, TEST_API_KEYS, type TestLedger } from '../support/ledger-app';

jest.setTimeout(60_000);

describe('a ledger guarded by API keys with roles', () => {
  let ledger: TestLedger;
  let account: string;

  beforeAll(async () => {
    ledger = await startLedger();
    account = await openAccount(ledger, '1991-05-06', 301);
  });
  afterAll(async () => ledger.close());

  it('answers 401 MISSING_API_KEY without a key and 401 INVALID_API_KEY with a wrong one', async () => {
    const missing = await ledger
      .as('anonymous')
      .post(`/accounts/${account}/draws`)
      .send(draw('AC-1', '10.00'));
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ error: 'MISSING_API_KEY', message: expect.any(String), details: [] });
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
    const wrong = await ledger
      .as('anonymous')
      .get(`/accounts/${account}`)
      .set('Authorization', `Bearer ${TEST_API_KEYS.operator}x`);
    expect(wrong.status).toBe(401);
    expect(wrong.body.error).toBe('INVALID_API_KEY');
  });

  it('answers 403 ROLE_NOT_ALLOWED when an auditor or a viewer sends a command', async () => {
    for (const role of ['auditor', 'viewer'] as const) {
      const res = await ledger.as(role).post(`/accounts/${account}/draws`).send(draw('AC-2', '10.00'));
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({
        error: 'ROLE_NOT_ALLOWED',
        details: [{ role, allowed: ['operator'] }],
      });
    }
    expect(
      (await ledger.as('viewer').post('/operations/end-of-day').send({ businessDate: '2026-01-01' })).status,
    ).toBe(403);
    expect(
      (await ledger.as('auditor').put('/operations/clock').send({ now: '2026-01-03T09:00:00+08:00' })).status,
    ).toBe(403);
  });

  it('lets a viewer read the portfolio, accounts and the clock, and an auditor read everything', async () => {
    for (const path of ['/portfolio', `/accounts/${account}`, '/accounts', '/operations/clock']) {
      expect([path, (await ledger.as('viewer').get(path)).status]).toEqual([path, 200]);
      expect([path, (await ledger.as('auditor').get(path)).status]).toEqual([path, 200]);
    }
  });

  it('keeps audit data from a viewer however the path is spelled, and lets an auditor read it', async () => {
    // The router matches paths without regard to case (or a trailing slash); the policy must as well.
    // It also decodes percent-escapes before it matches: `%68istory` is the history route.
    for (const path of [`/accounts/${account}/history`, `/accounts/${account}/HISTORY`, `/Accounts/${account}/History/`, `/accounts/${account}/history?revision=0`, `/accounts/${account}/%68istory`]) {
      const viewer = await ledger.as('viewer').get(path);
      expect([path, viewer.status, viewer.body.error]).toEqual([path, 403, 'ROLE_NOT_ALLOWED']);
    }
    expect((await ledger.as('auditor').get(`/accounts/${account}/HISTORY`).query({ revision: '0' })).status).toBe(200);
    expect((await ledger.as('auditor').get(`/accounts/${account}/%68istory`)).status).toBe(200);
  });

  it('judges a request by the route it matched, whatever its parameters or escapes spell', async () => {
    // A draw whose order id is `history`: refunding it is a command, which an auditor may not send,
    // although its path holds the audit routes' word.
    const refund = await ledger.as('auditor').post(`/accounts/${account}/draws/history/refunds`).send({ refundId: 'rf-1', amount: '1.00' });
    expect([refund.status, refund.body.error]).toEqual([403, 'ROLE_NOT_ALLOWED']);
    // `/%61ccounts` is the accounts route, which a viewer may read.
    expect((await ledger.as('viewer').get('/%61ccounts')).status).toBe(200);
  });

  it('keeps health and the OpenAPI page open', async () => {
    expect((await ledger.as('anonymous').get('/health')).status).toBe(200);
    // However the path is spelled: the route it matches is open.
    expect((await ledger.as('anonymous').get('/%68ealth/live')).status).toBe(200);
    expect((await ledger.as('anonymous').get('/docs')).status).toBe(200);
  });

  it('records the operator who sent a command on every event it appended', async () => {
    const res = await ledger.http.post(`/accounts/${account}/draws`).send(draw('AC-3', '10.00'));
    expect(res.status).toBe(201);
    const store = ledger.app.get(EventStore) as SqliteEventStore;
    const rows = store.db.prepare('SELECT metadata FROM events WHERE position > 0').all() as {
      metadata: string;
    }[];
    const actors = new Set(rows.map((r) => (JSON.parse(r.metadata) as { actor?: string }).actor));
    expect(actors.has('operator:test-operator')).toBe(true);
    expect(actors.has('anonymous')).toBe(false);
  });

  it('sends the security headers helmet sets and no X-Powered-By', async () => {
    const res = await ledger.http.get(`/accounts/${account}`);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('refuses a body over 64 kB with 413 PAYLOAD_TOO_LARGE and appends nothing', async () => {
    const store = ledger.app.get(EventStore);
    const head = await store.headPosition();
    const res = await ledger.http
      .post(`/accounts/${account}/draws`)
      .send({ ...draw('AC-big', '10.00'), merchant: 'x'.repeat(70_000) });
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('PAYLOAD_TOO_LARGE');
    expect(await store.headPosition()).toBe(head);
  });

  it('never puts a stack trace in an answer, even for an unexpected failure', async () => {
    const store = ledger.app.get(EventStore);
    const original = store.readStream.bind(store);
    store.readStream = () =>
      Promise.reject(new TypeError('boom at Object.<anonymous> (/secret/path.ts:1:1)'));
    try {
      const res = await ledger.http.post('/accounts/acc_never_loaded/draws').send(draw('AC-4', '10.00'));
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: 'INTERNAL_ERROR', message: expect.any(String), details: [] });
      expect(JSON.stringify(res.body)).not.toMatch(/at Object|secret|\.ts:\d|TypeError|boom/);
    } finally {
      store.readStream = original;
    }
  });
});

describe('a ledger with a rate limit of five requests a minute per key', () => {
  let ledger: TestLedger;

  beforeAll(async () => {
    ledger = await startLedger({ LEDGER_RATE_LIMIT: '5' });
  });
  afterAll(async () => ledger.close());

  it('answers 429 RATE_LIMITED to the sixth request of one key, while another key still gets through', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await ledger.as('viewer').get('/portfolio')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    const limited = await ledger.as('viewer').get('/portfolio');
    expect(limited.body).toMatchObject({ error: 'RATE_LIMITED', message: expect.stringContaining('retry after Retry-After') });
    expect(limited.body.message).not.toContain('Throttler');
    expect(limited.headers['retry-after']).toBeDefined();
    expect((await ledger.as('auditor').get('/portfolio')).status).toBe(200);
  });

  it('throttles guesses without a valid key by address too', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++)
      statuses.push(
        (
          await ledger
            .as('anonymous')
            .get('/portfolio')
            .set('Authorization', `Bearer guess-${i}-xxxxxxxxxxxxxxxx`)
        ).status,
      );
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
  });

  it('counts an open /metrics against the address, so it cannot be flooded, and never the probes or the pages', async () => {
    const open = await startLedger({ LEDGER_RATE_LIMIT: '3' });
    try {
      const metrics: number[] = [];
      for (let i = 0; i < 4; i++) metrics.push((await open.as('anonymous').get('/metrics')).status);
      expect(metrics).toEqual([200, 200, 200, 429]);
      // The address's budget is spent, and readiness still answers: a load balancer's probes must.
      for (let i = 0; i < 5; i++) expect((await open.as('anonymous').get('/health/ready')).status).toBe(200);
      expect((await open.as('anonymous').get('/health/live')).status).toBe(200);
      expect((await open.as('anonymous').get('/dashboard')).status).toBe(200);
      // A key has its own budget.
      expect((await open.as('viewer').get('/portfolio')).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});

describe('a ledger behind a proxy it trusts (LEDGER_TRUST_PROXY)', () => {
  it("counts each caller's forwarded address against the rate limit, and logs it on a 401", async () => {
    const logs: string[] = [];
    const behind = await startLedger({ LEDGER_RATE_LIMIT: '2', LEDGER_TRUST_PROXY: 'loopback' }, { logDestination: { write: (line: string) => void logs.push(line) } });
    try {
      const from = (address: string) => behind.as('anonymous').get('/metrics').set('X-Forwarded-For', address);
      const first: number[] = [];
      for (let i = 0; i < 3; i++) first.push((await from('203.0.113.7')).status);
      expect(first).toEqual([200, 200, 429]);
      // Another caller behind the same proxy has a budget of its own.
      expect((await from('198.51.100.4')).status).toBe(200);
      const refused = await behind.as('anonymous').get('/portfolio').set('X-Forwarded-For', '192.0.2.9').set('Authorization', 'Bearer an-old-key-xxxxxxxxxxxxxxxx');
      expect(refused.status).toBe(401);
      const line = logs.map((l) => JSON.parse(l) as { res?: { statusCode: number }; remote?: string }).find((l) => l.res?.statusCode === 401);
      expect(line?.remote).toBe('192.0.2.9');
    } finally {
      await behind.close();
    }
  });

  it('trusts no X-Forwarded-For by default: every caller is the address that connected', async () => {
    const direct = await startLedger({ LEDGER_RATE_LIMIT: '2' });
    try {
      const statuses: number[] = [];
      for (const address of ['203.0.113.7', '198.51.100.4', '192.0.2.9']) statuses.push((await direct.as('anonymous').get('/metrics').set('X-Forwarded-For', address)).status);
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      await direct.close();
    }
  });
});

describe('a ledger whose metrics take a key (LEDGER_METRICS_ACCESS=key)', () => {
  let ledger: TestLedger;

  beforeAll(async () => {
    ledger = await startLedger({ LEDGER_METRICS_ACCESS: 'key' });
  });
  afterAll(async () => ledger.close());

  it('answers /metrics to a key of any role and 401 without one, and documents it so', async () => {
    expect((await ledger.as('anonymous').get('/metrics')).status).toBe(401);
    for (const role of ['viewer', 'auditor', 'operator'] as const) expect((await ledger.as(role).get('/metrics')).status).toBe(200);
    expect((await ledger.as('anonymous').get('/health')).status).toBe(200);
    const documented = (await ledger.as('anonymous').get('/docs-json').expect(200)).body.paths['/metrics'].get;
    expect(documented.security).toBeUndefined();
    expect(Object.keys(documented.responses)).toEqual(expect.arrayContaining(['401', '403', '429']));
  });
});
