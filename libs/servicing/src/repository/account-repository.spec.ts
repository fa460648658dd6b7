import { applicant, approximateRecordBytes, approximateStateBytes, asStoredBefore6, DEFAULT_TERMS_CATALOGUE, drawShardBefore6, getEntry, headBefore6, serializeState, StoredShard } from '@ledger/credit';
import { ConcurrencyError, type LruCache, MemoryEventStore, MemorySnapshotStore, type EventStore, type SnapshotStore } from '@ledger/event-store';
import { CHAIN_GENESIS, chainHashOf } from '../audit/chain-hash';
import fc from 'fast-check';
import { v5 as uuidv5 } from 'uuid';
import { AccountRepository, accountStream, eventIdOf, IdempotencyKeyReusedError, SNAPSHOT_SCHEMA_VERSION, snapshotKey } from './account-repository';
import { type AppliedCommand, type CommandIds, decodeSnapshot, encodeLinesSnapshot } from './snapshot-body';
import { partsOf } from './snapshot-testing';

const NOW = '2026-01-05T10:00:00+08:00';
const meta = (commandId?: string, requestHash = 'h1') => ({ commandId, requestHash, actor: 'operator:test', now: NOW });

async function openAccount(repo: AccountRepository, id = 'acc-1') {
  await repo.execute(id, { type: 'SubmitApplication', accountId: id, channel: 'INVITED', applicant: applicant({ payScore: 650 }) }, meta(`apply:${id}`));
  await repo.execute(id, { type: 'ActivateAccount', agreementVersion: 'v1', autoRepayCardLast4: '6222' }, meta(`activate:${id}`));
}

/** Every command id with what it applied, as a plain object (shard by shard, parsed). */
const commandMap = (commands: CommandIds) =>
  Object.assign({}, ...commands.map((slot) => (slot instanceof StoredShard ? slot.entries() : slot ?? {}))) as Record<string, AppliedCommand>;

/** The account's snapshot in `snapshots`: its row, the revision each part it lists was saved at, and the body it decodes to. */
async function savedSnapshot(snapshots: SnapshotStore, stream: string) {
  const key = snapshotKey(stream);
  const head = (await snapshots.loadText(key))!;
  const body = () => decodeSnapshot(head.state, head, (name) => snapshots.loadPart(key, name), {});
  return { ...head, parts: partsOf(body()), body };
}

/**
 * A store holding a copy of that snapshot whose parts are `damage`d (a part it returns undefined for is
 * left out), each saved at the revision the snapshot lists for it.
 */
