import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { numberedEvents, waitFor } from '../contract/contract-helpers';
import type { CheckpointRun } from './sqlite-checkpointer-thread';
import { SqliteCheckpointer } from './sqlite-checkpointer';
import { SqliteEventStore, type SqliteEventStoreOptions } from './sqlite-event-store';
import { BACKSTOP_WAL_AUTOCHECKPOINT_PAGES, DEFAULT_WAL_AUTOCHECKPOINT_PAGES } from './sqlite-schema';
import { temporaryDatabasePath } from './sqlite-test-files';

/**
 * The events the database file holds without its write-ahead log: what a checkpoint has copied into it.
 * A copy taken while a checkpoint writes may be torn: that reads as -1, and the caller waits again.
 */
function eventsInFileAlone(path: string): number {
  const folder = mkdtempSync(join(tmpdir(), 'ledger-file-alone-'));
  try {
    copyFileSync(path, join(folder, 'copy.sqlite'));
    const copy = new Database(join(folder, 'copy.sqlite'));
    try {
      // Before any checkpoint the file does not hold even the schema.
      const hasEvents = copy.prepare(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'events'`).pluck().get() === 1;
      return hasEvents ? Number(copy.prepare('SELECT count(*) FROM events').pluck().get()) : 0;
    } catch {
      return -1;
    } finally {
      copy.close();
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

describe('the checkpointer thread', () => {
  let file: ReturnType<typeof temporaryDatabasePath>;
  const opened: SqliteEventStore[] = [];
  const open = (options: SqliteEventStoreOptions) => {
    const store = new SqliteEventStore(file.path, options);
    opened.push(store);
    return store;
  };
  const commits = async (store: SqliteEventStore, count: number) => {
    for (let i = 0; i < count; i++) await store.append(`account-${i}`, 'no_stream', numberedEvents(2));
  };

  beforeEach(() => {
    file = temporaryDatabasePath();
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    file.remove();
  });

  it('answers a committed group as committed when the checkpointer cannot start, and says why', async () => {
    const errors: Error[] = [];
    const failing = jest.spyOn(SqliteCheckpointer.prototype, 'committed').mockImplementation(() => {
      throw new Error('no thread for you');
    });
    try {
      const store = open({ checkpoints: 'thread', checkpointIntervalMs: 10, onCheckpointerError: (error) => errors.push(error) });
      await expect(store.append('account-x', 'no_stream', numberedEvents(2))).resolves.toMatchObject({ nextRevision: 1n });
      expect(await store.readStream('account-x')).toHaveLength(2);
      expect(errors.map((e) => e.message)).toEqual(['no thread for you']);
    } finally {
      failing.mockRestore();
    }
  });

  it('copies the log into the file while no commit reaches its autocheckpoint limit', async () => {
    const runs: CheckpointRun[] = [];
    const store = open({ checkpoints: 'thread', checkpointIntervalMs: 10, onCheckpoint: (run) => runs.push(run) });
    expect(Number(store.db.pragma('wal_autocheckpoint', { simple: true }))).toBe(BACKSTOP_WAL_AUTOCHECKPOINT_PAGES);
    await commits(store, 30);
    await waitFor(() => eventsInFileAlone(file.path) === 60, 'every event in the file alone');
    // The thread tells of a run by message after it has copied, so the file can be seen whole first.
    await waitFor(() => runs.length > 0, 'the run to be told');
    expect(runs.every((run) => run.durationMs >= 0 && run.checkpointedFrames <= run.walFrames && !run.restarted)).toBe(true);
  });

  it('tells of a run only when there was something new to copy, however large the log it found', async () => {
    const runs: CheckpointRun[] = [];
    const store = open({ checkpoints: 'thread', checkpointIntervalMs: 5, onCheckpoint: (run) => runs.push(run) });
    await commits(store, 10);
    await waitFor(() => eventsInFileAlone(file.path) === 20, 'the first commits in the file alone');
    await waitFor(() => runs.length > 0 && runs.at(-1)!.checkpointedFrames === runs.at(-1)!.walFrames, 'a run that copied the whole log');
    // A run that read the log's version just before the last commit landed copied that commit too, and
    // the next run, finding a newer version, is told once more (it found nothing to copy, but cannot
    // know it without checkpointing). So first the runs stop: a thread that told of every run never would.
    // Quiet means 50 ms and five polls in a row with no news: each poll is a turn of the event loop, so a
    // message that waited behind a stalled loop is delivered before quiet is declared.
    let seen = runs.length;
    let quietSince = Date.now();
    let quietPolls = 0;
    await waitFor(() => {
      if (runs.length !== seen) [seen, quietSince, quietPolls] = [runs.length, Date.now(), 0];
      else quietPolls++;
      return Date.now() - quietSince >= 50 && quietPolls >= 5;
    }, 'the runs to stop once the log is copied whole');
    // Idle: runs every 5 ms find nothing new, and are not told.
    const told = runs.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(runs.length).toBe(told);
    // More commits are news even where the log, started over, holds as many frames as before.
    for (let i = 0; i < 10; i++) await store.append(`later-${i}`, 'no_stream', numberedEvents(2));
    await waitFor(() => runs.length > told, 'a run after the later commits');
    await waitFor(() => eventsInFileAlone(file.path) === 40, 'the later commits in the file alone');
  });

  it('makes the log start over once it holds enough frames, though commits never stop', async () => {
    const runs: CheckpointRun[] = [];
    const store = open({ checkpoints: 'commit' });
    await commits(store, 1);
    const checkpointer = new SqliteCheckpointer(file.path, {}, { intervalMs: 5, restartAtFrames: 40 }, { onCheckpoint: (run) => runs.push(run) });
    try {
      let appends = 0;
      const writing = (async () => {
        while (!runs.some((run) => run.restarted) || appends < 200) {
          checkpointer.committed();
          await Promise.all(Array.from({ length: 4 }, () => store.append(`busy-${appends++}`, 'no_stream', numberedEvents(1))));
        }
      })();
      await writing;
      const restart = runs.findIndex((run) => run.restarted);
      expect(runs[restart]).toMatchObject({ restarted: true });
      expect(runs[restart].walFrames).toBeGreaterThanOrEqual(40);
      // The log started over: a later run found fewer frames than the restart copied.
      await waitFor(() => runs.slice(restart + 1).some((run) => run.walFrames < runs[restart].walFrames), 'a shorter log after the restart');
    } finally {
      await checkpointer.close();
    }
  });

  it('is not there by default: the file alone lacks what the commits wrote until the log reaches the limit', async () => {
    const store = open({});
    expect(store.checkpoints).toBe('commit');
    expect(Number(store.db.pragma('wal_autocheckpoint', { simple: true }))).toBe(DEFAULT_WAL_AUTOCHECKPOINT_PAGES);
    await commits(store, 30);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(store.checkpointerRunning).toBe(false);
    expect(eventsInFileAlone(file.path)).toBe(0);
  });

  it('starts with the first commit, not with a process that only reads, and stops on close', async () => {
    const store = open({ checkpoints: 'thread', checkpointIntervalMs: 10, walAutocheckpointPages: 5_000 });
    expect(Number(store.db.pragma('wal_autocheckpoint', { simple: true }))).toBe(5_000);
    await store.readAll();
    expect(store.checkpointerRunning).toBe(false);
    await commits(store, 1);
    expect(store.checkpointerRunning).toBe(true);
    await store.close();
    expect(store.checkpointerRunning).toBe(false);
  });

  it('works beside the writer thread, each on its own connection', async () => {
    const runs: CheckpointRun[] = [];
    const store = open({ writer: 'thread', checkpoints: 'thread', checkpointIntervalMs: 10, onCheckpoint: (run) => runs.push(run) });
    await Promise.all(Array.from({ length: 40 }, (_, i) => store.append(`account-${i}`, 'no_stream', numberedEvents(1))));
    await waitFor(() => eventsInFileAlone(file.path) === 40, 'every event in the file alone');
    await waitFor(() => runs.length > 0, 'the run to be told');
    expect(await store.headPosition()).toBe(40n);
  });

  it('refuses settings it cannot honour', () => {
    expect(() => open({ checkpoints: 'sideways' as never })).toThrow('checkpoints must be commit or thread, got sideways');
    expect(() => open({ checkpoints: 'thread', checkpointIntervalMs: 0 })).toThrow('checkpointIntervalMs must be a positive integer, got 0');
    expect(() => new SqliteEventStore(':memory:', { checkpoints: 'thread' })).toThrow('checkpointer thread needs a database file both connections can open, not :memory:');
  });

  it("names SQLite's own reason when its thread cannot open the file, not only an exit code", async () => {
    // A SqliteError thrown out of a thread reached the main thread without its message ("exit code 1").
    const folder = mkdtempSync(join(tmpdir(), 'ledger-checkpointer-'));
    const path = join(folder, 'ledger.sqlite');
    writeFileSync(path, Buffer.alloc(8192, 'not a database '));
    const errors: Error[] = [];
    const checkpointer = new SqliteCheckpointer(path, {}, { intervalMs: 10 }, { onCheckpointerError: (error) => errors.push(error) });
    try {
      checkpointer.committed();
      await waitFor(() => errors.length === 1, 'the stopped thread to be told');
      expect(errors[0].message).toBe('the sqlite checkpointer thread stopped (SQLITE_NOTADB: file is not a database); commits checkpoint the log until it is started again');
    } finally {
      await checkpointer.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('says when its thread stops, and starts another only after a pause, not on every commit', async () => {
    // A path under a regular file cannot be opened: each thread stops as soon as it starts.
    const folder = mkdtempSync(join(tmpdir(), 'ledger-checkpointer-'));
    writeFileSync(join(folder, 'not-a-folder'), '');
    let now = 0;
    const errors: Error[] = [];
    const checkpointer = new SqliteCheckpointer(join(folder, 'not-a-folder', 'ledger.sqlite'), {}, { intervalMs: 10 }, { onCheckpointerError: (error) => errors.push(error) }, () => now);
    try {
      checkpointer.committed();
      expect(checkpointer.running).toBe(true);
      await waitFor(() => errors.length === 1, 'the stopped thread to be told');
      expect(errors[0].message).toMatch(/^the sqlite checkpointer thread stopped \((EEXIST|ENOTDIR)\b.*\); commits checkpoint the log until it is started again$/);
      expect(checkpointer.running).toBe(false);
      now += 9_999;
      checkpointer.committed();
      expect(checkpointer.running).toBe(false);
      now += 1;
      checkpointer.committed();
      expect(checkpointer.running).toBe(true);
      await waitFor(() => errors.length === 2, 'the second stopped thread to be told');
    } finally {
      await checkpointer.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
