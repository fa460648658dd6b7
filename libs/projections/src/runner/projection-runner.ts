/**
 * Follows the global event log and keeps the read models. One main lane applies every batch to all
 * projections and their checkpoints in one SQLite transaction. At start, a projection whose version
 * changed is emptied and rebuilt in a lane of its own up to the main position, then joins the main lane.
 * Start, stop and rebuild are serialized, so a rebuild never races the live subscription.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { DEFAULT_TERMS_CATALOGUE, type TermsCatalogue } from '@ledger/credit';
import { type EventStore, PositionNotInLogError, type StoredEvent, type Subscription } from '@ledger/event-store';
import { ACCOUNT_STATE_TABLE, AccountStateFold, type FoldWritePolicy, REBUILD_STATE_TABLE, type StateCacheBounds } from './account-state-fold';
import { type Checkpoint, Checkpoints, FOLD_CHECKPOINT_PREFIX, LOG_MARK_CHECKPOINT, logMark, projectionsOf, replayedProjections, type ReplayProgress, replayingVersion, storedVersion } from './checkpoints';
import { type AccountEvents, Lane } from './lane';
import { ACCOUNT_STREAM_PREFIX, accountStream, BUSINESS_DAYS_STREAM, decodeLedgerEvent } from './ledger-streams';
import type { BusinessDayClosed, Db, Projection } from './projection';
import { PositionWaiters } from './position-waiters';

/** The account-state cache's default budget in estimated bytes (`LEDGER_STATE_CACHE_MB`'s default too). */
export const DEFAULT_STATE_CACHE_BYTES = 96 * 2 ** 20;
/** The account-state cache's default count bound, at the default budget. */
const DEFAULT_STATE_CACHE_ENTRIES = 10_000;

/**
 * The account-state cache's bounds: `stateCacheSize` states (by default 10,000 for every 96 MiB of
 * `stateCacheBytes`, and never fewer than 10,000) weighing `stateCacheBytes` (by default 96 MiB). The
 * count scales with the budget so that a larger budget holds more accounts: at a fixed 10,000 it held
 * no more than 10,000 whatever the budget, and a rebuild of a ledger with more accounts than that, given
 * gigabytes for it, still wrote states back about once per event.
 */
export function stateCacheBounds(options: Pick<ProjectionRunnerOptions, 'stateCacheSize' | 'stateCacheBytes'>): StateCacheBounds {
  const bytes = options.stateCacheBytes ?? DEFAULT_STATE_CACHE_BYTES;
  const entries = options.stateCacheSize ?? Math.max(DEFAULT_STATE_CACHE_ENTRIES, Math.floor((bytes / DEFAULT_STATE_CACHE_BYTES) * DEFAULT_STATE_CACHE_ENTRIES));
  return { entries, bytes };
}

/**
 * A replay's progress: the position it has reached and the one it goes to (`unit` 'positions'). A
 * replay by account reports the accounts it has done and the accounts there are (`unit` 'accounts'),
 * then the position it went to, twice.
 */
export type ProgressCallback = (position: bigint, head: bigint, unit: 'positions' | 'accounts') => void;

export interface ProjectionRunnerOptions {
  store: EventStore;
  /** The read-model database: a file path (the apps pass `LEDGER_READ_MODEL_PATH`, by default `./data/ledger.read-models.sqlite`) or an open connection. */
  database: string | Db;
  projections: readonly Projection[];
  terms?: TermsCatalogue;
  /** Account states kept in memory; the rest are read from the state table. Default 10,000 for every 96 MiB of `stateCacheBytes` (`stateCacheBounds`). */
  stateCacheSize?: number;
  /** Estimated bytes (`approximateStateBytes`) those states may hold. Default 96 MiB. */
  stateCacheBytes?: number;
  /**
   * Events per batch (and per transaction) while following the log. Default 100: a batch is synchronous
   * work on the process's event loop, so it is kept to a few milliseconds when commands share the loop.
   */
  batchSize?: number;
  /** Events per batch while rebuilding or catching up (larger batches amortize each transaction). Default 5,000. */
  replayBatchSize?: number;
  /**
   * Events the read models may trail the log by at start and still catch up by following it; further
   * behind (restored from a backup, a projector that was down), a replay in the log's order catches
   * them up first, writing the fold's states lazily where following the log writes the changed
   * states' tails with every batch. Default 10,000: at 2,000 one-year accounts, 120,923 events behind,
   * 13,855 to 14,352 events/s against 10,413 (5,452 against 6,002 at 10,000 accounts, whose states
   * outgrow the cache either way; bench/HISTORY.md, twenty-second round). Measured in log positions:
   * events on the embedded store, bytes of the log on EventStoreDB (its commit positions), where a far
   * smaller lag therefore takes the replay, which is as correct, only not needed.
   */
  replayWhenBehindBy?: number;
  /**
   * Distinct accounts per replay batch, at most. A batch holds every account it changed until it
   * commits, and a state whose previous version left the cache is held whole, so a batch is also cut
   * once its accounts' estimated states reach half of `stateCacheBytes`: a cached account counts its
   * own weight, any other 1/512 of that half. Cached young accounts make long batches (fewer, larger
   * transactions); uncached ones at most 512 a batch, whatever their age, as before the byte bound. A
   * page of the log is cut into as many batches as it takes. Default 4,096.
   */
  replayBatchAccounts?: number;
  /** When the account-state fold writes its table (see `AccountStateFold`). */
  foldWrites?: FoldWritePolicy;
  /**
   * How a replay from the start of the log runs when every projection it replays allows it
   * (`Projection.byAccount`): `account` (the default) folds each account's events together, one account
   * after another, reading each account's stream; `log` applies the log in its order, as catching up
   * from a checkpoint always does. Both leave the same tables.
   */
  replayOrder?: 'account' | 'log';
  /** A batch failed: the subscription stops with nothing of that batch applied; `start()` resumes. */
  onError?: (error: Error) => void;
  /** After a failed batch, call `start()` again after this delay (none by default: the caller decides). */
  retryAfterMs?: number;
  /** Progress of rebuilds run by `start()` because a projection's version changed. */
  onRebuildProgress?: ProgressCallback;
  /** Once a `start()` knows it replays read models before following the log: which, and why (`rebuildPlanLine`). */
  onRebuildPlan?: (reasons: string[]) => void;
  /** After each committed batch, with the position every projection has now applied. */
  onCommitted?: (position: bigint) => void;
  /**
   * After each committed batch of a replay by account, with the accounts it has done (counted from the
   * replay's start, also when it went on after an interruption). The projections' position stays at 0
   * until the replay ends, so `onCommitted` says nothing of its progress.
   */
  onReplayCommitted?: (accountsDone: number) => void;
  /**
   * When the replay a start follows the log with (`start`) begins (true) and when it ends, is stopped
   * or fails (false): meanwhile the read models are being rebuilt.
   */
  onReplaying?: (replaying: boolean) => void;
  /** Each time `start()` (the first, or a retry after a failed batch) has the runner following the log. */
  onStarted?: (position: bigint) => void;
}

