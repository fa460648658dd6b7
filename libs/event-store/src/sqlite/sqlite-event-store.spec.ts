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
