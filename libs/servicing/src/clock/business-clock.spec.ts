import { MemoryEventStore, StoreUnavailableError } from '@ledger/event-store';
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

  it('opens on a store that does not answer yet, tells no time until it does, then resumes at the last time set', async () => {
    const store = new MemoryEventStore();
    await (await ManualClock.open(store, '2026-01-01T09:00:00+08:00')).set('2026-03-05T10:00:00+08:00', 'operator:ops');
    let down = 2;
    const read = store.readStream.bind(store);
    jest.spyOn(store, 'readStream').mockImplementation((...args) => (down-- > 0 ? Promise.reject(new StoreUnavailableError('connection refused')) : read(...args)));
    const clock = await ManualClock.open(store, '2026-01-01T09:00:00+08:00', 5);
    // Not the start value: the store holds a later time, and the clock cannot know it yet.
    expect(() => clock.now()).toThrow(StoreUnavailableError);
    // It asks again every 5 ms here: the third time the store answers.
    const told = async (): Promise<string> => {
      for (let i = 0; ; i++) {
        try {
          return clock.now();
        } catch (error) {
          if (i >= 200) throw error;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }
    };
    expect(await told()).toBe('2026-03-05T10:00:00+08:00');
    expect(down).toBe(-1);
    clock.close();
  });

  it('still refuses to open on a store that fails otherwise', async () => {
    const store = new MemoryEventStore();
    jest.spyOn(store, 'readStream').mockRejectedValue(new Error('no such table: events'));
    await expect(ManualClock.open(store, '2026-01-01T09:00:00+08:00')).rejects.toThrow('no such table: events');
  });
});