/**
 * One share of the accounts, for a rebuild split over processes (`replayShare`, `mergeShares`): share
 * `index` of `of` takes every `of`-th account, from the `index`-th, in the order of their first event,
 * so that old and young accounts, which cost unlike, fall to every share alike.
 */
export interface AccountShare {
  index: number;
  of: number;
}

export function assertAccountShare(share: AccountShare): void {
  if (!(Number.isSafeInteger(share.of) && share.of >= 1 && Number.isSafeInteger(share.index) && share.index >= 0 && share.index < share.of))
    throw new Error(`a share is index/of with 0 <= index < of, got ${share.index}/${share.of}`);
}

export interface ProjectionLag {
  projection: string;
  position: bigint;
  head: bigint;
  lag: bigint;
}

/** The checkpoint row that marks read models found ahead of the log (`ReadModelsAheadOfLogError`); its position is how far they had applied. */
const AHEAD_OF_LOG_CHECKPOINT = `${FOLD_CHECKPOINT_PREFIX}ahead_of_log`;

/** The checkpoint row that marks read models found to hold an event the log does not (`ReadModelsOfAnotherLogError`); its position is the one before that event. */
const OF_ANOTHER_LOG_CHECKPOINT = `${FOLD_CHECKPOINT_PREFIX}of_another_log`;

/**
 * The read models applied, after a position of the log, an event the log does not hold there: they were
 * built from another log, or from this one before it was restored from a backup and written to again
 * (which takes its head past them, where `ReadModelsAheadOfLogError` sees nothing wrong).
 */
export class ReadModelsOfAnotherLogError extends Error {
  constructor(readonly after: bigint) {
    super(
      `the read models applied, after position ${after} of the event log, an event that this log does not hold there: they were built from another log, or from this one before it was restored from a backup and written to again. Delete the read-model file to rebuild it from this log (ledger rebuild, or a start), or point the ledger at the log they were built from`,
    );
    this.name = 'ReadModelsOfAnotherLogError';
  }
}

/** The read models have applied the log past its head: they are not this log's (`start`). */
export class ReadModelsAheadOfLogError extends Error {
  constructor(
    readonly applied: bigint,
    readonly head: bigint,
  ) {
    super(
      `the read models have applied the event log up to position ${applied}, past its head at ${head}: they were built from another or a longer log (a log restored from a backup with the read models left as they were?). Delete the read-model file to rebuild it from this log (ledger rebuild, or a start), or point the ledger at the log they were built from`,
    );
    this.name = 'ReadModelsAheadOfLogError';
  }
}

/** A projection whose read model another build keeps (`ProjectionRunner.foreignVersions`). */
export interface ForeignProjection {
  name: string;
  /** The version the other build keeps it at (or is rebuilding it to: `rebuilding`). */
  version: number;
  rebuilding: boolean;
  /** This build's version of it. */
  ours: number;
}

export class ProjectionRunner {
  readonly db: Db;
  private readonly ownsDb: boolean;
  private readonly checkpoints: Checkpoints;
  private readonly mainFold: AccountStateFold;
  private readonly terms: TermsCatalogue;
  private readonly batchSize: number;
  private readonly replayBatchSize: number;
  private readonly replayWhenBehindBy: bigint;
  /** The look, after a start refused the read models, at whether they are this log's after all (`foundOfThisLog`). */
  private recheck: Promise<void> | undefined;
  /** A stop asked since the last start: a look that finds the read models this log's starts nothing then. */
  private stopAsked = false;
  private readonly cacheBounds: StateCacheBounds;
  private readonly positions = new Map<string, bigint>();
  private readonly waiters = new PositionWaiters();
  private lane: Lane | undefined;
  private subscription: Subscription | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private failure: Error | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  /** Where a replay by account of the main lane that was interrupted goes to, once `initialize` found it resumable. */
  private resumeUntil: bigint | undefined;
  /** The replay a start follows the log with is under way (`start`, `follow`). */
  private replayingFirst = false;
  /** That replay has not ended (stopped or failed part way): the runner stands where it left the checkpoints. */
  private interrupted = false;
  /** A batch failed while the subscription was being stopped. */
  private stoppedByFailure = false;
  /** A table of the main fold was missing when the file was opened (created empty since): `initialize` starts the fold over. */
  private foldTablesLost: boolean;

  constructor(private readonly options: ProjectionRunnerOptions) {
    const names = new Set(options.projections.map((p) => p.name));
    if (names.size !== options.projections.length) throw new Error('projection names must be unique');
    this.ownsDb = typeof options.database === 'string';
    this.db = typeof options.database === 'string' ? new Database(options.database) : options.database;
    // WAL lets queries read while a batch commits; NORMAL sync may lose the last batches on power loss,
    // which is harmless here because their checkpoint is lost with them and they are applied again.
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.terms = options.terms ?? DEFAULT_TERMS_CATALOGUE;
    this.batchSize = options.batchSize ?? 100;
    this.replayBatchSize = options.replayBatchSize ?? 5_000;
    if (options.replayWhenBehindBy !== undefined && !(Number.isSafeInteger(options.replayWhenBehindBy) && options.replayWhenBehindBy >= 0))
      throw new Error(`replayWhenBehindBy must be a non-negative integer, got ${options.replayWhenBehindBy}`);
    this.replayWhenBehindBy = BigInt(options.replayWhenBehindBy ?? 10_000);
    if (options.replayBatchAccounts !== undefined && !(Number.isSafeInteger(options.replayBatchAccounts) && options.replayBatchAccounts >= 1))
      throw new Error(`replayBatchAccounts must be a positive integer, got ${options.replayBatchAccounts}`);
    this.cacheBounds = stateCacheBounds(options);
    this.checkpoints = new Checkpoints(this.db);
    this.foldTablesLost = missingTables(this.db, AccountStateFold.tablesOf(ACCOUNT_STATE_TABLE)).length > 0;
    this.mainFold = new AccountStateFold(this.db, ACCOUNT_STATE_TABLE, this.cacheBounds, options.foldWrites);
  }

