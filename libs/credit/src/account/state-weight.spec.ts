import fc from 'fast-check';
import { AccountScenario } from '../testing/account-scenario';
import { addDays } from '../time/local-date';
import { type CreditAccountState, initialState, totalOwed } from './credit-account.state';
import { deserializeApart, deserializeState, serializeApart, serializeState } from './state-codec';
import { emptySharded, getEntry, type ShardedRecord, StoredShard, withEntries, withEntry } from './sharded-record';
import { approximateRecordBytes, approximateStateBytes } from './state-weight';

/** A year of an account: a draw every few days, the statement repaid in full each month. */
function yearOfDraws(): AccountScenario {
  const account = new AccountScenario('acc-weight', '2026-01-05T10:00:00+08:00').open();
  let day = '2026-01-05';
  for (let i = 0; i < 90; i++) {
    account.at(day);
    account.draw(`order-${i}`, '12.34');
    if (i % 8 === 7 && totalOwed(account.state).isPositive()) account.repay(`repay-${i}`, totalOwed(account.state).toString());
    const next = addDays(day, 4);
    account.closeDaysThrough(addDays(next, -1));
    day = next;
  }
  return account;
}

describe('the estimated weight of an account state', () => {
  const account = yearOfDraws();

  it('grows with what the history adds: each order, posted draw and repayment', () => {
    const base = approximateStateBytes(initialState('acc-weight'));
    const grown = approximateStateBytes(account.state);
    const posted = account.eventsOf('DrawPosted').length;
    const repayments = account.eventsOf('RepaymentReceived').length;
    expect(posted).toBeGreaterThan(60);
    // Every order id is kept (declined ones too), every posted draw, every repayment reference.
    expect(grown - base).toBeGreaterThanOrEqual(90 * 200 + posted * 300 + repayments * 80);
  });

  it('stays within the band measured against the heap: above the encoded state, never far above', () => {
    // Decoded states measured 1.09 to 1.35 times their encoded length on the heap, and the estimate
    // 1.08 to 1.22 times the heap (see state-weight.ts); far outside that, the constants are stale.
    const ratio = approximateStateBytes(account.state) / serializeState(account.state).length;
    expect(ratio).toBeGreaterThan(1);
    expect(ratio).toBeLessThan(2);
    // A new account is mostly fixed overhead, which the estimate charges in full.
    expect(approximateStateBytes(initialState('acc-weight'))).toBeGreaterThan(serializeState(initialState('acc-weight')).length);
  });

  it('weighs a state read back apart by the shards it holds: little for those not read, their text once read, more once parsed', () => {
    const home = {};
    const written = serializeApart(account.state, home);
    const table = new Map(written.shards.map((shard) => [`${shard.field}:${shard.index}`, shard.text]));
    const read = () =>
      deserializeApart(
        written.text,
        { one: (field, index) => table.get(`${field}:${index}`)!, all: () => [] },
        home,
      );
    const parsed = approximateStateBytes(account.state);
    const lazy = read();
    const notRead = approximateStateBytes(lazy);
    // The history is nearly all of a year's state; read back apart, its shards are not even in memory.
    expect(notRead).toBeLessThan(parsed / 2);
    expect(notRead).toBeGreaterThan(approximateStateBytes(initialState('acc-weight')));
    // Asking for one order reads and parses its shard: the state weighs that shard's text and entries more.
    expect(getEntry(lazy.orders, 'order-3')).toBeDefined();
    const oneRead = approximateStateBytes(lazy);
    const loaded = lazy.orders.filter((slot) => slot instanceof StoredShard && slot.loaded) as StoredShard[];
    expect(loaded).toHaveLength(1);
    expect(oneRead).toBeGreaterThan(notRead + loaded[0].text.length);
    // Every shard's text in memory (a snapshot's state) weighs more again, and parsing it all more still.
    const snapshot = deserializeState(serializeState(account.state));
    expect(approximateStateBytes(snapshot)).toBeGreaterThan(oneRead);
    for (const record of [snapshot.orders, snapshot.draws])
      for (const slot of record) if (slot instanceof StoredShard) slot.entries();
    expect(approximateStateBytes(snapshot)).toBeGreaterThan(parsed);
  });

  it('charges text beyond Latin-1 two bytes a character, and always weighs in whole bytes', () => {
    const merchant = (name: string) => {
      const scenario = new AccountScenario('acc-cjk', '2026-01-05T10:00:00+08:00').open();
      for (let i = 0; i < 20; i++) scenario.execute({ type: 'RequestDraw', orderId: `order-${i}`, merchant: name, amount: '1.01', authentication: { method: 'PASSWORD', passed: true } });
      return deserializeState(serializeState(scenario.state));
    };
    // Same length of name: the Chinese one is held at two bytes a character.
    const latin = merchant('abcd');
    const chinese = merchant('京东商城');
    const textOf = (state: CreditAccountState) => state.orders.reduce((n, slot) => n + (slot instanceof StoredShard ? slot.text.length : 0), 0);
    expect(textOf(chinese)).toBe(textOf(latin));
    expect(approximateStateBytes(chinese) - approximateStateBytes(latin)).toBeGreaterThanOrEqual(textOf(chinese) - 64 * 4);
    for (const state of [latin, chinese, account.state, deserializeState(serializeState(account.state))]) expect(Number.isSafeInteger(approximateStateBytes(state))).toBe(true);
  });

  it('weighs a record as a count of every slot would, however it was copied, read back or parsed in between', () => {
    // The weight's count of entries in shards built here is carried from copy to copy (`builtSizeOf`);
    // counted slot by slot instead, as it was before, it must come out the same after any history.
    const byCounting = (record: ShardedRecord<unknown>, perEntry: number) => {
      let bytes = 0;
      for (const slot of record) {
        if (slot === null) continue;
        if (!(slot instanceof StoredShard)) bytes += perEntry * Object.keys(slot).length;
        else {
          bytes += 100 + (slot.loaded ? 16 + slot.textBytes : 0);
          const parsed = slot.parsedEntries();
          if (parsed !== undefined) bytes += ((3 * perEntry) / 2) * Object.keys(parsed).length;
        }
      }
      return Math.ceil(bytes);
    };
    const id = fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('__proto__', 'constructor', 'size', 'built'));
    const step = fc.oneof(
      fc.record({ set: fc.tuple(id, fc.integer()) }),
      fc.record({ setMany: fc.array(fc.tuple(id, fc.integer()), { maxLength: 5 }) }),
      fc.record({ readBackAndParse: fc.boolean() }),
      fc.record({ lookUp: id }),
    );
    type Step = { set: [string, number] } | { setMany: [string, number][] } | { readBackAndParse: boolean } | { lookUp: string };
    // Always run, whatever the seed: stored shards copied by one batch that touches a shard twice and
    // sets an id twice, and by one that sets an id the stored shard already held.
    const fixed: [Step[], number][] = [
      [[{ setMany: [['x', 0], ['y', 1]] }, { readBackAndParse: false }, { setMany: [['x', 0], ['x', 2], ['y', 3]] }], 200],
      [[{ set: ['x', 0] }, { readBackAndParse: true }, { set: ['x', 1] }, { readBackAndParse: false }, { lookUp: 'x' }, { set: ['z', 2] }], 300],
    ];
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), fc.integer({ min: 1, max: 400 }), (steps: Step[], perEntry) => {
        let record = emptySharded<number>();
        for (const s of steps) {
          if ('set' in s) record = withEntry(record, ...s.set);
          else if ('setMany' in s) record = withEntries(record, s.setMany);
          else if ('lookUp' in s) getEntry(record, s.lookUp);
          else {
            // As a snapshot holds it: every shard stored, its text in memory (read apart, it would not be yet).
            const back = deserializeState(serializeState({ ...initialState('acc-w'), orders: record as never })).orders as ShardedRecord<number>;
            record = back;
            if (s.readBackAndParse) for (const slot of record) if (slot instanceof StoredShard && slot.text.length % 2 === 0) slot.entries();
          }
          expect(approximateRecordBytes(record, perEntry)).toBe(byCounting(record, perEntry));
        }
      }),
      { examples: fixed },
    );
  });
});
