import { randomUUID } from 'node:crypto';
import {
  ConcurrencyError,
  type EventStore,
  type NewEvent,
  PositionNotInLogError,
  type StoredEvent,
} from '../event-store.port';
import { createEventStoreDbStore } from './index';
import { EsdbGrpcTestDouble } from './test-double/esdb-grpc-test-double';

function event(type = 'ThingHappened', id: string = randomUUID()): NewEvent {
  return { id, type, schemaVersion: 1, data: { n: 1 } };
}

/** What this adapter does beyond the shared contract, checked against the loopback gRPC test double. */
describe('the EventStoreDB adapter specifics (against the loopback gRPC test double)', () => {
  let double: EsdbGrpcTestDouble;
  let store: EventStore;

  beforeAll(async () => {
    double = await EsdbGrpcTestDouble.start();
    store = createEventStoreDbStore(double.connectionString());
  });

  afterAll(async () => {
    await store.close();
    await double.stop();
  });

  it('refuses event ids that are not lowercase canonical UUIDs, before writing anything', async () => {
    const stream = `ledger-${randomUUID()}`;
    await expect(store.append(stream, 'no_stream', [event('A', 'draw-1')])).rejects.toThrow(
      /not a lowercase canonical UUID/,
    );
    await expect(store.append(stream, 'no_stream', [event('A', randomUUID().toUpperCase())])).rejects.toThrow(
      TypeError,
    );
    expect(double.log.stream(stream)).toHaveLength(0);
  });

  it("refuses 'any' on a ledger stream and accepts it on system- and $ streams", async () => {
    await expect(store.append(`account-${randomUUID()}`, 'any', [event()])).rejects.toThrow(
      /'any' is allowed only/,
    );
    await expect(store.append(`system-${randomUUID()}`, 'any', [event()])).resolves.toMatchObject({
      nextRevision: 0n,
    });
    await expect(store.append(`$ops-${randomUUID()}`, 'any', [event()])).resolves.toMatchObject({
      nextRevision: 0n,
    });
  });

  it('uses the $all commit position as the position: strictly increasing, with gaps', async () => {
    const stream = `ledger-${randomUUID()}`;
    const result = await store.append(stream, 'no_stream', [event(), event(), event()]);
    const read = await store.readStream(stream);
    const logged = double.log.stream(stream).map((record) => record.position);
    expect(read.map((stored) => stored.position)).toEqual(logged);
    expect(result.position).toBe(logged[2]);
    expect(logged[1] - logged[0]).toBeGreaterThan(1n);
  });

  it('leaves system events out of readAll, headPosition and subscriptions', async () => {
    const head = await store.headPosition();
    const stream = `ledger-${randomUUID()}`;
    double.appendSystemEvent();
    await store.append(stream, 'no_stream', [event()]);
    double.appendSystemEvent();
    const [only] = await store.readAll({ after: head });
    expect(only.stream).toBe(stream);
    expect(await store.headPosition()).toBe(only.position);
    const delivered: StoredEvent[] = [];
    let caughtUp = false;
    const subscription = store.subscribeToAll({
      after: head,
      onEvents: (batch) => void delivered.push(...batch),
      onCaughtUp: () => (caughtUp = true),
    });
    try {
      await waitFor(() => caughtUp);
      double.appendSystemEvent();
      await store.append(stream, 0n, [event()]);
      await waitFor(() => delivered.length === 2);
      expect(delivered.every((stored) => !stored.type.startsWith('$'))).toBe(true);
    } finally {
      await subscription.stop();
    }
  });

  it('does not write a retry twice when it comes with the current revision (the server would)', async () => {
    const stream = `ledger-${randomUUID()}`;
    const first = [event()];
    const original = await store.append(stream, 'no_stream', first);
    await expect(store.append(stream, 0n, first)).resolves.toEqual({ ...original, alreadyStored: true });
    expect(double.log.stream(stream)).toHaveLength(1);
  });

  it.each([false, true])(
    'reports a refused expected revision as ConcurrencyError with throwOnAppendFailure=false (BatchAppend: %s)',
    async (batchAppend) => {
      // The client then resolves `{ success: false }` instead of throwing; nothing was written.
      const own = await EsdbGrpcTestDouble.start({ batchAppend });
      const lenient = createEventStoreDbStore(own.connectionString('throwOnAppendFailure=false'));
      try {
        const stream = `ledger-${randomUUID()}`;
        await lenient.append(stream, 'no_stream', [event()]);
        await lenient.append(stream, 0n, [event()]);
        const stale = await lenient.append(stream, 0n, [event()]).catch((error: unknown) => error);
        expect(stale).toBeInstanceOf(ConcurrencyError);
        expect(stale).toMatchObject({ expected: 0n, actual: 1n });
        await expect(lenient.append(stream, 'no_stream', [event()])).rejects.toMatchObject({ actual: 1n });
        await expect(lenient.append(`ledger-${randomUUID()}`, 0n, [event()])).rejects.toMatchObject({
          actual: 'no_stream',
        });
        expect(own.log.stream(stream)).toHaveLength(2);
      } finally {
        await lenient.close();
        await own.stop();
      }
    },
  );

  it(
    'asks for the leader on every read: streams, $all, the head and the subscription',
    async () => {
      const own = await EsdbGrpcTestDouble.start();
      const reader = createEventStoreDbStore(own.connectionString('nodePreference=leader'));
      try {
        const stream = `ledger-${randomUUID()}`;
        await reader.append(stream, 'no_stream', [event()]);
        await reader.readStream(stream);
        await reader.readAll();
        const head = await reader.headPosition();
        let caughtUp = false;
        const subscription = reader.subscribeToAll({
          after: head,
          onEvents: () => undefined,
          onCaughtUp: () => (caughtUp = true),
        });
        await waitFor(() => caughtUp && own.reads.some((read) => read.target === 'subscription'));
        await subscription.stop();
        expect(new Set(own.reads.map((read) => read.target))).toEqual(new Set(['stream', '$all', 'subscription']));
        expect(own.reads.filter((read) => !read.requiresLeader)).toEqual([]);
      } finally {
        await reader.close();
        await own.stop();
      }
    },
  );

  it('refuses to read the log after a position it holds no event at (another log\'s) as PositionNotInLogError', async () => {
    const stream = `ledger-${randomUUID()}`;
    await store.append(stream, 'no_stream', [event(), event()]);
    const [first, second] = await store.readStream(stream);
    await expect(store.readAll({ after: first.position })).resolves.toEqual([second]);
    // Inside the first event's record, as a mark taken from another log may fall.
    const error = await store.readAll({ after: first.position + 1n }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PositionNotInLogError);
    expect(error).toMatchObject({ position: first.position + 1n });
    // Past the head is not inside any record: it reads nothing, as the server reads nothing there.
    await expect(store.readAll({ after: (await store.headPosition()) + 1_000_000n })).resolves.toEqual([]);
  });

  it('keeps the schema version in the EventStoreDB metadata and hands back the port metadata only', async () => {
    const stream = `ledger-${randomUUID()}`;
    await store.append(stream, 'no_stream', [
      { ...event(), schemaVersion: 4, metadata: { actor: 'api:teller' } },
    ]);
    const stored = JSON.parse(Buffer.from(double.log.stream(stream)[0].customMetadata).toString('utf8'));
    expect(stored).toMatchObject({ actor: 'api:teller', $schemaVersion: 4 });
    const [read] = await store.readStream(stream);
    expect(read.schemaVersion).toBe(4);
    expect(Object.keys(read.metadata).sort()).toEqual(['actor', 'recordedAt']);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