  get projections(): readonly Projection[] {
    return this.options.projections;
  }

  /** The error that stopped the subscription, if any (cleared by `start()`). */
  get lastError(): Error | undefined {
    return this.failure;
  }

  get running(): boolean {
    return this.subscription !== undefined;
  }

  /** Following the log, but still rebuilding read models first (see `start`): projections whose version changed, empty ones, or an interrupted replay of them. */
  get replaying(): boolean {
    return this.replayingFirst;
  }

  /**
   * Follows the log from the stored checkpoints. What must be replayed first is replayed as the first
   * part of following the log, and `start()` does not wait for it (see `follow`): projections whose
   * version changed are rebuilt up to the main lane, an interrupted replay by account of every
   * projection goes on, read models that start from nothing are replayed by account up to the head,
   * read models more than `replayWhenBehindBy` events behind catch up by a replay in the log's order,
   * and a fold that trails its lane (replays write it lazily; see `AccountStateFold`) catches up.
   */
  start(): Promise<void> {
    this.stopAsked = false;
    return this.exclusive(async () => {
      if (this.subscription) return;
      // Read models found not to be this log's stay refused, without following it or being tried again,
      // until everything starts over (`rebuild`, or the file deleted), or a start finds them this log's
      // after all (the ledger pointed back at the log they were built from; `foundOfThisLog`).
      const refusal = this.refusal();
      if (refusal !== undefined) {
        clearTimeout(this.retry);
        this.retry = undefined;
        this.failure = refusal;
        // Started, as far as a caller waiting for it knows (a worker thread's host resolves its start on
        // it), at the position the read models stand at, which the API compares with the head; then failed.
        this.options.onStarted?.(this.processedPosition());
        this.options.onError?.(this.failure);
        // Looked at again in the background: start() does not wait on the store. A stop waits for it.
        this.recheck = this.foundOfThisLog()
          .then((again) => (again && !this.stopAsked ? this.start() : undefined))
          .catch((error: Error) => this.options.onError?.(error))
          .finally(() => (this.recheck = undefined));
        return;
      }
      this.failure = undefined;
      const behind = this.initialize();
      if (this.rebuildReasons.length > 0) this.options.onRebuildPlan?.(this.rebuildReasons);
      const lane = this.lane!;
      const resumeUntil = this.resumeUntil;
      this.resumeUntil = undefined;
      const emptied = resumeUntil === undefined && this.replaysByAccount(lane);
      const progress = throttled(this.options.onRebuildProgress, PROGRESS_EVERY_MS);
      // Everything that needs the store runs in the background, its failures reported and retried as a
      // failed batch's are (`follow`): start() itself neither fails nor waits on the store.
      const first = async (following: Following): Promise<boolean> => {
        const head = await this.options.store.headPosition();
        // Read models that have applied more of the log than it holds were built from another log, or a
        // longer one (the log restored from a backup, the read models left as they were): following it
        // from their checkpoint would skip the events appended from here on, and end of day would trust
        // their schedule. They are reported as a failed batch (unready, reads refused) until replaced.
        // The finding is kept in the file (a checkpoint row of its own), so neither a retry nor a restart
        // follows the log once commands have taken its head past theirs; only starting over clears it.
        const applied = resumeUntil ?? lane.position;
        if (applied > head) {
          // The head as found goes in the row's version column, for the message of the refusals after.
          this.checkpoints.set(AHEAD_OF_LOG_CHECKPOINT, Number(head), applied);
          throw new ReadModelsAheadOfLogError(applied, head);
        }
        // Within the head, the last event they applied in the log's order must be the log's own there.
        const mark = this.checkpoints.get(LOG_MARK_CHECKPOINT);
        if (mark !== undefined && !(await this.logHolds(mark))) {
          this.checkpoints.set(OF_ANOTHER_LOG_CHECKPOINT, 0, mark.position);
          throw new ReadModelsOfAnotherLogError(mark.position);
        }
        if (behind.length > 0 && !(await this.catchUp(behind, progress, following))) return false;
        if (resumeUntil !== undefined) return this.replayByAccount(lane, resumeUntil, progress, following);
        if (emptied) return head > 0n ? this.replayByAccount(lane, head, progress, following) : true;
        // How far the main lane replays in the log's order before it subscribes: the fold's trail, or the
        // head when the read models trail it by more than a few live batches (restored from a backup, a
        // projector that was down): a replay writes the fold's states lazily, in pages of its own, where
        // following the log writes the changed states' tails with every batch of 100 events.
        const catchUpTo = behind.length === 0 && head - lane.position > this.replayWhenBehindBy ? head : lane.position;
        return this.replay(lane, catchUpTo, catchUpTo > lane.position ? progress : undefined, following);
      };
      // Only catching up (no projection rebuilt), the read models are behind rather than rebuilding.
      this.follow(lane, first, behind.length > 0 || resumeUntil !== undefined || emptied);
      this.options.onStarted?.(this.processedPosition());
    });
  }

  /** Finishes the batch in flight, then stops following the log. */
  stop(): Promise<void> {
    this.stopAsked = true;
    return this.exclusive(async () => {
      await this.recheck;
      await this.unsubscribe();
    });
  }

  async close(): Promise<void> {
    await this.stop();
    if (this.ownsDb) this.db.close();
  }

