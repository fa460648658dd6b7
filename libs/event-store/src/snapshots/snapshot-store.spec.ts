import { newEvent, numberedEvents } from '../contract/contract-helpers';
import { MemoryEventStore } from '../memory/memory-event-store';
import { SqliteEventStore } from '../sqlite/sqlite-event-store';
import { temporaryDatabasePath } from '../sqlite/sqlite-test-files';
import { MemorySnapshotStore } from './memory-snapshot-store';
import { readStreamFromSnapshot } from './read-after-snapshot';
import type { SnapshotStore } from './snapshot-store.port';

interface Subject {
  snapshots: SnapshotStore;
  close(): Promise<void>;
}

const subjects: Array<[string, () => Subject]> = [
  ['memory', () => ({ snapshots: new MemorySnapshotStore(), close: async () => undefined })],
  [
    'sqlite',
    () => {
      const file = temporaryDatabasePath();
      const store = new SqliteEventStore(file.path);
      return { snapshots: store.snapshotStore(), close: async () => (await store.close(), file.remove()) };
    },
  ],
  [
    'sqlite (writer thread)',
    () => {
      const file = temporaryDatabasePath();
      const store = new SqliteEventStore(file.path, { writer: 'thread' });
      return { snapshots: store.snapshotStore(), close: async () => (await store.close(), file.remove()) };
    },
  ],
];

describe.each(subjects)('a %s snapshot store', (_name, makeSubject) => {
  let subject: Subject;

  beforeEach(() => {
    subject = makeSubject();
  });

  afterEach(() => subject.close());

  it('loads nothing for a stream without a snapshot', async () => {
    await expect(subject.snapshots.load('account-a')).resolves.toBeUndefined();
  });

  it('loads the latest snapshot with its revision, schema version and state', async () => {
    await subject.snapshots.save('account-a', 9n, 1, { balance: '10.00' });
    await subject.snapshots.save('account-a', 19n, 1, { balance: '20.00', draws: ['d1'] });
    await expect(subject.snapshots.load('account-a')).resolves.toEqual({
      revision: 19n,
      schemaVersion: 1,
      state: { balance: '20.00', draws: ['d1'] },
    });
  });

  it('does not move back to an older revision of the same schema version', async () => {
    await subject.snapshots.save('account-a', 19n, 1, { at: 19 });
    await subject.snapshots.save('account-a', 9n, 1, { at: 9 });
    await expect(subject.snapshots.load('account-a')).resolves.toMatchObject({ revision: 19n });
  });

  it('replaces a snapshot of another schema version whatever its revision', async () => {
    await subject.snapshots.save('account-a', 19n, 1, { at: 19 });
    await subject.snapshots.save('account-a', 9n, 2, { at: 9 });
    await expect(subject.snapshots.load('account-a')).resolves.toEqual({
      revision: 9n,
      schemaVersion: 2,
      state: { at: 9 },
    });
  });

  it('keeps a text exactly as saved, lines, escapes and characters beyond Latin-1 included, and does not move it back', async () => {
    const text = '{"position":"7"}\norders:3 {"o-1":{"merchant":"京东 \\"JD\\""}}\n\tnot JSON at all';
    await subject.snapshots.saveText('account-a', 7n, 503, text);
    await subject.snapshots.saveText('account-a', 6n, 503, 'older');
    await expect(subject.snapshots.loadText('account-a')).resolves.toEqual({ revision: 7n, schemaVersion: 503, state: text });
    await expect(subject.snapshots.load('account-a')).rejects.toBeInstanceOf(SyntaxError);
    await subject.snapshots.save('account-b', 1n, 1, { at: 1 });
    await expect(subject.snapshots.loadText('account-b')).resolves.toMatchObject({ state: '{"at":1}' });
  });

  it('keeps the parts saved with a snapshot, each at the revision that saved it, until a later save of that name', async () => {
    await subject.snapshots.saveText('account-a', 4n, 504, 'head at 4', [
      { name: 'c1', text: '{"a":["h","1","1"]}' },
      { name: 'o12', text: '{"o-1":{"merchant":"京东"}}' },
    ]);
    await subject.snapshots.saveText('account-a', 9n, 504, 'head at 9', [{ name: 'c1', text: '{"b":[]}' }]);
    expect(subject.snapshots.loadPart('account-a', 'c1')).toEqual({ revision: 9n, schemaVersion: 504, state: '{"b":[]}' });
    expect(subject.snapshots.loadPart('account-a', 'o12')).toEqual({ revision: 4n, schemaVersion: 504, state: '{"o-1":{"merchant":"京东"}}' });
    expect(subject.snapshots.loadPart('account-a', 'd0')).toBeUndefined();
    expect(subject.snapshots.loadPart('account-b', 'c1')).toBeUndefined();
    // A part is not a snapshot of its own.
    await expect(subject.snapshots.loadText('c1')).resolves.toBeUndefined();
    await expect(subject.snapshots.loadText('account-a')).resolves.toEqual({ revision: 9n, schemaVersion: 504, state: 'head at 9' });
  });

  it('keeps none of the parts of a snapshot older than the one kept', async () => {
    await subject.snapshots.saveText('account-a', 9n, 504, 'head at 9', [{ name: 'c1', text: 'at 9' }]);
    await subject.snapshots.saveText('account-a', 6n, 504, 'head at 6', [
      { name: 'c1', text: 'at 6' },
      { name: 'c2', text: 'at 6' },
    ]);
    await expect(subject.snapshots.loadText('account-a')).resolves.toMatchObject({ revision: 9n, state: 'head at 9' });
    expect(subject.snapshots.loadPart('account-a', 'c1')).toMatchObject({ revision: 9n, state: 'at 9' });
    expect(subject.snapshots.loadPart('account-a', 'c2')).toBeUndefined();
  });

  it('replaces the parts of whatever version and revision with those of a snapshot it keeps, and says an older snapshot was not kept', async () => {
    await subject.snapshots.saveText('account-a', 9n, 504, 'head at 9', [{ name: 'c1', text: 'c1 at 9' }]);
    await expect(subject.snapshots.saveText('account-a', 5n, 504, 'head at 5', [{ name: 'c1', text: 'c1 at 5' }])).resolves.toBe(false);
    // Another version: kept whatever its revision, and so are its parts, which it names at its own revision.
    await subject.snapshots.saveText('account-a', 12n, 505, 'v505 at 12', [{ name: 'c2', text: 'c2 v505 at 12' }]);
    await expect(subject.snapshots.saveText('account-a', 5n, 504, 'head at 5', [{ name: 'c1', text: 'c1 at 5' }])).resolves.toBe(true);
    expect(subject.snapshots.loadPart('account-a', 'c1')).toEqual({ revision: 5n, schemaVersion: 504, state: 'c1 at 5' });
  });

  it('hands out copies, so a caller mutating its state cannot change the cache', async () => {
    await subject.snapshots.save('account-a', 1n, 1, { items: [1] });
    const loaded = await subject.snapshots.load<{ items: number[] }>('account-a');
    loaded?.state.items.push(2);
    await expect(subject.snapshots.load('account-a')).resolves.toMatchObject({ state: { items: [1] } });
  });
});

