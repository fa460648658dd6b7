import fc from 'fast-check';
import { LruCache } from './lru-cache';

describe('an LRU cache of capacity 2', () => {
  it('evicts the least recently used entry, counting reads as use', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.size).toBe(2);
  });

  it('tells of each value its bounds push out, and of no other', () => {
    const evicted: string[] = [];
    const cache = new LruCache<string, number>(2, { maxWeight: 10, weigh: (n) => n }, (key, value) => evicted.push(`${key}=${value}`));
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');
    cache.set('c', 3); // over the count: b, the least recently used
    cache.set('d', 8); // over the weight: a, then c
    cache.set('e', 11); // heavier than the whole budget: not kept
    cache.set('d', 7); // set again under its key
    cache.delete('d');
    cache.set('f', 1);
    cache.clear();
    expect(evicted).toEqual(['b=2', 'a=1', 'c=3', 'e=11']);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new LruCache(0)).toThrow('positive integer');
  });
});

describe('an LRU cache bounded by weight', () => {
  const weighed = (maxWeight: number) => new LruCache<string, number>(100, { maxWeight, weigh: (n) => n });

  it('evicts the least recently used until the total weight fits, whatever the count', () => {
    const cache = weighed(10);
    cache.set('a', 4);
    cache.set('b', 4);
    expect(cache.get('a')).toBe(4);
    cache.set('c', 5);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.weight).toBe(9);
    cache.set('d', 6);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('c')).toBeUndefined();
    expect(cache.get('d')).toBe(6);
    expect(cache.weight).toBe(6);
  });

  it('says whether it holds a key without counting that as a use', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.has('a')).toBe(true);
    expect(cache.has('c')).toBe(false);
    // 'a' is still the least recently used, and goes first.
    cache.set('c', 3);
    expect(cache.has('a')).toBe(false);
    expect(cache.has('b')).toBe(true);
  });

  it('weighs a value again when asked, for one that grew in place, and evicts what the bound then requires', () => {
    const cache = new LruCache<string, { n: number }>(100, { maxWeight: 10, weigh: (v) => v.n });
    const grows = { n: 3 };
    cache.set('a', grows);
    cache.set('b', { n: 4 });
    grows.n = 7;
    expect(cache.weight).toBe(7);
    cache.reweigh('a');
    expect(cache.weightOf('a')).toBe(7);
    // 'a' is now the most recently used; 'b' goes to keep the total within 10.
    expect(cache.get('b')).toBeUndefined();
    expect(cache.weight).toBe(7);
    cache.reweigh('missing');
    expect(cache.weight).toBe(7);
  });

  it('does not keep a value heavier than the whole budget: a new key keeps what was held, a known key loses its old value', () => {
    const cache = weighed(10);
    cache.set('a', 3);
    cache.set('big', 11);
    expect(cache.get('big')).toBeUndefined();
    expect(cache.get('a')).toBe(3);
    expect(cache.weight).toBe(3);
    cache.set('a', 11);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.weight).toBe(0);
  });

  it('refuses a weight that would break the bound: NaN, negative or fractional', () => {
    const cache = weighed(10);
    for (const weight of [Number.NaN, -1, 0.5]) expect(() => cache.set('a', 1, weight)).toThrow('non-negative integer');
    expect(cache.size).toBe(0);
  });

  it('replaces a key with its new weight, and forgets the weight of what is deleted or cleared', () => {
    const cache = weighed(10);
    cache.set('a', 6);
    cache.set('a', 2);
    expect(cache.weight).toBe(2);
    cache.set('b', 7, 8);
    expect(cache.weight).toBe(10);
    cache.delete('b');
    expect(cache.weight).toBe(2);
    cache.clear();
    expect(cache.weight).toBe(0);
    expect(cache.size).toBe(0);
  });

  it('holds both bounds after any sequence of sets, gets and deletes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('set', 'get', 'delete'), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 60 }))),
        (ops) => {
          const cache = new LruCache<number, number>(4, { maxWeight: 50, weigh: (n) => n });
          const model = new Map<number, number>();
          for (const [op, key, weight] of ops) {
            if (op === 'set') cache.set(key, weight);
            else if (op === 'delete') cache.delete(key);
            else cache.get(key);
            // The model is what was last set (a value over the budget is never kept); the cache may hold less.
            if (op === 'set' && weight <= 50) model.set(key, weight);
            if ((op === 'set' && weight > 50) || op === 'delete') model.delete(key);
          }
          let held = 0;
          for (let key = 0; key <= 9; key++) if (!model.has(key)) expect(cache.get(key)).toBeUndefined();
          for (const [key, weight] of model) {
            const value = cache.get(key);
            if (value !== undefined) {
              expect(value).toBe(weight);
              held += weight;
            }
          }
          expect(cache.weight).toBe(held);
          expect(cache.weight).toBeLessThanOrEqual(50);
          expect(cache.size).toBeLessThanOrEqual(4);
        },
      ),
    );
  });

  it('refuses a weight bound that is not a positive number', () => {
    expect(() => new LruCache(2, { maxWeight: 0, weigh: () => 1 })).toThrow('positive number');
    expect(() => new LruCache(2, { maxWeight: Number.NaN, weigh: () => 1 })).toThrow('positive number');
  });

  it('replaces a value it holds in place, keeping its weight and its place, and adds none it does not hold', () => {
    const cache = new LruCache<string, string>(2, { maxWeight: 100, weigh: (value) => value.length });
    cache.set('a', 'aaaa');
    cache.set('b', 'bb');
    expect(cache.replace('a', 'x')).toBe(true);
    expect(cache.replace('c', 'ccc')).toBe(false);
    expect(cache.size).toBe(2);
    expect(cache.weight).toBe(6);
    expect(cache.weightOf('a')).toBe(4);
    // Not a use: 'a' is still the least recently used, so the next key evicts it.
    cache.set('d', 'd');
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe('bb');
    cache.set('a', 'aaaa');
    cache.replace('a', 'y');
    expect(cache.get('a')).toBe('y');
  });
});
