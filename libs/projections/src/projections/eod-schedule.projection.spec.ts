import Database from 'better-sqlite3';
import { type CreditAccountEvent, type CreditAccountState, DEFAULT_TERMS_CATALOGUE, evolve, initialState } from '@ledger/credit';
import { type EventStore, MemoryEventStore, type StoredEvent } from '@ledger/event-store';
import { accountStream } from '../runner/ledger-streams';
import type { AccountChange, ProjectionContext } from '../runner/projection';
import { EodScheduleProjection } from './eod-schedule.projection';
import { LedgerSimulation } from '../testing/ledger-simulation';
import { simulateRandomPortfolio } from '../testing/random-portfolio';
import { readModelFixture } from '../testing/read-model-fixture';

/** The account's state after each event of its stream, with the event as the store holds it. */
async function statesOf(store: EventStore, accountId: string): Promise<{ stored: StoredEvent; state: CreditAccountState }[]> {
  let state = initialState(accountId);
  return (await store.readStream(accountStream(accountId))).map((stored) => {
    state = evolve(state, { type: stored.type, data: stored.data } as CreditAccountEvent);
    return { stored, state };
  });
}

describe('the end-of-day schedule', () => {
  it('schedules a new account for its month end, then its statement for the due date', async () => {
    const { sim, db, catchUp, runner } = readModelFixture();
    await sim.open('acc-1');
    await sim.draw('acc-1', 'o-1', '100.00');
    await catchUp();
    const next = () =>
      db.prepare("SELECT next_action_date AS d FROM eod_schedule WHERE account_id = 'acc-1'").get();
    expect(next()).toEqual({ d: '2026-01-31' });
    await sim.closeDaysThrough('2026-01-31');
    await catchUp();
    expect(next()).toEqual({ d: '2026-02-10' });
    await runner.close();
  });

  it('moves an account that end of day left untouched to its next action when the day closes', async () => {
    const { sim, queries, catchUp, runner } = readModelFixture();
    await sim.open('acc-idle');
    await sim.closeDaysThrough('2026-01-31');
    await catchUp();
    expect(queries.accountsDueForEndOfDay('2026-02-01', 10)).toEqual([]);
    expect(queries.accountsDueForEndOfDay('2026-02-28', 10)).toEqual(['acc-idle']);
    await runner.close();
  });

  it('has no row for an account that is not active', async () => {
    const { sim, queries, catchUp, runner } = readModelFixture();
    await sim.open('acc-rejected', { payScore: 500 });
    await catchUp();
    expect(queries.accountsDueForEndOfDay('2026-12-31', 10)).toEqual([]);
    await runner.close();
  });

  it('pages due accounts in account id order across different due dates', async () => {
    const { sim, queries, catchUp, runner } = readModelFixture();
    for (const id of ['a-1', 'a-2', 'a-3', 'a-4', 'a-5']) await sim.open(id);
    for (const id of ['a-2', 'a-4']) await sim.draw(id, `o-${id}`, '500.00');
    await sim.closeDaysThrough('2026-01-31');
    await sim.closeDaysThrough('2026-02-10');
    await catchUp();
    // a-2 and a-4 became overdue on 2026-02-11 and wait for day 4 past due (frozen and reported), which
    // the close of 2026-02-13 decides; the others wait for the month end.
    expect(queries.accountsDueForEndOfDay('2026-02-12', 10)).toEqual([]);
    expect(queries.accountsDueForEndOfDay('2026-02-13', 10)).toEqual(['a-2', 'a-4']);
    const pages: string[][] = [];
    let after = '';
    for (;;) {
      const page = queries.accountsDueForEndOfDay('2026-02-28', 2, after);
      if (page.length === 0) break;
      pages.push(page);
      after = page[page.length - 1];
    }
    expect(pages).toEqual([['a-1', 'a-2'], ['a-3', 'a-4'], ['a-5']]);
    await runner.close();
  });

  it('visits only the accounts it schedules, and the ledger is the same as closing every account every day', async () => {
    const ledger = async (closing: 'every-account' | 'scheduled') => {
      const store = new MemoryEventStore({ now: () => new Date('2026-01-05T02:00:00Z') });
      const sim = new LedgerSimulation(store, '2026-01-05', { closing });
      await simulateRandomPortfolio(sim, { seed: 7311, accounts: 24, lastDate: '2026-10-31' });
      const events = (await store.readAll({ maxCount: 1_000_000 })).map((e) => ({ stream: e.stream, type: e.type, data: e.data }));
      return { events, closes: sim.accountCloses };
    };
    const everyAccount = await ledger('every-account');
    const scheduled = await ledger('scheduled');
    // The portfolio reaches every delinquency step the schedule has to foresee.
    const reached = (type: string, to?: string) =>
      everyAccount.events.filter((e) => e.type === type && (to === undefined || (e.data as { to: string }).to === to)).length;
    for (const bucket of ['M1', 'M2', 'M3', 'M3+', 'CURRENT']) expect(reached('DelinquencyBucketChanged', bucket)).toBeGreaterThan(0);
    expect(reached('AccountFrozen')).toBeGreaterThan(0);
    expect(reached('OverdueReported')).toBeGreaterThan(0);
    expect(reached('OverdueCured')).toBeGreaterThan(0);
    expect(scheduled.events).toEqual(everyAccount.events);
    expect(scheduled.closes).toBeLessThan(everyAccount.closes / 4);
  });

  it('keeps the position of the event that set a row\'s date, however the log is cut into batches', async () => {
    const { store, sim, runner } = readModelFixture();
    await sim.open('acc-1');
    await sim.draw('acc-1', 'o-1', '100.00');
    await sim.closeDaysThrough('2026-01-31');
    const states = await statesOf(store, 'acc-1');
    // Opened, the account's next action is its month end; billed, the statement's due date.
    const opened = states.find((s) => s.stored.type === 'AccountActivated')!;
    const billed = states.find((s) => s.stored.type === 'StatementIssued')!;
    // Changes of acc-1 dated 2026-02-01, at positions from `first` on, each bringing the state given.
    const on = '2026-02-01';
    const changes = (sequence: typeof states, first: number) =>
      sequence.map(({ state, stored }, i): AccountChange => ({
        kind: 'account',
        accountId: 'acc-1',
        event: { type: stored.type, data: { ...(stored.data as object), on } } as CreditAccountEvent,
        before: state,
        after: state,
        stored: { ...stored, position: BigInt(first + i) },
      }));
    // The date goes from the due date to the month end and back, then stays.
    const run = changes([billed, opened, billed, billed], 101);
    const applied = (batches: AccountChange[][]) => {
      const db = new Database(':memory:');
      const schedule = new EodScheduleProjection();
      for (const ddl of schedule.ddl) db.exec(ddl);
      schedule.prepare(db);
      const context: ProjectionContext = { db, terms: DEFAULT_TERMS_CATALOGUE, accountState: () => initialState('none') };
      const changesByBatch = batches.map((batch) => {
        const before = db.prepare('SELECT total_changes() AS n').pluck().get() as number;
        for (const change of batch) schedule.apply(change, context);
        schedule.flush();
        return (db.prepare('SELECT total_changes() AS n').pluck().get() as number) - before;
      });
      const rows = db.prepare('SELECT account_id, next_action_date, position FROM eod_schedule').all();
      db.close();
      return { rows, changesByBatch };
    };
    const rowsAfter = (batches: AccountChange[][]) => applied(batches).rows;
    const oneByOne = rowsAfter(run.map((change) => [change]));
    // The date last set by the third change (back to the due date), which the fourth left as it was.
    expect(oneByOne).toEqual([{ account_id: 'acc-1', next_action_date: '2026-02-10', position: 103 }]);
    expect(rowsAfter([run])).toEqual(oneByOne);
    expect(rowsAfter([run.slice(0, 1), run.slice(1)])).toEqual(oneByOne);
    expect(rowsAfter([run.slice(0, 2), run.slice(2)])).toEqual(oneByOne);
    // The fourth change keeps the date: its batch writes nothing.
    expect(applied(run.map((change) => [change])).changesByBatch).toEqual([1, 1, 1, 0]);

    // Not active yet (a submitted application), the account has no row; active again, it has one.
    const submitted = states.find((s) => s.stored.type === 'ApplicationSubmitted')!;
    const away = changes([billed, submitted, billed], 201);
    const removedAndBack = rowsAfter(away.map((change) => [change]));
    expect(removedAndBack).toEqual([{ account_id: 'acc-1', next_action_date: '2026-02-10', position: 203 }]);
    expect(rowsAfter([away])).toEqual(removedAndBack);
    expect(rowsAfter([away.slice(0, 1), away.slice(1)])).toEqual(removedAndBack);
    expect(rowsAfter([away.slice(0, 2), away.slice(2)])).toEqual(removedAndBack);
    expect(rowsAfter([away.slice(0, 2)])).toEqual([]);
    await runner.close();
  });
});
