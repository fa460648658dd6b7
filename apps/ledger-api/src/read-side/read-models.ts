/**
 * The read models as the API uses them: the projection runner (started with the app unless this process
 * runs with LEDGER_PROJECTIONS=0 beside a separate projector, or with LEDGER_PROJECTIONS=worker, which
 * runs it in a worker thread) and read-your-writes consistency.
 *
 * A query waits until the projections have applied every event appended before it arrived (bounded),
 * so a client never reads a balance older than its own last command. `consistency=eventual` skips it.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown, Logger } from '@nestjs/common';
import { TermsCatalogue } from '@ledger/credit';
import { EventStore } from '@ledger/event-store';
import { accountsDueForEndOfDay, createProjections, type Db, type ForeignProjection, ProjectionLagTimeoutError, ProjectionRunner, projectionsAppliedPosition, ReadModelsAheadOfLogError } from '@ledger/projections';
import { EndOfDaySchedule, LedgerSettings } from '@ledger/servicing';
import { ApiError } from '../http/errors';
import { ProjectionsWorkerHost } from './projections-worker-host';
import { rebuildPlanLine, rebuildProgressLine } from './projector-runner';

const CONSISTENCY_TIMEOUT_MS = 5_000;
const END_OF_DAY_CATCH_UP_TIMEOUT_MS = 120_000;

/** How often an eventual read beside a projector looks at whether the read models are ahead of the log, and how long it waits. */
const AHEAD_CHECK_EVERY_MS = 1_000;

