/**
 * The projection runner of a process or thread that only keeps the read models (the projector process,
 * the API's projections worker): on its own connection to the log named by the configuration, writing
 * the configured read-model file, with every projection and the default terms.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_TERMS_CATALOGUE } from '@ledger/credit';
import type { EventStore, SqliteEventStoreOptions } from '@ledger/event-store';
import { createProjections, ProjectionRunner, type ProjectionRunnerOptions } from '@ledger/projections';
import { createLedgerEventStore, type LedgerConfig } from '@ledger/servicing';

export type ProjectorHooks = Pick<ProjectionRunnerOptions, 'retryAfterMs' | 'onError' | 'onCommitted' | 'onReplayCommitted' | 'onReplaying' | 'onStarted' | 'onRebuildProgress' | 'onRebuildPlan'>;

/** A rebuild's progress as the API's log shows it, whether the projections run on its main thread or in its worker. */
export function rebuildProgressLine(position: bigint, head: bigint, unit: 'positions' | 'accounts'): string {
  return `rebuilding projections: ${position}/${head} ${unit}`;
}

/** What a start replays before it follows the log, and why: which read models, their versions (an upgrade's), a new file. */
export function rebuildPlanLine(reasons: string[]): string {
  return `rebuilding read models before following the log: ${reasons.join('; ')}`;
}

export async function openProjectorRunner(
  config: LedgerConfig,
  hooks: ProjectorHooks,
  storeOptions: SqliteEventStoreOptions = {},
): Promise<{ store: EventStore; runner: ProjectionRunner }> {
  const store = await createLedgerEventStore(config, storeOptions);
  mkdirSync(dirname(config.readModelPath), { recursive: true });
  const runner = new ProjectionRunner({ store, database: config.readModelPath, projections: createProjections(), terms: DEFAULT_TERMS_CATALOGUE, stateCacheBytes: config.stateCacheBytes, ...hooks });
  return { store, runner };
}