describe('the memory snapshot store, a cache within a byte budget', () => {
  it('forgets the least recently used snapshots beyond its budget, and keeps the rest whole', async () => {
    // Each state below is about 1,000 characters: about 2,000 bytes kept.
    const snapshots = new MemorySnapshotStore({ maxBytes: 5_000 });
    const state = (n: number) => ({ n, pad: 'x'.repeat(1_000) });
    await snapshots.save('a', 1n, 1, state(1));
    await snapshots.save('b', 1n, 1, state(2));
    await snapshots.load('a');
    await snapshots.save('c', 1n, 1, state(3));
    await expect(snapshots.load('b')).resolves.toBeUndefined();
    await expect(snapshots.load('a')).resolves.toMatchObject({ revision: 1n, state: { n: 1 } });
    await expect(snapshots.load('c')).resolves.toMatchObject({ revision: 1n, state: { n: 3 } });
  });
});

describe('the memory snapshot store, parts within its budget', () => {
  it('keeps a snapshot that uses parts saved before only while each is kept at the revision it names', async () => {
    const snapshots = new MemorySnapshotStore();
    await expect(snapshots.saveText('account-a', 4n, 504, 'head at 4', [{ name: 'c1', text: 'c1 at 4' }, { name: 'o12', text: 'o12 at 4' }])).resolves.toBe(true);
    await expect(snapshots.saveText('account-a', 9n, 504, 'head at 9', [{ name: 'c1', text: 'c1 at 9' }], [{ name: 'o12', revision: 4n }])).resolves.toBe(true);
    // A part it names at a revision it is not kept at, or not kept at all: refused, and nothing of it kept.
    for (const uses of [[{ name: 'c1', revision: 4n }], [{ name: 'd3', revision: 4n }], [{ name: 'o12', revision: 4n }, { name: 'c1', revision: 8n }]]) {
      await expect(snapshots.saveText('account-a', 12n, 504, 'head at 12', [{ name: 'o12', text: 'o12 at 12' }], uses)).resolves.toBe(false);
    }
    await expect(snapshots.loadText('account-a')).resolves.toMatchObject({ revision: 9n, state: 'head at 9' });
    expect(snapshots.loadPart('account-a', 'o12')).toMatchObject({ revision: 4n, state: 'o12 at 4' });
    // A part of that name and revision saved under another schema version is not the one named.
    await expect(snapshots.saveText('account-a', 12n, 505, 'v505 at 12', [], [{ name: 'o12', revision: 4n }])).resolves.toBe(false);
    // Another stream's part of that name is not this one's.
    await expect(snapshots.saveText('account-b', 12n, 504, 'b', [], [{ name: 'c1', revision: 9n }])).resolves.toBe(false);
    await expect(snapshots.saveText('account-a', 12n, 504, 'head at 12', [], [{ name: 'o12', revision: 4n }, { name: 'c1', revision: 9n }])).resolves.toBe(true);
  });

  it('forgets the parts of a stream with its snapshot, and then refuses a snapshot that names them', async () => {
    const snapshots = new MemorySnapshotStore({ maxBytes: 5_000 });
    const part = (name: string) => ({ name, text: 'x'.repeat(600) });
    await snapshots.saveText('a', 4n, 504, 'a at 4', [part('c1'), part('c2')]);
    await snapshots.saveText('b', 4n, 504, 'b at 4', [part('c1'), part('c2'), part('c3')]);
    // b's parts pushed a out whole: its snapshot and both parts.
    await expect(snapshots.loadText('a')).resolves.toBeUndefined();
    expect(snapshots.loadPart('a', 'c1')).toBeUndefined();
    expect(snapshots.loadPart('b', 'c3')).toMatchObject({ revision: 4n });
    await expect(snapshots.saveText('a', 9n, 504, 'a at 9', [part('c2')], [{ name: 'c1', revision: 4n }])).resolves.toBe(false);
    await expect(snapshots.loadText('a')).resolves.toBeUndefined();
  });
});

