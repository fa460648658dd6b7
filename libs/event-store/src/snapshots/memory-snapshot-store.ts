import { LruCache } from '../lru-cache';
import { type Snapshot, SnapshotStore } from './snapshot-store.port';

interface Kept {
  revision: bigint;
  schemaVersion: number;
  /** Kept as JSON text so callers never share (and mutate) the cached object. */
  state: string;
}

/**
 * Snapshots in process memory: for tests, and as a per-process cache where no file is at hand (with
 * EventStoreDB). A snapshot is only a cache, so the store keeps the most recently used up to a byte
 * budget (64 MiB by default; a JSON string takes two bytes a character) and forgets the rest.
 */
export class MemorySnapshotStore extends SnapshotStore {
  private readonly kept: LruCache<string, Kept>;

  constructor(options: { maxBytes?: number } = {}) {
    super();
    this.kept = new LruCache(Number.MAX_SAFE_INTEGER, { maxWeight: options.maxBytes ?? 64 * 2 ** 20, weigh: (kept) => 2 * kept.state.length + 64 });
  }

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
