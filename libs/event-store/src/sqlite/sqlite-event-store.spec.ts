import Database from 'better-sqlite3';
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

describe('the sqlite store reading a damaged event row', () => {
  it('names the event whose data or metadata is not JSON, on every read', async () => {
    const file = temporaryDatabasePath();
    const store = new SqliteEventStore(file.path);
    try {
      await store.append('s-1', 'no_stream', [
        { id: 'e-1', type: 'A', schemaVersion: 1, data: { n: 1 }, metadata: {} },
        { id: 'e-2', type: 'A', schemaVersion: 1, data: { n: 2 }, metadata: {} },
      ]);
      const damage = new Database(file.path);
      damage.prepare(`UPDATE events SET data = '{n: 2' WHERE position = 2`).run();
      damage.close();
      const named = expect.objectContaining({ name: 'EventRowUnreadableError', stream: 's-1', position: 2n, field: 'data', message: expect.stringContaining('the event at position 2 (stream s-1) is unreadable: its data is not JSON') });
      await expect(store.readStream('s-1')).rejects.toEqual(named);
      await expect(store.readStreamData('s-1')).rejects.toEqual(named);
      await expect(store.readAll()).rejects.toEqual(named);
      expect(await store.readStream('s-1', { toRevision: 0n })).toHaveLength(1);
    } finally {
      await store.close();
      file.remove();
    }
  });
});
