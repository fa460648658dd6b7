import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { DeliveryLog, newEvent, numberedEvents, waitFor } from '../contract/contract-helpers';
import { Upcasters } from '../upcasters';
import { DEFAULT_WAL_AUTOCHECKPOINT_PAGES } from './sqlite-schema';
import { SqliteEventStore } from './sqlite-event-store';
import { temporaryDatabasePath } from './sqlite-test-files';

describe('the sqlite store file', () => {
  let file: ReturnType<typeof temporaryDatabasePath>;
  const opened: SqliteEventStore[] = [];
  const open = (options?: ConstructorParameters<typeof SqliteEventStore>[1]) => {
    const store = new SqliteEventStore(file.path, options);
    opened.push(store);
    return store;
  };

  beforeEach(() => {
    file = temporaryDatabasePath();
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    file.remove();
  });

  it('opens in WAL mode with synchronous=FULL by default', () => {
    const store = open();
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(Number(store.db.pragma('synchronous', { simple: true }))).toBe(2);
  });

  it('checkpoints the write-ahead log into the file once it holds the configured pages (10,000 by default)', async () => {
    const framesInLog = (store: SqliteEventStore) => Number((store.db.pragma('wal_checkpoint(PASSIVE)') as { log: bigint }[])[0].log);
    const sixtyCommits = async (store: SqliteEventStore) => {
      for (let i = 0; i < 60; i++) await store.append(`account-${i}`, 'no_stream', numberedEvents(1));
    };
    const roomy = open();
    expect(DEFAULT_WAL_AUTOCHECKPOINT_PAGES).toBe(10_000);
    expect(Number(roomy.db.pragma('wal_autocheckpoint', { simple: true }))).toBe(DEFAULT_WAL_AUTOCHECKPOINT_PAGES);
    await sixtyCommits(roomy);
    // None checkpointed: every commit's frames are still in the log.
    expect(framesInLog(roomy)).toBeGreaterThanOrEqual(60);

    const other = temporaryDatabasePath();
    const tight = new SqliteEventStore(other.path, { walAutocheckpointPages: 10 });
    try {
      expect(Number(tight.db.pragma('wal_autocheckpoint', { simple: true }))).toBe(10);
      await sixtyCommits(tight);
      // Checkpointed each time it passed ten pages, so the log started over and holds only the last few.
      expect(framesInLog(tight)).toBeLessThan(20);
    } finally {
      await tight.close();
      other.remove();
    }
    expect(() => open({ walAutocheckpointPages: 0 })).toThrow('walAutocheckpointPages must be a positive integer, got 0');
  });

  it('takes a weaker synchronous mode only when asked to', () => {
    const store = open({ synchronous: 'NORMAL' });
    expect(Number(store.db.pragma('synchronous', { simple: true }))).toBe(1);
  });

  it('keeps every event and position when the file is reopened', async () => {
    const first = open();
    await first.append('account-a', 'no_stream', numberedEvents(3));
    await first.append('account-b', 'no_stream', numberedEvents(2));
    const before = await first.readAll();
    await first.close();
    const reopened = open();
    expect(await reopened.readAll()).toEqual(before);
    expect(await reopened.headPosition()).toBe(5n);
    await expect(reopened.append('account-a', 2n, [newEvent()])).resolves.toEqual({
      nextRevision: 3n,
      position: 6n,
    });
  });

  it('rolls back only the append whose event fails mid-transaction, leaving its group intact', async () => {
    const store = open();
    const saboteur = new Database(file.path);
    saboteur.exec(`CREATE TRIGGER refuse_explodes BEFORE INSERT ON events WHEN NEW.type = 'Explodes'
                   BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
    saboteur.close();
    const outcomes = await Promise.allSettled([
      store.append('account-a', 'no_stream', [newEvent('Fine'), newEvent('Explodes'), newEvent('Fine')]),
      store.append('account-b', 'no_stream', [newEvent('Fine')]),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'fulfilled']);
    expect(await store.readStream('account-a')).toEqual([]);
    expect(await store.readAll()).toEqual([expect.objectContaining({ stream: 'account-b', position: 1n })]);
  });

  it.each(['inline', 'thread'] as const)('loses the whole group, and commits none of it, when a failure rolls back the transaction itself (writer %s)', async (writer) => {
    const store = open({ writer });
    const saboteur = new Database(file.path);
    // RAISE(ROLLBACK) ends the whole transaction, as an I/O error or a full disk may.
    saboteur.exec(`CREATE TRIGGER roll_back_all BEFORE INSERT ON events WHEN NEW.type = 'RollsBack'
                   BEGIN SELECT RAISE(ROLLBACK, 'rolled back by the test'); END`);
    saboteur.close();
    const outcomes = await Promise.allSettled([
      store.append('account-a', 'no_stream', [newEvent('Fine')]),
      store.append('account-b', 'no_stream', [newEvent('RollsBack')]),
      store.append('account-c', 'no_stream', [newEvent('Fine')]),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await store.readAll()).toEqual([]);
    await expect(store.append('account-c', 'no_stream', [newEvent('Fine')])).resolves.toEqual({ nextRevision: 0n, position: 1n });
  });

  it('answers a retry with the original result even when something else would refuse its insert now', async () => {
    const store = open();
    const events = [newEvent('Later')];
    const original = await store.append('system-retried', 'any', events);
    const saboteur = new Database(file.path);
    saboteur.exec(`CREATE TRIGGER refuse_later BEFORE INSERT ON events WHEN NEW.type = 'Later'
                   BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
    saboteur.close();
    // The retry check runs before anything is inserted: a retry is answered even where a fresh insert would
    // now be refused (with 'any' there is no revision check to refuse it first).
    await expect(store.append('system-retried', 'any', events)).resolves.toEqual({ ...original, alreadyStored: true });
    // Matched by message: SqliteError is not an Error of this test file's realm once another file in the
    // same jest worker loaded better-sqlite3 first, so toThrow would not recognise it.
    await expect(store.append('system-retried', 'any', [newEvent('Later')])).rejects.toMatchObject({ message: 'refused by the test' });
  });

  it('leaves nothing of an append whose process dies before the commit', async () => {
    const store = open();
    await store.append('account-a', 'no_stream', [newEvent()]);
    const insert = `INSERT INTO events (id, stream, revision, type, schema_version, data, metadata, recorded_at)
      VALUES ('lost', 'account-a', 1, 'Lost', 1, '{}', '{}', 0)`;
    const dies = `
      const db = new (require('better-sqlite3'))(process.argv[1]);
      db.exec('BEGIN IMMEDIATE');
      db.prepare(process.argv[2]).run();
      process.kill(process.pid, 'SIGKILL');`;
    const killed = (() => {
      try {
        execFileSync(process.execPath, ['-e', dies, file.path, insert], { stdio: 'pipe' });
      } catch (error) {
        return (error as { signal?: string }).signal;
      }
    })();
    // Killed rather than exited with an error: the insert did run inside the open transaction.
    expect(killed).toBe('SIGKILL');
    await store.close();
    const reopened = open();
    expect((await reopened.readStream('account-a')).map((event) => event.revision)).toEqual([0n]);
    await expect(reopened.append('account-a', 0n, [newEvent()])).resolves.toEqual({
      nextRevision: 1n,
      position: 2n,
    });
  });

  it('wakes a live subscriber on append without waiting for the poll', async () => {
    const store = open({ pollIntervalMs: 60_000 });
    const log = new DeliveryLog(['account-a']);
    const subscription = store.subscribeToAll({ onEvents: log.onEvents, onCaughtUp: log.onCaughtUp });
    await waitFor(() => log.caughtUpAt !== undefined, 'catching up');
    await store.append('account-a', 'no_stream', [newEvent()]);
    await waitFor(() => log.events.length === 1, 'the live delivery', 1000);
    await subscription.stop();
  });

  it('delivers live the appends made through another connection to the file, as by another process', async () => {
    const reader = open({ pollIntervalMs: 20 });
    const writer = open();
    const log = new DeliveryLog(['account-a']);
    const subscription = reader.subscribeToAll({ onEvents: log.onEvents, onCaughtUp: log.onCaughtUp });
    await waitFor(() => log.caughtUpAt !== undefined, 'catching up');
    await writer.append('account-a', 'no_stream', numberedEvents(3));
    await waitFor(() => log.events.length === 3, 'the polled delivery', 2000);
    await subscription.stop();
  });

  it('never rewrites stored events: a store without upcasters reads them as written', async () => {
    const upcasters = new Upcasters().register('A', 1, () => ({ upgraded: true }));
    const upcasting = open({ upcasters });
    await upcasting.append('account-a', 'no_stream', [newEvent('A', { original: true })]);
    expect((await upcasting.readStream('account-a'))[0]).toMatchObject({
      schemaVersion: 2,
      data: { upgraded: true },
    });
    const plain = open();
    expect((await plain.readStream('account-a'))[0]).toMatchObject({
      schemaVersion: 1,
      data: { original: true },
    });
  });
});
