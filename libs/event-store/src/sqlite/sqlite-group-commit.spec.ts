import Database from 'better-sqlite3';
import { newEvent, numberedEvents } from '../contract/contract-helpers';
import { type AppendResult, ConcurrencyError, StoreUnavailableError } from '../event-store.port';
import { SqliteEventStore } from './sqlite-event-store';
import { temporaryDatabasePath } from './sqlite-test-files';

describe.each(['inline', 'thread'] as const)('group commit in the sqlite store, writer %s', (writer) => {
  let file: ReturnType<typeof temporaryDatabasePath>;
  let store: SqliteEventStore;
  let groups: number[];

  beforeEach(() => {
    file = temporaryDatabasePath();
    groups = [];
    store = new SqliteEventStore(file.path, {
      writer,
      busyTimeoutMs: 50,
      onGroupCommitted: (size) => groups.push(size),
    });
  });

  afterEach(async () => {
    await store.close();
    file.remove();
  });

  it('commits appends made in the same turn in one transaction, all landing with gapless positions', async () => {
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => store.append(`account-${i}`, 'no_stream', numberedEvents(2))),
    );
    expect(groups).toEqual([200]);
    const positions = results.map((result) => result.position).sort((a, b) => (a < b ? -1 : 1));
    expect(positions).toEqual(Array.from({ length: 200 }, (_, i) => BigInt(2 * i + 2)));
    expect(await store.headPosition()).toBe(400n);
    const log = await store.readAll({ maxCount: 1000 });
    expect(log.map((event) => event.position)).toEqual(Array.from({ length: 400 }, (_, i) => BigInt(i + 1)));
  });

  it('fails only the conflicting append of a group', async () => {
    await store.append('account-a', 'no_stream', [newEvent()]);
    const outcomes = await Promise.allSettled([
      store.append('account-b', 'no_stream', [newEvent()]),
      store.append('account-a', 0n, [newEvent('First')]),
      store.append('account-a', 0n, [newEvent('Second')]),
      store.append('account-c', 'no_stream', [newEvent()]),
    ]);
    expect(groups).toEqual([1, 4]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect((outcomes[2] as PromiseRejectedResult).reason).toBeInstanceOf(ConcurrencyError);
    expect((await store.readStream('account-a')).map((event) => event.type)).toEqual([
      'ThingHappened',
      'First',
    ]);
    expect(await store.headPosition()).toBe(4n);
  });

  it('settles each append only once its group is committed and visible to other connections', async () => {
    const reader = new Database(file.path, { readonly: true });
    try {
      const countRows = () => Number(reader.prepare('SELECT count(*) FROM events').pluck().get());
      const seenOnResolve: number[] = [];
      await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          store.append(`account-${i}`, 'no_stream', [newEvent()]).then(() => seenOnResolve.push(countRows())),
        ),
      );
      expect(seenOnResolve).toEqual([5, 5, 5, 5, 5]);
    } finally {
      reader.close();
    }
  });

  it('treats a retry in the same group as the original append', async () => {
    const events = numberedEvents(2);
    const [original, retry] = await Promise.all([
      store.append('account-a', 'no_stream', events),
      store.append('account-a', 'no_stream', events),
    ]);
    expect(retry).toEqual({ ...original, alreadyStored: true });
    expect(await store.readStream('account-a')).toHaveLength(2);
  });

  it('refuses a malformed append before it joins the group of the others', async () => {
    const outcomes = await Promise.allSettled([
      store.append('account-a', 'no_stream', [newEvent('A', { amount: 10n })]),
      store.append('account-b', 'no_stream', [newEvent()]),
    ]);
    expect((outcomes[0] as PromiseRejectedResult).reason).toBeInstanceOf(TypeError);
    expect(outcomes[1].status).toBe('fulfilled');
    expect(groups).toEqual([1]);
  });

  it('fails a whole group as unavailable when another process holds the write lock, then recovers', async () => {
    // One commit first, so that a writer thread is running (its connection open) before the lock is taken.
    await store.append('account-z', 'no_stream', [newEvent()]);
    const other = new Database(file.path);
    other.exec('BEGIN IMMEDIATE');
    const blocked = await Promise.allSettled([
      store.append('account-a', 'no_stream', [newEvent()]),
      store.append('account-b', 'no_stream', [newEvent()]),
    ]);
    other.exec('ROLLBACK');
    other.close();
    for (const outcome of blocked) {
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(StoreUnavailableError);
    }
    const result: AppendResult = await store.append('account-a', 'no_stream', [newEvent()]);
    expect(result).toEqual({ nextRevision: 0n, position: 2n });
  });

  it('keeps committed appends successful when the metrics hook throws', async () => {
    const throwing = new SqliteEventStore(`${file.path}-metrics`, {
      writer,
      onGroupCommitted: () => {
        throw new Error('metrics are down');
      },
    });
    try {
      await expect(throwing.append('account-a', 'no_stream', [newEvent()])).resolves.toMatchObject({
        nextRevision: 0n,
      });
    } finally {
      await throwing.close();
    }
  });

  it('commits the appends made while a group is being committed as the next group', async () => {
    const first = store.append('account-a', 'no_stream', [newEvent()]);
    // The first group has been handed to the commit (and, with a writer thread, is not back yet).
    await new Promise((resolve) => setImmediate(resolve));
    const next = [1, 2, 3].map((i) => store.append(`account-${i}`, 'no_stream', [newEvent()]));
    const results = await Promise.all([first, ...next]);
    expect(groups).toEqual([1, 3]);
    expect(results.map((result) => result.position)).toEqual([1n, 2n, 3n, 4n]);
  });

  it('refuses writes from the moment close starts, commits those made before, and gives every caller the same close', async () => {
    const before = store.append('account-a', 'no_stream', [newEvent()]);
    const closing = store.close();
    await expect(store.append('account-b', 'no_stream', [newEvent()])).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(store.close()).toBe(closing);
    await closing;
    await expect(before).resolves.toEqual({ nextRevision: 0n, position: 1n });
  });

  it('writes a snapshot through the group commit, readable once its save resolves', async () => {
    const snapshots = store.snapshotStore();
    const [appended] = await Promise.all([
      store.append('account-a', 'no_stream', [newEvent()]),
      snapshots.save('account-b', 4n, 1, { balance: '12.34' }),
    ]);
    expect(appended).toEqual({ nextRevision: 0n, position: 1n });
    expect(groups).toEqual([1]);
    expect(await snapshots.load('account-b')).toEqual({ revision: 4n, schemaVersion: 1, state: { balance: '12.34' } });
    // An older snapshot never replaces a newer one of the same schema version.
    await snapshots.save('account-b', 3n, 1, { balance: '0.00' });
    expect((await snapshots.load('account-b'))?.revision).toBe(4n);
  });

  it('commits the appends still queued when the store closes', async () => {
    const pending = store.append('account-a', 'no_stream', [newEvent()]);
    await store.close();
    await expect(pending).resolves.toEqual({ nextRevision: 0n, position: 1n });
    store = new SqliteEventStore(file.path, { writer });
    expect(await store.readStream('account-a')).toHaveLength(1);
  });
});
