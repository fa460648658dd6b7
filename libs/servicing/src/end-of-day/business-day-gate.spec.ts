import { MemoryEventStore } from '@ledger/event-store';
import { BUSINESS_DAYS_STREAM } from '@ledger/projections';
import { BusinessDayGate, BusinessDayNotClosedError } from './business-day-gate';

const event = (id: string, metadata: Record<string, unknown>) => ({ id, type: 'Something', schemaVersion: 1, data: {}, metadata });
const refusal = (gate: BusinessDayGate, date: string) =>
  gate.assertOpen(date).then(
    () => null,
    (error: BusinessDayNotClosedError) => ({ code: error.code, lastClosed: error.lastClosed, toClose: error.toClose }),
  );

describe('the business-day gate', () => {
  it("takes any date on an empty log, then, before any close, none after the ledger's first business day", async () => {
    const store = new MemoryEventStore();
    const gate = new BusinessDayGate(store);
    expect(await refusal(gate, '2030-01-01')).toBeNull();
    await store.append('credit-account-a', 'no_stream', [event('e-1', { businessDate: '2026-01-31' })]);
    expect(await refusal(gate, '2026-01-31')).toBeNull();
    expect(await refusal(gate, '2026-02-01')).toEqual({ code: 'BUSINESS_DAY_NOT_CLOSED', lastClosed: null, toClose: '2026-01-31' });
  });

  it('takes the Shanghai date a first event without a business date was recorded on as the first business day', async () => {
    const store = new MemoryEventStore();
    // 20:00 UTC on 31 January is 04:00 on 1 February in Shanghai.
    await store.append('system-x', 'no_stream', [event('e-1', { recordedAt: '2026-01-31T20:00:00.000Z' })]);
    const gate = new BusinessDayGate(store);
    expect(await refusal(gate, '2026-02-01')).toBeNull();
    expect(await refusal(gate, '2026-02-02')).toEqual({ code: 'BUSINESS_DAY_NOT_CLOSED', lastClosed: null, toClose: '2026-02-01' });
  });

  it('takes the day after the last closed one, and looks again before refusing (another process may have closed it)', async () => {
    const store = new MemoryEventStore();
    await store.append('credit-account-a', 'no_stream', [event('e-1', { businessDate: '2026-01-31' })]);
    const gate = new BusinessDayGate(store);
    expect(await refusal(gate, '2026-02-01')).toMatchObject({ toClose: '2026-01-31' });
    await store.append(BUSINESS_DAYS_STREAM, 'no_stream', [{ id: 'day-1', type: 'BusinessDayClosed', schemaVersion: 1, data: { businessDate: '2026-01-31' }, metadata: { businessDate: '2026-01-31' } }]);
    expect(await refusal(gate, '2026-02-01')).toBeNull();
    expect(await refusal(gate, '2026-02-02')).toEqual({ code: 'BUSINESS_DAY_NOT_CLOSED', lastClosed: '2026-01-31', toClose: '2026-02-01' });
  });
});
