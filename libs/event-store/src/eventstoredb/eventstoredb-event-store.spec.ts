import { describeEventStoreContract, type StoreCapabilities } from '../contract/event-store.contract';

/** `$all` commit positions have gaps. */
const EVENTSTOREDB_CAPABILITIES: StoreCapabilities = { gaplessPositions: false };
import { createEventStoreDbStore } from './index';
import { EsdbGrpcTestDouble } from './test-double/esdb-grpc-test-double';

describe('the EventStoreDB adapter against the loopback gRPC test double', () => {
  let double: EsdbGrpcTestDouble;

  beforeAll(async () => {
    double = await EsdbGrpcTestDouble.start();
  });

  afterAll(async () => {
    await double.stop();
  });

  describeEventStoreContract('eventstoredb against the loopback gRPC test double', async (options) => {
    const store = createEventStoreDbStore(double.connectionString(), options);
    return { store, cleanup: () => store.close() };
  }, EVENTSTOREDB_CAPABILITIES);
});

describe('the EventStoreDB adapter against the loopback gRPC test double serving BatchAppend', () => {
  let double: EsdbGrpcTestDouble;

  beforeAll(async () => {
    double = await EsdbGrpcTestDouble.start({ batchAppend: true });
  });

  afterAll(async () => {
    await double.stop();
  });

  // What the client does against a server >= 21.10: it appends with BatchAppend.
  describeEventStoreContract('eventstoredb (BatchAppend) against the loopback gRPC test double', async (options) => {
    const store = createEventStoreDbStore(double.connectionString(), options);
    return { store, cleanup: () => store.close() };
  }, EVENTSTOREDB_CAPABILITIES);
});

const realServer = process.env.EVENTSTORE_CONNECTION_STRING;

(realServer ? describe : describe.skip)(
  'the EventStoreDB adapter against a real server (needs EVENTSTORE_CONNECTION_STRING)',
  () => {
    describeEventStoreContract('eventstoredb against a real server', async (options) => {
      const store = createEventStoreDbStore(realServer as string, options);
      return { store, cleanup: () => store.close() };
    }, EVENTSTOREDB_CAPABILITIES);
  },
);
