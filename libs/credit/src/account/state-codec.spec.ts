import { readFileSync } from 'fs';
import { join } from 'path';
import fc from 'fast-check';
import { Money } from '../money/money';
import type { CreditAccountEvent } from './credit-account.events';
import { type CreditAccountState, initialState, type OrderRecord, placementOf } from './credit-account.state';
import { fold } from './evolve';
import { emptySharded, entriesOf, getEntry, sizeOf, StoredShard, withEntries, withEntry } from './sharded-record';
import { deserializeState, serializeState, wasConverted } from './state-codec';

describe('the account state codec', () => {
  it('brings Money back as Money, exact amounts included, and plain strings as strings', () => {
    const state = { ...initialState('acc-1'), limit: Money.of('2200.00'), roundingResidual: { interest: Money.exact('0.00123'), penaltyInterest: Money.ZERO }, dailyRate: '0.0005' };
    const back = deserializeState(serializeState(state));
    expect(back.limit).toBeInstanceOf(Money);
    expect(back.limit.toString()).toBe('2200.00');
    expect(back.roundingResidual.interest.toExactString()).toBe('0.00123');
    expect(back.dailyRate).toBe('0.0005');
    expect(serializeState(back)).toBe(serializeState(state));
  });

  it('reads a state written before rule revisions were recorded as rule revision 1', () => {
    const { ruleRevision, ...before } = { ...initialState('acc-1'), ruleRevision: 2 };
    expect(ruleRevision).toBe(2);
    expect(deserializeState(serializeState(before as CreditAccountState)).ruleRevision).toBe(1);
    expect(deserializeState(serializeState({ ...initialState('acc-1'), ruleRevision: 2 })).ruleRevision).toBe(2);
  });

  it('keeps a caller-chosen id of "__proto__" as an ordinary key', () => {
    // Dispute ids are caller-chosen ids kept as plain keys; repayment references, like orders and draws,
    // are a sharded record.
    const disputes = JSON.parse('{"__proto__": null}');
    disputes.__proto__ = { drawId: 'o-1', resolved: false, upheld: null };
    const state = { ...initialState('acc-2'), disputes, repayments: withEntry(emptySharded<Money>(), '__proto__', Money.of('1.00')) };
    const back = deserializeState(serializeState(state));
    expect(Object.keys(back.disputes)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(back.disputes)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(back.disputes, '__proto__')?.value).toEqual({ drawId: 'o-1', resolved: false, upheld: null });
    expect(getEntry(back.repayments, '__proto__')?.toString()).toBe('1.00');
    expect(getEntry(back.repayments, 'constructor')).toBeUndefined();
    expect(serializeState(back)).toBe(serializeState(state));
  });

  it('reads the sharded records of a version 3 snapshot, an object keyed by shard, into the same slots', () => {
    const entries = Array.from({ length: 200 }, (_, i) => [`o-${i}`, { outcome: 'DECLINED' as const, amount: Money.of(`${i}.50`), merchant: 'm' }] as const);
    const state = { ...initialState('acc-4'), orders: withEntries(emptySharded<OrderRecord>(), entries) };
    const json = JSON.parse(serializeState(state));
    const slots: (string | null)[] = json.orders.$shards;
    json.orders = Object.fromEntries(slots.flatMap((shard, i) => (shard ? [[`s${i}`, JSON.parse(shard)]] : [])));
    json.draws = {};
    json.repayments = {};
    delete json.unbilledDraws;
    const back = deserializeState(JSON.stringify(json));
    expect(serializeState(back)).toBe(serializeState(state));
    for (const [id, order] of entries) expect(getEntry(back.orders, id)?.amount.toString()).toBe(order.amount.toString());
    expect(sizeOf(back.orders)).toBe(200);
    expect(() => deserializeState(JSON.stringify({ ...json, orders: { s64: {} } }))).toThrow(/not a shard/);
  });

  it('reads orders and draws shard by shard: a shard is parsed only when one of its entries is asked for', () => {
    const entries = Array.from({ length: 300 }, (_, i) => [`o-${i}`, { outcome: 'DECLINED' as const, amount: Money.of(`${i}.50`), merchant: 'm' }] as const);
    const state = { ...initialState('acc-5'), orders: withEntries(emptySharded<OrderRecord>(), entries) };
    const text = serializeState(state);
    const back = deserializeState(text);
    const stored = () => back.orders.filter((slot) => slot instanceof StoredShard).length;
    expect(stored()).toBe(64);
    expect(sizeOf(back.orders)).toBe(300);
    expect(stored()).toBe(64);
    expect(getEntry(back.orders, 'o-7')?.amount.toString()).toBe('7.50');
    expect(getEntry(back.orders, 'o-7')).toBe(getEntry(back.orders, 'o-7'));
    // A change copies the one shard it touches; the others stay stored text, written back as read.
    const changed = withEntry(back.orders, 'o-8', { outcome: 'DECLINED', amount: Money.of('1.00'), merchant: 'x' });
    expect(changed.filter((slot) => slot instanceof StoredShard)).toHaveLength(63);
    expect(serializeState(back)).toBe(text);
    const reference = { ...state, orders: withEntry(state.orders, 'o-8', { outcome: 'DECLINED', amount: Money.of('1.00'), merchant: 'x' }) };
    expect(serializeState({ ...back, orders: changed })).toBe(serializeState(reference));
    // JSON.stringify sees a stored shard's entries, as it sees a shard built in memory.
    expect(JSON.stringify(back.orders)).toBe(JSON.stringify(state.orders));
  });

  it('refuses a stored sharded record that is not 64 slots of text or null with a count', () => {
    const json = JSON.parse(serializeState(initialState('acc-6')));
    const withOrders = (orders: unknown) => JSON.stringify({ ...json, orders });
    expect(() => deserializeState(withOrders({ $shards: [null], size: 0 }))).toThrow(/not a stored sharded record/);
    expect(() => deserializeState(withOrders({ $shards: new Array(64).fill(null), size: -1 }))).toThrow(/not a stored sharded record/);
    expect(() => deserializeState(withOrders({ $shards: new Array(64).fill(null) }))).toThrow(/not a stored sharded record/);
    expect(() => deserializeState(withOrders({ $shards: [{}, ...new Array(63).fill(null)], size: 0 }))).toThrow(/neither text nor null/);
    expect(sizeOf(deserializeState(withOrders({ $shards: new Array(64).fill(null), size: 0 })).orders)).toBe(0);
    // A count below the shards that hold entries would number the next draw as an earlier one's.
    expect(() => deserializeState(withOrders({ $shards: ['{"o-1":{}}', '{"o-2":{}}', ...new Array(62).fill(null)], size: 1 }))).toThrow(/size 1 but 2 shards/);
    expect(sizeOf(deserializeState(withOrders({ $shards: ['{"o-1":{}}', '{"o-2":{}}', ...new Array(62).fill(null)], size: 2 })).orders)).toBe(2);
  });

  it('reads $shards and $apart only as the state\'s own sharded records, as data anywhere else', () => {
    const json = JSON.parse(serializeState(initialState('acc-7')));
    const back = deserializeState(JSON.stringify({ ...json, holder: { nameMasked: 'x', note: { $shards: ['a'], size: 1 } } }));
    expect((back as unknown as { holder: unknown }).holder).toEqual({ nameMasked: 'x', note: { $shards: ['a'], size: 1 } });
  });

  it('writes exactly the JSON.stringify text of the state with every Money replaced by its tag, sharded records aside', () => {
    // The reference: copy the tree with Money tagged, then let the engine write it.
    const tagged = (value: unknown): unknown => {
      if (value instanceof Money) return { $money: value.toExactString() };
      if (Array.isArray(value)) return value.map(tagged);
      if (value === null || typeof value !== 'object' || value instanceof Date) return value;
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, tagged(v)]));
    };
    const money = fc.oneof(fc.bigInt(-(10n ** 12n), 10n ** 12n).map((fen) => Money.fromFen(fen)), fc.constant(Money.exact('0.000123456789')));
    const leaf = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.constant(Symbol('s')),
      fc.constant(() => 1),
      fc.date({ noInvalidDate: true }),
      money,
    );
    const tree = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('node'), { maxLength: 4 }), fc.dictionary(fc.string({ unit: 'binary' }), tie('node'), { maxKeys: 4 })),
    })).node;
    fc.assert(
      // Any state-like object but for the sharded fields, which are written shard by shard (above).
      fc.property(fc.dictionary(fc.string().filter((key) => key !== 'orders' && key !== 'draws'), tree), (state) => {
        const text = serializeState(state as never);
        expect(text).toBe(JSON.stringify(tagged(state)));
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses a bigint, as JSON.stringify does, rather than write something that would not come back', () => {
    expect(() => serializeState({ ...initialState('acc-4'), payScore: 10n } as never)).toThrow('bigint');
  });
});

