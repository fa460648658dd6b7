import { randomUUID } from 'node:crypto';
import {
  AppendTooLargeError,
  ConcurrencyError,
  type EventStore,
  type NewEvent,
  StoreUnavailableError,
  StreamDeletedError,
} from '../event-store.port';
import { createEventStoreDbStore } from './index';
import { EsdbGrpcTestDouble, type TestDoubleFault } from './test-double/esdb-grpc-test-double';
import { systemRecord } from './test-double/esdb-test-double-log';

function event(type = 'ThingHappened'): NewEvent {
  return { id: randomUUID(), type, schemaVersion: 1, data: { n: 1 } };
}

describe('the EventStoreDB adapter when the server fails (against the loopback gRPC test double)', () => {
  let double: EsdbGrpcTestDouble;
  let store: EventStore;

  beforeAll(async () => {
    double = await EsdbGrpcTestDouble.start();
  });

  beforeEach(() => {
    store = createEventStoreDbStore(double.connectionString());
  });

  afterEach(async () => {
    await store.close();
  });

  afterAll(async () => {
    await double.stop();
  });

  it.each<TestDoubleFault>(['not-leader', 'unavailable', 'deadline-exceeded', 'timeout'])(
    'maps a %s answer to an append to StoreUnavailableError, and a retry then succeeds',
    async (fault) => {
      const stream = `ledger-${randomUUID()}`;
      const events = [event()];
      double.injectFault('append', fault);
      await expect(store.append(stream, 'no_stream', events)).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.append(stream, 'no_stream', events)).resolves.toMatchObject({ nextRevision: 0n });
    },
  );

  it('maps access refused (a secure cluster, no credentials in the connection string) to StoreUnavailableError naming what to fix, on appends and reads', async () => {
    for (const method of ['append', 'read'] as const) {
      double.injectFault(method, 'access-denied');
      const call = method === 'append' ? store.append(`ledger-${randomUUID()}`, 'no_stream', [event()]) : store.headPosition();
      const error = await call.then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toMatch(/access denied .*EVENTSTORE_CONNECTION_STRING needs the credentials/);
    }
    // A refused append is the last write failure, which readiness reads, until an append succeeds.
    expect(store.lastWriteFailure()?.message).toMatch(/^EventStoreDB refused append to ledger-.*: access denied/);
    await store.append(`ledger-${randomUUID()}`, 'no_stream', [event()]);
    expect(store.lastWriteFailure()).toBeUndefined();
  });

  it.each<TestDoubleFault>(['not-leader', 'unavailable', 'deadline-exceeded'])(
    'maps a %s answer to a read to StoreUnavailableError',
    async (fault) => {
      double.injectFault('read', fault);
      await expect(store.readStream(`ledger-${randomUUID()}`)).rejects.toBeInstanceOf(StoreUnavailableError);
      double.injectFault('read', fault);
      await expect(store.readAll()).rejects.toBeInstanceOf(StoreUnavailableError);
    },
  );

  it('maps the client deadline passing on an append that gets no answer to StoreUnavailableError', async () => {
    const impatient = createEventStoreDbStore(double.connectionString('defaultDeadline=300'));
    try {
      double.injectFault('append', 'hang');
      await expect(impatient.append(`ledger-${randomUUID()}`, 'no_stream', [event()])).rejects.toBeInstanceOf(
        StoreUnavailableError,
      );
    } finally {
      await impatient.close();
    }
  });

  it('fails a read the server never answers as StoreUnavailableError once the deadline passed', async () => {
    // The client reads with no deadline; the adapter bounds each read by the connection's defaultDeadline.
    const impatient = createEventStoreDbStore(double.connectionString('defaultDeadline=300'));
    try {
      const stream = `ledger-${randomUUID()}`;
      double.injectFault('read', 'hang');
      await expect(impatient.readStream(stream)).rejects.toThrow(/no answer within 300 ms/);
      double.injectFault('read', 'hang');
      await expect(impatient.readAll()).rejects.toBeInstanceOf(StoreUnavailableError);
      double.injectFault('read', 'hang');
      await expect(impatient.headPosition()).rejects.toBeInstanceOf(StoreUnavailableError);
      // An append reads the stream first (to recognise a retry): it must not hang there either.
      double.injectFault('read', 'hang');
      await expect(impatient.append(stream, 'no_stream', [event()])).rejects.toBeInstanceOf(
        StoreUnavailableError,
      );
      expect(double.log.stream(stream)).toHaveLength(0);
      await expect(impatient.append(stream, 'no_stream', [event()])).resolves.toMatchObject({
        nextRevision: 0n,
      });
    } finally {
      await impatient.close();
    }
  });

  it('closes at once while a subscription waits on a catch-up read the server never answers', async () => {
    const closing = createEventStoreDbStore(double.connectionString()); // the default deadline: 10 s
    const errors: Error[] = [];
    let caughtUp = false;
    closing.subscribeToAll({
      after: await closing.headPosition(),
      onEvents: () => undefined,
      onCaughtUp: () => (caughtUp = true),
      onError: (error) => errors.push(error),
    });
    await waitFor(() => caughtUp);
    double.injectFault('read', 'hang');
    // Written behind the adapter's back, so the only read it wakes is the subscription's catch-up read.
    double.log.append(`ledger-${randomUUID()}`, { kind: 'no_stream' }, [systemRecord('ThingHappened')]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const outcome = await Promise.race([
      closing.close().then(() => 'closed'),
      new Promise((resolve) => setTimeout(() => resolve('still closing'), 1000)),
    ]);
    expect(outcome).toBe('closed');
    expect(errors).toEqual([]);
  });

  it('maps an unreachable server to StoreUnavailableError', async () => {
    const stopped = await EsdbGrpcTestDouble.start();
    const connectionString = stopped.connectionString();
    await stopped.stop();
    const orphan = createEventStoreDbStore(connectionString);
    try {
      await expect(orphan.readStream('ledger-1')).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await orphan.close();
    }
  });

  it('reports a dropped subscription to onError as StoreUnavailableError and delivers nothing more', async () => {
    const errors: Error[] = [];
    let delivered = 0;
    const subscription = store.subscribeToAll({
      after: await store.headPosition(),
      onEvents: (batch) => {
        delivered += batch.length;
      },
      onError: (error) => errors.push(error),
      onCaughtUp: () => double.dropSubscriptions(),
    });
    try {
      await waitFor(() => errors.length > 0);
      expect(errors[0]).toBeInstanceOf(StoreUnavailableError);
      await store.append(`ledger-${randomUUID()}`, 'no_stream', [event()]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(delivered).toBe(0);
    } finally {
      await subscription.stop();
    }
  });

  it('still reports a wrong expected revision as ConcurrencyError, not as unavailable', async () => {
    const stream = `ledger-${randomUUID()}`;
    await store.append(stream, 'no_stream', [event()]);
    await expect(store.append(stream, 5n, [event()])).rejects.toBeInstanceOf(ConcurrencyError);
  });
});

describe('the EventStoreDB adapter when a BatchAppend fails (against the test double serving BatchAppend)', () => {
  let double: EsdbGrpcTestDouble;
  let store: EventStore;

  beforeAll(async () => {
    double = await EsdbGrpcTestDouble.start({ batchAppend: true });
    store = createEventStoreDbStore(double.connectionString());
  });

  afterAll(async () => {
    await store.close();
    await double.stop();
  });

  it.each<[TestDoubleFault, string]>([
    ['not-ready', 'Server Is Not Ready'],
    ['busy', 'Server Is Busy'],
    ['no-leader-info', 'No leader info available in response'],
  ])(
    "maps a %s answer (the client's UnknownError) to StoreUnavailableError, and a retry then succeeds",
    async (fault, message) => {
      const stream = `ledger-${randomUUID()}`;
      const events = [event()];
      double.injectFault('append', fault);
      const error = await store.append(stream, 'no_stream', events).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      // Only the BatchAppend path words it so: the client did not recognise the server's status.
      expect((error as StoreUnavailableError).message).toContain(`Could not recognize ${message}`);
      await expect(store.append(stream, 'no_stream', events)).resolves.toMatchObject({ nextRevision: 0n });
    },
  );

  it('reports a wrong expected revision on BatchAppend as ConcurrencyError with the actual revision', async () => {
    const stream = `ledger-${randomUUID()}`;
    await expect(store.append(stream, 0n, [event()])).rejects.toMatchObject({ actual: 'no_stream' });
    await store.append(stream, 'no_stream', [event()]);
    await expect(store.append(stream, 'no_stream', [event()])).rejects.toMatchObject({ actual: 0n });
  });
});

describe.each([false, true])(
  'the EventStoreDB adapter when an append gets no answer or is refused for good (BatchAppend: %s)',
  (batchAppend) => {
    let double: EsdbGrpcTestDouble;
    let store: EventStore;

    beforeEach(async () => {
      double = await EsdbGrpcTestDouble.start({ batchAppend, maxAppendSize: 2_000 });
      store = createEventStoreDbStore(double.connectionString('defaultDeadline=300'));
      // The first append reads the server's features and, on BatchAppend, opens the call all appends share.
      await store.append(`ledger-${randomUUID()}`, 'no_stream', [event()]);
    });

    afterEach(async () => {
      await store.close();
      await double.stop();
    });

    it('ends an append the server never answers once the deadline passed, as StoreUnavailableError', async () => {
      // BatchAppend is opened with no deadline by the client: without the adapter's, this waits for ever.
      double.injectFault('append', 'hang');
      const started = Date.now();
      const error = await store.append(`ledger-${randomUUID()}`, 'no_stream', [event()]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(Date.now() - started).toBeLessThan(2_000);
    });

    it('says an append written but never answered may be recorded, and records its retry once', async () => {
      const stream = `ledger-${randomUUID()}`;
      const events = [event(), event()];
      double.injectFault('append', 'write-then-hang');
      const error = await store.append(stream, 'no_stream', events).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      // Plain Append may end on the client's own deadline first, which says "deadline exceeded".
      if (batchAppend) expect((error as Error).message).toMatch(/no answer within 300 ms; its outcome is unknown/);
      expect(double.log.stream(stream)).toHaveLength(2);
      await expect(store.append(stream, 'no_stream', events)).resolves.toMatchObject({
        nextRevision: 1n,
        alreadyStored: true,
      });
      expect(double.log.stream(stream)).toHaveLength(2);
    });

    it('ends an append waiting on the server at once when the store closes', async () => {
      const patient = createEventStoreDbStore(double.connectionString()); // the default deadline: 10 s
      await patient.append(`ledger-${randomUUID()}`, 'no_stream', [event()]);
      double.injectFault('append', 'hang');
      const pending = patient.append(`ledger-${randomUUID()}`, 'no_stream', [event()]).catch((e: unknown) => e);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const started = Date.now();
      await patient.close();
      expect(await pending).toBeInstanceOf(StoreUnavailableError);
      expect(Date.now() - started).toBeLessThan(1_000);
    });

    it('reports a stream deleted on the server as StreamDeletedError, to appends and reads', async () => {
      const stream = `ledger-${randomUUID()}`;
      await store.append(stream, 'no_stream', [event()]);
      double.log.tombstone(stream);
      await expect(store.readStream(stream)).rejects.toMatchObject({ name: 'StreamDeletedError', stream });
      // The append reads the stream first; the server refuses the write itself too.
      await expect(store.append(stream, 0n, [event()])).rejects.toBeInstanceOf(StreamDeletedError);
      const write = jest.spyOn(store as unknown as { findRetry: () => Promise<undefined> }, 'findRetry');
      write.mockResolvedValue(undefined);
      try {
        await expect(store.append(stream, 0n, [event()])).rejects.toMatchObject({ name: 'StreamDeletedError', stream });
      } finally {
        write.mockRestore();
      }
      expect(double.log.stream(stream)).toHaveLength(1);
    });

    it("reports an append over the server's MaxAppendSize as AppendTooLargeError with the limit, writing nothing", async () => {
      const stream = `ledger-${randomUUID()}`;
      const large: NewEvent = { id: randomUUID(), type: 'ThingHappened', schemaVersion: 1, data: { text: 'x'.repeat(3_000) } };
      const error = await store.append(stream, 'no_stream', [large]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppendTooLargeError);
      expect(error).toMatchObject({ stream, maxAppendSize: 2_000 });
      expect(double.log.stream(stream)).toHaveLength(0);
      await expect(store.append(stream, 'no_stream', [event()])).resolves.toMatchObject({ nextRevision: 0n });
    });
  },
);

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
