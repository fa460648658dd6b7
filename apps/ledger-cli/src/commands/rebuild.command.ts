/**
 * `ledger rebuild [--projection name] [--jobs n]`: empties one read model (or all) and replays the log
 * into it, with progress. Run it with the API stopped, or beside an API started with LEDGER_PROJECTIONS=0
 * and no projector process on that file: two runners writing one read-model file would interleave their
 * batches (and each keeps caches of what it wrote).
 *
 * Every read model at once, on a large ledger, is split over processes by account (`--jobs`): each
 * process replays a share of the accounts into a scratch file beside the read models, this one merges
 * the shares (`mergeShares`) and then copies the result over the read-model file in one write (SQLite's
 * backup), so the file holds the old read models until the new ones are whole. The scratch files are
 * removed when the rebuild ends, or by the next split rebuild after a kill.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { Command, CommandRunner, Option } from 'nest-commander';
import { DEFAULT_TERMS_CATALOGUE } from '@ledger/credit';
import type { EventStore } from '@ledger/event-store';
import { type AccountShare, assertAccountShare, checkpointsText, createProjections, MAX_SHARES, mergeShares, ProjectionRunner } from '@ledger/projections';
import { holdsEventLog, LedgerFiles } from '../ledger-files';
import { CliError, out, progress } from '../output';

/** The read models `--projection` names, as the runner knows them. */
const PROJECTION_NAMES = createProjections().map((p) => p.name);

interface RebuildOptions {
  projection?: string;
  jobs?: number;
  /** A process of a split rebuild (internal): the share it replays, up to `until`, into `into`. */
  share?: AccountShare;
  until?: bigint;
  into?: string;
  /** The process id of the command that started a share process (internal). */
  parent?: number;
  /** Rebuild from a log with no events even over read models that hold rows (emptying them). */
  allowEmpty?: boolean;
}

/**
 * Events from which a rebuild of everything is split over processes by default. Below it, starting the
 * other process (under a second from source) and merging take about what the split saves: on the
 * 2-core benchmark host, 121,668 events took as long in two processes as in one, 292,188 a sixth less
 * time (5.5 against 6.4 s), 601,830 a quarter less (9.1 to 9.9 against 12.7 to 12.9 s).
 */
export const SPLIT_FROM_EVENTS = 250_000n;

@Command({ name: 'rebuild', description: 'rebuild the read models (or one) from the event log' })
export class RebuildCommand extends CommandRunner {
  constructor(private readonly files: LedgerFiles) {
    super();
  }

  async run(_params: string[], options: RebuildOptions): Promise<void> {
    // The memory store is empty in every new process: a rebuild from it would only empty the read models.
    if (this.files.config.store === 'memory') throw new CliError('rebuild needs an event log on disk or on a server (sqlite or eventstoredb): the memory store (LEDGER_STORE=memory) holds no events outside a running process');
    const projections = createProjections();
    if (options.projection !== undefined && !projections.some((p) => p.name === options.projection)) {
      throw new CliError(`no projection named ${options.projection}; known: ${projections.map((p) => p.name).join(', ')}`);
    }
    if (options.share !== undefined) return this.replayShare(options);
    if (options.projection !== undefined && options.jobs !== undefined && options.jobs > 1) throw new CliError('--jobs splits a rebuild of every projection; --projection rebuilds one in one process');
    const path = this.files.config.readModelPath;
    mkdirSync(dirname(path), { recursive: true });
    this.refuseTheLog(path);
    const started = Date.now();
    await this.files.withStore(async (store) => {
      const head = await store.headPosition();
      if (head === 0n && !options.allowEmpty && holdsRows(path)) {
        throw new CliError(`${this.files.config.store === 'sqlite' ? `the event log ${this.files.config.sqlitePath}` : 'the event log'} has no events, and the read models at ${path} hold rows: a rebuild would empty them. Check LEDGER_SQLITE_PATH (or LEDGER_STORE); pass --allow-empty to rebuild from the empty log anyway`);
      }
      const jobs = options.projection !== undefined ? 1 : (options.jobs ?? this.defaultJobs(head));
      let phases = '';
      let note: string | undefined;
      // The position the read models now stand at: the head a split read, or the one the runner replayed to.
      let position = head;
      if (jobs > 1) phases = ` (${await this.rebuildSplit(store, path, head, jobs)})`;
      else {
        const runner = this.runnerOn(store, path);
        const bar = progress(`rebuild ${options.projection ?? 'all'}`);
        // Stopped part way, the read models hold some accounts and not others: say so, rather than end
        // silently with a file that `verify` then finds wanting row by row.
        const interrupted = (signal: NodeJS.Signals) => {
          bar.stop();
          process.stderr.write(`ledger: rebuild interrupted (${signal}): the read models at ${path} are part-built; run ledger rebuild again before anything reads them\n`);
          process.exit(signal === 'SIGINT' ? 130 : 143);
        };
        process.once('SIGINT', interrupted).once('SIGTERM', interrupted);
        try {
          // One projection is replayed up to where the others stand, which keep their rows. Read models
          // that hold nothing (deleted, or new) stand at 0: the rebuild of one is then a rebuild of all,
          // or it would replay nothing and leave every table empty.
          const nothingApplied = options.projection !== undefined && head > 0n && (await runner.lag(head)).every((l) => l.position === 0n);
          if (nothingApplied) note = `the read models at ${path} held nothing, so every projection was rebuilt, ${options.projection} among them`;
          await runner.rebuild(nothingApplied ? undefined : options.projection, (done, until, unit) => bar.update(done, until, unit));
          position = runner.processedPosition();
          if (options.projection !== undefined && !nothingApplied && position < head) {
            note = `the other projections stand at ${position}, where ${options.projection} now does; the API catches them all up to the log's head (${head}) when it starts`;
          }
        } finally {
          process.off('SIGINT', interrupted).off('SIGTERM', interrupted);
          bar.stop();
          await runner.close();
        }
      }
      const processes = jobs > 1 ? ` by ${jobs} processes` : '';
      out(`rebuilt ${options.projection ?? 'every projection'} up to position ${position}${processes} in ${Date.now() - started} ms${phases}${note ? `: ${note}` : ''}`);
    });
  }

