import type { EventStore } from '../event-store.port';
import type { Upcasters } from '../upcasters';
import { EventStoreDbEventStore, type EventStoreDbStoreOptions } from './eventstoredb-event-store';

export { EventStoreDbEventStore, type EventStoreDbStoreOptions } from './eventstoredb-event-store';

/**
 * The factory the event-store module lazy-requires, so the EventStoreDB client is loaded only when this
 * adapter is chosen. `connectionString` is an `esdb://` (or `esdb+discover://`) connection string.
 */
export function createEventStoreDbStore(
  connectionString: string,
  options: { upcasters?: Upcasters; now?: EventStoreDbStoreOptions['now'] } = {},
): EventStore {
  return new EventStoreDbEventStore(connectionString, options);
}
