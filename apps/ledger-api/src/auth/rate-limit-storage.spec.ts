import { ThrottlerStorageService } from '@nestjs/throttler';
import fc from 'fast-check';
import { RateLimitStorage } from './rate-limit-storage';

const START = Date.UTC(2026, 11, 2, 2, 0, 0);

interface Step {
  key: number;
  /** Milliseconds the clock moves before this request (back, now and then). */
  advance: number;
  /** Run both stores' idle sweep before the request. */
  sweep: boolean;
  /** Count this request with another window than the run's (as a per-route limit on the same key would). */
  otherTtl: number | null;
}

const step = fc.record({
  key: fc.integer({ min: 0, max: 2 }),
  advance: fc.oneof(
    { weight: 3, arbitrary: fc.constant(0) },
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 40 }) },
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 1_500 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 70_000 }) },
    { weight: 1, arbitrary: fc.integer({ min: -3_000, max: -1 }) },
  ),
  sweep: fc.boolean(),
  otherTtl: fc.option(fc.constantFrom(1_000, 2_500, 60_000), { freq: 8 }),
});

describe('RateLimitStorage', () => {
  afterEach(() => jest.useRealTimers());

  it('answers every request as @nestjs/throttler’s in-memory storage does: blocking or not, across window ends, sweeps, mixed windows and a clock stepping back', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 300 }),
        fc.constantFrom(1_000, 2_500, 60_000),
        fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 50, max: 400 })),
        fc.constantFrom(0, 1_000, 2_500, 60_000),
        async (steps: Step[], ttl, limit, blockDuration) => {
          jest.useFakeTimers({ now: START });
          const library = new ThrottlerStorageService();
          const ours = new RateLimitStorage();
          try {
            let now = START;
            for (const s of steps) {
              now += s.advance;
              jest.setSystemTime(now);
              if (s.sweep) {
                // Private in the library's typings; its sweep timer calls it the same way.
                (library as unknown as { evictIdleRecords(now: number): void }).evictIdleRecords(now);
                ours.evictIdle(now);
              }
              const key = `default:key:${s.key}`;
              const window = s.otherTtl ?? ttl;
              const expected = await library.increment(key, window, limit, blockDuration, 'default');
              const actual = await ours.increment(key, window, limit, blockDuration, 'default');
              expect(actual).toEqual(expected);
              expect(ours.size).toBe(library.storage.size);
            }
          } finally {
            library.onApplicationShutdown();
            ours.onApplicationShutdown();
            jest.useRealTimers();
          }
        },
      ),
      {
        numRuns: 300,
        examples: [
          // A sweep after the first hit expired, then the clock one millisecond back: the library still
          // counts that hit (its sweep does not prune), so the fourth request is blocked.
          [[{ key: 0, advance: 0, sweep: false, otherTtl: null }, { key: 0, advance: 969, sweep: false, otherTtl: null }, { key: 1, advance: 31, sweep: true, otherTtl: null }, { key: 0, advance: -1, sweep: false, otherTtl: null }], 1_000, 2, 0],
        ],
      },
    );
  });

  it('holds one pair per millisecond however many hits it counts, and lets them all expire together', () => {
    const storage = new RateLimitStorage();
    const limit = 10_000_000;
    let record = storage.hit('k', 60_000, limit, 60_000, 'default', START);
    for (let i = 1; i < 250_000; i++) record = storage.hit('k', 60_000, limit, 60_000, 'default', START + Math.floor(i / 1_000));
    expect(record.totalHits).toBe(250_000);
    expect(storage.pairsHeld('k', 'default').pairs).toBe(250);
    // The first millisecond's 1,000 hits expire exactly one window after they were made.
    expect(storage.hit('k', 60_000, limit, 60_000, 'default', START + 60_000).totalHits).toBe(250_000 - 1_000 + 1);
    expect(storage.hit('k', 60_000, limit, 60_000, 'default', START + 60_000 + 250).totalHits).toBe(2);
    expect(storage.pairsHeld('k', 'default').pairs).toBe(2);
    storage.onApplicationShutdown();
  });

  it('lets go of expired pairs while a key stays busy, so its arrays stay near the pairs it holds', () => {
    const storage = new RateLimitStorage();
    // One hit a second for twenty minutes: never empty, 60 pairs live at a time.
    for (let second = 0; second < 1_200; second++) storage.hit('address:10.0.0.1', 60_000, 100, 60_000, 'default', START + second * 1_000);
    const held = storage.pairsHeld('address:10.0.0.1', 'default');
    expect(held.pairs).toBe(60);
    expect(held.slots).toBeLessThanOrEqual(2 * 60 + 16);
    storage.onApplicationShutdown();
  });

  it('counts a hit made after the clock stepped back until its own expiry, as the library does', () => {
    const storage = new RateLimitStorage();
    storage.hit('k', 1_000, 100, 1_000, 'default', START + 5_000);
    expect(storage.hit('k', 1_000, 100, 1_000, 'default', START).totalHits).toBe(2);
    expect(storage.pairsHeld('k', 'default').pairs).toBe(2);
    // The stepped-back hit expired at START + 1,000; the first at START + 6,000.
    expect(storage.hit('k', 1_000, 100, 1_000, 'default', START + 5_999).totalHits).toBe(2);
    expect(storage.hit('k', 1_000, 100, 1_000, 'default', START + 6_000).totalHits).toBe(2);
    storage.onApplicationShutdown();
  });

  it('forgets idle keys on its sweep and keeps blocked ones until their block ends', () => {
    const storage = new RateLimitStorage();
    storage.hit('idle', 1_000, 5, 1_000, 'default', START);
    storage.hit('blocked', 1_000, 1, 30_000, 'default', START);
    expect(storage.hit('blocked', 1_000, 1, 30_000, 'default', START).isBlocked).toBe(true);
    storage.evictIdle(START + 999);
    expect(storage.size).toBe(2);
    storage.evictIdle(START + 1_000);
    expect(storage.size).toBe(1);
    storage.evictIdle(START + 30_000);
    expect(storage.size).toBe(0);
    storage.onApplicationShutdown();
  });
});
