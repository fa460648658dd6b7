import { type Snapshot, SnapshotStore } from './snapshot-store.port';

interface Kept {
  revision: bigint;
  schemaVersion: number;
  /** Kept as JSON text so callers never share (and mutate) the cached object. */
  state: string;
}

/** Snapshots in process memory: for tests, and as a per-process cache where no file is at hand. */
export class MemorySnapshotStore extends SnapshotStore {
  private readonly kept = new Map<string, Kept>();

  async load<S = unknown>(stream: string): Promise<Snapshot<S> | undefined> {
    const kept = this.kept.get(stream);
    if (!kept) return undefined;
    return { revision: kept.revision, schemaVersion: kept.schemaVersion, state: JSON.parse(kept.state) as S };
  }

  async save(stream: string, revision: bigint, schemaVersion: number, state: unknown): Promise<void> {
    const current = this.kept.get(stream);
    if (current && current.schemaVersion === schemaVersion && current.revision > revision) return;
    this.kept.set(stream, { revision, schemaVersion, state: toStateJson(state) });
  }
}

export function toStateJson(state: unknown): string {
  const json = JSON.stringify(state);
  if (json === undefined) throw new TypeError('a snapshot state must be JSON');
  return json;
}