  /**
   * Empties one projection (or all, without a name) and replays the log into it. The others keep their
   * checkpoints and resume where they were once the rebuilt projection has caught up.
   */
  rebuild(name?: string, onProgress?: ProgressCallback): Promise<void> {
    return this.exclusive(async () => {
      // A runner waiting to try a failed batch again was following the log, and follows it again after.
      const retrying = this.retry !== undefined;
      const wasRunning = await this.unsubscribe();
      const targets = name === undefined ? this.projections : this.projections.filter((p) => p.name === name);
      if (targets.length === 0) throw new Error(`no projection named ${name}`);
      // Read models found not to be this log's (ahead of it, or holding an event it does not): a rebuild of
      // everything starts from nothing, not from an interrupted replay of theirs.
      if (targets.length === this.projections.length && this.refusal() !== undefined) this.resetAll();
      let resumed = false;
      // A runner that is not following the log may stand where a failed replay left it, and one stopped
      // in the replay its start follows the log with has that replay to go on with: start from the checkpoints.
      if (this.positions.size === 0 || !wasRunning || this.interrupted) {
        const behind = this.initialize();
        if (behind.length > 0) await this.catchUp(behind, onProgress);
        // An interrupted replay by account of everything (found by `initialize`) goes on first: it is a
        // rebuild from nothing, so when everything is to be rebuilt it is that rebuild.
        const resume = this.resumeUntil;
        this.resumeUntil = undefined;
        if (resume !== undefined && this.lane) {
          await this.replay(this.lane, resume, onProgress);
          resumed = true;
        }
      }
      if (targets.length === this.projections.length) {
        if (!resumed) {
          this.resetAll();
          this.lane = new Lane(this.db, this.checkpoints, this.mainFold, this.projections, this.terms, 0n);
        }
        await this.replay(this.lane!, await this.options.store.headPosition(), onProgress);
      } else {
        for (const p of targets) this.resetProjection(p);
        await this.catchUp(targets, onProgress);
      }
      if (wasRunning || retrying) {
        this.failure = undefined;
        this.follow(this.lane ?? this.mainLane(0n));
      }
    });
  }

  /**
   * Empties the read models, then replays one share of the accounts (`AccountShare`) by account up to
   * `until`: for a rebuild split over processes (`ledger rebuild --jobs`), each replaying its share into
   * a read-model file of its own, which `mergeShares` then puts together. The file ends up with the
   * checkpoints at `until` yet holds only the share's accounts: a scratch file for the merge, never read
   * models to start from. Every projection must replay by account (`Projection.byAccount`). The event
   * loop is served after each batch, before `onProgress`; an error `onProgress` throws stops the replay
   * and is the one the returned promise rejects with.
   */
  replayShare(share: AccountShare, until: bigint, onProgress?: ProgressCallback): Promise<void> {
    return this.exclusive(async () => {
      assertAccountShare(share);
      if (this.subscription) throw new Error('a runner following the log cannot replay a share');
      this.resetAll();
      const lane = new Lane(this.db, this.checkpoints, this.mainFold, this.projections, this.terms, 0n);
      this.lane = lane;
      if (until > 0n && !this.replaysByAccount(lane)) throw new Error('a share is replayed by account, which every projection must allow');
      if (until > 0n) await this.replayByAccount(lane, until, onProgress, undefined, share);
      else lane.finishByAccount(0n);
    });
  }

  /** Head position minus each projection's checkpoint; pass `head` when the caller has just read it. */
  async lag(knownHead?: bigint): Promise<ProjectionLag[]> {
    const head = knownHead ?? (await this.options.store.headPosition());
    const stored = this.checkpoints.all();
    return this.projections.map((p) => {
      const position = this.positions.get(p.name) ?? stored.get(p.name)?.position ?? 0n;
      return { projection: p.name, position, head, lag: head > position ? head - position : 0n };
    });
  }

  /** The lowest position every projection has applied. */
  processedPosition(): bigint {
    const stored = this.positions.size === 0 ? this.checkpoints.all() : undefined;
    let min: bigint | undefined;
    for (const p of this.projections) {
      const position = this.positions.get(p.name) ?? stored?.get(p.name)?.position ?? 0n;
      if (min === undefined || position < min) min = position;
    }
    return min ?? 0n;
  }

  /** Resolves once every projection has applied `position` (read-your-writes); rejects after the timeout. */
  waitFor(position: bigint, timeoutMs: number): Promise<void> {
    return this.waiters.waitFor(position, timeoutMs, () => this.processedPosition());
  }

  /** Version checks; returns the projections behind the main fold, which need a lane of their own. */
  /** Why the last `initialize` replays read models before following the log, one line each (`onRebuildPlan`). */
  private rebuildReasons: string[] = [];

  private initialize(): Projection[] {
    this.rebuildReasons = [];
    // The main lane below starts from the fold's stored checkpoint: states it holds in memory may be
    // further on (after a failed batch, states of committed batches not yet written), so drop them.
    this.mainFold.forget();
    this.resumeUntil = undefined;
    this.interrupted = false;
    let stored = this.checkpoints.all();
    // A read-model table dropped (by hand, say) while its checkpoint stayed has been created empty since,
    // or is about to be: what it held is gone, whatever the checkpoint says, and is applied again from
    // the start. (Read as the file was opened for the fold's tables, which its constructor creates.)
    const foldLost = this.foldTablesLost;
    this.foldTablesLost = false;
    const lost = new Set(this.projections.filter((p) => missingTables(this.db, p.tables).length > 0));
    const progress = this.liveReplay(this.mainFold.checkpointName, stored);
    if (progress !== undefined) {
      // A replay by account of every projection was interrupted: it goes on where it stopped if it
      // replays these projections at these versions with this fold, and none of their tables was lost;
      // otherwise everything starts over.
      if (!foldLost && lost.size === 0 && this.resumes(progress, this.mainFold, this.projections)) {
        for (const p of this.projections) this.ensureTables(p, 0n);
        this.resumeUntil = progress.until;
        this.lane = this.mainLane(0n);
        this.rebuildReasons.push('every read model: a replay a start before began goes on where it stopped');
        return [];
      }
      this.rebuildReasons.push('every read model: a replay a start before began cannot go on (a projection changed or a table was lost)');
      this.resetAll();
      stored = this.checkpoints.all();
    }
    // Projections an interrupted replay by account of their own lane was rebuilding keep their rows for
    // it to go on (`catchUp`); their checkpoints carry `replayingVersion`, so any others are reset below.
    const catchingUp = projectionsOf(this.liveReplay(`${FOLD_CHECKPOINT_PREFIX}${REBUILD_STATE_TABLE}`, stored));
    const keptForLane: Projection[] = [];
    const foldCheckpoint = stored.get(this.mainFold.checkpointName);
    const oldestRows = stored.get(this.mainFold.oldestRowsName)?.version;
    if (foldCheckpoint === undefined || !this.canKeepRows(this.mainFold, foldCheckpoint.version, oldestRows)) {
      this.rebuildReasons.push(foldCheckpoint === undefined ? 'every read model: the file holds none' : "every read model: the accounts' stored states are of another version");
      this.resetAll();
    } else {
      if (foldLost) this.resetFold(this.mainFold);
      else this.keepRows(this.mainFold, foldCheckpoint.version, oldestRows);
      for (const p of this.projections) {
        const checkpoint = stored.get(p.name);
        if (lost.has(p)) {
          // A version that adds a table, or a projection new to the file, is missing tables too: said as what it is.
          this.rebuildReasons.push(checkpoint?.version === p.version ? `${p.name}: its tables were missing` : rebuildReason(p, checkpoint?.version));
          this.resetProjection(p);
        } else if (checkpoint?.version === replayingVersion(p.version) && catchingUp.some((named) => named.name === p.name && named.version === p.version)) {
          this.ensureTables(p, 0n);
          keptForLane.push(p);
        } else if (checkpoint?.version !== p.version) {
          this.rebuildReasons.push(rebuildReason(p, checkpoint?.version));
          this.resetProjection(p);
        }
        else this.ensureTables(p, checkpoint.position);
      }
    }
    // The main lane goes on from the furthest projection; the fold may trail it (a replay writes it
    // lazily) and catches up on the way. Projections behind the main lane get a lane of their own.
    const fold = this.checkpoints.get(this.mainFold.checkpointName)?.position ?? 0n;
    let main = 0n;
    for (const p of this.projections) if ((this.positions.get(p.name) ?? 0n) > main) main = this.positions.get(p.name)!;
    let behind = this.projections.filter((p) => (this.positions.get(p.name) ?? 0n) < main);
    // A fold ahead of every projection means their tables were lost or emptied: start over.
    if (fold > main) {
      this.rebuildReasons = ['every read model: their tables were emptied'];
      this.resetAll();
      behind = [];
      main = 0n;
    }
    // A projection kept for its lane's replay that is not behind the main lane would be followed into: reset it.
    for (const p of keptForLane) if (!behind.includes(p) && this.checkpoints.get(p.name)?.version === replayingVersion(p.version)) this.resetProjection(p);
    this.lane = this.mainLane(main, main === 0n ? 0n : fold);
    return behind;
  }

