import {
  type AppendResult,
  ConcurrencyError,
  EventIdCollisionError,
  type ExpectedRevision,
} from './event-store.port';

/** Where an already stored event sits: all the idempotency check needs to know about it. */
export interface StoredEventRef {
  id: string;
  revision: bigint;
  position: bigint;
}

/**
 * Decides whether an append is a retry of one already stored. `stored[i]` is the event of this stream
 * with the id of the append's i-th event, or undefined: ids are recognised within their stream (an id
 * stored in another stream is another event). Returns the original result for a retry, undefined for a
 * fresh append, and throws `EventIdCollisionError` for anything in between: a retry must be the same
 * events in the same order, or it is not a retry.
 */
export function resolveRetry(
  stream: string,
  eventIds: readonly string[],
  stored: readonly (StoredEventRef | undefined)[],
): AppendResult | undefined {
  const found = stored.filter((ref): ref is StoredEventRef => ref !== undefined);
  if (found.length === 0) return undefined;
  if (found.length < eventIds.length) {
    throw new EventIdCollisionError(
      stream,
      found.map((ref) => ref.id),
      'some ids of the append are already stored, others are not',
    );
  }
  const consecutive = found.every((ref, i) => i === 0 || ref.revision === found[i - 1].revision + 1n);
  if (!consecutive) {
    throw new EventIdCollisionError(
      stream,
      eventIds,
      'the ids are stored, but not as this append in this order',
    );
  }
  const last = found[found.length - 1];
  return { nextRevision: last.revision, position: last.position, alreadyStored: true };
}

/** Throws `ConcurrencyError` unless the stream's actual last revision is what the writer expected. */
export function checkExpectedRevision(
  stream: string,
  expected: ExpectedRevision,
  actual: bigint | 'no_stream',
): void {
  if (expected === 'any') return;
  if (expected === 'no_stream' ? actual === 'no_stream' : actual === expected) return;
  throw new ConcurrencyError(stream, expected, actual);
}

/** Rejects an expected revision that is neither a keyword nor a bigint (a number would never match). */
export function assertExpectedRevision(expected: ExpectedRevision): void {
  if (expected === 'any' || expected === 'no_stream') return;
  if (typeof expected !== 'bigint' || expected < 0n) {
    throw new TypeError(
      `expected revision must be 'no_stream', 'any' or a non-negative bigint, got ${String(expected)}`,
    );
  }
}

/** Streams on which `'any'` is allowed: the store's own (`$...`) and the application's `system-...` streams. */
export function allowsAnyRevision(stream: string): boolean {
  return stream.startsWith('$') || stream.startsWith('system-');
}

/**
 * Refuses `'any'` on other streams. A ledger stream written without a revision check could interleave two
 * decisions made on the same state, so every adapter refuses it rather than relying on callers.
 */
export function assertAnyAllowed(stream: string, expected: ExpectedRevision): void {
  if (expected === 'any' && !allowsAnyRevision(stream)) {
    throw new TypeError(
      `stream ${stream}: 'any' is allowed only on $... and system-... streams; pass an exact revision`,
    );
  }
}
