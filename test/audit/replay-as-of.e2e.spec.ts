/**
 * A year of two accounts driven over HTTP, one business day at a time. After each day's end of day the
 * balances the API reported are recorded with the moment; replaying each account as of each of those
 * moments must give exactly those balances. Every statement's explanation must reproduce its numbers.
 * Replaying to each revision of a stream gives exactly its first events, whatever their milliseconds.
 * The statements replayed to each moment, close and log position are those GET /accounts/:id/statements
 * showed then.
 */
import { addDays, daysBetween, Money } from '@ledger/credit';
import { EventStore } from '@ledger/event-store';
import { BUSINESS_DAYS_STREAM } from '@ledger/projections';
import { accountHistory } from '@ledger/servicing/audit';
import { draw, openAccount, startLedger, type TestLedger } from '../support/ledger-app';

jest.setTimeout(240_000);

interface Observation {
  day: string;
  asOf: string;
  /** The log's last position when the views were read. */
  position: string;
  views: Record<string, unknown>;
  /** Each account's statements as GET /accounts/:id/statements showed them then. */
  statements: Record<string, unknown>;
}

const FIRST = '2026-01-02';
const LAST = '2026-12-31';

describe('an account replayed as of each day of a year', () => {
  let ledger: TestLedger;
  let steady: string;
  let late: string;
  const observed: Observation[] = [];

  async function ok(res: { status: number; body: unknown }, what: string) {
    if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  }

  async function dayOf(day: string) {
    const dom = Number(day.slice(8, 10));
    if ([3, 12, 20].includes(dom)) await ok(await ledger.http.post(`/accounts/${steady}/draws`).send(draw(`s-${day}`, `${100 + dom * 7}.${String(dom).padStart(2, '0')}`)), 'draw');
    if (dom === 8) {
      const owed = Money.of((await ledger.http.get(`/accounts/${steady}`)).body.owed.total);
      const amount = Money.min(owed, Money.of('400.00'));
      if (amount.isPositive()) await ok(await ledger.http.post(`/accounts/${steady}/repayments`).send({ reference: `s-pay-${day}`, amount: amount.toString(), channel: 'MANUAL' }), 'repay');
    }
    if ([7, 15].includes(dom) && day < '2026-07-01') await ok(await ledger.http.post(`/accounts/${late}/draws`).send(draw(`l-${day}`, '333.33')), 'draw');
    if (dom === 25 && Number(day.slice(5, 7)) % 3 === 0) await ok(await ledger.http.post(`/accounts/${late}/repayments`).send({ reference: `l-pay-${day}`, amount: '150.00', channel: 'MANUAL' }), 'repay');
  }

  beforeAll(async () => {
    ledger = await startLedger();
    steady = await openAccount(ledger, '1990-03-07', 11);
    late = await openAccount(ledger, '1985-11-21', 12);
    for (let day = FIRST; day <= LAST; day = addDays(day, 1)) {
      await dayOf(day);
      await ledger.closeDays(day, day);
      const views: Record<string, unknown> = {};
      const statements: Record<string, unknown> = {};
      for (const id of [steady, late]) {
        views[id] = (await ledger.http.get(`/accounts/${id}`)).body;
        statements[id] = (await ledger.http.get(`/accounts/${id}/statements`)).body.statements;
      }
      const position = String(await ledger.app.get(EventStore).headPosition());
      const asOf = new Date().toISOString();
      observed.push({ day, asOf, position, views, statements });
      // The next day's events must be recorded strictly after this moment.
      while (new Date().toISOString() === asOf) await new Promise((resolve) => setTimeout(resolve, 1));
    }
  });
  afterAll(() => ledger?.close());

  it('gives, for every day, the balances the API reported that day', async () => {
    const store = ledger.app.get(EventStore);
    for (const o of observed) {
      for (const id of [steady, late]) {
        const history = await accountHistory(store, id, o.asOf);
        expect({ day: o.day, balances: history.balances }).toEqual({ day: o.day, balances: o.views[id] });
      }
    }
    const overdue = observed.filter((o) => (o.views[late] as { overdue: { daysPastDue: number } }).overdue.daysPastDue > 0);
    expect(overdue.length).toBeGreaterThan(30);
  });

  it('answers GET /accounts/:id/history with the events up to the moment and the balances of that day', async () => {
    for (const o of observed.filter((x) => x.day.endsWith('-15'))) {
      const res = await ledger.http.get(`/accounts/${late}/history`).query({ asOf: o.asOf });
      expect(res.status).toBe(200);
      expect(res.body.balances).toEqual(o.views[late]);
      expect(res.body.events.length).toBeGreaterThan(0);
      expect(res.body.events.every((e: { recordedAt: string }) => e.recordedAt <= o.asOf)).toBe(true);
      expect(res.body.events[res.body.events.length - 1].after.owed.total).toBe(res.body.balances.owed.total);
    }
  });

  it('gives, at the close of each business day, the balances the API reported after that close', async () => {
    for (const o of observed.filter((x) => x.day.endsWith('-01') || x.day.endsWith('-10') || x.day.endsWith('-11') || x.day.endsWith('-31'))) {
      for (const id of [steady, late]) {
        const res = await ledger.http.get(`/accounts/${id}/history`).query({ businessDate: o.day });
        expect(res.status).toBe(200);
        expect({ day: o.day, businessDate: res.body.businessDate, lastClosed: res.body.lastClosedBusinessDay, balances: res.body.balances }).toEqual({ day: o.day, businessDate: o.day, lastClosed: o.day, balances: o.views[id] });
        expect(res.body.events.every((e: { businessDate: string }) => e.businessDate <= o.day)).toBe(true);
      }
    }
    // A month end's close holds the month's statement, issued by that close.
    const novemberClose = await ledger.http.get(`/accounts/${late}/history`).query({ businessDate: '2026-11-30' });
    expect(novemberClose.body.events.at(-1).businessDate).toBe('2026-11-30');
    expect(novemberClose.body.events.some((e: { type: string; data: { statementId?: string } }) => e.type === 'StatementIssued' && e.data.statementId === '2026-11')).toBe(true);
    // A day before the ledger's first close never closed (the API said an empty replay); one of asOf,
    // revision or businessDate at a time.
    const beforeLedger = await ledger.http.get(`/accounts/${late}/history`).query({ businessDate: '2025-12-31' });
    expect([beforeLedger.status, beforeLedger.body.error, beforeLedger.body.details]).toEqual([409, 'BUSINESS_DAY_NOT_CLOSED', [{ field: 'businessDate', businessDate: '2025-12-31', lastClosed: LAST, firstClosed: FIRST }]]);
    expect((await ledger.http.get(`/accounts/${late}/history`).query({ businessDate: '2026-02-30' })).body).toMatchObject({ error: 'VALIDATION_FAILED', details: [{ field: 'businessDate' }] });
    expect((await ledger.http.get(`/accounts/${late}/history`).query({ businessDate: '2026-02-01', revision: '3' })).status).toBe(400);
    expect((await ledger.http.get(`/accounts/${late}/history`).query({ businessDate: '2026-02-01', asOf: '2026-02-01' })).body).toMatchObject({ error: 'VALIDATION_FAILED', details: [{ field: 'businessDate' }] });
    // The day after the last close has no close yet to replay to.
    const open = await ledger.http.get(`/accounts/${late}/history`).query({ businessDate: addDays(LAST, 1) });
    expect([open.status, open.body.error, open.body.details]).toEqual([409, 'BUSINESS_DAY_NOT_CLOSED', [{ field: 'businessDate', businessDate: addDays(LAST, 1), lastClosed: LAST }]]);
  });

  it('gives the statements as GET /accounts/:id/statements showed them, replayed to each moment, close and position', async () => {
    const changed = new Set<string>();
    let previous = '';
    for (const o of observed) {
      for (const id of [steady, late]) {
        const asked = [{ asOf: o.asOf }, { position: o.position }, ...(o.day.endsWith('-05') || o.day.endsWith('-11') ? [{ businessDate: o.day }] : [])];
        for (const query of asked) {
          const res = await ledger.http.get(`/accounts/${id}/history/statements`).query(query);
          expect({ day: o.day, query, status: res.status, statements: res.body.statements }).toEqual({ day: o.day, query, status: 200, statements: o.statements[id] });
        }
      }
      // The statements did move between the moments: a status, a paid figure, an outstanding.
      const seen = JSON.stringify(o.statements[late]);
      if (seen !== previous) changed.add(o.day);
      previous = seen;
    }
    expect(changed.size).toBeGreaterThan(24);
    const at = observed.find((o) => o.day === '2026-04-15')!;
    const res = await ledger.http.get(`/accounts/${late}/history/statements`).query({ position: at.position });
    expect(res.body).toMatchObject({ accountId: late, asOf: null, revision: null, businessDate: null, position: at.position, lastClosedBusinessDay: '2026-04-15' });
    const beyond = await ledger.http.get(`/accounts/${late}/history/statements`).query({ position: '999999999999' });
    expect([beyond.status, beyond.body.error, beyond.body.details?.[0]?.field]).toEqual([404, 'POSITION_NOT_FOUND', 'position']);
    const two = await ledger.http.get(`/accounts/${late}/history/statements`).query({ position: '3', asOf: '2026-03-01' });
    expect([two.status, two.body.details]).toEqual([400, [{ field: 'position' }]]);
  });

  it('names in the history the command and the request that recorded each event', async () => {
    const sent = await ledger.http.post(`/accounts/${steady}/draws`).set('X-Request-Id', 'audit-trail-1').send(draw('trail-1', '12.34'));
    expect(sent.status).toBe(201);
    const events = (await ledger.http.get(`/accounts/${steady}/history`)).body.events as { type: string; commandId: string | null; correlationId: string | null; position: string; data: { drawId?: string } }[];
    const drawn = events.find((e) => e.type === 'DrawPosted' && e.data.drawId === 'trail-1')!;
    expect({ commandId: drawn.commandId, correlationId: drawn.correlationId }).toEqual({ commandId: expect.stringContaining('trail-1'), correlationId: 'audit-trail-1' });
    // A command's answer gives a log position; the replay to it ends with that command's events.
    const toIt = await ledger.http.get(`/accounts/${steady}/history`).query({ position: sent.body.position });
    expect(toIt.body.events.at(-1)).toEqual(events.at(-1));
    expect(events.every((e) => e.commandId !== null)).toBe(true);
  });

  it('explains every statement with exactly the statement numbers', async () => {
    let explained = 0;
    for (const id of [steady, late]) {
      const statements = (await ledger.http.get(`/accounts/${id}/statements`)).body.statements as { statementId: string; interest: { exact: string; charged: string; residual: string }; penaltyInterest: { exact: string; charged: string }; statementBalance: string; minimumRepayment: string; installmentPeriods: unknown[] }[];
      for (const s of statements) {
        const res = await ledger.http.get(`/accounts/${id}/statements/${s.statementId}/explanation`);
        expect(res.status).toBe(200);
        const x = res.body;
        expect(x.interest).toEqual({ sum: expect.any(String), statement: s.interest, matches: true });
        expect(Money.exact(x.interest.sum).equals(Money.exact(s.interest.exact))).toBe(true);
        expect(Money.exact(x.penaltyInterest.sum).equals(Money.exact(s.penaltyInterest.exact))).toBe(true);
        expect(x.penaltyInterest.statement.charged).toBe(s.penaltyInterest.charged);
        const daySum = Money.sum(x.days.map((d: { interest: string }) => Money.exact(d.interest)));
        expect(daySum.roundHalfUpToFen().toString()).toBe(s.interest.charged);
        expect(x.roundingResidual.interest).toBe(s.interest.residual);
        expect([x.statementBalance, x.minimumRepayment]).toEqual([s.statementBalance, s.minimumRepayment]);
        expect(x.installmentPeriods).toEqual(s.installmentPeriods);
        expect(x.installmentPeriodsMatch).toBe(true);
        explained++;
      }
    }
    expect(explained).toBeGreaterThanOrEqual(20);
    const penalty = await ledger.http.get(`/accounts/${late}/statements`);
    expect(penalty.body.statements.some((s: { penaltyInterest: { exact: string } }) => Money.exact(s.penaltyInterest.exact).isPositive())).toBe(true);
  });

  it('replays to each revision exactly that many events, with the days closed before the last of them', async () => {
    const store = ledger.app.get(EventStore);
    const closed = (await store.readStream(BUSINESS_DAYS_STREAM)).map((e) => ({ position: e.position, day: (e.data as { businessDate: string }).businessDate }));
    const whole = (await ledger.http.get(`/accounts/${late}/history`)).body as { events: { revision: string; position: string; after: { owed: unknown; status: string; available: string; asOf: string; overdue: { amount: string; since: string | null; daysPastDue: number } } }[] };
    expect(whole.events.length).toBeGreaterThan(50);
    let overdueSeen = 0;
    let closingSeen = 0;
    for (const event of whole.events) {
      const res = await ledger.http.get(`/accounts/${late}/history`).query({ revision: event.revision });
      expect(res.status).toBe(200);
      expect(res.body.revision).toBe(event.revision);
      expect(res.body.asOf).toBeNull();
      expect(res.body.events).toEqual(whole.events.slice(0, Number(event.revision) + 1));
      const before = closed.filter((c) => c.position < BigInt(event.position));
      const lastClosed = before.length > 0 ? before[before.length - 1].day : null;
      expect(res.body.lastClosedBusinessDay).toBe(lastClosed);
      const { owed, status, available, overdue } = res.body.balances;
      expect({ owed, status, available, amount: overdue.amount }).toEqual({ owed: event.after.owed, status: event.after.status, available: event.after.available, amount: event.after.overdue.amount });
      // Days past due run to the day after the last closed day, as GET /accounts/:id counts them; to the
      // account's own last event where a close not yet recorded dated it later (its after says the same).
      if (overdue.since !== null && lastClosed !== null) {
        const afterClose = addDays(lastClosed, 1);
        const asOf = event.after.asOf > afterClose ? event.after.asOf : afterClose;
        expect([event.revision, res.body.balances.asOf, overdue.daysPastDue]).toEqual([event.revision, asOf, Math.max(0, daysBetween(overdue.since, asOf) + 1)]);
        if (asOf === event.after.asOf) expect(overdue.daysPastDue).toBe(event.after.overdue.daysPastDue);
        if (asOf > afterClose) closingSeen++;
        overdueSeen++;
      }
    }
    expect(overdueSeen).toBeGreaterThan(10);
    // Events of a close, appended before the day's close was: the case the account's own date decides.
    expect(closingSeen).toBeGreaterThan(0);
  });

  it('refuses a revision it does not have, one that is not a number, and a revision with asOf', async () => {
    const last = (await ledger.http.get(`/accounts/${late}/history`)).body.events.length - 1;
    const beyond = await ledger.http.get(`/accounts/${late}/history`).query({ revision: String(last + 1) });
    expect(beyond.status).toBe(404);
    expect(beyond.body).toMatchObject({ error: 'EVENT_NOT_FOUND', details: [{ field: 'revision', lastRevision: String(last) }] });
    for (const revision of ['-1', 'abc', '1.5', '']) {
      const bad = await ledger.http.get(`/accounts/${late}/history`).query({ revision });
      expect({ revision, status: bad.status, field: bad.body.details?.[0]?.field }).toEqual({ revision, status: 400, field: 'revision' });
    }
    const both = await ledger.http.get(`/accounts/${late}/history`).query({ revision: '1', asOf: '2026-03-01' });
    expect(both.status).toBe(400);
    expect(both.body.details).toEqual([{ field: 'revision' }]);
    expect((await ledger.http.get('/accounts/nope/history').query({ revision: '0' })).body.error).toBe('ACCOUNT_NOT_FOUND');
  });

  it('refuses an unknown account and an unknown statement with 404', async () => {
    expect((await ledger.http.get('/accounts/nope/history')).status).toBe(404);
    expect((await ledger.http.get(`/accounts/${steady}/statements/2031-01/explanation`)).status).toBe(404);
  });
});
