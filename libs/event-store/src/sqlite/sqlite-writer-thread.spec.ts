import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { newEvent, numberedEvents } from '../contract/contract-helpers';
import { ConcurrencyError, EventIdCollisionError, StoreUnavailableError } from '../event-store.port';
import { SqliteEventStore } from './sqlite-event-store';
import { temporaryDatabasePath } from './sqlite-test-files';
import { deserializeError, serializeError } from './sqlite-writer';

const ROOT = join(__dirname, '..', '..', '..', '..');

/** Runs `script` in a new node process that loads the store from source; returns how it ended. */
function runChild(script: string, args: string[]): { signal?: string; status?: number; stdout: string } {
  const options = {
    cwd: ROOT,
    env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
    stdio: 'pipe' as const,
    timeout: 30_000,
  };
  const argv = ['-r', join(ROOT, 'scripts', 'register.js'), '-e', script, join(__dirname, 'sqlite-event-store.ts'), ...args];
  try {
    return { status: 0, stdout: execFileSync(process.execPath, argv, options).toString() };
  } catch (error) {
    const failed = error as { signal?: string; status?: number; stdout?: Buffer };
    return { signal: failed.signal ?? undefined, status: failed.status ?? undefined, stdout: failed.stdout?.toString() ?? '' };
  }
}

describe('the sqlite store with a writer thread', () => {
  let file: ReturnType<typeof temporaryDatabasePath>;

  beforeEach(() => {
    file = temporaryDatabasePath();
  });

  afterEach(() => file.remove());

  it('keeps an acknowledged append when the process is killed right after the acknowledgement', () => {
    const appendsThenDies = `
      const { SqliteEventStore } = require(process.argv[1]);
      const store = new SqliteEventStore(process.argv[2], { writer: 'thread' });
      store.append('account-a', 'no_stream', [{ id: 'acked-1', type: 'Acked', schemaVersion: 1, data: {} }]).then(() => {
        process.stdout.write('acked');
        process.kill(process.pid, 'SIGKILL');
      });`;
    const child = runChild(appendsThenDies, [file.path]);
    expect(child).toMatchObject({ signal: 'SIGKILL', stdout: 'acked' });
    const reopened = new SqliteEventStore(file.path);
    try {
      expect(reopened.db.prepare('SELECT id, type FROM events').all()).toEqual([{ id: 'acked-1', type: 'Acked' }]);
    } finally {
      void reopened.close();
    }
  });

  it('lets a process with an idle writer thread exit on its own, and keeps a process waiting on a commit alive', () => {
    const appendsAndForgets = `
      const { SqliteEventStore } = require(process.argv[1]);
      const store = new SqliteEventStore(process.argv[2], { writer: 'thread' });
      // Nothing else keeps this process alive: the pending commit must, until it is answered.
      store.append('account-a', 'no_stream', [{ id: 'e-1', type: 'Done', schemaVersion: 1, data: {} }])
        .then((result) => process.stdout.write('position ' + result.position));`;
    const child = runChild(appendsAndForgets, [file.path]);
    expect(child).toEqual({ status: 0, stdout: 'position 1' });
  });

  it('starts the thread again after it dies; an append whose outcome was lost is stored once when retried', async () => {
    const store = new SqliteEventStore(file.path, { writer: 'thread' });
    try {
      await store.append('account-a', 'no_stream', [newEvent()]);
      const host = store['writerThread'] as unknown as { worker: Worker | undefined };
      const events = numberedEvents(2);
      const attempt = store.append('account-b', 'no_stream', events);
      // Terminated while the group is queued or committed: the append either committed or not, unknown to the caller.
      await new Promise((resolve) => setImmediate(resolve));
      await host.worker!.terminate();
      const outcome = await attempt.then(
        () => 'committed',
        (error: unknown) => error,
      );
      if (outcome !== 'committed') expect(outcome).toBeInstanceOf(StoreUnavailableError);
      // The retry (same event ids) starts a new thread and is stored once either way: found stored (always
      // when the first attempt answered committed) or appended afresh, at the same revision and position.
      const retried = await store.append('account-b', 'no_stream', events);
      expect({ nextRevision: retried.nextRevision, position: retried.position }).toEqual({ nextRevision: 1n, position: 3n });
      if (outcome === 'committed') expect(retried.alreadyStored).toBe(true);
      expect((await store.readStream('account-b')).map((event) => event.id)).toEqual(events.map((event) => event.id));
    } finally {
      await store.close();
    }
  });

  it('refuses writes once closed, and closes with nothing to write without starting a thread', async () => {
    const store = new SqliteEventStore(file.path, { writer: 'thread' });
    const snapshots = store.snapshotStore();
    expect(await store.headPosition()).toBe(0n);
    expect(store['writerThread']?.['worker']).toBeUndefined();
    await store.close();
    await expect(store.append('account-a', 'no_stream', [newEvent()])).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(snapshots.save('account-a', 0n, 1, {})).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('refuses a writer thread for a database only one connection can see', () => {
    expect(() => new SqliteEventStore(':memory:', { writer: 'thread' })).toThrow('writer thread needs a database file both connections can open, not :memory:');
  });

  it('sets the writing connection to a weaker synchronous mode and back, refusing an unknown one', async () => {
    const store = new SqliteEventStore(file.path, { writer: 'thread' });
    try {
      await store.append('account-a', 'no_stream', [newEvent()]);
      await store.setSynchronous('NORMAL');
      await store.append('account-a', 0n, [newEvent()]);
      await store.setSynchronous('FULL');
      await expect(store.setSynchronous('SOMETIMES' as 'FULL')).rejects.toThrow('unknown synchronous mode SOMETIMES');
      expect(await store.headPosition()).toBe(2n);
    } finally {
      await store.close();
    }
  });

  it('raises the errors of the writer thread as the classes the inline writer throws, with their fields', () => {
    const conflict = deserializeError(serializeError(new ConcurrencyError('account-a', 3n, 'no_stream')));
    expect(conflict).toBeInstanceOf(ConcurrencyError);
    expect(conflict).toMatchObject({ stream: 'account-a', expected: 3n, actual: 'no_stream', code: 'CONCURRENCY_CONFLICT' });
    const collision = deserializeError(serializeError(new EventIdCollisionError('account-b', ['e-1'], 'already stored in stream x')));
    expect(collision).toBeInstanceOf(EventIdCollisionError);
    expect(collision).toMatchObject({ stream: 'account-b', eventIds: ['e-1'], reason: 'already stored in stream x' });
    const sqlite = Object.assign(new Error('database is locked'), { name: 'SqliteError', code: 'SQLITE_BUSY' });
    expect(deserializeError(serializeError(sqlite))).toMatchObject({ name: 'SqliteError', message: 'database is locked', code: 'SQLITE_BUSY' });
  });
});
