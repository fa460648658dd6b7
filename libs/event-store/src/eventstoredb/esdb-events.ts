import type { EventMetadata, StoredEvent } from '../event-store.port';
import type { PreparedEvent } from '../serialization';
import { type EsdbPosition, type JSONEventData, type ResolvedEvent, jsonEvent } from './esdb-client';

/**
 * How port events sit in EventStoreDB, and how positions are mapped.
 *
 * Event ids: EventStoreDB stores an event id as a Guid and hands it back as lowercase text, so this adapter
 * accepts only lowercase canonical UUIDs (what uuid v4/v5 produce). Anything else would come back as a
 * different string, and retries could not be recognised.
 *
 * Schema version: EventStoreDB has no field for it, so it travels in the event's JSON metadata under
 * `$schemaVersion` and is removed again on read. The rest of the metadata is the port's metadata as is.
 *
 * Positions: the port's `position` is the event's `$all` commit position. Every append through gRPC
 * writes self-committed records, whose `$all` position has commit == prepare == the record's log
 * position, so the commit position alone identifies the event exactly and orders `$all` totally. It is
 * strictly increasing but NOT gapless and does not start at 1 (it is a byte offset into the log): readers
 * must treat it as an opaque, ordered checkpoint, never as a count. Resuming from a stored position is
 * exact: the adapter reads `$all` from {commit: p, prepare: p} and drops the event at exactly p.
 */
export const SCHEMA_VERSION_KEY = '$schemaVersion';

const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A `$all` position is a signed 64-bit log offset; the wire uses 2^64-1 for "none" and 0 when unset. */
const MAX_LOG_POSITION = (1n << 63n) - 1n;

export function assertEventIds(stream: string, events: readonly PreparedEvent[]): void {
  for (const event of events) {
    if (!CANONICAL_UUID.test(event.id)) {
      throw new TypeError(
        `stream ${stream}: event id ${event.id} is not a lowercase canonical UUID; the EventStoreDB adapter stores ids as UUIDs`,
      );
    }
  }
}

/** Streams on which `'any'` is allowed: EventStoreDB's own (`$...`) and the application's system streams. */
export function allowsAnyRevision(stream: string): boolean {
  return stream.startsWith('$') || stream.startsWith('system-');
}

export function toEventData(event: PreparedEvent): JSONEventData {
  const metadata: EventMetadata = JSON.parse(event.metadata);
  // The client stringifies `data` itself; any JSON value works even though its type names objects only.
  const data = JSON.parse(event.data) as Record<string, unknown>;
  return jsonEvent({
    id: event.id,
    type: event.type,
    data,
    metadata: { ...metadata, [SCHEMA_VERSION_KEY]: event.schemaVersion },
  });
}

/** The same rule as the server-side `excludeSystemEvents()` filter: event types starting with `$`. */
export function isSystemEvent(resolved: ResolvedEvent): boolean {
  return resolved.event === undefined || resolved.event.type.startsWith('$');
}

export function toPosition(position: bigint): EsdbPosition {
  return { commit: position, prepare: position };
}

/**
 * The `$all` position of an event read from `$all` or from a stream. Stream reads carry it only on servers
 * that report the positions of self-committed events; without one the adapter refuses to guess.
 */
export function positionOf(resolved: ResolvedEvent): bigint {
  const candidates = [resolved.event?.position?.commit, resolved.commitPosition];
  for (const candidate of candidates) {
    if (candidate !== undefined && candidate > 0n && candidate <= MAX_LOG_POSITION) return candidate;
  }
  throw new Error(
    `EventStoreDB returned no $all position for ${resolved.event?.streamId}@${resolved.event?.revision}; ` +
      'this adapter needs a server that reports event positions on stream reads: EventStoreDB 22.10 or later (docs/configuration.md)',
  );
}

export function toStoredEvent(resolved: ResolvedEvent): StoredEvent {
  const event = resolved.event;
  if (!event) throw new Error('EventStoreDB returned a link to a deleted event; links are not resolved here');
  const raw = event.metadata;
  const metadata: Record<string, unknown> =
    raw !== null && typeof raw === 'object' && !(raw instanceof Uint8Array) && !Array.isArray(raw)
      ? { ...raw }
      : {};
  const schemaVersion =
    typeof metadata[SCHEMA_VERSION_KEY] === 'number' ? (metadata[SCHEMA_VERSION_KEY] as number) : 1;
  delete metadata[SCHEMA_VERSION_KEY];
  return {
    id: event.id,
    stream: event.streamId,
    revision: event.revision,
    position: positionOf(resolved),
    type: event.type,
    schemaVersion,
    data: event.data,
    metadata: metadata as EventMetadata,
  };
}
