import type { EventStore, StoredEvent } from '../event-store.port';
import type { Snapshot, SnapshotStore } from './snapshot-store.port';

export interface StreamFromSnapshot<S> {
  /** The usable snapshot, or undefined when there is none or its schema version is not the expected one. */
  snapshot: Snapshot<S> | undefined;
  /** The events after the snapshot (the whole stream without one). */
  events: StoredEvent[];
}

/**
 * Loads a stream the fast way: the latest snapshot of the expected schema version, then only the events
 * after it. A snapshot of another schema version is ignored, as if absent. Point-in-time reads
 * (`recordedUpTo`) must not use this: a snapshot may contain events after the requested time.
 */
export async function readStreamFromSnapshot<S>(
  events: EventStore,
  snapshots: SnapshotStore,
  stream: string,
  expectedSchemaVersion: number,
): Promise<StreamFromSnapshot<S>> {
  const found = await snapshots.load<S>(stream);
  const snapshot = found && found.schemaVersion === expectedSchemaVersion ? found : undefined;
  const fromRevision = snapshot ? snapshot.revision + 1n : 0n;
  return { snapshot, events: await events.readStream(stream, { fromRevision }) };
}
