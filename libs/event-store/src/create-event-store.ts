import type { EventStore, EventStoreOptions } from './event-store.port';
import { MemoryEventStore } from './memory/memory-event-store';
import { MemorySnapshotStore } from './snapshots/memory-snapshot-store';
import type { SnapshotStore } from './snapshots/snapshot-store.port';
import type { SqliteSynchronous } from './sqlite/sqlite-schema';
import { type SqliteCheckpointMode, SqliteEventStore, type SqliteWriterMode } from './sqlite/sqlite-event-store';

/** The environment variables that choose and configure the store (usually `process.env`). */
export interface EventStoreConfig {
  /** `sqlite` (default), `eventstoredb` or `memory`. */
  LEDGER_STORE?: string;
  /** Default `./data/ledger.sqlite`; the folder is created. */
  LEDGER_SQLITE_PATH?: string;
  /** `FULL` (default) or `NORMAL`, `EXTRA`, `OFF`. */
  LEDGER_SQLITE_SYNCHRONOUS?: string;
  /** Pages the write-ahead log may hold before a commit checkpoints it; default 10,000 (`walAutocheckpointPages`). */
  LEDGER_SQLITE_WAL_AUTOCHECKPOINT?: string;
  /** `inline` (default here) or `thread`: where groups are committed (`SqliteEventStoreOptions.writer`). */
  LEDGER_SQLITE_WRITER?: string;
  /** `commit` (default here) or `thread`: who checkpoints the write-ahead log (`SqliteEventStoreOptions.checkpoints`). */
  LEDGER_SQLITE_CHECKPOINT?: string;
  /** Milliseconds between the checkpointer thread's runs; default 100 (`checkpointIntervalMs`). */
  LEDGER_SQLITE_CHECKPOINT_INTERVAL_MS?: string;
  /** Required for `eventstoredb`, e.g. `esdb://localhost:2113?tls=false`. */
  EVENTSTORE_CONNECTION_STRING?: string;
  [key: string]: string | undefined;
}

export type StoreKind = 'sqlite' | 'eventstoredb' | 'memory';

export const DEFAULT_SQLITE_PATH = './data/ledger.sqlite';

/** The shape of `libs/event-store/src/eventstoredb/index.ts`, loaded only when that store is chosen. */
interface EventStoreDbModule {
  createEventStoreDbStore(
    connectionString: string,
    options: EventStoreOptions,
  ): EventStore | Promise<EventStore>;
}

export function storeKind(config: EventStoreConfig): StoreKind {
  const kind = (config.LEDGER_STORE ?? 'sqlite').trim().toLowerCase();
  if (kind === 'sqlite' || kind === 'eventstoredb' || kind === 'memory') return kind;
  throw new Error(`LEDGER_STORE must be sqlite, eventstoredb or memory, got ${config.LEDGER_STORE}`);
}

/**
 * Builds the store the configuration asks for. The EventStoreDB adapter is required lazily so that the
 * embedded default never loads the gRPC client.
 */
export async function createEventStore(
  config: EventStoreConfig = process.env,
  options: EventStoreOptions = {},
): Promise<EventStore> {
  switch (storeKind(config)) {
    case 'memory':
      return new MemoryEventStore(options);
    case 'sqlite':
      return new SqliteEventStore(config.LEDGER_SQLITE_PATH || DEFAULT_SQLITE_PATH, {
        ...options,
        synchronous:
          (config.LEDGER_SQLITE_SYNCHRONOUS?.toUpperCase() as SqliteSynchronous | undefined) ?? 'FULL',
        ...(config.LEDGER_SQLITE_WAL_AUTOCHECKPOINT ? { walAutocheckpointPages: Number(config.LEDGER_SQLITE_WAL_AUTOCHECKPOINT) } : {}),
        ...(config.LEDGER_SQLITE_WRITER ? { writer: config.LEDGER_SQLITE_WRITER.trim().toLowerCase() as SqliteWriterMode } : {}),
        ...(config.LEDGER_SQLITE_CHECKPOINT ? { checkpoints: config.LEDGER_SQLITE_CHECKPOINT.trim().toLowerCase() as SqliteCheckpointMode } : {}),
        ...(config.LEDGER_SQLITE_CHECKPOINT_INTERVAL_MS ? { checkpointIntervalMs: Number(config.LEDGER_SQLITE_CHECKPOINT_INTERVAL_MS) } : {}),
      });
    case 'eventstoredb': {
      const connectionString = config.EVENTSTORE_CONNECTION_STRING;
      if (!connectionString) throw new Error('LEDGER_STORE=eventstoredb needs EVENTSTORE_CONNECTION_STRING');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const adapter = require('./eventstoredb') as EventStoreDbModule;
      return adapter.createEventStoreDbStore(connectionString, options);
    }
  }
}

/**
 * The snapshot store that goes with an event store: the same sqlite file for the sqlite store, process
 * memory otherwise (snapshots are only a cache, so a cold one costs load time, never correctness).
 */
export function createSnapshotStore(store: EventStore): SnapshotStore {
  return store instanceof SqliteEventStore ? store.snapshotStore() : new MemorySnapshotStore();
}
