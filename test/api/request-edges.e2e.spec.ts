/**
 * Request edges a demanding client meets: a natural key retried with the same command written another
 * way, Idempotency-Key's form, commands at an account not yet opened, the read routes' shared
 * parameters (after, consistency, keyset paging), query numbers, blank text, error bodies' shape, and
 * the first business day a ledger may close. Each refusal writes nothing.
 */
import { application, draw, openAccount, startLedger, type TestLedger } from '../support/ledger-app';

describe('request edges', () => {
  let ledger: TestLedger;
  let account: string;

  beforeAll(async () => {
    ledger = await startLedger();
    account = await openAccount(ledger, '1991-06-30', 41);
    await ledger.http.post(`/accounts/${account}/draws`).send(draw('E-0', '500.00')).expect(201);
  });
  afterAll(async () => ledger.close());

  const head = async () => BigInt((await ledger.http.get('/health')).body.store.head);

  it('answers a natural key retried with the same amount written another way as the first time, and still refuses another amount', async () => {
    const first = await ledger.http.post(`/accounts/${account}/repayments`).send({ reference: 'E-P1', amount: '100', channel: 'MANUAL' });
    expect(first.status).toBe(201);
    const before = await head();
    const retry = await ledger.http.post(`/accounts/${account}/repayments`).send({ reference: 'E-P1', amount: '100.00', channel: 'MANUAL' });
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ replayed: true, position: first.body.position });
    const other = await ledger.http.post(`/accounts/${account}/repayments`).send({ reference: 'E-P1', amount: '100.01', channel: 'MANUAL' });
    expect([other.status, other.body.error]).toEqual([409, 'REPAYMENT_EXISTS_WITH_DIFFERENT_AMOUNT']);
    // Another channel is another request, though the domain keys repayments by reference and amount.
    const channel = await ledger.http.post(`/accounts/${account}/repayments`).send({ reference: 'E-P1', amount: '100.00', channel: 'AUTO_DEBIT' });
    expect([channel.status, channel.body.error]).toEqual([409, 'IDEMPOTENCY_KEY_REUSED']);
    expect(await head()).toBe(before);
  });

  it('answers an Idempotency-Key reused with another body as a reused key, whatever the domain would say of the body', async () => {
    const body = application('1979-09-09', 61);
    const first = await ledger.http.post('/applications').set('Idempotency-Key', 'app-61').send(body).expect(201);
    const before = await head();
    expect((await ledger.http.post('/applications').set('Idempotency-Key', 'app-61').send(body).expect(201)).body).toMatchObject({ replayed: true, position: first.body.position });
    // The same applicant with another pay score under the same key: not APPLICATION_ALREADY_APPROVED.
    const other = await ledger.http.post('/applications').set('Idempotency-Key', 'app-61').send({ ...body, payScore: 700 });
    expect([other.status, other.body.error]).toEqual([409, 'IDEMPOTENCY_KEY_REUSED']);
    expect(await head()).toBe(before);
  });

  it('answers a declined draw retried with the same order id with its decline: the order id is final', async () => {
    const declined = await ledger.http.post(`/accounts/${account}/draws`).send(draw('E-D1', '20', 'PASSWORD', false));
    expect([declined.status, declined.body.status, declined.body.reason]).toEqual([200, 'DECLINED', 'AUTHENTICATION_FAILED']);
    const retry = await ledger.http.post(`/accounts/${account}/draws`).send(draw('E-D1', '20.00', 'PASSWORD', true));
    expect([retry.status, retry.body.status, retry.body.replayed, retry.body.position]).toEqual([200, 'DECLINED', true, declined.body.position]);
  });

  it('refuses an empty, spaced or oversized Idempotency-Key with 400 naming the header', async () => {
    const before = await head();
    for (const key of ['', 'has space', 'k'.repeat(129)]) {
      const res = await ledger.http.post(`/accounts/${account}/pay-score`).set('Idempotency-Key', key).send({ payScore: 701 });
      expect({ key: key.slice(0, 10), status: res.status, body: res.body }).toMatchObject({ status: 400, body: { error: 'VALIDATION_FAILED', details: [{ field: 'Idempotency-Key' }] } });
    }
    expect(await head()).toBe(before);
    expect((await ledger.http.post(`/accounts/${account}/pay-score`).set('Idempotency-Key', 'k'.repeat(128)).send({ payScore: 701 })).status).toBe(201);
  });

  it('refuses servicing commands at a rejected application with 422 ACCOUNT_NOT_ACTIVE, writing nothing', async () => {
    const rejected = (await ledger.http.post('/applications').send(application('1990-01-01', 9, { payScore: 500 }))).body.accountId as string;
    const before = await head();
    const answers = [
      await ledger.http.put(`/accounts/${rejected}/controls`).send({ singleTransactionLimit: '10.00', nightLock: true }),
      await ledger.http.post(`/accounts/${rejected}/pay-score`).send({ payScore: 800 }),
      await ledger.http.post(`/accounts/${rejected}/risk-suspension`).send({ reason: 'OTHER', note: 'x' }),
      await ledger.http.post(`/accounts/${rejected}/repayments`).send({ reference: 'RJ-A', amount: '500.00', channel: 'AUTO_DEBIT' }),
    ];
    expect(answers.map((r) => [r.status, r.body.error, r.body.details[0]?.detail])).toEqual(Array(4).fill([422, 'ACCOUNT_NOT_ACTIVE', 'NOT_OPENED']));
    expect(await head()).toBe(before);
  });

  it('takes after and consistency on every read route, and refuses a position past the head at once', async () => {
    const { position } = (await ledger.http.post(`/accounts/${account}/pay-score`).send({ payScore: 655 })).body;
    const routes = [`/accounts/${account}`, `/accounts/${account}/accruals?from=2026-01-01&to=2026-01-31`, '/portfolio/accruals?from=2026-01-01&to=2026-01-31', '/accounts?limit=10', `/accounts/${account}/installment-quote?amount=600.00&periods=6`, '/portfolio'];
    for (const route of routes) {
      const sep = route.includes('?') ? '&' : '?';
      expect([route, (await ledger.http.get(`${route}${sep}after=${position}&consistency=strong`)).status]).toEqual([route, 200]);
      expect([route, (await ledger.http.get(`${route}${sep}consistency=eventual`)).status]).toEqual([route, 200]);
      expect([route, (await ledger.http.get(`${route}${sep}consistency=sometimes`)).status]).toEqual([route, 400]);
    }
    const started = Date.now();
    const past = await ledger.http.get(`/accounts/${account}?after=999999999`);
    expect(past.body).toMatchObject({ error: 'VALIDATION_FAILED', details: [{ field: 'after', head: String(await head()) }] });
    expect(past.status).toBe(400);
    // It answers without waiting for the read models (their wait gives up after 5 s with a 503).
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('pages the account list by its nextCursor', async () => {
    await openAccount(ledger, '1988-02-03', 77);
    await openAccount(ledger, '1987-03-04', 78);
    const all = (await ledger.http.get('/accounts?limit=500')).body.items.map((a: { accountId: string }) => a.accountId);
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { accountId: string }[]; nextCursor: string | null } } = await ledger.http.get(`/accounts?limit=1${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      paged.push(...page.body.items.map((a) => a.accountId));
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    expect(paged).toEqual(all);
    expect(all.length).toBeGreaterThanOrEqual(4);
    expect((await ledger.http.get('/accounts?cursor=not%20an%20id')).body).toMatchObject({ error: 'VALIDATION_FAILED', details: [{ field: 'cursor' }] });
    // An id of no account is no page's cursor: refused, not answered with an empty page as if the list had ended.
    const unknown = await ledger.http.get('/accounts?cursor=acc_0000000000garbage');
    expect([unknown.status, unknown.body.error, unknown.body.details[0]?.field]).toEqual([400, 'VALIDATION_FAILED', 'cursor']);
  });

  it('lists accounts by restriction or the longest overdue first, with the total the filters select', async () => {
    const all = await ledger.http.get('/accounts?limit=1').expect(200);
    expect(all.body.total).toBeGreaterThanOrEqual(4);
    const sorted = await ledger.http.get('/accounts?sort=daysPastDue&limit=500').expect(200);
    expect(sorted.body.items).toHaveLength(all.body.total);
    const frozen = await ledger.http.get('/accounts?flag=frozen').expect(200);
    expect(frozen.body.items.every((a: { flags: { frozen: boolean } }) => a.flags.frozen)).toBe(true);
    expect(frozen.body.total).toBe(frozen.body.items.length);
    for (const [query, field] of [['sort=owed', 'sort'], ['flag=closed', 'flag'], ['sort=daysPastDue&cursor=acc-1', 'cursor']]) {
      expect((await ledger.http.get(`/accounts?${query}`)).body).toMatchObject({ error: 'VALIDATION_FAILED', details: [{ field }] });
    }
  });

  it('takes whole numbers in a query string only as plain digits', async () => {
    for (const query of ['/accounts?limit=0x10', '/accounts?limit=1e1', '/accounts?offset=%201', `/accounts/${account}/installment-quote?amount=600.00&periods=%206`, `/accounts/${account}/installment-quote?amount=600.00&periods=6.0`]) {
      expect([query, (await ledger.http.get(query)).status]).toEqual([query, 400]);
    }
    expect((await ledger.http.get('/accounts?limit=16&offset=0')).status).toBe(200);
  });

  it('refuses empty or blank text where a note, reason, merchant or agreement version is recorded', async () => {
    const approved = (await ledger.http.post('/applications').send(application('1993-05-05', 6))).body.accountId as string;
    const before = await head();
    const refused = [
      [await ledger.http.post(`/accounts/${approved}/activation`).send({ agreementVersion: '', autoRepayCardLast4: '6222' }), 'agreementVersion'],
      [await ledger.http.post(`/accounts/${account}/draws`).send({ ...draw('E-B1', '1.00'), merchant: '   ' }), 'merchant'],
      [await ledger.http.post(`/accounts/${account}/risk-suspension`).send({ reason: 'OTHER', note: '' }), 'note'],
      [await ledger.http.post('/applications').send({ ...application('1994-06-06', 7), name: '   ' }), 'name'],
    ] as const;
    for (const [res, field] of refused) expect([res.status, res.body.details[0].field]).toEqual([400, field]);
    expect(await head()).toBe(before);
  });

  it('answers errors with details as a list, naming the field where there is one', async () => {
    const clock = await ledger.http.put('/operations/clock').send({ now: '2026-02-30T00:00:00+08:00' });
    expect(clock.body).toEqual({ error: 'INVALID_DATE_TIME', message: expect.any(String), details: [{ field: 'now' }] });
    const notSuspended = await ledger.http.post(`/accounts/${account}/risk-suspension/clearance`);
    expect(notSuspended.body).toEqual({ error: 'NOT_SUSPENDED', message: expect.any(String), details: [] });
    const stray = await ledger.http.get(`/accounts/${account}/history?after=1`);
    expect(stray.body).toEqual({ error: 'VALIDATION_FAILED', message: expect.any(String), details: [{ field: 'after', problems: ['after is not a field or parameter of this request'] }] });
    const explanation = await ledger.http.get('/accounts/acc_unknown/statements/2026-01/explanation');
    expect([explanation.status, explanation.body.error]).toEqual([404, 'ACCOUNT_NOT_FOUND']);
  });
  it('refuses a query string a route does not read, naming the parameter, rather than ignoring it', async () => {
    const before = await head();
    const reads = [
      [`/accounts/${account}?asOf=2026-01-01`, 'asOf'],
      [`/accounts/${account}/statements?foo=1`, 'foo'],
      [`/accounts/${account}/statements/2026-01?foo=1`, 'foo'],
      [`/accounts/${account}/limit-reviews?foo=1`, 'foo'],
      ['/portfolio?foo=1', 'foo'],
      [`/accounts/${account}/disputes?asOf=2026-01-01`, 'asOf'],
      [`/accounts/${account}/statements/2026-01/explanation?foo=1`, 'foo'],
      ['/operations/clock?foo=1', 'foo'],
    ] as const;
    for (const [route, field] of reads) {
      const res = await ledger.http.get(route);
      expect([route, res.status, res.body.details]).toEqual([route, 400, [{ field, problems: [`${field} is not a field or parameter of this request`] }]]);
    }
    const commands = [
      ledger.http.post(`/accounts/${account}/pay-score?payScore=1`).send({ payScore: 702 }),
      ledger.http.post('/applications?channel=INVITED').send(application('1992-07-07', 8)),
      ledger.http.post('/operations/end-of-day?force=true').send({ businessDate: '2026-01-01' }),
      ledger.http.put('/operations/clock?force=true').send({ now: '2026-01-02T10:00:00+08:00' }),
    ];
    for (const res of await Promise.all(commands)) expect([res.status, res.body.error, res.body.details[0].field]).toEqual([400, 'VALIDATION_FAILED', expect.stringMatching(/^(payScore|channel|force)$/)]);
    expect(await head()).toBe(before);
  });

  it('refuses a body on a command that takes none, as it refuses an unknown field elsewhere', async () => {
    const before = await head();
    const payoff = await ledger.http.post(`/accounts/${account}/installments/E-0/payoff`).send({ periods: 3 });
    const clearance = await ledger.http.post(`/accounts/${account}/risk-suspension/clearance`).send({ note: 'cleared' });
    expect([payoff.status, payoff.body.details]).toEqual([400, [{ field: 'periods', problems: ['periods is not a field or parameter of this request'] }]]);
    expect([clearance.status, clearance.body.details[0].field]).toEqual([400, 'note']);
    expect(await head()).toBe(before);
  });

  it('refuses control characters in recorded text (line breaks only in notes), and a statement id that is no month', async () => {
    const before = await head();
    const refused = [
      [await ledger.http.post(`/accounts/${account}/draws`).send({ ...draw('E-C1', '1.00'), merchant: 'JD\u0000' }), 'merchant'],
      [await ledger.http.post(`/accounts/${account}/risk-suspension`).send({ reason: 'OTHER', note: 'seen\u001b[2J' }), 'note'],
      [await ledger.http.post('/applications').send({ ...application('1994-06-06', 7), name: '王\n明' }), 'name'],
      [await ledger.http.post(`/accounts/${account}/auto-debit-failures`).send({ statementId: '2026-13', reason: 'INSUFFICIENT_FUNDS' }), 'statementId'],
    ] as const;
    for (const [res, field] of refused) expect([res.status, res.body.error, res.body.details[0].field]).toEqual([400, 'VALIDATION_FAILED', field]);
    expect(await head()).toBe(before);
    // A note may run over several lines.
    const lines = await ledger.http.post(`/accounts/${account}/risk-suspension`).send({ reason: 'OTHER', note: 'new device\r\n\tShenzhen, 03:12' });
    expect([lines.status, lines.body.events[0].data.note]).toEqual([201, 'new device\r\n\tShenzhen, 03:12']);
    await ledger.http.post(`/accounts/${account}/risk-suspension/clearance`).expect(201);
  });

  it('refuses an ID number whose birth date has not come yet as malformed, writing nothing', async () => {
    const before = await head();
    const unborn = await ledger.http.post('/applications').send(application('2030-01-01', 5));
    expect([unborn.status, unborn.body.error, unborn.body.details]).toEqual([400, 'INVALID_ID_NUMBER', [{ field: 'idNumber' }]]);
    expect(await head()).toBe(before);
    // Born today is a real birth date (and too young, which the age rule says).
    const today = await ledger.http.post('/applications').send(application('2026-01-02', 5));
    expect([today.status, today.body.decision, today.body.reasons]).toEqual([201, 'REJECTED', ['AGE_OUT_OF_RANGE']]);
  });

  it('answers an unknown account in the same words whether a command or a read asked', async () => {
    const read = await ledger.http.get('/accounts/acc_nobody');
    const command = await ledger.http.post('/accounts/acc_nobody/pay-score').send({ payScore: 700 });
    expect(read.status).toBe(404);
    expect(command.status).toBe(404);
    expect(command.body).toEqual(read.body);
    expect(read.body).toEqual({ error: 'ACCOUNT_NOT_FOUND', message: 'no account acc_nobody', details: [{ id: 'acc_nobody' }] });
  });

  it('records every anomaly risk monitoring reports, a second one while the line is suspended too, and one clearance lifts it', async () => {
    const suspended = await openAccount(ledger, '1990-10-10', 45);
    const first = await ledger.http.post(`/accounts/${suspended}/risk-suspension`).send({ reason: 'REMOTE_LOGIN', note: 'new device' });
    const second = await ledger.http.post(`/accounts/${suspended}/risk-suspension`).send({ reason: 'HIGH_FREQUENCY_SPENDING', note: '40 draws in a minute' });
    for (const res of [first, second]) expect([res.status, res.body.events.map((e: { type: string }) => e.type)]).toEqual([201, ['AccountSuspended']]);
    expect(second.body.events[0].data).toMatchObject({ reason: 'HIGH_FREQUENCY_SPENDING', note: '40 draws in a minute' });
    expect((await ledger.http.post(`/accounts/${suspended}/draws`).send(draw('S-1', '1.00'))).body).toMatchObject({ status: 'DECLINED', reason: 'ACCOUNT_NOT_ACTIVE' });
    await ledger.http.post(`/accounts/${suspended}/risk-suspension/clearance`).expect(201);
    expect((await ledger.http.post(`/accounts/${suspended}/draws`).send(draw('S-2', '1.00'))).status).toBe(201);
  });

  it('answers a conversion or a dispute resolution sent again with another payload as a conflict (409)', async () => {
    await ledger.http.post(`/accounts/${account}/draws`).send(draw('E-I1', '600.00')).expect(201);
    await ledger.http.post(`/accounts/${account}/draws/E-I1/installments`).send({ periods: 6 }).expect(201);
    await ledger.http.post(`/accounts/${account}/disputes`).send({ disputeId: 'E-DSP-R', drawId: 'E-I1', reason: 'not mine' }).expect(201);
    await ledger.http.post(`/accounts/${account}/disputes/E-DSP-R/resolution`).send({ upheld: false, note: 'signed for' }).expect(201);
    const before = await head();
    const periods = await ledger.http.post(`/accounts/${account}/draws/E-I1/installments`).send({ periods: 3 });
    expect([periods.status, periods.body.error, periods.body.details]).toEqual([409, 'INSTALLMENT_EXISTS_WITH_DIFFERENT_PERIODS', [{ drawId: 'E-I1', periods: 6 }]]);
    const outcome = await ledger.http.post(`/accounts/${account}/disputes/E-DSP-R/resolution`).send({ upheld: true, note: 'changed my mind' });
    expect([outcome.status, outcome.body.error]).toEqual([409, 'DISPUTE_ALREADY_RESOLVED']);
    expect(await head()).toBe(before);
  });

  it('refuses a second dispute on a draw while the first is open, writing nothing', async () => {
    await ledger.http.post(`/accounts/${account}/disputes`).send({ disputeId: 'E-DSP-1', drawId: 'E-0', reason: 'not mine' }).expect(201);
    const before = await head();
    const second = await ledger.http.post(`/accounts/${account}/disputes`).send({ disputeId: 'E-DSP-2', drawId: 'E-0', reason: 'still not mine' });
    expect([second.status, second.body.error, second.body.details]).toEqual([409, 'DRAW_ALREADY_DISPUTED', [{ drawId: 'E-0', disputeId: 'E-DSP-1' }]]);
    expect(await head()).toBe(before);
  });
});

describe('the manual clock', () => {
  it('moves at most a year past the next business day to close, so a typo in the year cannot stall the ledger', async () => {
    const ledger = await startLedger(); // its clock starts on 2 January 2026, with no day closed
    try {
      const typo = await ledger.http.put('/operations/clock').send({ now: '2062-01-02T10:00:00+08:00' });
      expect([typo.status, typo.body.error, typo.body.details]).toEqual([422, 'CLOCK_JUMP_TOO_FAR', [{ field: 'now', latest: '2027-01-03' }]]);
      expect((await ledger.http.get('/operations/clock')).body.now).toBe('2026-01-02T09:00:00+08:00');
      await ledger.http.put('/operations/clock').send({ now: '2026-01-03T00:05:00+08:00' }).expect(200);
      await ledger.http.post('/operations/end-of-day').send({ businessDate: '2026-01-02' }).expect(200);
      // Closing a day moves the horizon with it.
      expect((await ledger.http.put('/operations/clock').send({ now: '2027-01-05T00:00:00+08:00' })).body.details).toEqual([{ field: 'now', latest: '2027-01-04' }]);
      await ledger.http.put('/operations/clock').send({ now: '2027-01-04T23:59:59+08:00' }).expect(200);
      // The clock says how many days are over and not closed (2 January closed; 3 January 2026 to 3 January 2027).
      expect((await ledger.http.get('/operations/clock')).body).toMatchObject({ businessDate: '2027-01-04', lastClosedBusinessDate: '2026-01-02', daysNotClosed: 366, closeBegun: null });
    } finally {
      await ledger.close();
    }
  });
});

describe('the first business day a ledger closes', () => {
  /** A ledger of its own (the test clock starts at 2 January 2026, 09:00, with nothing recorded), closed after `run`. */
  async function onFreshLedger(run: (ledger: TestLedger) => Promise<void>): Promise<void> {
    const ledger = await startLedger();
    try {
      await run(ledger);
    } finally {
      await ledger.close();
    }
  }
  const close = (ledger: TestLedger, businessDate: string) => ledger.http.post('/operations/end-of-day').send({ businessDate });

  it('is no earlier than the business date of its first event', () =>
    onFreshLedger(async (ledger) => {
      await openAccount(ledger, '1991-06-30', 42); // recorded on 2 January 2026
      await ledger.setClock('2026-01-04T00:10:00+08:00');
      const typo = await close(ledger, '2000-01-01');
      expect([typo.status, typo.body.error, typo.body.details]).toEqual([409, 'BUSINESS_DAY_BEFORE_LEDGER', [{ field: 'businessDate', earliest: '2026-01-02' }]]);
      await close(ledger, '2026-01-02').expect(200);
      // Once days are closed, a day before the first of them is still before the ledger, not a day skipped.
      const before = await close(ledger, '2026-01-01');
      expect([before.status, before.body.error, before.body.details]).toEqual([409, 'BUSINESS_DAY_BEFORE_LEDGER', [{ field: 'businessDate', earliest: '2026-01-02' }]]);
      expect((await close(ledger, '2026-01-02')).body).toMatchObject({ businessDate: '2026-01-02', alreadyClosed: true });
    }));

  it('is no later than the business date of its first event: days with business are not skipped', () =>
    onFreshLedger(async (ledger) => {
      await openAccount(ledger, '1991-06-30', 43); // recorded on 2 January 2026
      await ledger.setClock('2026-01-04T00:10:00+08:00');
      const later = await close(ledger, '2026-01-03');
      expect([later.status, later.body.error, later.body.details]).toEqual([409, 'BUSINESS_DAY_SKIPPED', [{ lastClosed: null, next: '2026-01-02' }]]);
      await close(ledger, '2026-01-02').expect(200);
      await close(ledger, '2026-01-03').expect(200);
    }));

  it('is the open day before it: a command dated after the first business day waits for its close', () =>
    onFreshLedger(async (ledger) => {
      const account = await openAccount(ledger, '1991-06-30', 44); // recorded on 2 January 2026
      // Just past midnight, before the scheduler (or an operator) closed 2 January: a draw dated the 3rd
      // would be billed, or fall due, with a day closed after it.
      await ledger.setClock('2026-01-03T00:00:30+08:00');
      const early = await ledger.http.post(`/accounts/${account}/draws`).send(draw('F-1', '10.00'));
      expect([early.status, early.body.error, early.body.details]).toEqual([409, 'BUSINESS_DAY_NOT_CLOSED', [{ businessDate: '2026-01-03', lastClosed: null, toClose: '2026-01-02' }]]);
      await close(ledger, '2026-01-02').expect(200);
      expect((await ledger.http.post(`/accounts/${account}/draws`).send(draw('F-1', '10.00'))).status).toBe(201);
    }));

  it('is yesterday on a ledger with nothing in it', () =>
    onFreshLedger(async (ledger) => {
      expect((await close(ledger, '2025-12-31')).body).toMatchObject({ error: 'BUSINESS_DAY_BEFORE_LEDGER', details: [{ earliest: '2026-01-01' }] });
      await close(ledger, '2026-01-01').expect(200);
    }));

  it('is yesterday when setting the clock to today was the first thing recorded', () =>
    onFreshLedger(async (ledger) => {
      await ledger.setClock('2026-01-04T00:10:00+08:00');
      expect((await close(ledger, '2026-01-02')).body).toMatchObject({ error: 'BUSINESS_DAY_BEFORE_LEDGER', details: [{ earliest: '2026-01-03' }] });
      await close(ledger, '2026-01-03').expect(200);
    }));
});