  /** Replays the log into `targets` with a second fold, up to the main lane's position; false if `following` stopped it first. */
  private async catchUp(targets: readonly Projection[], onProgress?: ProgressCallback, following?: Following): Promise<boolean> {
    const main = this.lane ?? this.mainLane(0n);
    const until = main.position;
    const fold = new AccountStateFold(this.db, REBUILD_STATE_TABLE, this.cacheBounds, this.options.foldWrites);
    const from = this.positions.get(targets[0].name) ?? 0n;
    const foldCheckpoint = this.checkpoints.get(fold.checkpointName);
    const oldestRows = this.checkpoints.get(fold.oldestRowsName)?.version;
    const resumable =
      from > 0n &&
      targets.every((p) => this.positions.get(p.name) === from) &&
      foldCheckpoint !== undefined &&
      foldCheckpoint.position <= from &&
      this.canKeepRows(fold, foldCheckpoint.version, oldestRows);
    // A replay by account of these projections up to here, interrupted, goes on where it stopped.
    const storedNow = this.checkpoints.all();
    const progress = this.liveReplay(fold.checkpointName, storedNow);
    const resumesByAccount = progress !== undefined && progress.until === until && this.resumes(progress, fold, targets);
    if (resumesByAccount) {
      // Nothing to reset: the projections' rows are the replay's so far.
    } else if (resumable) this.keepRows(fold, foldCheckpoint.version, oldestRows);
    else {
      // A replay by account that cannot go on left rows at position 0 in the tables of the projections
      // it names: they are rebuilt now too, or the main lane would go on following the log into them.
      const partial = new Set(projectionsOf(progress).map((named) => named.name));
      // Any projection still carrying a replay's mark holds that replay's partial rows, whether or not its row is still live.
      for (const p of this.projections) if ((storedNow.get(p.name)?.version ?? 0) < 0) partial.add(p.name);
      const others = this.projections.filter((p) => partial.has(p.name) && !targets.includes(p));
      targets = [...targets, ...others];
      for (const p of targets) if ((this.positions.get(p.name) ?? 0n) > 0n || partial.has(p.name)) this.resetProjection(p);
      this.resetFold(fold);
    }
    const lane = new Lane(this.db, this.checkpoints, fold, targets, this.terms, resumable ? from : 0n, resumable ? foldCheckpoint.position : 0n, false);
    if (!(await this.replay(lane, until, onProgress, following))) return false;
    this.db.transaction(() => {
      this.checkpoints.deleteReplayProgress(fold.checkpointName);
      fold.drop();
      this.checkpoints.delete(fold.checkpointName);
      this.checkpoints.delete(fold.oldestRowsName);
    })();
    this.lane = main;
    return true;
  }

  /** Brings the lane's fold, and its projections where they are behind, up to `until`; false if `following` stopped it first. */
  private async replay(lane: Lane, until: bigint, onProgress?: ProgressCallback, following?: Following): Promise<boolean> {
    if (until > 0n && this.replaysByAccount(lane)) return this.replayByAccount(lane, until, onProgress, following);
    const bounds = replayBatchBounds(lane.fold, this.cacheBounds, this.options.replayBatchAccounts);
    while (lane.foldPosition < until) {
      if (following !== undefined && (await following.stopsNow())) return false;
      const page = await this.options.store.readAll({ after: lane.foldPosition, maxCount: this.eventsPerBatch(following) });
      const events = page.filter((e) => e.position <= until);
      if (events.length === 0) break;
      for (const batch of byDistinctAccounts(events, bounds)) {
        this.committed(lane, lane.applyBatch(batch, { writeFold: batch[batch.length - 1].position >= until }));
      }
      onProgress?.(lane.position, until, 'positions');
      // As a replay by account does after each batch (a replay that follows the log yields in `stopsNow`).
      if (following === undefined) await yieldToEventLoop();
    }
    return true;
  }

  /** Events a replay takes a batch (a page of the log, or accounts' streams): fewer in the replay a start follows the log with. */
  private eventsPerBatch(following: Following | undefined): number {
    return following === undefined ? this.replayBatchSize : Math.min(this.replayBatchSize, FOLLOWING_REPLAY_BATCH);
  }

