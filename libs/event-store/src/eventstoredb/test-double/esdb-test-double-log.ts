/**
 * TEST DOUBLE: the in-memory log behind the loopback gRPC EventStoreDB test double. It is not EventStoreDB;
 * it mimics the server rules the adapter relies on, as read from the server's source:
 *
 * - Positions are byte offsets of self-committed records: each event's `$all` position has
 *   commit == prepare == its log position, positions grow by the record's size (so they have gaps) and the
 *   log starts past a few system records. The adapter must not assume gapless 1-based positions.
 * - Expected revisions follow the server's commit check: an exact revision equal to the stream's last
 *   revision writes (without looking at ids, as the server does); an older revision is a retry only if the
 *   events right after it carry the same ids in the same order, else the revision is wrong; 'any' treats
 *   ids already at the end of the stream as a retry (the server only remembers recent ids).
 * - `$all` is read only from the start of a record, the log's start or its end (or past it); any other
 *   position is refused as the server refuses it (InvalidPosition).
 * - A stream deleted for good (`tombstone`) can be neither read nor written again.
 * - A recognised retry answers with the original last revision and no position. Current servers answer
 *   it with the original commit position too (`RequestManagerBase.Handle(AlreadyCommitted)`); the double
 *   keeps the no-position answer so the adapter's fallback (read the revision's position) stays tested.
 */
export interface TestDoubleRecord {
  stream: string;
  revision: bigint;
  position: bigint;
  id: string;
  type: string;
  contentType: string;
  data: Uint8Array;
  customMetadata: Uint8Array;
  createdMs: number;
}

export interface ProposedRecord {
  id: string;
  type: string;
  contentType: string;
  data: Uint8Array;
  customMetadata: Uint8Array;
}

export type TestDoubleExpected =
  | { kind: 'any' }
  | { kind: 'no_stream' }
  | { kind: 'stream_exists' }
  | { kind: 'revision'; revision: bigint };

export type TestDoubleAppendOutcome =
  | { kind: 'written'; lastRevision: bigint; firstPosition: bigint; lastPosition: bigint }
  | { kind: 'stream_deleted' }
  | { kind: 'idempotent'; lastRevision: bigint }
  | { kind: 'wrong_expected_version'; current: bigint | 'no_stream' };

/** Where the first user record lands: the server writes its epoch and settings records before. */
const FIRST_POSITION = 1_024n;
/** The fixed part of a prepare record's size in the server's log format, roughly. */
const RECORD_OVERHEAD = 96;

export class EsdbTestDoubleLog {
  private readonly all: TestDoubleRecord[] = [];
  private readonly streams = new Map<string, TestDoubleRecord[]>();
  private readonly listeners = new Set<(records: TestDoubleRecord[]) => void>();
  private readonly positions = new Set<bigint>();
  private readonly tombstones = new Set<string>();
  private nextPosition = FIRST_POSITION;

  constructor(private readonly now: () => number = Date.now) {
    this.append('$settings', { kind: 'any' }, [systemRecord('$settings')]);
  }

  get records(): readonly TestDoubleRecord[] {
    return this.all;
  }

  stream(name: string): readonly TestDoubleRecord[] {
    return this.streams.get(name) ?? [];
  }

  /** Whether `$all` may be read from `position`: the log's start, a record's start, or the end and past it. */
  readableFrom(position: bigint): boolean {
    return position === 0n || position >= this.nextPosition || this.positions.has(position);
  }

  /** Deletes the stream for good, as the server's Tombstone does: its events stay in `$all`. */
  tombstone(stream: string): void {
    this.tombstones.add(stream);
  }

  isTombstoned(stream: string): boolean {
    return this.tombstones.has(stream);
  }

  append(stream: string, expected: TestDoubleExpected, proposed: ProposedRecord[]): TestDoubleAppendOutcome {
    if (this.tombstones.has(stream)) return { kind: 'stream_deleted' };
    const existing = this.streams.get(stream) ?? [];
    const current = BigInt(existing.length) - 1n;
    const check = this.check(
      existing,
      current,
      expected,
      proposed.map((record) => record.id),
    );
    if (check) return check;
    const written = proposed.map((record, i): TestDoubleRecord => {
      const position = this.nextPosition;
      this.nextPosition += BigInt(
        RECORD_OVERHEAD +
          stream.length +
          record.type.length +
          record.data.length +
          record.customMetadata.length,
      );
      return { ...record, stream, revision: current + 1n + BigInt(i), position, createdMs: this.now() };
    });
    existing.push(...written);
    this.streams.set(stream, existing);
    this.all.push(...written);
    for (const record of written) this.positions.add(record.position);
    for (const listener of this.listeners) listener(written);
    const last = written[written.length - 1];
    return {
      kind: 'written',
      lastRevision: last.revision,
      firstPosition: written[0].position,
      lastPosition: last.position,
    };
  }

  /** Called synchronously after each write, so a subscriber that registers between reads misses nothing. */
  onAppend(listener: (records: TestDoubleRecord[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private check(
    existing: TestDoubleRecord[],
    current: bigint,
    expected: TestDoubleExpected,
    ids: string[],
  ): TestDoubleAppendOutcome | undefined {
    const wrong: TestDoubleAppendOutcome = {
      kind: 'wrong_expected_version',
      current: current < 0n ? 'no_stream' : current,
    };
    switch (expected.kind) {
      case 'stream_exists':
        return current < 0n ? wrong : undefined;
      case 'any': {
        const tail = existing.slice(-ids.length);
        const retry = tail.length === ids.length && tail.every((record, i) => record.id === ids[i]);
        return retry ? { kind: 'idempotent', lastRevision: current } : undefined;
      }
      default: {
        const revision = expected.kind === 'no_stream' ? -1n : expected.revision;
        if (revision === current) return undefined;
        if (revision > current) return wrong;
        const retry = ids.every((id, i) => existing[Number(revision) + 1 + i]?.id === id);
        return retry ? { kind: 'idempotent', lastRevision: revision + BigInt(ids.length) } : wrong;
      }
    }
  }
}

export function systemRecord(type: string, id = crypto.randomUUID()): ProposedRecord {
  return {
    id,
    type,
    contentType: 'application/json',
    data: Buffer.from('{}'),
    customMetadata: new Uint8Array(),
  };
}