  /**
   * Two processes for a large ledger on the embedded store, where the head is a count of events. On
   * EventStoreDB it is a commit position in bytes, and each process lists the accounts by reading the
   * whole log: a split there is asked for with --jobs. Two at most by default, since each process holds
   * a state cache of its own (`LEDGER_STATE_CACHE_MB`).
   */
  private defaultJobs(head: bigint): number {
    if (this.files.config.store !== 'sqlite' || head < SPLIT_FROM_EVENTS) return 1;
    return Math.max(1, Math.min(availableParallelism(), 2));
  }

  /** A read-model path that names the event log (or any file holding one) would have the rebuild write over the log. */
  private refuseTheLog(path: string): void {
    if (!existsSync(path)) return;
    const log = this.files.config.store === 'sqlite' ? this.files.config.sqlitePath : undefined;
    if (log !== undefined && existsSync(log) && realpathSync(log) === realpathSync(path)) throw new CliError(`the read-model path ${path} is the event log's file`);
    if (holdsEventLog(path)) throw new CliError(`${path} holds an event log, not read models: refusing to rebuild into it`);
  }

  /**
   * Shares 1 to jobs - 1 in child processes and share 0 here, each up to `head` into a scratch file
   * beside the read models; then the merge, and the copy over the read-model file.
   */
  private async rebuildSplit(store: EventStore, path: string, head: bigint, jobs: number): Promise<string> {
    const started = Date.now();
    removeAbandonedScratch(dirname(path));
    const scratch = mkdtempSync(join(dirname(path), `${SCRATCH_PREFIX}${process.pid}-`));
    const files = Array.from({ length: jobs }, (_, index) => join(scratch, `share-${index}.sqlite`));
    const children = files.slice(1).map((file, i) => this.startShare({ index: i + 1, of: jobs }, head, file));
    let failed = false;
    try {
      const bar = progress(`rebuild all (share 1 of ${jobs})`);
      const runner = this.runnerOn(store, files[0]);
      try {
        await runner.replayShare({ index: 0, of: jobs }, head, (done, total, unit) => {
          bar.update(done, total, unit);
          // A share process that failed fails the rebuild now, not once this share has ended.
          const gone = children.find((child) => child.failure !== undefined);
          if (gone !== undefined) throw gone.failure;
        });
      } finally {
        bar.stop();
        await runner.close();
      }
      await Promise.all(children.map((child) => child.done));
      const replayed = Date.now();
      const merged = new Database(files[0]);
      try {
        mergeShares(merged, files.slice(1), createProjections());
        // The merge's pages into the file itself, so that the copy reads one file and the scratch shrinks.
        merged.pragma('wal_checkpoint(TRUNCATE)');
        const mergedAt = Date.now();
        await copyOver(merged, path);
        return `replays ${replayed - started} ms, merge ${mergedAt - replayed} ms, copy ${Date.now() - mergedAt} ms`;
      } finally {
        merged.close();
      }
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      await stopAll(children);
      // A failure already thrown is the one to report; scratch left is removed by the next split rebuild.
      removeScratch(scratch, { quietly: failed });
    }
  }