  /** Whether the lane replays by account: from the start of the log, every projection allowing it, and not told otherwise. */
  private replaysByAccount(lane: Lane): boolean {
    return this.options.replayOrder !== 'log' && lane.position === 0n && lane.foldPosition === 0n && lane.projections.every((p) => p.byAccount !== undefined);
  }

  /** Whether an interrupted replay by account can go on with this fold and these projections. */
  private resumes(progress: ReplayProgress, fold: AccountStateFold, projections: readonly Projection[]): boolean {
    return (
      this.options.replayOrder !== 'log' &&
      progress.foldVersion === fold.version &&
      progress.projections === replayedProjections(projections) &&
      projections.every((p) => p.byAccount !== undefined)
    );
  }

  /**
   * A fold's replay by account in progress, if it still stands as the replay left it: the fold's
   * checkpoint absent, and every projection it names at position 0 carrying `replayingVersion` of the
   * version it names. Anything else (a build that knows no such replay reset or rebuilt them since, or
   * a reset of one of them) leaves the row stale: it is deleted.
   */
  private liveReplay(foldCheckpoint: string, stored: Map<string, Checkpoint>): ReplayProgress | undefined {
    const progress = this.checkpoints.replayProgress(foldCheckpoint);
    if (progress === undefined) return undefined;
    const live =
      !stored.has(foldCheckpoint) &&
      projectionsOf(progress).every((named) => {
        const checkpoint = stored.get(named.name);
        return checkpoint?.version === replayingVersion(named.version) && checkpoint.position === 0n;
      });
    if (live) return progress;
    this.checkpoints.deleteReplayProgress(foldCheckpoint);
    return undefined;
  }

  /**
   * Replays the log up to `until` account by account: each account's stream, read whole, is folded and
   * applied to the lane's projections at once, and its state written once, where a replay in the log's
   * order reads each state back and writes it again and again once the accounts outnumber the cache.
   * The store lists the accounts (in the order of their first event), and the closed days are read
   * from their stream. Each batch of accounts commits with the count of accounts done, so a replay
   * that stops goes on from there at the next start (or rebuild of everything, or catch-up of the same
   * projections); the checkpoints move to `until` only at the end.
   */
  private async replayByAccount(lane: Lane, until: bigint, onProgress?: ProgressCallback, following?: Following, share?: AccountShare): Promise<boolean> {
    const accounts = (await this.options.store.streamsUpTo(until, ACCOUNT_STREAM_PREFIX))
      .filter((_, i) => share === undefined || i % share.of === share.index)
      .map((stream) => stream.slice(ACCOUNT_STREAM_PREFIX.length));
    const closes: BusinessDayClosed[] = [];
    for (const stored of await this.options.store.readStreamData(BUSINESS_DAYS_STREAM)) {
      if (stored.position > until) break;
      const decoded = decodeLedgerEvent(stored);
      if (decoded.kind === 'businessDayClosed') closes.push({ kind: 'businessDayClosed', data: decoded.data, stored });
    }
    const projections = replayedProjections(lane.projections);
    const stored = this.liveReplay(lane.fold.checkpointName, this.checkpoints.all());
    let done = 0;
    if (stored !== undefined && stored.until === until && this.resumes(stored, lane.fold, lane.projections)) done = stored.accountsDone;
    else lane.beginByAccount(closes, { until, accountsDone: 0, foldVersion: lane.fold.version, projections });
    lane.replayingByAccount = true;
    const accountsPerBatch = this.options.replayBatchAccounts ?? 4_096;
    const eventsPerBatch = this.eventsPerBatch(following);
    // Streams read ahead of the batch that takes them: a few at once, one round trip each to a store
    // across the network.
    const ahead: AccountEvents[] = [];
    let read = done;
    while (done < accounts.length) {
      // Stopped, the replay goes on at the next start from the accounts committed.
      if (following !== undefined && (await following.stopsNow())) return false;
      const batch: AccountEvents[] = [];
      let events = 0;
      while (done + batch.length < accounts.length && events < eventsPerBatch && batch.length < accountsPerBatch) {
        if (ahead.length === 0) {
          const next = accounts.slice(read, Math.min(read + STREAMS_AT_ONCE, accounts.length));
          read += next.length;
          const streams = await Promise.all(next.map((accountId) => this.options.store.readStreamData(accountStream(accountId))));
          next.forEach((accountId, i) => ahead.push({ accountId, events: streams[i].filter((e) => e.position <= until) }));
        }
        const account = ahead.shift()!;
        batch.push(account);
        events += account.events.length;
      }
      done += batch.length;
      lane.applyAccounts(batch, closes, { until, accountsDone: done, foldVersion: lane.fold.version, projections });
      this.options.onReplayCommitted?.(done);
      // The event loop is served between batches (the embedded store's reads never yield to it): a
      // share's process sees its sibling processes end, and its progress callback may then stop it; a
      // `ledger rebuild` sees Ctrl-C and says what it leaves; an API replaying at its start answers.
      await yieldToEventLoop();
      onProgress?.(BigInt(done), BigInt(accounts.length), 'accounts');
    }
    lane.finishByAccount(until);
    this.committed(lane, until);
    onProgress?.(until, until, 'positions');
    return true;
  }

  /**
   * Follows the log with the main lane. With `first`, it first runs that replay (what the start found
   * behind), in batches of at most `FOLLOWING_REPLAY_BATCH` events with the event loop served between
   * them, since a batch is synchronous work on an event loop the API may share; then it subscribes
   * after the lane's position. The API's bootstrap is not held up meanwhile: it listens, and reports
   * the read models `rebuilding` (or only behind, when `first` rebuilds nothing). `stop()` waits for
   * the batch in flight and the replay goes on at the next start, as after a crash; a failed batch is
   * retried as a failed live batch is. A start on empty read models that followed the log in its
   * order, as before, took 157 s for 10,000 accounts' 1.2 million events, against about 38 s
   * replaying by account.
   */
  private follow(lane: Lane, first?: (following: Following) => Promise<boolean>, rebuilding = true): void {
    if (first === undefined) {
      this.subscription = this.subscribeAfter(lane, undefined);
      return;
    }
    let stopping = false;
    let live: Subscription | undefined;
    const subscription: Subscription = {
      stop: async () => {
        stopping = true;
        await replayed;
        await live?.stop();
      },
    };
    this.subscription = subscription;
    // Until the replay ends, a rebuild in this runner must start from the checkpoints (`rebuild`): it
    // may stop the replay anywhere, before it has marked anything as under way.
    this.interrupted = true;
    if (rebuilding) this.setReplaying(true);
    const following: Following = {
      // Between batches the event loop serves what waits (a store's reads may resolve without ever yielding to it).
      stopsNow: async () => {
        await yieldToEventLoop();
        return stopping;
      },
    };
    const replayed = first(following)
      .then((finished) => {
        if (rebuilding) this.setReplaying(false);
        if (!finished || stopping) return;
        this.interrupted = false;
        live = this.subscribeAfter(lane, subscription);
      })
      .catch((error: Error) => {
        if (rebuilding) this.setReplaying(false);
        this.failed(error, subscription);
      });
  }

