/**
 * `GET /accounts/:id/history` in pages (`fromRevision`, `limit`): a long account's whole history is
 * hundreds of kilobytes, and a soak test saw polling it raise every request's p99. The pages put
 * together are the whole answer, each with the whole replay's balances, however the replay ends.
 */
import { draw, openAccount, startLedger, type TestLedger } from '../support/ledger-app';

describe("an account's history read in pages", () => {
  let ledger: TestLedger;
  let account: string;
  const history = async (query: string) => (await ledger.as('auditor').get(`/accounts/${account}/history?${query}`).expect(200)).body;

  beforeAll(async () => {
    ledger = await startLedger();
    account = await openAccount(ledger, '1991-05-06', 41);
    for (let i = 0; i < 5; i++) await ledger.http.post(`/accounts/${account}/draws`).send(draw(`P-${i}`, '10.00')).expect(201);
    await ledger.closeDays('2026-01-02', '2026-01-31');
    await ledger.http.post(`/accounts/${account}/repayments`).send({ reference: 'P-pay', amount: '20.00', channel: 'MANUAL' }).expect(201);
  });
  afterAll(async () => ledger.close());

  it('gives, page after page, the events of the whole answer, each page with its balances and where the next begins', async () => {
    const whole = await history('');
    expect(whole.nextRevision).toBeNull();
    expect(whole.events.length).toBeGreaterThan(8);
    const pages = [];
    let from: string | null = '0';
    while (from !== null) {
      const page = await history(`fromRevision=${from}&limit=3`);
      expect(page.events.length).toBeLessThanOrEqual(3);
      expect(page.balances).toEqual(whole.balances);
      pages.push(...page.events);
      from = page.nextRevision;
    }
    expect(pages).toEqual(whole.events);
    // From the middle, and past the end.
    expect((await history(`fromRevision=${whole.events[4].revision}`)).events).toEqual(whole.events.slice(4));
    expect(await history('fromRevision=9999&limit=5')).toMatchObject({ events: [], nextRevision: null, balances: whole.balances });
  });

  it('pages a replay to a revision or a business day as it pages the whole', async () => {
    const toRevision = await history('revision=6');
    const first = await history('revision=6&limit=4');
    expect(first.events).toEqual(toRevision.events.slice(0, 4));
    expect(first.nextRevision).toBe(toRevision.events[4].revision);
    const rest = await history(`revision=6&fromRevision=${first.nextRevision}&limit=4`);
    expect([...first.events, ...rest.events]).toEqual(toRevision.events);
    expect(rest.nextRevision).toBeNull();
    const atClose = await history('businessDate=2026-01-15');
    expect((await history('businessDate=2026-01-15&limit=2')).balances).toEqual(atClose.balances);
  });

  it('refuses a page size out of bounds and a revision that is not one, naming the field', async () => {
    for (const [query, field] of [['limit=0', 'limit'], ['limit=1001', 'limit'], ['limit=2.5', 'limit'], ['fromRevision=-1', 'fromRevision'], ['fromRevision=x', 'fromRevision']]) {
      const refused = await ledger.as('auditor').get(`/accounts/${account}/history?${query}`).expect(400);
      expect([query, refused.body.error, refused.body.details[0].field]).toEqual([query, 'VALIDATION_FAILED', field]);
    }
    // The statements replayed to a moment take no page.
    await ledger.as('auditor').get(`/accounts/${account}/history/statements?limit=2`).expect(400);
  });
});
