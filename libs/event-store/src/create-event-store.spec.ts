import { existsSync } from 'node:fs';
import { MemoryEventStore } from './memory/memory-event-store';
import { MemorySnapshotStore } from './snapshots/memory-snapshot-store';
import { SqliteSnapshotStore } from './snapshots/sqlite-snapshot-store';
import { SqliteEventStore } from './sqlite/sqlite-event-store';
import { temporaryDatabasePath } from './sqlite/sqlite-test-files';
import { createEventStore, createSnapshotStore, DEFAULT_SQLITE_PATH, storeKind } from './create-event-store';
import { Upcasters } from './upcasters';

const eventStoreDbAdapter = { createEventStoreDbStore: jest.fn(async () => new MemoryEventStore()) };
jest.mock('./eventstoredb', () => eventStoreDbAdapter, { virtual: true });

describe('creating the event store from the environment', () => {
  it('chooses sqlite at ./data/ledger.sqlite when nothing is configured', () => {
    expect(storeKind({})).toBe('sqlite');
    expect(DEFAULT_SQLITE_PATH).toBe('./data/ledger.sqlite');
  });

  it('builds a sqlite store at LEDGER_SQLITE_PATH, creating its folder, with durable commits', async () => {
    const file = temporaryDatabasePath();
    const store = await createEventStore({ LEDGER_STORE: 'sqlite', LEDGER_SQLITE_PATH: file.path });
    try {
      expect(store).toBeInstanceOf(SqliteEventStore);
      expect(existsSync(file.path)).toBe(true);
      expect(Number((store as SqliteEventStore).db.pragma('synchronous', { simple: true }))).toBe(2);
      expect(Number((store as SqliteEventStore).db.pragma('wal_autocheckpoint', { simple: true }))).toBe(10_000);
      expect(createSnapshotStore(store)).toBeInstanceOf(SqliteSnapshotStore);
    } finally {
      await store.close();
      file.remove();
    }
  });

  it('checkpoints the write-ahead log at LEDGER_SQLITE_WAL_AUTOCHECKPOINT pages when it is set', async () => {
    const file = temporaryDatabasePath();
    const store = await createEventStore({ LEDGER_STORE: 'sqlite', LEDGER_SQLITE_PATH: file.path, LEDGER_SQLITE_WAL_AUTOCHECKPOINT: '2500' });
    try {
      expect(Number((store as SqliteEventStore).db.pragma('wal_autocheckpoint', { simple: true }))).toBe(2_500);
    } finally {
      await store.close();
      file.remove();
    }
  });

  it('builds a memory store with the upcasters it is given', async () => {
    const upcasters = new Upcasters().register('A', 1, () => ({ v: 2 }));
    const store = await createEventStore({ LEDGER_STORE: 'memory' }, { upcasters });
    await store.append('s', 'no_stream', [{ id: 'e1', type: 'A', schemaVersion: 1, data: {} }]);
    expect(await store.readStream('s')).toEqual([
      expect.objectContaining({ schemaVersion: 2, data: { v: 2 } }),
    ]);
    expect(createSnapshotStore(store)).toBeInstanceOf(MemorySnapshotStore);
  });

  it('builds the EventStoreDB store through its adapter with the connection string', async () => {
    const options = { upcasters: new Upcasters() };
    const connection = 'esdb://localhost:2113?tls=false';
    await createEventStore(
      { LEDGER_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: connection },
      options,
    );
    expect(eventStoreDbAdapter.createEventStoreDbStore).toHaveBeenCalledWith(connection, options);
  });

  it('refuses eventstoredb without a connection string', async () => {
    await expect(createEventStore({ LEDGER_STORE: 'eventstoredb' })).rejects.toThrow(
      /EVENTSTORE_CONNECTION_STRING/,
    );
  });

  it('refuses a store kind it does not know', async () => {
    await expect(createEventStore({ LEDGER_STORE: 'postgres' })).rejects.toThrow(/LEDGER_STORE/);
  });
});