  private setReplaying(replaying: boolean): void {
    this.replayingFirst = replaying;
    try {
      this.options.onReplaying?.(replaying);
    } catch {
      // A report that could not be made must not stop the runner, or leave it unable to stop.
    }
  }

  /** Subscribes the lane to the log after its fold's position; `owner` is the subscription this one goes on for, if any. */
  private subscribeAfter(lane: Lane, owner: Subscription | undefined): Subscription {
    const subscription: Subscription = this.options.store.subscribeToAll({
      after: lane.foldPosition,
      batchSize: this.batchSize,
      onEvents: (events) => this.committed(lane, lane.applyBatch(events, { live: true })),
      // Reported after `subscribeToAll` returns: a store may fail its first read before it does.
      onError: (error) => queueMicrotask(() => this.failed(error, owner ?? subscription)),
    });
    return subscription;
  }

  /**
   * A batch failed while following the log: stop following, and try again later. One that failed as it
   * was being stopped (by `stop()` or `rebuild()`) is only reported; what stopped it decides what next.
   */
  private failed(error: Error, subscription: Subscription): void {
    this.options.onError?.(error);
    if (this.subscription !== subscription) {
      // The stop under way writes no fold over a failed batch (`unsubscribe`).
      this.stoppedByFailure = true;
      return;
    }
    this.failure = error;
    this.subscription = undefined;
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    const delay = this.options.retryAfterMs;
    if (delay === undefined) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.start().catch((error: Error) => {
        this.options.onError?.(error);
        this.scheduleRetry();
      });
    }, delay);
  }

  private async unsubscribe(): Promise<boolean> {
    clearTimeout(this.retry);
    this.retry = undefined;
    const subscription = this.subscription;
    this.subscription = undefined;
    this.stoppedByFailure = false;
    if (subscription) await subscription.stop();
    // Write the fold's states, so the next start does not fold those events again (not over a failed batch).
    if (subscription && !this.failure && !this.stoppedByFailure) this.lane?.writeFold();
    return subscription !== undefined;
  }

  private committed(lane: Lane, position: bigint): void {
    for (const p of lane.projections) this.positions.set(p.name, position);
    const processed = this.processedPosition();
    this.waiters.notify(processed);
    this.options.onCommitted?.(processed);
  }

  private mainLane(position: bigint, foldPosition: bigint = position): Lane {
    return new Lane(this.db, this.checkpoints, this.mainFold, this.projections, this.terms, position, foldPosition);
  }

  /**
   * Whether a fold's stored states can be kept: its checkpoint's version (the rows written last) and the
   * oldest version its rows may still have are both ones the codec reads.
   */
  private canKeepRows(fold: AccountStateFold, version: number, oldest = version): boolean {
    return fold.reads(version) && fold.reads(oldest);
  }

  /**
   * Keeps a fold's table: one kept from an older version records that version as its oldest rows', for
   * the builds after. When a build from before the tails wrote the table last, any tail rows were left
   * by a later build before it (its reset drops the rows only) and its rows already hold those events:
   * they are dropped, or they would be folded twice. Shard rows left the same way by a build that kept
   * orders and draws apart are dropped too: the rows written since hold their shards inline.
   */
  private keepRows(fold: AccountStateFold, version: number, oldest = version): void {
    const rowsFrom = Math.min(version, oldest);
    this.db.transaction(() => {
      if (rowsFrom < fold.version) this.checkpoints.set(fold.oldestRowsName, rowsFrom, 0n);
      if (!fold.hasTails(version)) fold.clearTails();
      if (!fold.hasShardRows(version)) fold.clearShardRows();
    })();
  }

  /**
   * The projections whose read models in the file another build keeps, for a process that reads a file a
   * projector keeps (whose own runner never starts, so never rebuilds them): a checkpoint at a version
   * that is neither this build's nor this build's replay of it. An old projector beside a new API (a
   * split upgrade half done) resets the read models to its versions, whose rows this build misreads:
   * statements failing, portfolio figures it does not write read as zero. A projection with no
   * checkpoint yet is not counted: a projector will build it, and until then the lag says so.
   */
  foreignVersions(): ForeignProjection[] {
    const stored = this.checkpoints.all();
    const foreign: ForeignProjection[] = [];
    for (const p of this.projections) {
      const version = stored.get(p.name)?.version;
      if (version === undefined || version === p.version || version === replayingVersion(p.version)) continue;
      foreign.push({ name: p.name, version: storedVersion(version), rebuilding: version < 0, ours: p.version });
    }
    return foreign;
  }

  /**
   * Why the read models in the file are refused, as a runner found it and kept it there (ahead of the
   * log, or holding an event it does not), or undefined: for a process that reads a file another process
   * (the projector) keeps, whose own runner never starts.
   */
  refusal(): Error | undefined {
    const ahead = this.checkpoints.get(AHEAD_OF_LOG_CHECKPOINT);
    if (ahead !== undefined) return new ReadModelsAheadOfLogError(ahead.position, BigInt(ahead.version));
    const other = this.checkpoints.get(OF_ANOTHER_LOG_CHECKPOINT);
    return other === undefined ? undefined : new ReadModelsOfAnotherLogError(other.position);
  }

  /**
   * Read models refused as not this log's, found to be this log's after all, their refusal cleared: the
   * log holds the last event they applied where they applied it, and its head is no longer behind where
   * they stood when found ahead. Read models without a mark (built before it, or only replayed account by
   * account) cannot be told again and stay refused. A log restored from a backup and written to since
   * holds another event there, so it never clears a refusal of its own.
   */
  private async foundOfThisLog(): Promise<boolean> {
    const mark = this.checkpoints.get(LOG_MARK_CHECKPOINT);
    if (mark === undefined || this.subscription !== undefined) return false;
    const ahead = this.checkpoints.get(AHEAD_OF_LOG_CHECKPOINT);
    if (ahead !== undefined && ahead.position > (await this.options.store.headPosition())) return false;
    if (!(await this.logHolds(mark))) return false;
    this.db.transaction(() => {
      this.checkpoints.delete(AHEAD_OF_LOG_CHECKPOINT);
      this.checkpoints.delete(OF_ANOTHER_LOG_CHECKPOINT);
    })();
    return true;
  }

  /** Whether the log's first event after the marked position is the event the read models marked there (`LOG_MARK_CHECKPOINT`). */
  private async logHolds(mark: Checkpoint): Promise<boolean> {
    let event: StoredEvent | undefined;
    try {
      [event] = await this.options.store.readAll({ after: mark.position, maxCount: 1 });
    } catch (error) {
      // EventStoreDB refuses to read from a position that is no event's in its log: another log's.
      if (error instanceof PositionNotInLogError) return false;
      throw error;
    }
    return event !== undefined && logMark(event) === mark.version;
  }

  private resetAll(): void {
    // Every projection starts over, so no replay by account in progress (of any lane) can go on, and
    // read models found not to be this log's are now this log's.
    this.checkpoints.deleteAllReplayProgress();
    this.checkpoints.delete(AHEAD_OF_LOG_CHECKPOINT);
    this.checkpoints.delete(OF_ANOTHER_LOG_CHECKPOINT);
    this.checkpoints.delete(LOG_MARK_CHECKPOINT);
    this.resetFold(this.mainFold);
    for (const p of this.projections) this.resetProjection(p);
  }

  /** Empties a fold and moves its checkpoint to 0 in one transaction: a crash between the two would leave a checkpoint over states the table no longer has. */
  private resetFold(fold: AccountStateFold): void {
    this.db.transaction(() => {
      fold.reset();
      this.checkpoints.deleteReplayProgress(fold.checkpointName);
      this.checkpoints.set(fold.checkpointName, fold.version, 0n);
      this.checkpoints.delete(fold.oldestRowsName);
    })();
  }

  private resetProjection(p: Projection): void {
    p.discard?.();
    this.db.transaction(() => {
      for (const table of p.tables) this.db.exec(`DROP TABLE IF EXISTS ${table}`);
      this.checkpoints.set(p.name, p.version, 0n);
    })();
    this.ensureTables(p, 0n);
  }

  private ensureTables(p: Projection, position: bigint): void {
    for (const ddl of p.ddl) this.db.exec(ddl);
    p.prepare(this.db);
    this.positions.set(p.name, position);
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** Which of `tables` the file does not hold. */
function missingTables(db: Db, tables: readonly string[]): string[] {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").pluck();
  return tables.filter((table) => exists.get(table) === undefined);
}

/** Account streams a replay by account reads at once. */
const STREAMS_AT_ONCE = 16;

/** The replay a start follows the log with (`follow`): between its batches, whether to stop. */
interface Following {
  stopsNow(): Promise<boolean>;
}

/**
 * Events per batch of the replay by account that a start follows the log with: about 15 ms of the event
 * loop a batch here (half the loop's delays at 1,000 events, and 3% slower: 37.7 against 36.4 s for
 * 10,000 accounts; 40.3 s at 300; bench/HISTORY.md, twenty-second round).
 */
const FOLLOWING_REPLAY_BATCH = 500;

/** How often a start's replay reports its progress (and the last report, always). */
const PROGRESS_EVERY_MS = 2_000;

/** Passes on at most one report per `ms`, and always the last of a replay (its position at its end). */
function throttled(onProgress: ProgressCallback | undefined, ms: number): ProgressCallback | undefined {
  if (onProgress === undefined) return undefined;
  let last = -Infinity;
  return (position, head, unit) => {
    const now = Date.now();
    if (position < head && now - last < ms) return;
    last = now;
    onProgress(position, head, unit);
  };
}

/**
 * How a replay cuts a page of the log into batches (`byDistinctAccounts`): at most `accounts` distinct
 * accounts (default 4,096), weighing together at most half the state cache's bytes. An account whose
 * state is not cached counts as 1/512 of that half, whatever its age: at most 512 of them a batch, the
 * bound before the budget. Cached ones count their own weight.
 */
export function replayBatchBounds(fold: AccountStateFold, cache: StateCacheBounds, accounts = 4_096): RunBounds {
  const bytes = cache.bytes / 2;
  return { accounts, bytes, weigh: (stream) => fold.estimatedBytes(stream.slice(ACCOUNT_STREAM_PREFIX.length), bytes / 512) };
}

export interface RunBounds {
  accounts: number;
  /** The most the run's accounts may weigh together (a run always takes its first account). */
  bytes?: number;
  /** An account stream's weight (`credit-account-<id>`), asked once per run it appears in. */
  weigh?: (stream: string) => number;
}

/**
 * Cuts events, in order, into runs that each touch at most `bounds.accounts` accounts, and whose
 * accounts weigh at most `bounds.bytes` together (other streams count for none).
 */
export function byDistinctAccounts(events: readonly StoredEvent[], bounds: RunBounds): StoredEvent[][] {
  const batches: StoredEvent[][] = [];
  let batch: StoredEvent[] = [];
  const accounts = new Set<string>();
  let weight = 0;
  for (const event of events) {
    const account = event.stream.startsWith(ACCOUNT_STREAM_PREFIX) ? event.stream : undefined;
    if (account !== undefined && !accounts.has(account)) {
      const added = bounds.weigh?.(account) ?? 0;
      const full = accounts.size >= bounds.accounts || (bounds.bytes !== undefined && accounts.size > 0 && weight + added > bounds.bytes);
      if (full) {
        batches.push(batch);
        batch = [];
        accounts.clear();
        weight = 0;
      }
      accounts.add(account);
      weight += added;
    }
    batch.push(event);
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** Why a projection whose checkpoint is not at its version starts over. */
function rebuildReason(p: Projection, stored: number | undefined): string {
  if (stored === undefined) return `${p.name}: new`;
  if (stored === replayingVersion(p.version)) return `${p.name}: a replay of it a start before began starts over`;
  return `${p.name}: version ${storedVersion(stored)} to ${p.version}`;
}
