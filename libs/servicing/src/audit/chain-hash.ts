/**
 * The tamper-evident chain of a stream. Each event's metadata carries `chainHash`: a sha256 over the
 * previous event's chain hash, the event's stream, id and type, the canonical JSON of its data and of its
 * metadata without `recordedAt` (filled by the store after hashing) and without the hash itself. Editing,
 * deleting or reordering a stored event breaks the chain at that event or the one after it; the global
 * anchors (`audit-anchors.ts`) catch what a chain alone cannot, such as a stream's last event deleted.
 */
import { hash } from 'node:crypto';
import type { EventMetadata } from '@ledger/event-store';
import { canonicalJson } from './canonical-json';

/** The chain hash "before" a stream's first event. */
export const CHAIN_GENESIS = '';

export interface ChainedEvent {
  stream: string;
  id: string;
  type: string;
  data: unknown;
  metadata?: EventMetadata;
}

export function hashedMetadata(metadata: EventMetadata = {}): Record<string, unknown> {
  const { recordedAt: _recordedAt, chainHash: _chainHash, ...rest } = metadata;
  return rest;
}

/** `dataJson`: the canonical JSON of the event's data, when the caller has it already (`verify` hashes it for the anchors too). */
export function chainHashOf(previous: string, event: ChainedEvent, dataJson = canonicalJson(event.data)): string {
  // The joined text hashes the same bytes as an update per part, in one native call that answers in hex.
  return hash('sha256', `${previous}\n${event.stream}\n${event.id}\n${event.type}\n${dataJson}\n${canonicalJson(hashedMetadata(event.metadata))}`);
}

/** Adds `chainHash` to each event's metadata, chained from `previous` (the stream's last chain hash). */
export function withChainHashes<E extends Omit<ChainedEvent, 'stream'>>(stream: string, previous: string, events: E[]): { events: E[]; last: string } {
  let last = previous;
  const chained = events.map((event) => {
    last = chainHashOf(last, { ...event, stream });
    return { ...event, metadata: { ...event.metadata, chainHash: last } };
  });
  return { events: chained, last };
}
