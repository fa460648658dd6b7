import type { EventStore, StoredEvent } from '@ledger/event-store';
import { BUSINESS_DAYS_STREAM } from '@ledger/projections';

/** The last `BusinessDayClosed` of the system stream of closed days (one per day, in order), if any. */
export async function readLastClosedDay(store: EventStore): Promise<StoredEvent | undefined> {
  const events = await store.readStream(BUSINESS_DAYS_STREAM);
  return events[events.length - 1];
}

/** The business date of the log's first event: the ledger's first business day. Undefined on an empty log (or an undated first event). */
export async function firstBusinessDay(store: EventStore): Promise<string | undefined> {
  const [first] = await store.readAll({ maxCount: 1 });
  const recorded = first?.metadata.businessDate;
  return typeof recorded === 'string' ? recorded : undefined;
}
