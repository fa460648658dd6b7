import type { EventMetadata, NewEvent, StoredEvent } from './event-store.port';

/** An event checked and serialized before it enters a store: what every adapter writes. */
export interface PreparedEvent {
  id: string;
  type: string;
  schemaVersion: number;
  /** JSON text of the data. */
  data: string;
  /** JSON text of the metadata, with `recordedAt` filled. */
  metadata: string;
  /** `metadata.recordedAt` in epoch milliseconds, so point-in-time reads compare instants, not strings. */
  recordedAtMs: number;
}

/** A stored row in the shape adapters read back, before the JSON is parsed. */
export interface SerializedStoredEvent {
  id: string;
  stream: string;
  revision: bigint;
  position: bigint;
  type: string;
  schemaVersion: number;
  data: string;
  metadata: string;
}

/**
 * Checks an append's input and serializes it. Everything that can be refused without looking at the store
 * is refused here, before the append is queued, so a malformed append never reaches a transaction that
 * other appends share.
 */
export function prepareAppend(stream: string, events: NewEvent[], now: () => Date): PreparedEvent[] {
  if (typeof stream !== 'string' || stream.length === 0)
    throw new TypeError('a stream name must be a non-empty string');
  if (!Array.isArray(events) || events.length === 0)
    throw new TypeError(`stream ${stream}: an append needs at least one event`);
  const seen = new Set<string>();
  const recordedAt = now().toISOString();
  return events.map((event) => {
    if (typeof event.id !== 'string' || event.id.length === 0)
      throw new TypeError(`stream ${stream}: every event needs an id`);
    if (seen.has(event.id))
      throw new TypeError(`stream ${stream}: event id ${event.id} appears twice in one append`);
    seen.add(event.id);
    if (typeof event.type !== 'string' || event.type.length === 0)
      throw new TypeError(`event ${event.id}: type must be a non-empty string`);
    if (!Number.isInteger(event.schemaVersion) || event.schemaVersion < 1) {
      throw new TypeError(`event ${event.id}: schemaVersion must be a positive integer`);
    }
    const metadata: EventMetadata = {
      ...event.metadata,
      recordedAt: event.metadata?.recordedAt ?? recordedAt,
    };
    const recordedAtMs = Date.parse(metadata.recordedAt as string);
    if (Number.isNaN(recordedAtMs))
      throw new TypeError(`event ${event.id}: metadata.recordedAt is not an ISO time`);
    return {
      id: event.id,
      type: event.type,
      schemaVersion: event.schemaVersion,
      data: toJson(event.id, 'data', event.data),
      metadata: toJson(event.id, 'metadata', metadata),
      recordedAtMs,
    };
  });
}

/**
 * A stored event whose data or metadata is not JSON: the log's file was damaged or written to outside the
 * ledger. Names the event, which JSON.parse's own message does not, so an operator knows what to restore
 * (`ledger verify` lists every such row).
 */
export class EventRowUnreadableError extends Error {
  readonly code = 'EVENT_ROW_UNREADABLE';
  constructor(
    readonly stream: string,
    readonly position: bigint,
    readonly field: 'data' | 'metadata',
    cause: unknown,
  ) {
    super(`the event at position ${position} (stream ${stream}) is unreadable: its ${field} is not JSON (${(cause as Error).message}); the log is damaged: run ledger verify, and restore from a backup (docs/runbook.md)`, { cause });
    this.name = 'EventRowUnreadableError';
  }
}

/** A stored event's JSON column, or `EventRowUnreadableError` naming the event. */
export function parseEventColumn(json: string, stream: string, position: bigint, field: 'data' | 'metadata'): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch (error) {
    throw new EventRowUnreadableError(stream, position, field, error);
  }
}

export function parseStoredEvent(row: SerializedStoredEvent): StoredEvent {
  return {
    id: row.id,
    stream: row.stream,
    revision: row.revision,
    position: row.position,
    type: row.type,
    schemaVersion: row.schemaVersion,
    data: parseEventColumn(row.data, row.stream, row.position, 'data'),
    metadata: parseEventColumn(row.metadata, row.stream, row.position, 'metadata') as StoredEvent['metadata'],
  };
}

/** Parses a point-in-time bound for `recordedUpTo`. */
export function parseRecordedUpTo(recordedUpTo: string): number {
  const ms = Date.parse(recordedUpTo);
  if (Number.isNaN(ms)) throw new TypeError(`recordedUpTo is not an ISO time: ${recordedUpTo}`);
  return ms;
}

function toJson(eventId: string, field: string, value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw new TypeError(`event ${eventId}: ${field} is not JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (json === undefined) throw new TypeError(`event ${eventId}: ${field} is not JSON`);
  return json;
}
