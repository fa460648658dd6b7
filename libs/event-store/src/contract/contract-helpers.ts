import { randomUUID } from 'node:crypto';
import type { EventMetadata, NewEvent, StoredEvent } from '../event-store.port';

/**
 * Helpers of the contract suite. Every test writes to streams of its own and measures positions from the
 * head it found, so the suite also runs against a store shared with other data (a real EventStoreDB).
 */
export function uniqueStream(label = 'contract'): string {
  return `${label}-${randomUUID()}`;
}

/** Event ids are UUIDs because EventStoreDB requires them. */
export function newEvent(
  type = 'ThingHappened',
  data: unknown = { n: 1 },
  metadata?: EventMetadata,
): NewEvent {
  return { id: randomUUID(), type, schemaVersion: 1, data, ...(metadata ? { metadata } : {}) };
}

export function numberedEvents(count: number, type = 'ThingHappened', from = 0): NewEvent[] {
  return Array.from({ length: count }, (_, i) => newEvent(type, { n: from + i }));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** Collects the delivered events of some streams (others may share the store) and the batches seen. */
export class DeliveryLog {
  readonly events: StoredEvent[] = [];
  batches = 0;
  caughtUpAt: bigint | undefined;

  constructor(private readonly streams: readonly string[]) {}

  readonly onEvents = (batch: StoredEvent[]): void => {
    this.batches += 1;
    this.events.push(...batch.filter((event) => this.streams.includes(event.stream)));
  };

  readonly onCaughtUp = (position: bigint): void => {
    this.caughtUpAt = position;
  };

  ids(): string[] {
    return this.events.map((event) => event.id);
  }
}
