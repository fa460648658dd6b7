import { applicant, DEFAULT_TERMS_CATALOGUE, serializeState, StoredShard } from '@ledger/credit';
import { ConcurrencyError, MemoryEventStore, MemorySnapshotStore, type EventStore } from '@ledger/event-store';
import { CHAIN_GENESIS, chainHashOf } from '../audit/chain-hash';
import { AccountRepository, accountStream, IdempotencyKeyReusedError } from './account-repository';

const NOW = '2026-01-05T10:00:00+08:00';
const meta = (commandId?: string, requestHash = 'h1') => ({ commandId, requestHash, actor: 'operator:test', now: NOW });

async function openAccount(repo: AccountRepository, id = 'acc-1') {
  await repo.execute(id, { type: 'SubmitApplication', accountId: id, channel: 'INVITED', applicant: applicant({ payScore: 650 }) }, meta(`apply:${id}`));
  await repo.execute(id, { type: 'ActivateAccount', agreementVersion: 'v1', autoRepayCardLast4: '6222' }, meta(`activate:${id}`));
}

const drawCommand = (orderId: string, amount: string) => ({ type: 'RequestDraw' as const, orderId, merchant: 'm', amount, authentication: { method: 'PASSWORD' as const, passed: true } });

describe('the account repository', () => {
  let store: MemoryEventStore;
  let snapshots: MemorySnapshotStore;
  let repo: AccountRepository;

  beforeEach(() => {
    store = new MemoryEventStore();
    snapshots = new MemorySnapshotStore();
    repo = new AccountRepository(store, snapshots, DEFAULT_TERMS_CATALOGUE, { snapshotEvery: 5 });
  });

  it('appends decided events with the command id, actor and business date in their metadata', async () => {
    await openAccount(repo);
    const stored = await store.readStream(accountStream('acc-1'));
    expect(stored.map((e) => e.type)).toEqual(['ApplicationSubmitted', 'ApplicationApproved', 'AccountActivated']);
    expect(stored[0].metadata).toMatchObject({ commandId: 'apply:acc-1', actor: 'operator:test', businessDate: '2026-01-05', requestHash: 'h1' });
  });

  it('returns the original events and appends nothing when a command id is retried with the same request', async () => {
    await openAccount(repo);
    const first = await repo.execute('acc-1', drawCommand('o-1', '100.00'), meta('draw:o-1'));
    const fresh = new AccountRepository(store, snapshots, DEFAULT_TERMS_CATALOGUE);
    const retry = await fresh.execute('acc-1', drawCommand('o-1', '100.00'), meta('draw:o-1'));
    expect(retry).toMatchObject({ replayed: true, position: first.position });
    expect(retry.events).toEqual(first.events);
    expect(await store.readStream(accountStream('acc-1'))).toHaveLength(4);
  });

  it('refuses a reused idempotency key with another request, and the domain conflict for a natural key', async () => {
    await openAccount(repo);
    await repo.execute('acc-1', { type: 'UpdatePayScore', payScore: 700 }, meta('key:k-1', 'hash-a'));
    await expect(repo.execute('acc-1', { type: 'UpdatePayScore', payScore: 710 }, meta('key:k-1', 'hash-b'))).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    await repo.execute('acc-1', drawCommand('o-1', '100.00'), meta('draw:o-1', 'hash-a'));
    await expect(repo.execute('acc-1', drawCommand('o-1', '200.00'), meta('draw:o-1', 'hash-b'))).rejects.toMatchObject({ code: 'DRAW_EXISTS_WITH_DIFFERENT_PAYLOAD' });
  });

  it('treats a command id named like an object member as an ordinary id, from memory and from a snapshot', async () => {
    // The map of applied commands was a plain object: `commands['toString']` found Object.prototype's
    // method and refused a first use of the id as a reused key.
    await openAccount(repo);
    // The snapshot (every 5 events) is taken after the second of these: `__proto__` comes first, so it is
    // in the snapshot's command map; the last three are read from the stream.
    const ids = ['__proto__', 'toString', 'constructor', 'hasOwnProperty', 'valueOf'];
    const score = (i: number) => ({ type: 'UpdatePayScore' as const, payScore: 700 + i });
    for (const [i, id] of ids.entries()) expect(await repo.execute('acc-1', score(i), meta(id))).toMatchObject({ replayed: false, events: [{ type: 'PayScoreUpdated' }] });
    // Again in this repository (the map in memory), then in a fresh one (from the snapshot and the stream).
    for (const [i, id] of ids.entries()) expect(await repo.execute('acc-1', score(i), meta(id))).toMatchObject({ replayed: true });
    const snapshot = await snapshots.load<{ commands: Record<string, unknown> }>(accountStream('acc-1'));
    expect(Object.keys(snapshot!.state.commands)).toEqual(expect.arrayContaining(['__proto__', 'toString']));
    const fresh = new AccountRepository(store, snapshots, DEFAULT_TERMS_CATALOGUE);
    for (const [i, id] of ids.entries()) expect(await fresh.execute('acc-1', score(i), meta(id))).toMatchObject({ replayed: true });
    await expect(fresh.execute('acc-1', score(9), meta('valueOf', 'h2'))).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    expect(await store.readStream(accountStream('acc-1'))).toHaveLength(3 + ids.length);
  });

  it('keeps accounts in memory only up to its byte budget, and decides the same after reloading an evicted one', async () => {
    const run = async (cacheBytes: number) => {
      const events = new MemoryEventStore();
      const bounded = new AccountRepository(events, new MemorySnapshotStore(), DEFAULT_TERMS_CATALOGUE, { cacheBytes });
      await openAccount(bounded, 'acc-1');
      await openAccount(bounded, 'acc-2');
      const reads = jest.spyOn(events, 'readStream');
      const decided = [];
      for (let i = 0; i < 6; i++) decided.push((await bounded.execute(`acc-${(i % 2) + 1}`, drawCommand(`o-${i}`, '10.00'), meta(`draw:o-${i}`))).events);
      const alternating = reads.mock.calls.length;
      // The account used last is still held: the budget evicts, it does not refuse an account that fits.
      decided.push((await bounded.execute('acc-2', drawCommand('o-last', '10.00'), meta('draw:o-last'))).events);
      return { decided, alternating, afterwards: reads.mock.calls.length - alternating };
    };
    // An open account is estimated at 4,600 bytes and 750 more per draw: 8,000 hold one of these (at most
    // 7,600), never both; 1 MiB holds both.
    const roomy = await run(2 ** 20);
    const tight = await run(8_000);
    expect(roomy).toMatchObject({ alternating: 0, afterwards: 0 });
    expect(tight).toMatchObject({ alternating: 6, afterwards: 0 });
    expect(tight.decided).toEqual(roomy.decided);
  });

  it('retries the whole load-decide-append after another writer changed the account', async () => {
    await openAccount(repo);
    await repo.load('acc-1');
    const other = new AccountRepository(store, snapshots, DEFAULT_TERMS_CATALOGUE);
    await other.execute('acc-1', drawCommand('o-other', '1500.00'), meta('draw:o-other'));
    const result = await repo.execute('acc-1', drawCommand('o-mine', '600.00'), meta('draw:o-mine'));
    expect(result.events[0]).toMatchObject({ type: 'DrawDeclined', data: { reason: 'INSUFFICIENT_CREDIT' } });
  });

  it('gives up with a conflict after a bounded number of attempts', async () => {
    await openAccount(repo);
    // Reads see the real account; every append loses the race.
    const conflicting: EventStore = Object.assign(Object.create(store) as EventStore, {
      append: async () => {
        throw new ConcurrencyError('s', 1n, 2n);
      },
    });
    const stuck = new AccountRepository(conflicting, new MemorySnapshotStore(), DEFAULT_TERMS_CATALOGUE, { maxAttempts: 3 });
    await expect(stuck.execute('acc-1', drawCommand('o-1', '1.00'), meta('draw:o-1'))).rejects.toMatchObject({ code: 'CONCURRENCY_CONFLICT', attempts: 3 });
  });

  it('serializes concurrent commands on one account so they never overdraw it', async () => {
    await openAccount(repo);
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => repo.execute('acc-1', drawCommand(`o-${i}`, '150.00'), meta(`draw:o-${i}`))));
    const posted = results.filter((r) => r.events[0].type === 'DrawPosted');
    expect(posted).toHaveLength(13);
    expect((await repo.load('acc-1')).state.unbilledRevolving.toString()).toBe('1950.00');
  });

  it('loads from a snapshot plus the events after it, to the same state as a full replay', async () => {
    await openAccount(repo);
    for (let i = 0; i < 12; i++) await repo.execute('acc-1', drawCommand(`o-${i}`, '10.00'), meta(`draw:o-${i}`));
    const snapshot = await snapshots.load(accountStream('acc-1'));
    expect(snapshot).toBeDefined();
    const fromSnapshot = new AccountRepository(store, snapshots, DEFAULT_TERMS_CATALOGUE);
    const fromScratch = new AccountRepository(store, new MemorySnapshotStore(), DEFAULT_TERMS_CATALOGUE);
    const a = await fromSnapshot.load('acc-1');
    const b = await fromScratch.load('acc-1');
    expect(serializeState(a.state)).toBe(serializeState(b.state));
    expect(a.commands).toEqual(b.commands);
    expect(a.revision).toBe(b.revision);
    expect(a.chainHash).toBe(b.chainHash);
  });

  it('uses a snapshot of state version 3 (sharded records as keyed objects, no unbilled draws listed) or 4 (parsed shards), and ignores older ones', async () => {
    await openAccount(repo);
    for (let i = 0; i < 12; i++) await repo.execute('acc-1', drawCommand(`o-${i}`, '10.00'), meta(`draw:o-${i}`));
    const stream = accountStream('acc-1');
    const current = (await snapshots.load<{ state: string }>(stream))!;
    // The snapshot as version 3 wrote it: each index an object keyed by shard, empty shards left out. Its
    // pay score is changed, so a load shows whether the snapshot was used or the stream replayed.
    const state = JSON.parse(current.state.state);
    const parsed = (stored: { $shards: (string | null)[] }) => stored.$shards.map((shard) => (shard === null ? null : JSON.parse(shard)));
    const legacy = (stored: { $shards: (string | null)[] }) => Object.fromEntries(parsed(stored).flatMap((shard, i) => (shard ? [[`s${i}`, shard]] : [])));
    const { unbilledDrawIds, ...withoutUnbilled } = state;
    expect(unbilledDrawIds).toEqual(Array.from({ length: 12 }, (_, i) => `o-${i}`));
    const v3 = { ...current.state, state: JSON.stringify({ ...withoutUnbilled, orders: legacy(state.orders), draws: legacy(state.draws), payScore: 999 }) };
    // Version 4: every shard parsed, in an array of 64 slots.
    const v4 = { ...current.state, state: JSON.stringify({ ...state, orders: parsed(state.orders), draws: parsed(state.draws), payScore: 998 }) };
    const load = async (schemaVersion: number, body = v3) => {
      await snapshots.save(stream, current.revision, schemaVersion, body);
      return new AccountRepository(store, snapshots, DEFAULT_TERMS_CATALOGUE).load('acc-1');
    };
    const fromScratch = await new AccountRepository(store, new MemorySnapshotStore(), DEFAULT_TERMS_CATALOGUE).load('acc-1');
    const fromV3 = await load(302);
    expect(fromV3.state.payScore).toBe(999);
    expect(serializeState({ ...fromV3.state, payScore: fromScratch.state.payScore })).toBe(serializeState(fromScratch.state));
    expect((await load(202)).state.payScore).toBe(fromScratch.state.payScore);
    const fromV4 = await load(402, v4);
    expect(fromV4.state.payScore).toBe(998);
    expect(serializeState({ ...fromV4.state, payScore: fromScratch.state.payScore })).toBe(serializeState(fromScratch.state));
  });

  it('keeps serving from its cache an account it snapshotted, whose history it then holds as the snapshot text', async () => {
    await openAccount(repo);
    for (let i = 0; i < 12; i++) await repo.execute('acc-1', drawCommand(`o-${i}`, `${10 + i}.00`), meta(`draw:o-${i}`));
    // From the cache: an order id and a draw taken before the snapshots, so their shards are read from text.
    await expect(repo.execute('acc-1', drawCommand('o-1', '99.00'), meta('draw:o-1-again'))).rejects.toMatchObject({ code: 'DRAW_EXISTS_WITH_DIFFERENT_PAYLOAD' });
    await repo.execute('acc-1', { type: 'RefundDraw', drawId: 'o-2', refundId: 'r-1', amount: '3.00' }, meta('refund:r-1'));
    const cached = await repo.load('acc-1');
    const fromScratch = await new AccountRepository(store, new MemorySnapshotStore(), DEFAULT_TERMS_CATALOGUE).load('acc-1');
    expect(serializeState(cached.state)).toBe(serializeState(fromScratch.state));
    expect(cached.state.draws.some((slot) => slot instanceof StoredShard)).toBe(true);
  });

  it('chains each event hash over the previous one, across snapshots and fresh repositories', async () => {
    await openAccount(repo);
    for (let i = 0; i < 7; i++) await repo.execute('acc-1', drawCommand(`o-${i}`, '10.00'), meta(`draw:o-${i}`));
    const fresh = new AccountRepository(store, snapshots, DEFAULT_TERMS_CATALOGUE);
    await fresh.execute('acc-1', drawCommand('o-late', '10.00'), meta('draw:o-late'));
    const stored = await store.readStream(accountStream('acc-1'));
    let previous = CHAIN_GENESIS;
    for (const e of stored) {
      expect(e.metadata.chainHash).toBe(chainHashOf(previous, e));
      previous = e.metadata.chainHash!;
    }
    expect(new Set(stored.map((e) => e.metadata.chainHash)).size).toBe(stored.length);
  });
});
