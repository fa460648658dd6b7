import fc from 'fast-check';
import { Money } from '../money/money';
import { initialState, type OrderRecord } from './credit-account.state';
import { emptySharded, entriesOf, getEntry, sizeOf, withEntries, withEntry } from './sharded-record';
import { deserializeState, serializeState } from './state-codec';

describe('a sharded record', () => {
  it('counts its entries as it grows, batch by batch, duplicates within a batch once, also after a snapshot', () => {
    const id = fc.oneof(fc.string({ maxLength: 3 }), fc.constantFrom('__proto__', 'constructor', '0', 'size'));
    fc.assert(
      fc.property(fc.array(fc.array(fc.tuple(id, fc.integer()), { maxLength: 4 })), fc.nat(), fc.boolean(), (batches, at, countRead) => {
        let record = emptySharded<number>();
        const model = new Map<string, number>();
        for (const [i, batch] of batches.entries()) {
          if (i === at % batches.length) {
            // Read back from a snapshot, a record carries the count it was written with, and its shards as text.
            const text = serializeState({ ...initialState('acc-s'), orders: record as never });
            const stored = JSON.parse(text).orders as { $shards: (string | null)[]; size: number };
            expect(stored.size).toBe(model.size);
            record = deserializeState(text).orders as never;
            expect(stored.$shards.map((shard) => (shard === null ? null : JSON.parse(shard)))).toEqual(JSON.parse(JSON.stringify([...record])));
            if (countRead) expect(sizeOf(record)).toBe(model.size);
          }
          record = withEntries(record, batch);
          for (const [key, value] of batch) model.set(key, value);
          expect(sizeOf(record)).toBe(model.size);
        }
      }),
    );
  });

  it('behaves as a map: the last value set under an id wins, and every id is counted once', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'toString', '0', '10')), fc.integer())), (writes) => {
        let record = emptySharded<number>();
        const model = new Map<string, number>();
        for (const [id, value] of writes) {
          record = withEntry(record, id, value);
          model.set(id, value);
          // Asked after every write, so each count after the first is carried forward by `withEntry`.
          expect(sizeOf(record)).toBe(model.size);
        }
        for (const [id, value] of model) expect(getEntry(record, id)).toBe(value);
        expect(sizeOf(record)).toBe(model.size);
        expect(entriesOf(record).sort()).toEqual([...model.values()].sort());
      }),
    );
  });

  it('finds nothing under an id never set, inherited names included', () => {
    const record = withEntry(emptySharded<string>(), 'a', 'x');
    for (const id of ['b', '__proto__', 'constructor', 'hasOwnProperty', 's0']) expect(getEntry(record, id)).toBeUndefined();
  });

  it('never changes the record it was given, and shares the shards it did not touch', () => {
    const many = withEntries(
      emptySharded<number>(),
      Array.from({ length: 500 }, (_, i) => [`order-${i}`, i] as const),
    );
    const before = serializeState(many as never);
    const next = withEntry(many, 'order-7', 700);
    expect(serializeState(many as never)).toBe(before);
    expect(getEntry(many, 'order-7')).toBe(7);
    expect(getEntry(next, 'order-7')).toBe(700);
    expect(next).toHaveLength(many.length);
    const copied = many.filter((shard, i) => next[i] !== shard);
    expect(copied).toHaveLength(1);
    expect(many.filter((shard) => shard !== null).length).toBeGreaterThan(32);
  });

  it('survives a snapshot of the account state, Money and awkward ids included', () => {
    const orders = withEntries(emptySharded<OrderRecord>(), [
      ['__proto__', { outcome: 'DECLINED', amount: Money.of('1.00'), merchant: 'm' }],
      ['o-1', { outcome: 'DECLINED', amount: Money.of('2.50'), merchant: 'n' }],
    ]);
    const back = deserializeState(serializeState({ ...initialState('acc-3'), orders }));
    expect(getEntry(back.orders, '__proto__')?.amount.toString()).toBe('1.00');
    expect(getEntry(back.orders, 'o-1')?.amount.toString()).toBe('2.50');
    expect(sizeOf(back.orders)).toBe(2);
  });
});
