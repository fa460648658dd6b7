import { MemoryEventStore } from '@ledger/event-store';
import { BUSINESS_DAYS_STREAM } from '@ledger/projections';
import { BusinessDayGate, BusinessDayNotClosedError } from './business-day-gate';
import { ManualClock } from '../clock/business-clock';
import { ExecuteAccountCommandHandler } from '../commands/account-command.handlers';
import { ExecuteAccountCommand } from '../commands/account.commands';
import type { AccountRepository } from '../repository/account-repository';

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

  it('refuses a command dated a day already closed, which only a clock behind the ledger can date, and a manual one then catches up', async () => {
    const store = new MemoryEventStore();
    // Two processes' manual clocks on one log; the first moves time on and closes 31 January.
    const first = await ManualClock.open(store, '2026-01-31T10:00:00+08:00');
    const second = await ManualClock.open(store, '2026-01-31T10:00:00+08:00');
    await store.append('credit-account-a', 'no_stream', [event('e-1', { businessDate: '2026-01-31' })]);
    await first.set('2026-02-01T00:30:00+08:00', 'operator:a');
    await store.append(BUSINESS_DAYS_STREAM, 'no_stream', [{ id: 'day-1', type: 'BusinessDayClosed', schemaVersion: 1, data: { businessDate: '2026-01-31' }, metadata: { businessDate: '2026-01-31' } }]);
    const gate = new BusinessDayGate(store);
    await expect(gate.assertOpen('2026-01-31')).rejects.toMatchObject({ code: 'BUSINESS_DAY_ALREADY_CLOSED', lastClosed: '2026-01-31' });
    // The second process's command is dated by its own clock's time only once that has caught up.
    const dated: string[] = [];
    const repository = { execute: async (_id: string, _command: unknown, meta: { now: string }) => (dated.push(meta.now), { events: [] }) };
    const handler = new ExecuteAccountCommandHandler(repository as unknown as AccountRepository, second, gate);
    await handler.execute(new ExecuteAccountCommand('a', { type: 'UpdatePayScore', payScore: 700 }, { actor: 'operator:b' }));
    expect(dated).toEqual(['2026-02-01T00:30:00+08:00']);
    // A time the command carries itself is not moved.
    await expect(handler.execute(new ExecuteAccountCommand('a', { type: 'UpdatePayScore', payScore: 710 }, { actor: 'operator:b', now: '2026-01-31T11:00:00+08:00' }))).rejects.toMatchObject({ code: 'BUSINESS_DAY_ALREADY_CLOSED' });
  });
});