  /**
   * A process of a split rebuild: replays its share into its scratch file, and nothing else. It stops
   * when the process that started it is gone (killed, its share failed): a replay holds the event loop
   * between batches, so it looks after each batch rather than waiting for a signal.
   */
  private async replayShare(options: RebuildOptions): Promise<void> {
    if (options.until === undefined || options.into === undefined) throw new CliError('--share needs --until and --into');
    const { share, until, into } = options;
    const parent = options.parent ?? process.ppid;
    const orphaned = () => {
      if (process.ppid !== parent) throw new CliError('the rebuild that started this share is gone', 3);
    };
    orphaned();
    await this.files.withStore(async (store) => {
      const runner = this.runnerOn(store, into!);
      try {
        await runner.replayShare(share!, until, orphaned);
      } finally {
        await runner.close();
      }
    });
  }

  /** A runner of every projection on the read-model file `database`. */
  protected runnerOn(store: EventStore, database: string): ProjectionRunner {
    return new ProjectionRunner({ store, database, projections: createProjections(), terms: DEFAULT_TERMS_CATALOGUE, stateCacheBytes: this.files.config.stateCacheBytes });
  }

  /** The process that replays one share of a split rebuild into `into`. */
  protected startShare(share: AccountShare, until: bigint, into: string): ShareProcess {
    return shareProcess(share, until, into);
  }

  @Option({ flags: '--projection <name>', description: `one read model: ${PROJECTION_NAMES.slice(0, -1).join(', ')} or ${PROJECTION_NAMES.at(-1)}` })
  parseProjection(value: string): string {
    return value;
  }

  @Option({
    flags: '--jobs <n>',
    description: `processes a rebuild of every projection is split over, by account (1 to ${MAX_SHARES}; by default 2 on the embedded store from ${SPLIT_FROM_EVENTS} events, where there are two cores)`,
  })
  parseJobs(value: string): number {
    const jobs = Number(value);
    if (!(Number.isSafeInteger(jobs) && jobs >= 1 && jobs <= MAX_SHARES)) throw new CliError(`--jobs must be an integer from 1 to ${MAX_SHARES}, got ${value}`);
    return jobs;
  }

  @Option({ flags: '--allow-empty', description: 'rebuild from an event log with no events even when the read models hold rows (it empties them)' })
  parseAllowEmpty(): boolean {
    return true;
  }

  @Option({ flags: '--share <index/of>', description: '(internal: one process of a split rebuild)' })
  parseShare(value: string): AccountShare {
    const match = /^(\d+)\/(\d+)$/.exec(value);
    if (!match) throw new CliError(`--share is index/of, got ${value}`);
    const share = { index: Number(match[1]), of: Number(match[2]) };
    try {
      assertAccountShare(share);
    } catch (error) {
      throw new CliError((error as Error).message);
    }
    return share;
  }

  @Option({ flags: '--until <position>', description: '(internal: the position a split rebuild replays to)' })
  parseUntil(value: string): bigint {
    if (!/^\d+$/.test(value)) throw new CliError(`--until is a log position, got ${value}`);
    return BigInt(value);
  }

  @Option({ flags: '--into <file>', description: '(internal: the scratch file of one share)' })
  parseInto(value: string): string {
    return value;
  }

  @Option({ flags: '--parent <pid>', description: '(internal: the process a share process stops without)' })
  parseParent(value: string): number {
    if (!/^\d+$/.test(value)) throw new CliError(`--parent is a process id, got ${value}`);
    return Number(value);
  }
}

/** Whether the read-model file at `path` holds rows of any read model (the checkpoints and replay marks aside). */
function holdsRows(path: string): boolean {
  if (!existsSync(path)) return false;
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('projection_checkpoints', 'projection_replays')").pluck().all() as string[];
    return tables.some((name) => db.prepare(`SELECT 1 FROM "${name.replace(/"/g, '""')}" LIMIT 1`).get() !== undefined);
  } finally {
    db.close();
  }
}