@Injectable()
export class ReadModels implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly runner: ProjectionRunner;
  /** The worker thread that runs the projections with LEDGER_PROJECTIONS=worker. */
  readonly worker: ProjectionsWorkerHost | undefined;
  private readonly logger = new Logger('Projections');

  constructor(
    private readonly store: EventStore,
    private readonly settings: LedgerSettings,
    terms: TermsCatalogue,
  ) {
    const path = settings.config.store === 'memory' ? ':memory:' : settings.config.readModelPath;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.runner = new ProjectionRunner({
      store,
      database: path,
      projections: createProjections(),
      terms,
      stateCacheBytes: settings.config.stateCacheBytes,
      onError: (error) => this.logger.error(`projection batch failed; retrying from the checkpoint in 1 s: ${error.message}`),
      retryAfterMs: 1_000,
      onRebuildProgress: (position, head, unit) => this.logger.log(rebuildProgressLine(position, head, unit)),
      onRebuildPlan: (reasons) => this.logger.log(rebuildPlanLine(reasons)),
    });
    if (settings.config.projectionsWorker) this.worker = new ProjectionsWorkerHost(settings.config, this.logger);
  }

  get db(): Db {
    return this.runner.db;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.settings.config.projections) await this.runner.start();
    await this.worker?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.stop();
    await this.runner.close();
  }

  /** Waits until the read models have caught up with `position`, or with the head when none is given. */
  async consistent(position?: bigint, timeoutMs = CONSISTENCY_TIMEOUT_MS): Promise<void> {
    const { applied, head } = await this.standing();
    // A position the log has not reached would be waited for in vain: no command answer names one.
    if (position !== undefined && position > head) {
      throw new ApiError(400, { error: 'VALIDATION_FAILED', message: `after ${position} is past the head of the log (${head}): pass a position from a command's answer`, details: [{ field: 'after', head: head.toString() }] });
    }
    // Read models that have applied more of the log than it holds are another log's (a restore that kept
    // them): nothing read from them, and no end of day decided on their schedule, is this ledger's.
    if (applied !== null && applied > head) {
      throw new ApiError(503, {
        error: 'READ_MODELS_AHEAD_OF_LOG',
        message: new ReadModelsAheadOfLogError(applied, head).message,
        details: [{ applied: applied.toString(), head: head.toString() }],
      });
    }
    if (this.worker) {
      // A worker being started again after a crash is worth waiting for; one that keeps dying before it
      // follows the log (the store unreachable, say) is not.
      // One whose batches fail (read models not of this log, say) is refused at once, as this thread's runner is.
      if ((!this.worker.running && this.worker.failedStarts > 0) || (this.worker.running && this.worker.lastError !== undefined)) {
        throw new ApiError(503, { error: 'PROJECTIONS_UNAVAILABLE', message: `the read models stopped: ${this.worker.failure}`, details: [] });
      }
      return this.worker.waitFor(position ?? head, timeoutMs);
    }
    if (!this.settings.config.projections) {
      // The projector found the read models not this log's and stopped: it keeps that in the shared file.
      this.assertOfThisLog();
      this.assertThisBuilds();
      return this.waitForProjector(position ?? head, timeoutMs);
    }
    // A failed subscription must not turn into silently stale answers.
    if (this.runner.lastError && !this.runner.running) {
      throw new ApiError(503, { error: 'PROJECTIONS_UNAVAILABLE', message: `the read models stopped: ${this.runner.lastError.message}`, details: [] });
    }
    // Not running is no reason to answer at once: between a failed batch and its retry, or while a
    // projection rebuilds, the read models are behind, and `waitFor` knows by how much.
    await this.runner.waitFor(position ?? head, timeoutMs);
  }

  /**
   * Refuses read models that a runner found not to be this log's (ahead of it, or holding an event it
   * does not) and kept so in the file: this thread's runner, the worker's or a separate projector's. A
   * read with `consistency=eventual`, which waits for nothing, is refused by this too: what such read
   * models hold is another history, not an earlier moment of this one.
   */
  assertOfThisLog(): void {
    const refused = this.runner.refusal();
    if (refused) throw new ApiError(503, { error: 'PROJECTIONS_UNAVAILABLE', message: `the read models stopped: ${refused.message}`, details: [] });
  }

  /**
   * For a read that waits for nothing (`consistency=eventual`): `assertOfThisLog`, and beside a projector
   * (LEDGER_PROJECTIONS=0) read models past the head of the log too, which readiness reports as `ahead`
   * before any projector has started on them and kept its finding (a process with the projections finds
   * that at its start). Read models of a restored log written to since, no process here can tell until a
   * projector starts on them: that check is the projector's.
   */
  async assertOfThisLogNow(): Promise<void> {
    this.assertOfThisLog();
    if (this.settings.config.projections || this.worker) return;
    this.assertThisBuilds();
    const ahead = await this.aheadOfLogLately();
    if (ahead) throw new ApiError(503, { error: 'READ_MODELS_AHEAD_OF_LOG', message: ahead.message, details: [{ applied: ahead.applied.toString(), head: ahead.head.toString() }] });
  }

  /**
   * Beside a projector (LEDGER_PROJECTIONS=0): refuses read models another build's projector keeps, at
   * projection versions whose rows this build does not read as they were written (`foreignVersions`).
   * A process with the projections rebuilds such read models at its start, so only this case is left.
   */
  private assertThisBuilds(): void {
    const foreign = this.runner.foreignVersions();
    if (foreign.length === 0) return;
    throw new ApiError(503, { error: 'READ_MODELS_OTHER_BUILD', message: readModelsOfAnotherBuild(foreign), details: foreign.map(({ name, version, ours }) => ({ projection: name, version, thisBuild: ours })) });
  }

  /**
   * `aheadOfLog` for reads that wait for nothing: looked at once a second at most, and given up after a
   * second (an eventual read answers from the read models when the store does not, as it always has;
   * the head is a round trip on EventStoreDB).
   */
  private aheadOfLogLately(): Promise<ReadModelsAheadOfLogError | null> {
    const now = Date.now();
    if (this.lastAheadCheck === undefined || now - this.lastAheadCheck.at >= AHEAD_CHECK_EVERY_MS) {
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), AHEAD_CHECK_EVERY_MS)));
      const found = Promise.race([this.aheadOfLog().catch(() => null), gaveUp]).finally(() => clearTimeout(timer));
      this.lastAheadCheck = { at: now, found };
    }
    return this.lastAheadCheck.found;
  }

  private lastAheadCheck: { at: number; found: Promise<ReadModelsAheadOfLogError | null> } | undefined;

  /** The read models past the head of the log (a restore that kept them), or null. */
  async aheadOfLog(): Promise<ReadModelsAheadOfLogError | null> {
    const { applied, head } = await this.standing();
    return applied !== null && applied > head ? new ReadModelsAheadOfLogError(applied, head) : null;
  }

  /**
   * How far the read models have applied the log, then the head. Read in that order: both only grow, so
   * read models found past a head read after them are truly past it (read after, they could have applied
   * what was appended while the head was read).
   */
  private async standing(): Promise<{ applied: bigint | null; head: bigint }> {
    const applied = this.appliedPosition();
    return { applied, head: await this.store.headPosition() };
  }

  /** How far the read models have applied the log, as this process knows it (null: nothing yet). */
  private appliedPosition(): bigint | null {
    if (this.worker) return this.worker.appliedPosition;
    if (!this.settings.config.projections) return (this.projectorApplied ??= projectionsAppliedPosition(this.db))();
    return this.runner.processedPosition();
  }

  private projectorApplied: (() => bigint | null) | undefined;

  /**
   * With LEDGER_PROJECTIONS=0 a separate projector process keeps the read models in the shared file;
   * its checkpoints (committed with each batch) tell how far it has got.
   */
  private async waitForProjector(target: bigint, timeoutMs: number): Promise<void> {
    const applied = projectionsAppliedPosition(this.db);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const position = applied();
      if (position !== null && position >= target) return;
      if (Date.now() >= deadline) throw new ProjectionLagTimeoutError(target, position ?? 0n, timeoutMs);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/**
 * What readiness and a refused read say of read models another build's projector keeps, and which way to
 * go: an older projector is to be replaced by this build's; beside a newer one it is this API that is old.
 */
export function readModelsOfAnotherBuild(foreign: readonly ForeignProjection[]): string {
  const which = foreign.map((f) => `${f.name} version ${f.version}${f.rebuilding ? ' (being rebuilt)' : ''}, this build's ${f.ours}`).join('; ');
  const newer = foreign.every((f) => f.version > f.ours);
  return newer
    ? `the read models are a newer build's (${which}): a projector of that build keeps them; upgrade this API to that build`
    : `the read models are another build's (${which}): a projector of an older build keeps them; stop it and start this build's projector, which rebuilds them`;
}

/** End of day finds its accounts in the eod_schedule read model, never by scanning every stream. */
@Injectable()
export class ProjectedEndOfDaySchedule extends EndOfDaySchedule {
  constructor(private readonly readModels: ReadModels) {
    super();
  }

  /** End of day must see every account's latest facts: it waits longer than a query would. */
  async catchUp(): Promise<void> {
    await this.readModels.consistent(undefined, END_OF_DAY_CATCH_UP_TIMEOUT_MS);
  }

  async accountsDue(date: string, limit: number, afterAccountId: string | null): Promise<string[]> {
    return accountsDueForEndOfDay(this.readModels.db, date, limit, afterAccountId ?? '');
  }
}
