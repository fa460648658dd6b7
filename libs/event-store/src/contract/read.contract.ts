import type { EventStore, StoredEvent, StoredEventData } from '../event-store.port';
import type { StoreCapabilities } from './event-store.contract';
import { newEvent, numberedEvents, uniqueStream } from './contract-helpers';

/** The global log and the ways to read part of a stream. */
export function describeReadContract(store: () => EventStore, capabilities: StoreCapabilities): void {
  describe('the global log', () => {
    /** Appends to three streams in interleaved rounds; returns the head before and the ids in append order. */
    async function appendInterleaved(): Promise<{ head: bigint; appended: string[] }> {
      const head = await store().headPosition();
      const streams = [uniqueStream(), uniqueStream(), uniqueStream()];
      const appended: string[] = [];
      // Round r appends r + 1 events to each stream, so before it each stream ends at revision r(r+1)/2 - 1.
      for (let round = 0; round < 3; round += 1) {
        const expected = round === 0 ? 'no_stream' : BigInt((round * (round + 1)) / 2 - 1);
        for (const stream of streams) {
          const events = numberedEvents(round + 1);
          await store().append(stream, expected, events);
          appended.push(...events.map((event) => event.id));
        }
      }
      return { head, appended };
    }

    it('lists the streams whose first event is at or before a position, in the order of those first events, by prefix', async () => {
      // Characters SQLite's LIKE would take as wildcards, and one beyond the Basic Multilingual Plane.
      const prefix = `${uniqueStream('listed')}-%_😀`;
      const [a, b, c] = ['a', 'b%', '😀c'].map((name) => `${prefix}${name}`);
      await store().append(b, 'no_stream', [newEvent()]);
      await store().append(uniqueStream(), 'no_stream', [newEvent()]);
      await store().append(a, 'no_stream', numberedEvents(2));
      await store().append(b, 0n, [newEvent()]);
      const middle = await store().headPosition();
      await store().append(c, 'no_stream', [newEvent()]);
      await store().append(a, 1n, [newEvent()]);
      expect(await store().streamsUpTo(middle, prefix)).toEqual([b, a]);
      expect(await store().streamsUpTo(await store().headPosition(), prefix)).toEqual([b, a, c]);
      const all = await store().streamsUpTo(await store().headPosition());
      expect(all.filter((stream) => stream.startsWith(prefix))).toEqual([b, a, c]);
      expect(new Set(all).size).toBe(all.length);
      expect(await store().streamsUpTo(0n, prefix)).toEqual([]);
    });

    it('orders the events of all streams in the order they were appended', async () => {
      const { head, appended } = await appendInterleaved();
      const log = await store().readAll({ after: head, maxCount: appended.length });
      expect(log.map((event) => event.id)).toEqual(appended);
      expect(log.every((event, i) => i === 0 || event.position > log[i - 1].position)).toBe(true);
      expect(await store().headPosition()).toBe(log[log.length - 1].position);
    });

    if (capabilities.gaplessPositions) {
      it('numbers the global log without gaps, one position per event', async () => {
        const { head, appended } = await appendInterleaved();
        const log = await store().readAll({ after: head, maxCount: appended.length });
        expect(log.map((event) => event.position)).toEqual(appended.map((_, i) => head + BigInt(i + 1)));
        expect(await store().headPosition()).toBe(head + BigInt(appended.length));
      });
    } else {
      it('gives each event of the global log its own strictly increasing position (gaps allowed)', async () => {
        const { head, appended } = await appendInterleaved();
        const log = await store().readAll({ after: head, maxCount: appended.length + 1 });
        expect(log).toHaveLength(appended.length);
        expect(new Set(log.map((event) => event.position)).size).toBe(appended.length);
        expect(log.every((event, i) => event.position > (i === 0 ? head : log[i - 1].position))).toBe(true);
        expect(await store().headPosition()).toBe(log[log.length - 1].position);
      });
    }

    it('pages through the log after a position', async () => {
      const head = await store().headPosition();
      const events = numberedEvents(10);
      await store().append(uniqueStream(), 'no_stream', events);
      const pages: StoredEvent[][] = [];
      let after = head;
      for (;;) {
        const page = await store().readAll({ after, maxCount: 3 });
        if (page.length === 0) break;
        pages.push(page);
        after = page[page.length - 1].position;
      }
      expect(pages.map((page) => page.length)).toEqual([3, 3, 3, 1]);
      expect(pages.flat().map((event) => event.id)).toEqual(events.map((event) => event.id));
    });

    it('reads nothing after the head position', async () => {
      await store().append(uniqueStream(), 'no_stream', [newEvent()]);
      await expect(store().readAll({ after: await store().headPosition() })).resolves.toEqual([]);
    });
  });

  describe('reading part of a stream', () => {
    it('reads from and to a revision, inclusive', async () => {
      const stream = uniqueStream();
      await store().append(stream, 'no_stream', numberedEvents(6));
      const read = await store().readStream(stream, { fromRevision: 2n, toRevision: 4n });
      expect(read.map((event) => event.revision)).toEqual([2n, 3n, 4n]);
      expect(read.map((event) => event.data)).toEqual([{ n: 2 }, { n: 3 }, { n: 4 }]);
    });

    it('reads at most maxCount events from the start or a revision', async () => {
      const stream = uniqueStream();
      await store().append(stream, 'no_stream', numberedEvents(6));
      const head = await store().readStream(stream, { maxCount: 2 });
      const middle = await store().readStream(stream, { fromRevision: 3n, maxCount: 2 });
      expect(head.map((event) => event.revision)).toEqual([0n, 1n]);
      expect(middle.map((event) => event.revision)).toEqual([3n, 4n]);
    });

    it('reads the events recorded up to a point in time', async () => {
      const stream = uniqueStream();
      const times = ['2024-01-01T00:00:00.000Z', '2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z'];
      await store().append(
        stream,
        'no_stream',
        times.map((recordedAt) => newEvent('A', {}, { recordedAt })),
      );
      const read = await store().readStream(stream, { recordedUpTo: '2024-02-01T08:00:00+08:00' });
      expect(read.map((event) => event.metadata.recordedAt)).toEqual(times.slice(0, 2));
    });

    it('reads as of a moment a prefix of the stream: nothing after its first event recorded later, whatever the clock wrote after that', async () => {
      const stream = uniqueStream();
      // A clock that stepped back (or a recorded time edited in the file): revision 2 says it came before revision 1.
      const times = ['2024-01-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z', '2024-01-15T00:00:00.000Z', '2024-01-20T00:00:00.000Z'];
      await store().append(
        stream,
        'no_stream',
        times.map((recordedAt, n) => newEvent('A', { n }, { recordedAt, commandId: `c-${n}` })),
      );
      const asOf = { recordedUpTo: '2024-02-01T08:00:00+08:00' };
      expect((await store().readStream(stream, asOf)).map((event) => event.revision)).toEqual([0n]);
      expect((await store().readStreamData(stream, asOf)).map((event) => event.revision)).toEqual([0n]);
      expect(await store().readStream(stream, { ...asOf, fromRevision: 2n })).toEqual([]);
      expect((await store().readStream(stream, { recordedUpTo: '2024-03-01T00:00:00.000Z', fromRevision: 1n })).map((event) => event.revision)).toEqual([1n, 2n, 3n]);
      // The cut is made on the whole stream, then the range and the count are taken from what is left.
      const window = { recordedUpTo: '2024-03-01T00:00:00.000Z', fromRevision: 1n };
      expect((await store().readStream(stream, { ...window, maxCount: 2 })).map((event) => event.revision)).toEqual([1n, 2n]);
      expect((await store().readStream(stream, { ...window, toRevision: 2n })).map((event) => event.revision)).toEqual([1n, 2n]);
      expect((await store().readStreamData(stream, { ...asOf, maxCount: 5 })).map((event) => event.revision)).toEqual([0n]);
    });

    it('reads the same events without their metadata through readStreamData, whatever the options', async () => {
      const stream = uniqueStream();
      const times = ['2024-01-01T00:00:00.000Z', '2024-02-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z', '2024-04-01T00:00:00.000Z'];
      await store().append(
        stream,
        'no_stream',
        times.map((recordedAt, n) => newEvent('A', { n }, { recordedAt, commandId: `c-${n}` })),
      );
      const withoutMetadata = (events: StoredEventData[]) => events.map(({ id, stream, revision, position, type, schemaVersion, data }) => ({ id, stream, revision, position, type, schemaVersion, data }));
      for (const options of [{}, { fromRevision: 1n, toRevision: 2n }, { maxCount: 3 }, { recordedUpTo: '2024-02-01T08:00:00+08:00' }]) {
        const full = await store().readStream(stream, options);
        const data = await store().readStreamData(stream, options);
        expect(full.length).toBeGreaterThan(0);
        expect(withoutMetadata(data)).toEqual(withoutMetadata(full));
      }
      await expect(store().readStreamData(uniqueStream())).resolves.toEqual([]);
    });

    it('reads a stream of 5,000 events back in order', async () => {
      const stream = uniqueStream('long');
      for (let batch = 0; batch < 10; batch += 1) {
        await store().append(
          stream,
          batch === 0 ? 'no_stream' : BigInt(batch * 500 - 1),
          numberedEvents(500, 'A', batch * 500),
        );
      }
      const read = await store().readStream(stream);
      expect(read).toHaveLength(5000);
      expect(
        read.every((event, i) => event.revision === BigInt(i) && (event.data as { n: number }).n === i),
      ).toBe(true);
      expect(read.every((event, i) => i === 0 || event.position > read[i - 1].position)).toBe(true);
    }, 60_000);
  });
}
