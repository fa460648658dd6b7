/**
 * Anchors over the global log. An `AuditAnchor` event in `system-audit-anchors` holds a sha256 over the
 * previous anchor's hash and the digest of every stored row after the previous anchor, up to a position.
 * Stream chains (`chain-hash.ts`) cannot see a stream's last event deleted, or a whole system stream
 * rewritten; an anchor can, for everything up to its position. Anchors are chained to each other too.
 */
import { createHash } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import { EventStore, type StoredEvent } from '@ledger/event-store';
import { readLog, rowDigest, type LogRow } from './log-rows';

export const AUDIT_ANCHOR_STREAM = 'system-audit-anchors';
export const AUDIT_ANCHOR_TYPE = 'AuditAnchor';
const ANCHOR_ID_NAMESPACE = '7d3e9b1a-52c4-4f0e-8a6d-1b2c3d4e5f60';

export interface AuditAnchorData {
  /** Rows with a position strictly after this one... */
  fromPosition: string;
  /** ...up to and including this one. */
  toPosition: string;
  events: number;
  previousHash: string;
  hash: string;
}

/** Accumulates row digests between two anchors. */
export class AnchorHasher {
  private readonly hash = createHash('sha256');
  count = 0;

  constructor(readonly previousHash: string) {
    this.hash.update(previousHash);
  }

  add(row: LogRow, dataJson?: string): void {
    this.hash.update('\n').update(rowDigest(row, dataJson));
    this.count++;
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

export class AuditAnchors {
  /**
   * The latest anchor event read. Anchoring needs only the last anchor, and the stream grows by one every
   * 10,000 events (a million accounts write thousands a year): reading it whole each time made anchoring
   * cost more the older the ledger. Each call reads just what was appended since, by any writer.
   */
  private latest: StoredEvent | undefined;

  constructor(private readonly store: EventStore) {}

  /** Every anchor in order (a short stream: one per business day at most, in practice). */
  async list(): Promise<{ position: bigint; data: AuditAnchorData }[]> {
    const events = await this.store.readStream(AUDIT_ANCHOR_STREAM);
    return events.filter((e) => e.type === AUDIT_ANCHOR_TYPE).map((e) => ({ position: e.position, data: e.data as AuditAnchorData }));
  }

  /**
   * Anchors the log up to its current head; nothing when no event was appended since the last anchor.
   * Answers the anchor with its event's own position (`anchorPosition`), which `verify --expect-anchor` names it by.
   */
  async anchor(actor: string): Promise<(AuditAnchorData & { anchorPosition: bigint }) | null> {
    const last = await this.lastAnchor();
    const lastData = last ? (last.data as AuditAnchorData) : null;
    const from = lastData ? BigInt(lastData.toPosition) : 0n;
    const head = await this.store.headPosition();
    // Nothing new to anchor when the only events after the last anchor's range are anchors (its own event).
    // Decided by reading the log, not from positions: EventStoreDB's are byte offsets, with gaps.
    if (head <= from || !(await this.anyNonAnchorAfter(from))) return null;
    const hasher = new AnchorHasher(lastData?.hash ?? '');
    // Anchoring runs beside the API: hash in small pages and let the event loop serve commands between them.
    for await (const rows of readLog(this.store, { after: from, upTo: head, pageSize: 250 })) {
      for (const row of rows) hasher.add(row);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const data: AuditAnchorData = { fromPosition: from.toString(), toPosition: head.toString(), events: hasher.count, previousHash: lastData?.hash ?? '', hash: hasher.digest() };
    let appended: { position: bigint };
    try {
      appended = await this.store.append(AUDIT_ANCHOR_STREAM, last ? last.revision : 'no_stream', [
        { id: uuidv5(`audit-anchor|${head.toString()}`, ANCHOR_ID_NAMESPACE), type: AUDIT_ANCHOR_TYPE, schemaVersion: 1, data, metadata: { actor } },
      ]);
    } catch (error) {
      // A conflict (another writer anchored) or a stream that changed under us: read it afresh next time.
      this.latest = undefined;
      throw error;
    }
    return { ...data, anchorPosition: appended.position };
  }

  /** Whether the log holds an event other than an anchor after `position`. */
  private async anyNonAnchorAfter(position: bigint): Promise<boolean> {
    const pageSize = 16;
    for (let after = position; ; ) {
      const page = await this.store.readAll({ after, maxCount: pageSize });
      if (page.some((e) => !(e.stream === AUDIT_ANCHOR_STREAM && e.type === AUDIT_ANCHOR_TYPE))) return true;
      if (page.length < pageSize) return false;
      after = page[page.length - 1].position;
    }
  }

  private async lastAnchor(): Promise<StoredEvent | undefined> {
    const added = await this.store.readStream(AUDIT_ANCHOR_STREAM, this.latest ? { fromRevision: this.latest.revision + 1n } : {});
    if (added.length > 0) this.latest = added[added.length - 1];
    return this.latest;
  }
}
