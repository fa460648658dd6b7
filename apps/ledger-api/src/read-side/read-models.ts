/**
 * The read models as the API uses them: the projection runner (started with the app unless this process
 * runs with LEDGER_PROJECTIONS=0 beside a separate projector) and read-your-writes consistency.
 *
 * A query waits until the projections have applied every event appended before it arrived (bounded),
 * so a client never reads a balance older than its own last command. `consistency=eventual` skips it.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Injectable, type OnApplicationBootstrap, type OnApplicationShutdown, Logger } from '@nestjs/common';
import { TermsCatalogue } from '@ledger/credit';
import { EventStore } from '@ledger/event-store';
import { accountsDueForEndOfDay, createProjections, type Db, ProjectionRunner } from '@ledger/projections';
import { EndOfDaySchedule, LedgerSettings } from '@ledger/servicing';
import { ApiError } from '../http/errors';

const CONSISTENCY_TIMEOUT_MS = 5_000;

@Injectable()
export class ReadModels implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly runner: ProjectionRunner;
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
      onError: (error) => this.logger.error(`projection batch failed; retrying from the checkpoint in 1 s: ${error.message}`),
      retryAfterMs: 1_000,
      onRebuildProgress: (position, head) => this.logger.log(`rebuilding projections: ${position}/${head}`),
    });
  }

  get db(): Db {
    return this.runner.db;
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.settings.config.projections) await this.runner.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runner.close();
  }

  /** Waits until the read models have caught up with `position`, or with the head when none is given. */
  async consistent(position?: bigint): Promise<void> {
    if (!this.settings.config.projections) return;
    // A failed subscription must not turn into silently stale answers.
    if (this.runner.lastError && !this.runner.running) {
      throw new ApiError(503, { error: 'PROJECTIONS_UNAVAILABLE', message: `the read models stopped: ${this.runner.lastError.message}`, details: [] });
    }
    if (!this.runner.running) return;
    const target = position ?? (await this.store.headPosition());
    await this.runner.waitFor(target, CONSISTENCY_TIMEOUT_MS);
  }
}

/** End of day finds its accounts in the eod_schedule read model, never by scanning every stream. */
@Injectable()
export class ProjectedEndOfDaySchedule extends EndOfDaySchedule {
  constructor(private readonly readModels: ReadModels) {
    super();
  }

  async catchUp(): Promise<void> {
    await this.readModels.consistent();
  }

  async accountsDue(date: string, limit: number, afterAccountId: string | null): Promise<string[]> {
    return accountsDueForEndOfDay(this.readModels.db, date, limit, afterAccountId ?? '');
  }
}