describe('a state written by the build before state version 6', () => {
  // Written by that build (commit e3da862) with `scripts/make-state-text.ts`: the state text at five
  // points of one account's life, each draw holding its placement and unbilled share.
  const golden = JSON.parse(readFileSync(join(__dirname, 'testdata', 'state-v5.json'), 'utf8')) as { stateVersion: number; events: CreditAccountEvent[]; states: { at: number; state: string }[] };
  const foldTo = (at: number) => fold(initialState('acc-golden'), golden.events.slice(0, at));

  it('reads as the state this build folds from the same events, and folds on to the same state', () => {
    expect(golden.stateVersion).toBe(5);
    expect(golden.states).toHaveLength(5);
    const whole = serializeState(foldTo(golden.events.length));
    for (const { at, state } of golden.states) {
      expect(state).toContain('\\"placement\\"');
      const read = deserializeState(state);
      expect(serializeState(read)).toBe(serializeState(foldTo(at)));
      expect(serializeState(fold(read, golden.events.slice(at)))).toBe(whole);
    }
  });

  it('converts repayment references kept as one object in the head, as the first builds of version 6 kept them', () => {
    const folded = foldTo(golden.events.length);
    expect(sizeOf(folded.repayments)).toBeGreaterThan(20);
    const text = serializeState(folded);
    const json = JSON.parse(text) as { repayments: unknown };
    const { $shards } = json.repayments as { $shards: (string | null)[] };
    json.repayments = Object.fromEntries($shards.flatMap((shard) => (shard === null ? [] : Object.entries(JSON.parse(shard) as object))));
    const read = deserializeState(JSON.stringify(json));
    expect(wasConverted(read)).toBe(true);
    expect(serializeState(read)).toBe(text);
    expect(getEntry(read.repayments, '__proto__')?.toString()).toBe('1.00');
    expect(wasConverted(deserializeState(text))).toBe(false);
  });

  it('places every draw where that build had it', () => {
    for (const { state } of golden.states) {
      const read = deserializeState(state);
      const old = JSON.parse(state) as { draws: { $shards: (string | null)[] } };
      const drawsBefore = old.draws.$shards.flatMap((shard) => (shard === null ? [] : Object.values(JSON.parse(shard) as Record<string, OldDraw>)));
      expect(drawsBefore.length).toBeGreaterThan(0);
      for (const before of drawsBefore) {
        const placement = placementOf(read, getEntry(read.draws, before.drawId)!);
        expect(placement.kind).toBe(before.placement.kind);
        if (placement.kind === 'UNBILLED') expect(placement.remaining.toString()).toBe(Money.exact(before.unbilledRemaining.$money).toString());
        if (placement.kind === 'INSTALLMENT') expect(placement.planId).toBe(before.placement.planId);
        // Billed: on the statement that build named, while that one is open and holds a share of the draw.
        if (placement.kind === 'BILLED') expect(placement.statement?.id ?? null).toBe(read.statements.some((st) => Object.hasOwn(st.billedDraws, before.drawId)) ? before.placement.statementId : null);
      }
    }
    // The life reaches each place: unbilled, installments, billed with a share on an open statement, and
    // billed with none on any (its statement settled, or the draw repaid before it was billed).
    const kinds = golden.states.flatMap(({ state }) => {
      const read = deserializeState(state);
      return entriesOf(read.draws).map((draw) => {
        const placement = placementOf(read, draw);
        return placement.kind === 'BILLED' ? `BILLED ${placement.statement === null ? 'on no open statement' : 'on an open statement'}` : placement.kind;
      });
    });
    expect(new Set(kinds)).toEqual(new Set(['UNBILLED', 'INSTALLMENT', 'BILLED on an open statement', 'BILLED on no open statement']));
  });
});

interface OldDraw {
  drawId: string;
  placement: { kind: string; planId?: string; statementId?: string };
  unbilledRemaining: { $money: string };
}
