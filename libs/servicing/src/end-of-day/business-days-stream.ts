import { toShanghai } from '@ledger/credit';
import type { EventStore, StoredEvent } from '@ledger/event-store';
import { BUSINESS_DAYS_STREAM } from '@ledger/projections';

/** The last `BusinessDayClosed` of the system stream of closed days (one per day, in order), if any. */
export async function readLastClosedDay(store: EventStore): Promise<StoredEvent | undefined> {
  const events = await store.readStream(BUSINESS_DAYS_STREAM);
  return events[events.length - 1];
}

/**
 * The ledger's first business day: the business date of the log's first event, or for an event that
 * carries none the Shanghai date it was recorded on. Undefined on an empty log.
 */
export async function firstBusinessDay(store: EventStore): Promise<string | undefined> {
  const [first] = await store.readAll({ maxCount: 1 });
  if (first === undefined) return undefined;
  const { businessDate, recordedAt } = first.metadata;
  return typeof businessDate === 'string' ? businessDate : toShanghai(String(recordedAt)).date;
}
