import { ConcurrencyError, type EventStore } from '../event-store.port';
import { newEvent, numberedEvents, uniqueStream } from './contract-helpers';

/** Appends, the expected-revision check, and idempotent retries. */
export function describeAppendContract(store: () => EventStore): void {
  describe('appending and reading a stream', () => {
    it('reads back the type, schema version, data and metadata it appended', async () => {
      const stream = uniqueStream();
      const event = {
        ...newEvent('DrawPosted', { amount: '12.34', lines: [{ fen: 1234 }] }),
        schemaVersion: 2,
      };
      event.metadata = { correlationId: 'corr-1', actor: 'api:teller', businessDate: '2024-03-01' };
      await store().append(stream, 'no_stream', [event]);
      const [read] = await store().readStream(stream);
      expect(read).toMatchObject({
        id: event.id,
        stream,
        revision: 0n,
        type: 'DrawPosted',
        schemaVersion: 2,
        data: { amount: '12.34', lines: [{ fen: 1234 }] },
        metadata: { correlationId: 'corr-1', actor: 'api:teller', businessDate: '2024-03-01' },
      });
      expect(typeof read.position).toBe('bigint');
      expect(Number.isNaN(Date.parse(read.metadata.recordedAt as string))).toBe(false);
    });

    it('keeps a recordedAt the writer supplied', async () => {
      const stream = uniqueStream();
      await store().append(stream, 'no_stream', [
        newEvent('A', {}, { recordedAt: '2024-01-31T16:00:00.000Z' }),
      ]);
      const [read] = await store().readStream(stream);
      expect(read.metadata.recordedAt).toBe('2024-01-31T16:00:00.000Z');
    });

    it('reads an unknown stream as an empty array', async () => {
      await expect(store().readStream(uniqueStream())).resolves.toEqual([]);
    });

    it('returns the revision and global position of the last event appended', async () => {
      const stream = uniqueStream();
      const first = await store().append(stream, 'no_stream', numberedEvents(3));
      const second = await store().append(stream, 2n, numberedEvents(2));
      const read = await store().readStream(stream);
      expect(read.map((event) => event.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
      expect(first).toEqual({ nextRevision: 2n, position: read[2].position });
      expect(second).toEqual({ nextRevision: 4n, position: read[4].position });
    });
  });

  describe('the expected revision', () => {
    it('accepts no_stream for a new stream', async () => {
      await expect(store().append(uniqueStream(), 'no_stream', [newEvent()])).resolves.toMatchObject({
        nextRevision: 0n,
      });
    });

    it('refuses no_stream for an existing stream with its actual revision', async () => {
      const stream = uniqueStream();
      await store().append(stream, 'no_stream', numberedEvents(2));
      const refused = store().append(stream, 'no_stream', [newEvent()]);
      await expect(refused).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(refused).rejects.toMatchObject({ stream, expected: 'no_stream', actual: 1n });
    });

    it('accepts the exact revision of the last event', async () => {
      const stream = uniqueStream();
      await store().append(stream, 'no_stream', numberedEvents(2));
      await expect(store().append(stream, 1n, [newEvent()])).resolves.toMatchObject({ nextRevision: 2n });
    });

    it('refuses an append at a stale revision with the expected and actual revision', async () => {
      const stream = uniqueStream();
      await store().append(stream, 'no_stream', numberedEvents(3));
      const refused = store().append(stream, 1n, [newEvent()]);
      await expect(refused).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(refused).rejects.toMatchObject({ stream, expected: 1n, actual: 2n });
      expect(await store().readStream(stream)).toHaveLength(3);
    });

    it('refuses an exact revision on a stream that does not exist', async () => {
      const stream = uniqueStream();
      await expect(store().append(stream, 0n, [newEvent()])).rejects.toMatchObject({
        expected: 0n,
        actual: 'no_stream',
      });
      expect(await store().readStream(stream)).toEqual([]);
    });

    it('accepts any on a new and on an existing system stream', async () => {
      const stream = uniqueStream('system-contract');
      await store().append(stream, 'any', [newEvent()]);
      await expect(store().append(stream, 'any', [newEvent()])).resolves.toMatchObject({ nextRevision: 1n });
    });

    it('refuses any on a stream that is not a system stream', async () => {
      const stream = uniqueStream();
      await expect(store().append(stream, 'any', [newEvent()])).rejects.toBeInstanceOf(TypeError);
      expect(await store().readStream(stream)).toEqual([]);
    });

    it('lets exactly one of two concurrent appends at the same revision win', async () => {
      const stream = uniqueStream();
      await store().append(stream, 'no_stream', [newEvent()]);
      const [a, b] = [newEvent('A'), newEvent('B')];
      const results = await Promise.allSettled([
        store().append(stream, 0n, [a]),
        store().append(stream, 0n, [b]),
      ]);
      const won = results.filter((result) => result.status === 'fulfilled');
      const lost = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0].reason).toBeInstanceOf(ConcurrencyError);
      expect(lost[0].reason).toMatchObject({ expected: 0n, actual: 1n });
      expect(await store().readStream(stream)).toHaveLength(2);
    });
  });

  describe('retrying an append', () => {
    it('treats a retry of stored events as a no-op returning the original result', async () => {
      const stream = uniqueStream();
      const events = numberedEvents(3);
      const original = await store().append(stream, 'no_stream', events);
      await expect(store().append(stream, 'no_stream', events)).resolves.toEqual({ ...original, alreadyStored: true });
      expect(await store().readStream(stream)).toHaveLength(3);
    });

    it('returns the original result even when the stream has moved on since', async () => {
      const stream = uniqueStream();
      const events = [newEvent()];
      const original = await store().append(stream, 'no_stream', events);
      await store().append(stream, 0n, numberedEvents(2));
      await expect(store().append(stream, 'no_stream', events)).resolves.toEqual({ ...original, alreadyStored: true });
      expect(await store().readStream(stream)).toHaveLength(3);
    });

    it.each([
      ['the stored id first', true],
      ['the new id first', false],
    ])('refuses an append that mixes stored and new event ids (%s), and stores neither', async (_order, storedFirst) => {
      const stream = uniqueStream();
      const [stored, fresh] = [newEvent(), newEvent()];
      await store().append(stream, 'no_stream', [stored]);
      await expect(store().append(stream, 0n, storedFirst ? [stored, fresh] : [fresh, stored])).rejects.toMatchObject({
        code: 'EVENT_ID_COLLISION',
      });
      expect((await store().readStream(stream)).map((event) => event.id)).toEqual([stored.id]);
    });

    it('treats a retry with any on a system stream as a no-op returning the original result', async () => {
      const stream = uniqueStream('system-contract');
      const events = numberedEvents(2);
      const original = await store().append(stream, 'any', events);
      await expect(store().append(stream, 'any', events)).resolves.toEqual({ ...original, alreadyStored: true });
      expect(await store().readStream(stream)).toHaveLength(2);
    });

    it('recognises an id within its stream only: in another stream it is another event, and neither stream changes the other', async () => {
      const event = newEvent();
      const original = uniqueStream();
      await store().append(original, 'no_stream', [event]);
      const other = uniqueStream();
      const reused = { ...newEvent('ThingHappened', { n: 2 }), id: event.id };
      const written = await store().append(other, 'no_stream', [reused]);
      expect(written.nextRevision).toBe(0n);
      expect((await store().readStream(other)).map((e) => [e.id, e.data])).toEqual([[event.id, reused.data]]);
      expect((await store().readStream(original)).map((e) => [e.id, e.data])).toEqual([[event.id, event.data]]);
    });
  });
}