describe('reading a stream from its snapshot', () => {
  const stream = 'credit-account-1';
  let events: MemoryEventStore;
  let snapshots: MemorySnapshotStore;

  beforeEach(async () => {
    events = new MemoryEventStore();
    snapshots = new MemorySnapshotStore();
    await events.append(stream, 'no_stream', numberedEvents(5));
  });

  it('reads only the events after a snapshot of the expected schema version', async () => {
    await snapshots.save(stream, 2n, 3, { folded: 3 });
    await events.append(stream, 4n, [newEvent()]);
    const loaded = await readStreamFromSnapshot(events, snapshots, stream, 3);
    expect(loaded.snapshot).toEqual({ revision: 2n, schemaVersion: 3, state: { folded: 3 } });
    expect(loaded.events.map((event) => event.revision)).toEqual([3n, 4n, 5n]);
  });

  it('ignores a snapshot of another schema version and reads the whole stream', async () => {
    await snapshots.save(stream, 2n, 2, { folded: 3 });
    const loaded = await readStreamFromSnapshot(events, snapshots, stream, 3);
    expect(loaded.snapshot).toBeUndefined();
    expect(loaded.events).toHaveLength(5);
  });

  it('reads the whole stream when there is no snapshot', async () => {
    const loaded = await readStreamFromSnapshot(events, snapshots, stream, 3);
    expect(loaded).toEqual({ snapshot: undefined, events: await events.readStream(stream) });
  });
});

describe('sqlite snapshots', () => {
  it('stay in the ledger file across reopening, beside the events', async () => {
    const file = temporaryDatabasePath();
    const first = new SqliteEventStore(file.path);
    await first.append('account-a', 'no_stream', [newEvent()]);
    await first.snapshotStore().save('account-a', 0n, 1, { ok: true });
    await first.close();
    const reopened = new SqliteEventStore(file.path);
    try {
      await expect(reopened.snapshotStore().load('account-a')).resolves.toEqual({
        revision: 0n,
        schemaVersion: 1,
        state: { ok: true },
      });
    } finally {
      await reopened.close();
      file.remove();
    }
  });
});
