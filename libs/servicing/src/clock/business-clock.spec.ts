import { MemoryEventStore } from '@ledger/event-store';
import { ManualClock } from './business-clock';

describe('the manual business clock', () => {
  it('takes the time another writer set on its stream, and goes on forward from there', async () => {
    const store = new MemoryEventStore();
    const api = await ManualClock.open(store, '2026-01-01T09:00:00+08:00');
    const cli = await ManualClock.open(store, '2026-01-01T09:00:00+08:00');
    await api.set('2026-01-02T00:10:00+08:00', 'operator:ops');
    // The CLI's clock moved the stream on without this process knowing.
    await cli.set('2026-01-02T00:10:00+08:00', 'system:simulator');
    await cli.set('2026-01-10T00:10:00+08:00', 'system:simulator');
    await expect(api.set('2026-01-05T00:10:00+08:00', 'operator:ops')).rejects.toMatchObject({ code: 'CLOCK_WENT_BACKWARDS' });
    expect(api.now()).toBe('2026-01-10T00:10:00+08:00');
    await expect(api.set('2026-01-11T00:10:00+08:00', 'operator:ops')).resolves.toBe('2026-01-11T00:10:00+08:00');
    // The other writer moves it on again: this clock's next set conflicts, catches up, and succeeds on its retry.
    await cli.set('2026-01-12T00:10:00+08:00', 'system:simulator');
    await expect(api.set('2026-01-13T00:10:00+08:00', 'operator:ops')).resolves.toBe('2026-01-13T00:10:00+08:00');
    expect((await store.readStream('ledger-clock')).at(-1)?.data).toEqual({ now: '2026-01-13T00:10:00+08:00', previous: '2026-01-12T00:10:00+08:00' });
    expect((await store.readStream('ledger-clock')).map((e) => (e.data as { now: string }).now)).toEqual([
      '2026-01-02T00:10:00+08:00',
      '2026-01-02T00:10:00+08:00',
      '2026-01-10T00:10:00+08:00',
      '2026-01-11T00:10:00+08:00',
      '2026-01-12T00:10:00+08:00',
      '2026-01-13T00:10:00+08:00',
    ]);
  });
});
