import { LruCache } from '../lru-cache';
import { type Snapshot, SnapshotStore } from './snapshot-store.port';

interface Kept {
  revision: bigint;
  schemaVersion: number;
  /** Kept as text (the caller's encoding), so callers never share (and mutate) a cached object. */
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

  async loadText(stream: string): Promise<Snapshot<string> | undefined> {
    const kept = this.kept.get(stream);
    return kept && { revision: kept.revision, schemaVersion: kept.schemaVersion, state: kept.state };
  }

  async saveText(stream: string, revision: bigint, schemaVersion: number, text: string): Promise<void> {
    const current = this.kept.get(stream);
    if (current && current.schemaVersion === schemaVersion && current.revision > revision) return;
    this.kept.set(stream, { revision, schemaVersion, state: text });
  }
}
