import { randomUUID } from 'node:crypto';
import { ConcurrencyError, type EventStore, type NewEvent, StoreUnavailableError } from '../event-store.port';
import { createEventStoreDbStore } from './index';
import { EsdbGrpcTestDouble, type TestDoubleFault } from './test-double/esdb-grpc-test-double';

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

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
