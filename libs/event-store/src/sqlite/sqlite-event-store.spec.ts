import { describeEventStoreContract } from '../contract/event-store.contract';
import { SqliteEventStore } from './sqlite-event-store';
import { temporaryDatabasePath } from './sqlite-test-files';

describeEventStoreContract('sqlite', async (options) => {
  const file = temporaryDatabasePath();
  const store = new SqliteEventStore(file.path, options);
  return {
    store,
    cleanup: async () => {
      await store.close();
      file.remove();
    },
  };
});

describeEventStoreContract('sqlite with a writer thread', async (options) => {
  const file = temporaryDatabasePath();
  const store = new SqliteEventStore(file.path, { ...options, writer: 'thread' });
  return {
    store,
    cleanup: async () => {
      await store.close();
      file.remove();
    },
  };
});

describeEventStoreContract('sqlite with a checkpointer thread', async (options) => {
  const file = temporaryDatabasePath();
  // Every 5 ms, so that checkpoints run between and during the contract's appends and reads.
  const store = new SqliteEventStore(file.path, { ...options, checkpoints: 'thread', checkpointIntervalMs: 5 });
  return {
    store,
    cleanup: async () => {
      await store.close();
      file.remove();
    },
  };
});

describe('the sqlite store read for a replay (readStreamData)', () => {
  it('leaves the metadata column unread', async () => {
    const file = temporaryDatabasePath();
    const store = new SqliteEventStore(file.path);
    try {
      await store.append('s-1', 'no_stream', [{ id: 'e-1', type: 'A', schemaVersion: 1, data: { n: 1 }, metadata: { commandId: 'c-1' } }]);
      const [event] = await store.readStreamData('s-1');
      expect(event).toEqual({ id: 'e-1', stream: 's-1', revision: 0n, position: 1n, type: 'A', schemaVersion: 1, data: { n: 1 } });
      expect(event).not.toHaveProperty('metadata');
    } finally {
      await store.close();
      file.remove();
    }
  });
});
