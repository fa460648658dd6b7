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
