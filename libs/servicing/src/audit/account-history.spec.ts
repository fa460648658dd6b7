import { MemoryEventStore } from '@ledger/event-store';
import { BUSINESS_DAYS_STREAM } from '@ledger/projections';
import { AccountScenario } from '@ledger/credit';
import { accountHistoryAtClose, BusinessDayOpenError, lastClosedAsOf, lastClosedBefore } from './account-history';

async function close(store: MemoryEventStore, revision: number, businessDate: string, recordedAt: string) {
  await store.append(BUSINESS_DAYS_STREAM, revision === 0 ? 'no_stream' : BigInt(revision - 1), [
    { id: `day-${businessDate}`, type: 'BusinessDayClosed', schemaVersion: 1, data: { businessDate }, metadata: { recordedAt } },
  ]);
}

describe('the last business day closed as of a moment', () => {
  it('answers from the days recorded by then, and sees days closed after an earlier call', async () => {
    const store = new MemoryEventStore();
    expect(await lastClosedAsOf(store)).toBeNull();
    await close(store, 0, '2026-01-01', '2026-01-02T00:01:00Z');
    await close(store, 1, '2026-01-02', '2026-01-03T00:01:00Z');
    expect(await lastClosedAsOf(store)).toBe('2026-01-02');
    expect(await lastClosedAsOf(store, '2026-01-02T12:00:00Z')).toBe('2026-01-01');
    expect(await lastClosedAsOf(store, '2026-01-01T12:00:00Z')).toBeNull();
    await close(store, 2, '2026-01-03', '2026-01-04T00:01:00Z');
    expect(await lastClosedAsOf(store)).toBe('2026-01-03');
    expect(await lastClosedAsOf(store, '2026-01-03T00:01:00Z')).toBe('2026-01-02');
    expect(await lastClosedAsOf(store, '2026-01-04T00:01:00.000Z')).toBe('2026-01-03');
  });
});

describe('the last business day closed before an event', () => {
  it('answers from the days appended before its position, and sees days closed after an earlier call', async () => {
    const store = new MemoryEventStore();
    const account = async (id: string) => (await store.append(`credit-account-${id}`, 'no_stream', [{ id: `e-${id}`, type: 'Noted', schemaVersion: 1, data: {} }])).position;
    const first = await account('a');
    await close(store, 0, '2026-01-01', '2026-01-02T00:01:00Z');
    const second = await account('b');
    expect(await lastClosedBefore(store, first)).toBeNull();
    expect(await lastClosedBefore(store, second)).toBe('2026-01-01');
    await close(store, 1, '2026-01-02', '2026-01-03T00:01:00Z');
    const third = await account('c');
    expect(await lastClosedBefore(store, second)).toBe('2026-01-01');
    expect(await lastClosedBefore(store, third)).toBe('2026-01-02');
    // The close itself is not before its own position.
    expect(await lastClosedBefore(store, third - 1n)).toBe('2026-01-01');
  });
});

describe('an account replayed to the close of a business day', () => {
  /** An account opened on 1 January, with a payment-score update dated each of the days named (none for null). */
  async function account(store: MemoryEventStore, days: (string | null)[]) {
    const s = new AccountScenario('acc-h', '2026-01-01T10:00:00+08:00').open();
    const opening = s.history.map((e, i) => ({ id: `open-${i}`, type: e.type, schemaVersion: 1, data: e.data, metadata: { businessDate: '2026-01-01' } }));
    const updates = days.map((day, i) => ({ id: `score-${i}`, type: 'PayScoreUpdated', schemaVersion: 1, data: { on: day ?? '2026-01-02', payScore: 700 + i }, metadata: day === null ? {} : { businessDate: day } }));
    await store.append('credit-account-acc-h', 'no_stream', [...opening, ...updates]);
    return opening.length;
  }

  it('takes an event without a business date as dated like the one before it', async () => {
    const store = new MemoryEventStore();
    const opened = await account(store, ['2026-01-02', null, '2026-01-02', '2026-01-03']);
    await close(store, 0, '2026-01-02', '2026-01-03T00:01:00Z');
    await close(store, 1, '2026-01-03', '2026-01-04T00:01:00Z');
    const history = await accountHistoryAtClose(store, 'acc-h', '2026-01-02');
    expect(history.events.map((e) => e.eventId)).toEqual([...Array.from({ length: opened }, (_, i) => `open-${i}`), 'score-0', 'score-1', 'score-2']);
    expect(history).toMatchObject({ businessDate: '2026-01-02', lastClosedBusinessDay: '2026-01-02' });
    expect((await accountHistoryAtClose(store, 'acc-h', '2026-01-03')).events).toHaveLength(opened + 4);
  });

  it('refuses a day that has not closed: its commands are not all in', async () => {
    const store = new MemoryEventStore();
    await account(store, ['2026-01-02', '2026-01-03']);
    await expect(accountHistoryAtClose(store, 'acc-h', '2026-01-02')).rejects.toMatchObject({ code: 'BUSINESS_DAY_NOT_CLOSED', lastClosed: null });
    await close(store, 0, '2026-01-02', '2026-01-03T00:01:00Z');
    await expect(accountHistoryAtClose(store, 'acc-h', '2026-01-03')).rejects.toBeInstanceOf(BusinessDayOpenError);
    await expect(accountHistoryAtClose(store, 'acc-h', '2026-01-02')).resolves.toMatchObject({ lastClosedBusinessDay: '2026-01-02' });
    // A day before the ledger's first close never closed: not an empty replay.
    await expect(accountHistoryAtClose(store, 'acc-h', '2025-12-01')).rejects.toMatchObject({ code: 'BUSINESS_DAY_NOT_CLOSED', firstClosed: '2026-01-02', message: expect.stringContaining('never closed') });
  });
});
