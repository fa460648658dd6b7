import { createHash, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { MemoryEventStore } from '@ledger/event-store';
import { createEventStoreDbStore } from '@ledger/event-store/eventstoredb';
import { EsdbGrpcTestDouble } from '@ledger/event-store/eventstoredb/test-double/esdb-grpc-test-double';
import { AnchorHasher, AUDIT_ANCHOR_STREAM, AuditAnchors } from './audit-anchors';
import { canonicalJson } from './canonical-json';
import { type LogRow, readLog, rowDigest } from './log-rows';

const event = (i: number) => ({ id: `e-${i}`, type: 'Noted', schemaVersion: 1, data: { i }, metadata: {} });

describe('audit anchors', () => {
  it('chain each anchor to the last, read only the anchors added since, and see those of another writer', async () => {
    const store = new MemoryEventStore();
    const anchors = new AuditAnchors(store);
    const reads = jest.spyOn(store, 'readStream');
    const anchorReads = () => reads.mock.calls.filter(([stream]) => stream === AUDIT_ANCHOR_STREAM).map(([, options]) => options?.fromRevision);
    let appended = 0;
    const appendSome = async (n: number) => {
      for (let i = 0; i < n; i++) await store.append(`system-test-${appended % 3}`, 'any', [event(appended++)]);
    };

    await appendSome(5);
    const first = await anchors.anchor('system:test');
    await appendSome(4);
    const second = await anchors.anchor('system:test');
    // Another writer (a second process, the CLI) anchors in between.
    await appendSome(2);
    const third = await new AuditAnchors(store).anchor('system:other');
    await appendSome(3);
    const fourth = await anchors.anchor('system:test');
    expect(await anchors.anchor('system:test')).toBeNull();

    expect([first, second, third, fourth].map((a) => a!.previousHash)).toEqual(['', first!.hash, second!.hash, third!.hash]);
    expect([first, second, third, fourth].map((a) => [a!.fromPosition, a!.toPosition])).toEqual([['0', '5'], ['5', '10'], ['10', '13'], ['13', '17']]);
    // Until an anchor has been seen the stream is read from its start (it is empty, then holds one); after
    // that, from the revision after the last anchor seen, its own or another writer's. The other writer's
    // instance reads from the start once.
    expect(anchorReads()).toEqual([undefined, undefined, undefined, 1n, 3n]);

    // Each hash is what an auditor recomputes from the rows between the anchors.
    const recomputed = async (a: NonNullable<typeof first>) => {
      const hasher = new AnchorHasher(a.previousHash);
      for await (const rows of readLog(store, { after: BigInt(a.fromPosition), upTo: BigInt(a.toPosition) })) for (const row of rows) hasher.add(row);
      return hasher.digest();
    };
    for (const a of [first, second, third, fourth]) expect(await recomputed(a!)).toBe(a!.hash);
  });

  it('reads the anchor stream afresh after an append that failed', async () => {
    const store = new MemoryEventStore();
    const anchors = new AuditAnchors(store);
    for (let i = 0; i < 3; i++) await store.append('system-test', 'any', [event(i)]);
    await anchors.anchor('system:test');
    await store.append('system-test', 'any', [event(3)]);
    await anchors.anchor('system:test');
    await store.append('system-test', 'any', [event(4)]);
    jest.spyOn(store, 'append').mockRejectedValueOnce(new Error('disk full'));
    await expect(anchors.anchor('system:test')).rejects.toThrow('disk full');
    const reads = jest.spyOn(store, 'readStream');
    const next = await anchors.anchor('system:test');
    expect(reads.mock.calls.find(([stream]) => stream === AUDIT_ANCHOR_STREAM)?.[1]).toEqual({});
    expect(next).toMatchObject({ fromPosition: '5', toPosition: '7' });
  });

  it('write no anchor when only the last anchor was appended since, on a store whose positions have gaps', async () => {
    // EventStoreDB positions are byte offsets: the anchor's own event is not at its toPosition + 1.
    const double = await EsdbGrpcTestDouble.start();
    const store = createEventStoreDbStore(double.connectionString());
    const note = () => store.append('system-test', 'any', [{ ...event(0), id: randomUUID() }]);
    try {
      const anchors = new AuditAnchors(store);
      await note();
      await note();
      const first = await anchors.anchor('system:test');
      expect(first).toMatchObject({ fromPosition: '0', events: 2 });
      const [anchored] = await anchors.list();
      expect(anchored.position - BigInt(first!.toPosition)).toBeGreaterThan(1n);
      expect(await anchors.anchor('system:test')).toBeNull();
      expect(await new AuditAnchors(store).anchor('system:other')).toBeNull();
      await note();
      // The next anchor covers the first one's event and the new one.
      expect(await anchors.anchor('system:test')).toMatchObject({ fromPosition: first!.toPosition, events: 2 });
      expect(await anchors.anchor('system:test')).toBeNull();
      expect(await anchors.list()).toHaveLength(2);
    } finally {
      await store.close();
      await double.stop();
    }
  });
});

describe("a log row's digest", () => {
  /** The digest as every anchor written so far was made: sha256 of the canonical JSON of the row as one object. */
  const asAnchored = (row: LogRow) =>
    createHash('sha256')
      .update(canonicalJson({ position: row.position.toString(), id: row.id, stream: row.stream, revision: row.revision.toString(), type: row.type, data: row.data, metadata: row.metadata }))
      .digest('hex');

  it('is the one every anchor was made with, given the data\'s canonical JSON or not', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), fc.string(), fc.bigInt({ min: 0n, max: 2n ** 63n }), (data, metadata, id, type, position) => {
        const row: LogRow = { position, id, stream: `credit-account-${id}`, revision: position / 2n, type, data, metadata };
        expect(rowDigest(row)).toBe(asAnchored(row));
        expect(rowDigest(row, canonicalJson(data))).toBe(asAnchored(row));
      }),
      { numRuns: 300, seed: 20261206 },
    );
  });
});
