import { LruCache } from '../lru-cache';
import { type PartUse, type Snapshot, type SnapshotPart, SnapshotStore } from './snapshot-store.port';

interface Kept {
  revision: bigint;
  schemaVersion: number;
  /** Kept as text (the caller's encoding), so callers never share (and mutate) a cached object. */
  state: string;
}

/** A stream's latest snapshot and the latest of each of its parts, kept and forgotten together. */
interface KeptStream extends Kept {
  parts: ReadonlyMap<string, Kept>;
}

const textBytes = (kept: Kept) => 2 * kept.state.length + 64;

/**
 * Snapshots in process memory: for tests, and as a per-process cache where no file is at hand (with
 * EventStoreDB). A snapshot is only a cache, so the store keeps the most recently used up to a byte
 * budget (64 MiB by default; a JSON string takes two bytes a character) and forgets the rest. A stream's
 * parts are forgotten with its snapshot, never one by one: a snapshot whose part is gone costs its
 * reader a replay from the stream's first event.
 */
export class MemorySnapshotStore extends SnapshotStore {
  private readonly kept: LruCache<string, KeptStream>;

  constructor(options: { maxBytes?: number } = {}) {
    super();
    this.kept = new LruCache(Number.MAX_SAFE_INTEGER, {
      maxWeight: options.maxBytes ?? 64 * 2 ** 20,
      weigh: (kept) => [...kept.parts.values()].reduce((bytes, part) => bytes + textBytes(part), textBytes(kept)),
    });
  }

  async loadText(stream: string): Promise<Snapshot<string> | undefined> {
    const kept = this.kept.get(stream);
    return kept && { revision: kept.revision, schemaVersion: kept.schemaVersion, state: kept.state };
  }

  async saveText(stream: string, revision: bigint, schemaVersion: number, text: string, parts: readonly SnapshotPart[] = [], uses: readonly PartUse[] = []): Promise<boolean> {
    const current = this.kept.get(stream);
    if (current && current.schemaVersion === schemaVersion && current.revision > revision) return false;
    // A part it uses that this store forgot (with the stream's snapshot, under its budget) or that was
    // replaced since: a snapshot naming it would be broken for every reader.
    for (const use of uses) {
      const part = current?.parts.get(use.name);
      if (part === undefined || part.revision !== use.revision || part.schemaVersion !== schemaVersion) return false;
    }
    const kept = new Map(current?.parts);
    for (const { name, text: partText } of parts) kept.set(name, { revision, schemaVersion, state: partText });
    this.kept.set(stream, { revision, schemaVersion, state: text, parts: kept });
    return true;
  }

  loadPart(stream: string, name: string): Snapshot<string> | undefined {
    const part = this.kept.get(stream)?.parts.get(name);
    return part && { revision: part.revision, schemaVersion: part.schemaVersion, state: part.state };
  }
}
