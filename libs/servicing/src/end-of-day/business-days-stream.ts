import type { EventStore, StoredEvent } from '@ledger/event-store';
import { BUSINESS_DAYS_STREAM } from '@ledger/projections';

/** The last `BusinessDayClosed` of the system stream of closed days (one per day, in order), if any. */
export async function readLastClosedDay(store: EventStore): Promise<StoredEvent | undefined> {
  const events = await store.readStream(BUSINESS_DAYS_STREAM);
  return events[events.length - 1];
}