async function damagedCopy(snapshots: SnapshotStore, stream: string, damage: (text: string, name: string) => string | undefined) {
  const key = snapshotKey(stream);
  const saved = await savedSnapshot(snapshots, stream);
  const copy = new MemorySnapshotStore();
  const byRevision = Object.entries(saved.parts).sort(([, a], [, b]) => Number(BigInt(a) - BigInt(b)));
  for (const [name, at] of byRevision) {
    const text = damage(snapshots.loadPart(key, name)!.state, name);
    if (text !== undefined) await copy.saveText(key, BigInt(at), saved.schemaVersion, '', [{ name, text }]);
  }
  await copy.saveText(key, saved.revision, saved.schemaVersion, saved.state);
  return copy;
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

  it('decides a refusal again on the account read afresh when another process on the same log moved it on', async () => {
    await openAccount(repo);
    // A second API on the same log, which has the account cached from an earlier command.
    const other = new AccountRepository(store, snapshots, DEFAULT_TERMS_CATALOGUE);
    await other.execute('acc-1', drawCommand('o-1', '50.00'), meta('draw:o-1'));
    // This process draws 100.00 and takes a 149.99 repayment the other process's cached account cannot cover (50.00 owed).
    await repo.execute('acc-1', drawCommand('o-2', '100.00'), meta('draw:o-2'));
    const repayment = { type: 'ReceiveRepayment' as const, reference: 'r-1', amount: '149.99', channel: 'MANUAL' as const };
    const first = await repo.execute('acc-1', repayment, meta('pay:r-1'));
    // The client retries at the other process: the original answer, not REPAYMENT_EXCEEDS_BALANCE.
    const retried = await other.execute('acc-1', repayment, meta('pay:r-1'));
    expect(retried).toMatchObject({ replayed: true, position: first.position });
    // A new refusal there is decided on the account as the store has it: 0.01 owed, not 50.00.
    await repo.execute('acc-1', drawCommand('o-3', '20.00'), meta('draw:o-3'));
    await expect(other.execute('acc-1', { ...repayment, reference: 'r-2', amount: '30.00' }, meta('pay:r-2'))).rejects.toMatchObject({ code: 'REPAYMENT_EXCEEDS_BALANCE', details: { owed: '20.01' } });
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

  it('takes a hash an earlier build recorded for the same request as the same request', async () => {
    await openAccount(repo);
    const first = await repo.execute('acc-1', { type: 'UpdatePayScore', payScore: 700 }, meta('key:k-2', 'as-sent'));
    const retry = await repo.execute('acc-1', { type: 'UpdatePayScore', payScore: 700 }, { ...meta('key:k-2', 'canonical'), sameRequestHashes: ['as-sent'] });
    expect(retry).toMatchObject({ replayed: true, position: first.position });
    await expect(repo.execute('acc-1', { type: 'UpdatePayScore', payScore: 700 }, { ...meta('key:k-2', 'canonical'), sameRequestHashes: ['other'] })).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
  });

  it('answers a draw sent again with its order\'s amount and merchant with its first outcome, whatever else changed: an order id is final', async () => {
    await openAccount(repo);
    const declined = await repo.execute('acc-1', { ...drawCommand('o-9', '100.00'), authentication: { method: 'PASSWORD', passed: false } }, meta('draw:o-9', 'failed'));
    expect(declined.events.map((e) => e.type)).toEqual(['DrawDeclined']);
    const retry = await repo.execute('acc-1', drawCommand('o-9', '100.00'), meta('draw:o-9', 'passed'));
    expect(retry).toMatchObject({ replayed: true, position: declined.position, events: declined.events });
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
    const snapshot = (await savedSnapshot(snapshots, accountStream('acc-1'))).body();
    expect(getEntry(snapshot.commands, '__proto__')).toMatchObject({ requestHash: 'h1' });
    expect(getEntry(snapshot.commands, 'toString')).toMatchObject({ requestHash: 'h1' });
    expect(getEntry(snapshot.commands, 'valueOf')).toBeUndefined();
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
    // An open account is estimated at 8,600 bytes and 750 more per draw (order, draw, command id): 12,000
    // hold one of these (at most 11,600), never both; 1 MiB holds both.
    const roomy = await run(2 ** 20);
    const tight = await run(12_000);
    expect(roomy).toMatchObject({ alternating: 0, afterwards: 0 });
    expect(tight).toMatchObject({ alternating: 6, afterwards: 0 });
    expect(tight.decided).toEqual(roomy.decided);
  });

  it('reports each load as a hit or a miss of its cache, and what the cache holds against its bounds', async () => {
    // 12,000 bytes hold one open account, never two (the test above), so each switch between the two misses.
    const bounded = new AccountRepository(new MemoryEventStore(), new MemorySnapshotStore(), DEFAULT_TERMS_CATALOGUE, { cacheBytes: 12_000, cacheSize: 50 });
    const loads: string[] = [];
    bounded.metrics = { onLoad: (found) => loads.push(found) };
    expect(bounded.cacheOccupancy()).toEqual({ accounts: 0, bytes: 0, maxAccounts: 50, maxBytes: 12_000 });
    await openAccount(bounded, 'acc-1');
    expect(loads).toEqual(['miss', 'hit']);
    const one = bounded.cacheOccupancy();
    expect(one.accounts).toBe(1);
    expect(one.bytes).toBeGreaterThan(0);
    expect(one.bytes).toBeLessThanOrEqual(12_000);
    await openAccount(bounded, 'acc-2');
    loads.length = 0;
    await bounded.execute('acc-1', drawCommand('o-1', '10.00'), meta('draw:o-1'));
    await bounded.execute('acc-1', drawCommand('o-2', '10.00'), meta('draw:o-2'));
    await bounded.execute('acc-2', drawCommand('o-3', '10.00'), meta('draw:o-3'));
    await bounded.load('acc-2');
    expect(loads).toEqual(['miss', 'hit', 'miss', 'hit']);
    expect(bounded.cacheOccupancy()).toMatchObject({ accounts: 1, maxAccounts: 50, maxBytes: 12_000 });
    bounded.clearCache();
    await bounded.load('acc-2');
    expect(loads.at(-1)).toBe('miss');
  });

  it('keeps no account that has no events, so ids asked for in vain push out none that commands use', async () => {
    const bounded = new AccountRepository(new MemoryEventStore(), new MemorySnapshotStore(), DEFAULT_TERMS_CATALOGUE, { cacheBytes: 12_000, cacheSize: 50 });
    await openAccount(bounded, 'acc-1');
    const before = bounded.cacheOccupancy();
    for (let i = 0; i < 100; i++) expect((await bounded.load(`acc-unknown-${i}`)).state.status).toBe('NONE');
    expect(bounded.cacheOccupancy()).toEqual(before);
    const loads: string[] = [];
    bounded.metrics = { onLoad: (found) => loads.push(found) };
    await bounded.load('acc-1');
    expect(loads).toEqual(['hit']);
  });

  it('snapshots an account the cache lets go of once it has enough events since its snapshot, so its next load starts there', async () => {
    // A cache of one account: each command on the other pushes it out.
    const bounded = new AccountRepository(store, snapshots, DEFAULT_TERMS_CATALOGUE, { cacheSize: 1, snapshotEvery: 50, evictionSnapshotAfter: 4 });
    await openAccount(bounded, 'acc-1');
    await openAccount(bounded, 'acc-2');
    const revisionOf = async (id: string) => (await snapshots.loadText(snapshotKey(accountStream(id))))?.revision;
    // acc-1 has 3 events and left memory when acc-2 opened: under 4, so no snapshot.
    expect(await revisionOf('acc-1')).toBeUndefined();
    await bounded.execute('acc-1', drawCommand('o-1', '10.00'), meta('draw:o-1'));
    await bounded.execute('acc-2', drawCommand('o-2', '10.00'), meta('draw:o-2'));
    // acc-1 left again with 4 events: snapshotted at its last revision, and loaded from there.
    expect(await revisionOf('acc-1')).toBe(3n);
    expect(await revisionOf('acc-2')).toBeUndefined();
    const reads = jest.spyOn(store, 'readStream');
    const fresh = new AccountRepository(store, snapshots, DEFAULT_TERMS_CATALOGUE);
    const loaded = await fresh.load('acc-1');
    expect(reads).toHaveBeenCalledWith(accountStream('acc-1'), { fromRevision: 4n });
    reads.mockRestore();
    const fromScratch = await new AccountRepository(store, new MemorySnapshotStore(), DEFAULT_TERMS_CATALOGUE).load('acc-1');
    expect(serializeState(loaded.state)).toBe(serializeState(fromScratch.state));
    expect(commandMap(loaded.commands)).toEqual(commandMap(fromScratch.commands));
    // Not again until 4 more events: acc-1 leaves memory with one event since its snapshot.
    await bounded.execute('acc-1', drawCommand('o-3', '10.00'), meta('draw:o-3'));
    await bounded.execute('acc-2', drawCommand('o-4', '10.00'), meta('draw:o-4'));
    expect(await revisionOf('acc-1')).toBe(3n);
  });

  /** Three accounts with a draw each, behind a cache of two: acc-1 is out of it, acc-2 and acc-3 in. Loads are logged as hits and misses from then on. */
  async function twoOfThreeCached() {
    const bounded = new AccountRepository(store, snapshots, DEFAULT_TERMS_CATALOGUE, { cacheSize: 2, snapshotEvery: 50, evictionSnapshotAfter: 6 });
    for (const id of ['acc-1', 'acc-2', 'acc-3']) {
      await openAccount(bounded, id);
      await bounded.execute(id, drawCommand(`o-${id}`, '100.00'), meta(`draw:o-${id}`));
    }
    const loads: string[] = [];
    bounded.metrics = { onLoad: (found) => loads.push(found) };
    const close = (id: string, on = bounded) => on.execute(id, { type: 'CloseBusinessDay', businessDate: '2026-01-31' }, { commandId: 'eod:2026-01-31', actor: 'system:eod', now: '2026-01-31T23:59:59+08:00' });
    return { bounded, loads, close };
  }

  it('lets end of day pass through the accounts it does not hold: they stay out, the ones in use stay in, and each is snapshotted on its way as the cache would on letting it go', async () => {
    const { bounded, loads, close } = await twoOfThreeCached();
    const revisionOf = async (id: string) => (await snapshots.loadText(snapshotKey(accountStream(id))))?.revision;
    // acc-1 left the cache when acc-3 opened, with 4 events: under 6, so no snapshot.
    expect(await revisionOf('acc-1')).toBeUndefined();
    const statementDay = await close('acc-1');
    expect(statementDay.events.map((e) => e.type)).toContain('StatementIssued');
    const revision = (await store.readStream(accountStream('acc-1'))).length - 1;
    expect(revision).toBeGreaterThanOrEqual(5);
    // acc-1 came and went without pushing acc-2 or acc-3 out; a cached account is used and kept as before.
    const acc2 = await close('acc-2');
    expect(acc2.events.map((e) => e.type)).toContain('StatementIssued');
    expect((await bounded.load('acc-2')).state).toBe(acc2.state);
    await bounded.load('acc-3');
    expect(loads).toEqual(['miss', 'hit', 'hit', 'hit']);
    expect(bounded.cacheOccupancy().accounts).toBe(2);
    // With 6 or more events since its last snapshot (none), acc-1 was snapshotted at its last revision,
    // and a load starts there.
    expect(await revisionOf('acc-1')).toBe(BigInt(revision));
    const reads = jest.spyOn(store, 'readStream');
    const loaded = await new AccountRepository(store, snapshots, DEFAULT_TERMS_CATALOGUE).load('acc-1');
    expect(reads).toHaveBeenCalledWith(accountStream('acc-1'), { fromRevision: BigInt(revision) + 1n });
    reads.mockRestore();
    const fromScratch = await new AccountRepository(store, new MemorySnapshotStore(), DEFAULT_TERMS_CATALOGUE).load('acc-1');
    expect(serializeState(loaded.state)).toBe(serializeState(fromScratch.state));
    expect(commandMap(loaded.commands)).toEqual(commandMap(fromScratch.commands));
    // A command of any other kind takes the account in, as before.
    loads.length = 0;
    await bounded.execute('acc-1', drawCommand('o-after', '10.00'), { ...meta('draw:o-after'), now: '2026-02-01T10:00:00+08:00' });
    await bounded.load('acc-1');
    expect(loads).toEqual(['miss', 'hit']);
    // That pushed acc-2 out, the least recently used. Closing its day again replays the first close, and
    // passes through too.
    loads.length = 0;
    expect(await close('acc-2')).toMatchObject({ replayed: true, events: acc2.events });
    await bounded.load('acc-3');
    await bounded.load('acc-1');
    expect(loads).toEqual(['miss', 'hit', 'hit']);
  });

  it('keeps an account end of day passes through up to date in the cache if a read cached it meanwhile', async () => {
    const { bounded, close } = await twoOfThreeCached();
    // Hold end of day's append back until a read (which takes no turn in the account's queue) has cached
    // acc-1 as it was before the day.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const append = store.append.bind(store);
    const appended = jest.spyOn(store, 'append').mockImplementationOnce(async (...args) => {
      await gate;
      return append(...args);
    });
    const closing = close('acc-1');
    while (appended.mock.calls.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const before = await bounded.load('acc-1');
    expect(before.state.statements).toHaveLength(0);
    release();
    const closed = await closing;
    expect(closed.events.map((e) => e.type)).toContain('StatementIssued');
    expect((await bounded.load('acc-1')).state).toBe(closed.state);
  });

  it('keeps an account end of day found in the cache there when the day retries it after a conflict', async () => {
    const { bounded, loads, close } = await twoOfThreeCached();
    // Another writer draws on acc-2 first: this repository's cached acc-2 is behind, and its append conflicts.
    await new AccountRepository(store, snapshots, DEFAULT_TERMS_CATALOGUE).execute('acc-2', drawCommand('o-other', '50.00'), meta('draw:o-other'));
    const retried = jest.fn();
    bounded.metrics = { ...bounded.metrics, onConflictRetry: retried };
    const closed = await close('acc-2');
    expect(retried).toHaveBeenCalledTimes(1);
    // The statement bills both draws: the day was decided again on the account as the other writer left it.
    expect(closed.events.find((e) => e.type === 'StatementIssued')).toMatchObject({ data: { newDraws: '150.00' } });
    await bounded.load('acc-2');
    expect(loads).toEqual(['hit', 'miss', 'hit']);
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
    expect(await snapshots.loadText(snapshotKey(accountStream('acc-1')))).toMatchObject({ schemaVersion: SNAPSHOT_SCHEMA_VERSION });
    // Not under the stream's own name, where builds before envelope 3 look (and would fail to parse it).
    expect(await snapshots.loadText(accountStream('acc-1'))).toBeUndefined();
    const fromSnapshot = new AccountRepository(store, snapshots, DEFAULT_TERMS_CATALOGUE);
    const fromScratch = new AccountRepository(store, new MemorySnapshotStore(), DEFAULT_TERMS_CATALOGUE);
    const a = await fromSnapshot.load('acc-1');
    const b = await fromScratch.load('acc-1');
    expect(serializeState(a.state)).toBe(serializeState(b.state));
    expect(commandMap(a.commands)).toEqual(commandMap(b.commands));
    expect(Object.keys(commandMap(a.commands))).toHaveLength(14);
    expect(a.revision).toBe(b.revision);
    expect(a.chainHash).toBe(b.chainHash);
  });

  it('uses a snapshot of the JSON envelope with state version 3 (sharded records as keyed objects, no unbilled draws listed), 4 (parsed shards) or 5, and ignores older ones', async () => {
    await openAccount(repo);
    for (let i = 0; i < 12; i++) await repo.execute('acc-1', drawCommand(`o-${i}`, '10.00'), meta(`draw:o-${i}`));
    const stream = accountStream('acc-1');
    const current = await savedSnapshot(snapshots, stream);
    const body = current.body();
    // The JSON envelope (2) as the previous build wrote it: the state's JSON as a string, every command id parsed.
    const commands = commandMap(body.commands);
    expect(Object.keys(commands)).toHaveLength(14);
    const envelope = (state: unknown) => JSON.stringify({ state: JSON.stringify(state), position: body.position.toString(), commands, chainHash: body.chainHash });
    // The snapshot as version 3 wrote it: each index an object keyed by shard, empty shards left out. Its
    // pay score is changed, so a load shows whether the snapshot was used or the stream replayed.
    const state = asStoredBefore6(JSON.parse(serializeState(body.state)));
    const parsed = (stored: { $shards: (string | null)[] }) => stored.$shards.map((shard) => (shard === null ? null : JSON.parse(shard)));
    const legacy = (stored: { $shards: (string | null)[] }) => Object.fromEntries(parsed(stored).flatMap((shard, i) => (shard ? [[`s${i}`, shard]] : [])));
    const { unbilledDrawIds, ...withoutUnbilled } = state;
    expect(unbilledDrawIds).toEqual(Array.from({ length: 12 }, (_, i) => `o-${i}`));
    const v3 = envelope({ ...withoutUnbilled, orders: legacy(state.orders), draws: legacy(state.draws), payScore: 999 });
    // Version 4: every shard parsed, in an array of 64 slots.
    const v4 = envelope({ ...state, orders: parsed(state.orders), draws: parsed(state.draws), payScore: 998 });
    const v5 = envelope({ ...state, payScore: 997 });
    // Where the previous builds kept it: under the stream's own name, in a store without this build's snapshot.
    const previous = new MemorySnapshotStore();
    const load = async (schemaVersion: number, text = v3) => {
      await previous.saveText(stream, current.revision, schemaVersion, text);
      return new AccountRepository(store, previous, DEFAULT_TERMS_CATALOGUE).load('acc-1');
    };
    const fromScratch = await new AccountRepository(store, new MemorySnapshotStore(), DEFAULT_TERMS_CATALOGUE).load('acc-1');
    const sameAsScratch = (loaded: Awaited<ReturnType<typeof load>>) =>
      expect(serializeState({ ...loaded.state, payScore: fromScratch.state.payScore })).toBe(serializeState(fromScratch.state));
    const fromV3 = await load(302);
    expect(fromV3.state.payScore).toBe(999);
    sameAsScratch(fromV3);
    expect((await load(202)).state.payScore).toBe(fromScratch.state.payScore);
    const fromV4 = await load(402, v4);
    expect(fromV4.state.payScore).toBe(998);
    sameAsScratch(fromV4);
    const fromV5 = await load(502, v5);
    expect(fromV5.state.payScore).toBe(997);
    sameAsScratch(fromV5);
    expect(commandMap(fromV5.commands)).toEqual(commandMap(fromScratch.commands));
    // The command ids came from that snapshot: a retry is answered from them, without writing.
    const reads = jest.spyOn(store, 'readStream');
    expect(await new AccountRepository(store, previous, DEFAULT_TERMS_CATALOGUE).execute('acc-1', drawCommand('o-3', '10.00'), meta('draw:o-3'))).toMatchObject({ replayed: true });
    expect(reads).toHaveBeenNthCalledWith(1, stream, { fromRevision: current.revision + 1n });
    reads.mockClear();
    // A text of this build's envelope under the JSON envelope's version is broken, and so replayed.
    expect((await load(502, current.state)).state.payScore).toBe(fromScratch.state.payScore);
    expect(reads).toHaveBeenCalledWith(stream, { fromRevision: 0n });
    reads.mockRestore();
    // This build's snapshot, where there is one, comes before the previous builds'.
    await snapshots.saveText(stream, current.revision, 502, v3);
    expect((await new AccountRepository(store, snapshots, DEFAULT_TERMS_CATALOGUE).load('acc-1')).state.payScore).toBe(fromScratch.state.payScore);
  });

  it('uses a snapshot of the lines envelope (3) that the builds before this one wrote, and replaces it with one whose shards are parts', async () => {
    await openAccount(repo);
    for (let i = 0; i < 12; i++) {
      await repo.execute('acc-1', drawCommand(`o-${i}`, '10.00'), meta(`draw:o-${i}`));
      if (i % 4 === 3) await repo.execute('acc-1', { type: 'ReceiveRepayment', reference: `r-${i}`, amount: '1.00', channel: 'MANUAL' }, meta(`repay:r-${i}`));
    }
    const stream = accountStream('acc-1');
    const current = await savedSnapshot(snapshots, stream);
    expect(Object.keys(current.parts).filter((name) => name.startsWith('r')).length).toBeGreaterThan(1);
    const previous = new MemorySnapshotStore();
    // As the builds before state version 6 wrote it: each draw with its placement, the unbilled draws listed by id.
    const { text } = encodeLinesSnapshot({ ...current.body(), state: { ...current.body().state, payScore: 996 } });
    const [envelope, head, ...shards] = text.split('\n');
    const headJson = JSON.parse(head);
    // (Their repayment references were in the head, not on lines of their own.)
    const repayments = shards.filter((line) => line.startsWith('repayments:')).map((line) => line.slice(line.indexOf(' ') + 1));
    const linesBefore6 = [
      envelope,
      JSON.stringify(headBefore6(headJson, repayments)),
      ...shards.filter((line) => !line.startsWith('repayments:')).map((line) => (line.startsWith('draws:') ? line.replace(/ .*/, (shard) => ` ${drawShardBefore6(shard.slice(1), headJson)}`) : line)),
    ];
    expect(linesBefore6.join('\n')).toContain('"placement"');
    await previous.saveText(snapshotKey(stream), current.revision, 503, linesBefore6.join('\n'));
    const reads = jest.spyOn(store, 'readStream');
    const fromLines = new AccountRepository(store, previous, DEFAULT_TERMS_CATALOGUE, { snapshotEvery: 5 });
    expect((await fromLines.load('acc-1')).state.payScore).toBe(996);
    expect(reads).toHaveBeenCalledWith(stream, { fromRevision: current.revision + 1n });
    reads.mockRestore();
    // A retry is answered from its command ids; the snapshot taken next is this build's, with every shard saved as a part.
    expect(await fromLines.execute('acc-1', drawCommand('o-3', '10.00'), meta('draw:o-3'))).toMatchObject({ replayed: true });
    for (let i = 0; i < 5; i++) await fromLines.execute('acc-1', { type: 'UpdatePayScore', payScore: 700 + i }, meta(`key:s-${i}`));
    const next = await savedSnapshot(previous, stream);
    expect(next.schemaVersion).toBe(SNAPSHOT_SCHEMA_VERSION);
    const fresh = new AccountRepository(store, previous, DEFAULT_TERMS_CATALOGUE);
    for (let i = 0; i < 12; i++) expect(await fresh.execute('acc-1', drawCommand(`o-${i}`, '10.00'), meta(`draw:o-${i}`))).toMatchObject({ replayed: true });
    const fromScratch = await new AccountRepository(store, new MemorySnapshotStore(), DEFAULT_TERMS_CATALOGUE).load('acc-1');
    expect(serializeState((await fresh.load('acc-1')).state)).toBe(serializeState(fromScratch.state));
  });

  it('uses a snapshot of this envelope that the build before state version 6 wrote, converting its draws as it loads', async () => {
    await openAccount(repo);
    for (let i = 0; i < 12; i++) await repo.execute('acc-1', drawCommand(`o-${i}`, '10.00'), meta(`draw:o-${i}`));
    await repo.execute('acc-1', { type: 'ReceiveRepayment', reference: 'r-1', amount: '25.00', channel: 'MANUAL' }, meta('repay:r-1'));
    for (let i = 0; i < 4; i++) await repo.execute('acc-1', { type: 'UpdatePayScore', payScore: 700 + i }, meta(`key:s-${i}`));
    const stream = accountStream('acc-1');
    const key = snapshotKey(stream);
    const saved = await savedSnapshot(snapshots, stream);
    expect(saved.revision).toBe((await store.readStream(stream)).at(-1)!.revision);
    // The same snapshot as that build saved it, under version 504: its head and every part of draws as
    // versions 4 and 5 wrote them, each part saved at the revision the snapshot lists for it.
    // (Their repayment references were in the head, not in parts, which their first line does not list.)
    const [envelope, head] = saved.state.split('\n');
    const headJson = JSON.parse(head);
    const previous = new MemorySnapshotStore();
    const drawParts = Object.keys(saved.parts).filter((name) => name.startsWith('d'));
    const repaymentParts = Object.keys(saved.parts).filter((name) => name.startsWith('r'));
    expect(drawParts.length).toBeGreaterThan(1);
    expect(repaymentParts).toHaveLength(1);
    for (const [name, at] of Object.entries(saved.parts).sort(([, a], [, b]) => Number(BigInt(a) - BigInt(b)))) {
      if (name.startsWith('r')) continue;
      const text = snapshots.loadPart(key, name)!.state;
      await previous.saveText(key, BigInt(at), 504, '', [{ name, text: name.startsWith('d') ? drawShardBefore6(text, headJson) : text }]);
    }
    const { r: _listed, ...partsBefore6 } = JSON.parse(envelope).parts;
    const envelopeBefore6 = JSON.stringify({ ...JSON.parse(envelope), parts: partsBefore6 });
    expect(envelopeBefore6).not.toContain('"r"');
    const repayments = repaymentParts.map((name) => snapshots.loadPart(key, name)!.state);
    await previous.saveText(key, saved.revision, 504, [envelopeBefore6, JSON.stringify({ ...headBefore6(headJson, repayments), payScore: 995 })].join('\n'));
    expect(previous.loadPart(key, drawParts[0])!.state).toContain('"placement"');
    const reads = jest.spyOn(store, 'readStream');
    const upgraded = new AccountRepository(store, previous, DEFAULT_TERMS_CATALOGUE, { snapshotEvery: 5 });
    const loaded = await upgraded.load('acc-1');
    expect(loaded.state.payScore).toBe(995);
    expect(reads).toHaveBeenCalledWith(stream, { fromRevision: saved.revision + 1n });
    reads.mockRestore();
    const fromScratch = await new AccountRepository(store, new MemorySnapshotStore(), DEFAULT_TERMS_CATALOGUE).load('acc-1');
    expect(serializeState({ ...loaded.state, payScore: fromScratch.state.payScore })).toBe(serializeState(fromScratch.state));
    expect(loaded.state.unbilledDraws.map((d) => d.remaining.toString())).toEqual(['0.00', '0.00', '5.00', ...Array.from({ length: 9 }, () => '10.00')]);
    // A command on it is decided on the converted state, and a retry is answered from its command ids.
    expect(await upgraded.execute('acc-1', { type: 'RefundDraw', drawId: 'o-2', refundId: 'rf-1', amount: '10.00' }, meta('refund:rf-1'))).toMatchObject({ events: [{ type: 'DrawRefunded', data: { appliedTo: [{ target: 'UNBILLED_REVOLVING', amount: '5.00' }], returnedToCustomer: '5.00' } }] });
    expect(await upgraded.execute('acc-1', drawCommand('o-3', '10.00'), meta('draw:o-3'))).toMatchObject({ replayed: true });
    // The older snapshot counted as none: the first command took one of this version, whole (the store
    // keeps a part under its snapshot's version, so one naming the older snapshot's parts would be
    // refused), and no load converts the account again.
    const next = await savedSnapshot(previous, stream);
    expect(next.schemaVersion).toBe(SNAPSHOT_SCHEMA_VERSION);
    expect(next.revision).toBe((await store.readStream(stream)).at(-1)!.revision);
    const again = jest.spyOn(store, 'readStream');
    const reloaded = await new AccountRepository(store, previous, DEFAULT_TERMS_CATALOGUE).load('acc-1');
    expect(again).toHaveBeenCalledWith(stream, { fromRevision: next.revision + 1n });
    again.mockRestore();
    const rebuilt = await new AccountRepository(store, new MemorySnapshotStore(), DEFAULT_TERMS_CATALOGUE).load('acc-1');
    expect(reloaded.state.payScore).toBe(995);
    expect(serializeState({ ...reloaded.state, payScore: rebuilt.state.payScore })).toBe(serializeState(rebuilt.state));
  });

  it('leaves the snapshot a build before envelope 3 wrote where that build reads it, so a rollback finds its own or none', async () => {
    await openAccount(repo);
    const stream = accountStream('acc-1');
    // The previous build's snapshot at revision 2 (JSON, under the stream's name), then this build's commands.
    const fromScratch = await repo.load('acc-1');
    const legacyText = JSON.stringify({ state: serializeState(fromScratch.state), position: fromScratch.position.toString(), commands: commandMap(fromScratch.commands), chainHash: fromScratch.chainHash });
    await snapshots.saveText(stream, 2n, 502, legacyText);
    for (let i = 0; i < 12; i++) await repo.execute('acc-1', drawCommand(`o-${i}`, '10.00'), meta(`draw:o-${i}`));
    expect((await snapshots.loadText(snapshotKey(stream)))!.revision).toBeGreaterThan(2n);
    // The previous build loads with `load` (JSON.parse of whatever is under the stream's name): still its own.
    expect(await snapshots.load(stream)).toMatchObject({ revision: 2n, schemaVersion: 502, state: { position: fromScratch.position.toString() } });
  });

  it('replays from the first event past a snapshot that does not decode, rather than fail the command', async () => {
    await openAccount(repo);
    for (let i = 0; i < 12; i++) await repo.execute('acc-1', drawCommand(`o-${i}`, '10.00'), meta(`draw:o-${i}`));
    const stream = accountStream('acc-1');
    const current = await savedSnapshot(snapshots, stream);
    const [first, head] = current.state.split('\n');
    const envelope = JSON.parse(first);
    const fromScratch = await new AccountRepository(store, new MemorySnapshotStore(), DEFAULT_TERMS_CATALOGUE).load('acc-1');
    const withParts = (change: object) => [JSON.stringify({ ...envelope, parts: { ...envelope.parts, ...change } }), head].join('\n');
    const broken = [
      // A part of command ids or draws not listed, a part listed that nothing holds, an index that is no revision's.
      withParts({ c: envelope.parts.c.slice(1) }),
      withParts({ d: envelope.parts.d.slice(1) }),
      withParts({ o: [...envelope.parts.o, 0] }),
      withParts({ c: [envelope.parts.at.length, ...envelope.parts.c.slice(1)] }),
      withParts({ at: ['-1'] }),
      [JSON.stringify({ ...envelope, slots: '0'.repeat(16) }), head].join('\n'),
      // Orders and draws swapped under each other's names; a state line that is not a state; lines too few or too many.
      [first, head.replace('"$apart":"orders"', '"$apart":"draws"')].join('\n'),
      [first, 'null'].join('\n'),
      ['{"position":"1"}', head].join('\n'),
      first,
      [first, head, 'c1 {}'].join('\n'),
    ];
    for (const text of broken) {
      const copy = new MemorySnapshotStore();
      await copy.saveText(snapshotKey(stream), current.revision, SNAPSHOT_SCHEMA_VERSION, text);
      const reads = jest.spyOn(store, 'readStream');
      const fresh = new AccountRepository(store, copy, DEFAULT_TERMS_CATALOGUE);
      const loaded = await fresh.load('acc-1');
      expect(reads).toHaveBeenCalledWith(stream, { fromRevision: 0n });
      reads.mockRestore();
      expect(serializeState(loaded.state)).toBe(serializeState(fromScratch.state));
      expect(await fresh.execute('acc-1', drawCommand('o-5', '10.00'), meta('draw:o-5'))).toMatchObject({ replayed: true });
    }
    // The text as written loads from the snapshot.
    const reads = jest.spyOn(store, 'readStream');
    await new AccountRepository(store, await damagedCopy(snapshots, stream, (text) => text), DEFAULT_TERMS_CATALOGUE).load('acc-1');
    expect(reads).toHaveBeenCalledWith(stream, { fromRevision: current.revision + 1n });
  });

  it('runs a command again on the account replayed from its first event when a part of its snapshot is lost, replaced or does not parse, and writes a sound snapshot after', async () => {
    await openAccount(repo);
    for (let i = 0; i < 12; i++) await repo.execute('acc-1', drawCommand(`o-${i}`, '10.00'), meta(`draw:o-${i}`));
    const stream = accountStream('acc-1');
    const current = await savedSnapshot(snapshots, stream);
    const damages: Array<[string, (text: string, name: string) => string | undefined]> = [
      // Every shard's text cut short: the snapshot decodes (shards are parsed when asked for), no shard parses.
      ['cut short', (text) => text.slice(0, -2)],
      ['lost', () => undefined],
    ];
    for (const [, damage] of damages) {
      const kept = await damagedCopy(snapshots, stream, damage);
      const broken = () => new AccountRepository(store, kept, DEFAULT_TERMS_CATALOGUE, { snapshotEvery: 5 });
      // A retry, whose id is looked up in a broken shard of command ids; a refund, which reads a broken shard of draws.
      expect(await broken().execute('acc-1', drawCommand('o-3', '10.00'), meta('draw:o-3'))).toMatchObject({ replayed: true });
      const refund = { type: 'RefundDraw' as const, drawId: 'o-2', refundId: `r-${damages.findIndex(([, d]) => d === damage)}`, amount: '1.00' };
      expect(await broken().execute('acc-1', refund, meta(`refund:${refund.refundId}`))).toMatchObject({ replayed: false, events: [{ type: 'DrawRefunded' }] });
    }
    // Parts saved since by another writer (at a later revision than the snapshot lists, and empty): read as broken too.
    const replaced = await damagedCopy(snapshots, stream, (text) => text);
    const loadPart = replaced.loadPart.bind(replaced);
    const later = jest.spyOn(replaced, 'loadPart').mockImplementation((key, name) => {
      const found = loadPart(key, name);
      return found && { ...found, revision: found.revision + 1n, state: '{}' };
    });
    const reads = jest.spyOn(store, 'readStream');
    expect(await new AccountRepository(store, replaced, DEFAULT_TERMS_CATALOGUE).execute('acc-1', drawCommand('o-4', '10.00'), meta('draw:o-4'))).toMatchObject({ replayed: true });
    expect(reads).toHaveBeenCalledWith(stream, { fromRevision: 0n });
    reads.mockClear();
    // The account replayed has taken no snapshot since: the next command that appends saves one with every part.
    const healing = new AccountRepository(store, replaced, DEFAULT_TERMS_CATALOGUE, { snapshotEvery: 5 });
    await healing.execute('acc-1', drawCommand('o-3', '10.00'), meta('draw:o-3'));
    await healing.execute('acc-1', drawCommand('o-heal', '1.00'), meta('draw:o-heal'));
    later.mockRestore();
    const healed = await savedSnapshot(replaced, stream);
    expect(healed.revision).toBeGreaterThan(current.revision);
    expect(new Set(Object.values(healed.parts))).toEqual(new Set([healed.revision.toString()]));
    // Loaded from that snapshot, every shard parses (serializing parses them all) to the account's state.
    const reread = await new AccountRepository(store, replaced, DEFAULT_TERMS_CATALOGUE).load('acc-1');
    expect(reads).toHaveBeenCalledWith(stream, { fromRevision: healed.revision + 1n });
    reads.mockRestore();
    const fromScratch = await new AccountRepository(store, new MemorySnapshotStore(), DEFAULT_TERMS_CATALOGUE).load('acc-1');
    expect(serializeState(reread.state)).toBe(serializeState(fromScratch.state));
    expect(commandMap(reread.commands)).toEqual(commandMap(fromScratch.commands));
  });

  it.each([
    ['failed', (saves: jest.SpyInstance) => saves.mockRejectedValueOnce(new Error('disk full'))],
    ['was refused', (saves: jest.SpyInstance) => saves.mockResolvedValueOnce(false)],
  ])('saves every part again with the next snapshot when the save of one %s', async (_, failOnce) => {
    await openAccount(repo);
    const stream = accountStream('acc-1');
    for (let i = 0; i < 2; i++) await repo.execute('acc-1', drawCommand(`o-${i}`, '10.00'), meta(`draw:o-${i}`));
    const saves = failOnce(jest.spyOn(snapshots, 'saveText'));
    for (let i = 2; i < 12; i++) await repo.execute('acc-1', drawCommand(`o-${i}`, '10.00'), meta(`draw:o-${i}`));
    expect(saves).toHaveBeenCalledTimes(2);
    // The snapshot after it names no part at its revision (never saved), nor any it used: it saves every one.
    const [notKept, next] = saves.mock.calls;
    expect(notKept[5]!.length).toBeGreaterThan(0);
    expect(next[5]).toEqual([]);
    const saved = await savedSnapshot(snapshots, stream);
    expect(new Set(Object.values(saved.parts))).toEqual(new Set([saved.revision.toString()]));
    const reads = jest.spyOn(store, 'readStream');
    const fresh = new AccountRepository(store, snapshots, DEFAULT_TERMS_CATALOGUE);
    for (let i = 0; i < 12; i++) expect(await fresh.execute('acc-1', drawCommand(`o-${i}`, '10.00'), meta(`draw:o-${i}`))).toMatchObject({ replayed: true });
    expect(reads).not.toHaveBeenCalledWith(stream, { fromRevision: 0n });
  });

  it('replays from its first event, at its next load, an account whose snapshot it could not take for a part it could not read', async () => {
    await openAccount(repo);
    for (let i = 0; i < 12; i++) await repo.execute('acc-1', drawCommand(`o-${i}`, '10.00'), meta(`draw:o-${i}`));
    const stream = accountStream('acc-1');
    const kept = await damagedCopy(snapshots, stream, (text) => text);
    const fresh = new AccountRepository(store, kept, DEFAULT_TERMS_CATALOGUE, { snapshotEvery: 5 });
    const scores = async (from: number) => {
      for (let i = from; i < from + 5; i++) await fresh.execute('acc-1', { type: 'UpdatePayScore', payScore: 700 + i }, meta(`key:lost-${i}`));
    };
    await fresh.load('acc-1');
    // The store refuses the next snapshot and then loses every part: the snapshot after must save again
    // the shards the account never read, and cannot read them.
    jest.spyOn(kept, 'saveText').mockResolvedValueOnce(false);
    await scores(0);
    const lost = jest.spyOn(kept, 'loadPart').mockReturnValue(undefined);
    const reads = jest.spyOn(store, 'readStream');
    await scores(5);
    // Every command succeeded; the account is replayed from its first event once, at the load after.
    expect(reads).not.toHaveBeenCalledWith(stream, { fromRevision: 0n });
    await scores(10);
    expect(reads.mock.calls.filter(([, options]) => options?.fromRevision === 0n)).toHaveLength(1);
    lost.mockRestore();
    // Replayed, it saved every part: a fresh repository loads from that snapshot to the account's state.
    const healed = await savedSnapshot(kept, stream);
    expect(new Set(Object.values(healed.parts))).toEqual(new Set([healed.revision.toString()]));
    reads.mockClear();
    const reread = await new AccountRepository(store, kept, DEFAULT_TERMS_CATALOGUE).load('acc-1');
    expect(reads).toHaveBeenCalledWith(stream, { fromRevision: healed.revision + 1n });
    const fromScratch = await new AccountRepository(store, new MemorySnapshotStore(), DEFAULT_TERMS_CATALOGUE).load('acc-1');
    expect(serializeState(reread.state)).toBe(serializeState(fromScratch.state));
    expect(commandMap(reread.commands)).toEqual(commandMap(fromScratch.commands));
  });

  it('saves, after a cold load, only the parts its commands changed, reading no other, and every part once its cache was cleared', async () => {
    await openAccount(repo);
    for (let i = 0; i < 40; i++) await repo.execute('acc-1', drawCommand(`o-${i}`, '1.00'), meta(`draw:o-${i}`));
    const stream = accountStream('acc-1');
    const before = await savedSnapshot(snapshots, stream);
    const head = BigInt((await store.readStream(stream)).length - 1);
    const fresh = new AccountRepository(store, snapshots, DEFAULT_TERMS_CATALOGUE, { snapshotEvery: 5 });
    const saves = jest.spyOn(snapshots, 'saveText');
    const partsRead = jest.spyOn(snapshots, 'loadPart');
    for (let i = 0; i < 5; i++) await fresh.execute('acc-1', { type: 'UpdatePayScore', payScore: 700 + i }, meta(`key:score-${i}`));
    expect(saves).toHaveBeenCalledTimes(1);
    const [, revision, , , saved, uses] = saves.mock.calls[0];
    // Saved: the shards changed since the snapshot, by the draws after it (a command id, an order and a
    // draw each) and the commands before this save (a command id each). Every part read by then was one
    // of them, and every other part is only named.
    const tail = Number(head - before.revision);
    const commands = Number(revision - head);
    const savedNames = saved!.map((part) => part.name);
    expect(tail).toBeGreaterThan(0);
    expect(savedNames.length).toBeGreaterThanOrEqual(1);
    expect(savedNames.length).toBeLessThanOrEqual(3 * tail + commands);
    const readBefore = partsRead.mock.calls.filter((_, i) => partsRead.mock.invocationCallOrder[i] < saves.mock.invocationCallOrder[0]);
    expect(readBefore.length).toBeGreaterThan(0);
    expect(savedNames).toEqual(expect.arrayContaining(readBefore.map(([, name]) => name)));
    expect(uses!.map((part) => part.name).sort()).toEqual(Object.keys(before.parts).filter((name) => !savedNames.includes(name)).sort());
    expect(uses!.every((part) => part.revision.toString() === before.parts[part.name])).toBe(true);
    // The next snapshot, from the cache: it saves a part it saved or named before only if a command read it since (to change it).
    for (let i = 5; i < 10; i++) await fresh.execute('acc-1', { type: 'UpdatePayScore', payScore: 700 + i }, meta(`key:score-${i}`));
    expect(saves).toHaveBeenCalledTimes(2);
    const between = (i: number) => partsRead.mock.invocationCallOrder[i] > saves.mock.invocationCallOrder[0] && partsRead.mock.invocationCallOrder[i] < saves.mock.invocationCallOrder[1];
    const readSince = new Set(partsRead.mock.calls.filter((_, i) => between(i)).map(([, name]) => name));
    const known = new Set([...Object.keys(before.parts), ...savedNames]);
    const savedNext = saves.mock.calls[1][4]!.map((part) => part.name);
    expect(savedNext.length).toBeGreaterThan(0);
    expect(savedNext.filter((name) => known.has(name) && !readSince.has(name) && !savedNames.includes(name))).toEqual([]);
    expect(savedNext.filter((name) => savedNames.includes(name))).toEqual([]);
    // A cleared cache forgets which parts it saved: an account it holds still (a command in flight) saves them all again.
    const held = await fresh.load('acc-1');
    fresh.clearCache();
    saves.mockClear();
    (fresh as unknown as { cache: LruCache<string, unknown> }).cache.set('acc-1', held);
    for (let i = 10; i < 15; i++) await fresh.execute('acc-1', { type: 'UpdatePayScore', payScore: 700 + i }, meta(`key:score-${i}`));
    expect(saves.mock.calls[0][5]).toEqual([]);
    expect(saves.mock.calls[0][4]!.map((part) => part.name).sort()).toEqual(Object.keys((await savedSnapshot(snapshots, stream)).parts).sort());
  });

  it('weighs a cached account again after a retry parsed a shard of its command ids', async () => {
    await openAccount(repo);
    for (let i = 0; i < 60; i++) await repo.execute('acc-1', { type: 'UpdatePayScore', payScore: 600 + i }, meta(`key:bulk-${i}`));
    const fresh = new AccountRepository(store, snapshots, DEFAULT_TERMS_CATALOGUE);
    const weightOf = () => (fresh as unknown as { cache: LruCache<string, unknown> }).cache.weightOf('acc-1');
    await fresh.load('acc-1');
    const before = weightOf();
    expect(await fresh.execute('acc-1', { type: 'UpdatePayScore', payScore: 600 }, meta('key:bulk-0'))).toMatchObject({ replayed: true });
    const cached = await fresh.load('acc-1');
    // The snapshot's text is not held (its shards are parts, read on their own): the account weighs its state and command ids.
    expect(cached.heldTextBytes).toBeUndefined();
    expect(weightOf()).toBe(4_000 + 2 * 'acc-1'.length + approximateStateBytes(cached.state) + approximateRecordBytes(cached.commands, 250));
    expect(weightOf()).toBeGreaterThan(before!);
  });

  it('reads and parses, of a snapshot it loads, only the shards of command ids, orders and draws a command asks for', async () => {
    await openAccount(repo);
    for (let i = 0; i < 40; i++) await repo.execute('acc-1', drawCommand(`o-${i}`, '1.00'), meta(`draw:o-${i}`));
    const fresh = new AccountRepository(store, snapshots, DEFAULT_TERMS_CATALOGUE);
    const parsed = (slots: readonly unknown[]) => slots.filter((slot) => slot instanceof StoredShard && slot.parsedEntries() !== undefined).length;
    const stored = (slots: readonly unknown[]) => slots.filter((slot) => slot instanceof StoredShard).length;
    const partsRead = jest.spyOn(snapshots, 'loadPart');
    const snapshotAt = (await savedSnapshot(snapshots, accountStream('acc-1'))).revision;
    const loaded = await fresh.load('acc-1');
    expect(stored(loaded.commands)).toBeGreaterThan(20);
    expect(parsed(loaded.commands) + parsed(loaded.state.orders) + parsed(loaded.state.draws)).toBe(0);
    // Of the parts, only those of the order and draw each draw after the snapshot posted were read (to fold it).
    expect(partsRead.mock.calls.length).toBeLessThanOrEqual(2 * Number((loaded.revision as bigint) - snapshotAt));
    expect(new Set(partsRead.mock.calls.map(([, name]) => name[0]))).toEqual(new Set(loaded.revision === snapshotAt ? [] : ['o', 'd']));
    partsRead.mockClear();
    // A retry looks up one command id, in one shard, read from its part, and parses no order or draw.
    await fresh.execute('acc-1', drawCommand('o-7', '1.00'), meta('draw:o-7'));
    const after = await fresh.load('acc-1');
    expect(parsed(after.commands)).toBe(1);
    expect(parsed(after.state.orders) + parsed(after.state.draws)).toBe(0);
    expect(partsRead).toHaveBeenCalledTimes(1);
  });

  it('keeps serving from its cache an account it snapshotted, whose history it then holds as stored shards', async () => {
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

describe('event ids', () => {
  it('are exactly the UUIDv5 the uuid package gives in the event-id namespace, for any text (a retried append is recognised by them)', () => {
    const namespace = '4f1c6d2e-8b7a-4e5f-9a3b-2c1d0e9f8a7b';
    expect(eventIdOf('acc-1|draw:o-1|0')).toBe(uuidv5('acc-1|draw:o-1|0', namespace));
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (name) => {
      let expected: string | Error;
      try {
        expected = uuidv5(name, namespace);
      } catch (error) {
        expected = error as Error;
      }
      if (expected instanceof Error) expect(() => eventIdOf(name)).toThrow(expected.constructor as new () => Error);
      else expect(eventIdOf(name)).toBe(expected);
    }), { numRuns: 1_000 });
    // Lone surrogates, which have no UTF-8 form, are refused as uuid refuses them.
    expect(() => eventIdOf('a\uD800b')).toThrow(URIError);
    expect(eventIdOf('\uD83D\uDE00|京东')).toBe(uuidv5('\uD83D\uDE00|京东', namespace));
  });
});