/** Scratch directories of split rebuilds, beside the read models: `.rebuild-<pid>-<random>`. */
const SCRATCH_PREFIX = '.rebuild-';
const SCRATCH_NAME = /^\.rebuild-(\d+)-[A-Za-z0-9]{6}$/;

/**
 * Removes the scratch directories of split rebuilds whose process is gone (killed before it could
 * remove its own). One whose process still runs is another rebuild's, and stays.
 */
function removeAbandonedScratch(dir: string): void {
  for (const name of readdirSync(dir)) {
    const pid = SCRATCH_NAME.exec(name)?.[1];
    if (pid === undefined || isRunning(Number(pid)) || !statSync(join(dir, name)).isDirectory()) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface ShareProcess {
  process: ChildProcess;
  /** Settles when the process has ended: rejected with `failure` unless it exited 0. */
  done: Promise<void>;
  /** Set when the process has ended without replaying its share (seen when the event loop is served). */
  failure?: CliError;
}

/** This CLI again, as it was started (the same Node options and script), replaying one share. */
function shareProcess(share: AccountShare, until: bigint, into: string): ShareProcess {
  const args = ['rebuild', '--share', `${share.index}/${share.of}`, '--until', String(until), '--into', into, '--parent', String(process.pid)];
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1], ...args], {
    env: process.env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const handle: ShareProcess = { process: child, done: Promise.resolve() };
  handle.done = new Promise<void>((resolve, reject) => {
    const fail = (failure: CliError) => {
      handle.failure ??= failure;
      reject(handle.failure);
    };
    child.on('error', (error) => fail(new CliError(`the process replaying share ${share.index + 1} of ${share.of} could not run: ${error.message}`, 3)));
    // 'close', not 'exit': its stderr is read to the end by then.
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else fail(new CliError(`the process replaying share ${share.index + 1} of ${share.of} ended with ${signal ?? `exit code ${code}`}${stderr.trim() === '' ? '' : `: ${stderr.trim()}`}`, 3));
    });
  });
  // Awaited only after share 0; a failure meanwhile must not surface as an unhandled rejection.
  handle.done.catch(() => undefined);
  return handle;
}

function removeScratch(dir: string, { quietly }: { quietly: boolean }): void {
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch (error) {
    if (!quietly) throw error;
  }
}

/** Ends the share processes still running, and waits (a few seconds at most) until they have. */
async function stopAll(children: readonly ShareProcess[]): Promise<void> {
  const running = children.filter((child) => child.process.exitCode === null && child.process.signalCode === null);
  if (running.length === 0) return;
  for (const child of running) child.process.kill();
  // Unreferenced: the wait must not keep the command alive once they have gone.
  await Promise.race([Promise.all(running.map((child) => new Promise((resolve) => child.process.once('close', resolve)))), sleep(5_000, undefined, { ref: false })]);
}

/**
 * Copies the merged read models over the file at `path` with SQLite's backup: one write transaction on
 * that file, so its readers see the old read models until it commits. better-sqlite3 reports a backup
 * that found the file's write lock held as done with nothing copied (no pages), so the copy is checked
 * (every page copied, and the file's checkpoints the merged ones) and tried again a few times; still
 * busy, it fails and the file is as it was.
 */
async function copyOver(merged: Database.Database, path: string): Promise<void> {
  const expected = checkpointsText(merged);
  for (let attempt = 1; ; attempt++) {
    const { totalPages, remainingPages } = await merged.backup(path);
    const copied = new Database(path, { readonly: true, fileMustExist: true });
    let done = false;
    try {
      done = totalPages > 0 && remainingPages === 0 && checkpointsText(copied) === expected;
    } catch {
      // Not read models at all (no checkpoints): nothing was copied.
    } finally {
      copied.close();
    }
    if (done) break;
    if (attempt === COPY_ATTEMPTS) throw new CliError(`the read-model file ${path} stayed busy (another process is writing it: a projector, or an API with LEDGER_PROJECTIONS other than 0); it was left as it was`, 3);
    await sleep(COPY_RETRY_MS);
  }
  // The copy sits in the file's write-ahead log, as big as the read models: fold it into the file where no reader holds it.
  const written = new Database(path, { timeout: 1_000 });
  try {
    written.pragma('wal_checkpoint(TRUNCATE)');
  } catch {
    // A reader still on the old pages: the next checkpoint folds it in.
  } finally {
    written.close();
  }
}

const COPY_ATTEMPTS = 5;
const COPY_RETRY_MS = 200;
