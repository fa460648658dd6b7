import type { ProjectionLag, ProjectionRunner } from '@ledger/projections';

export type ProjectionState = 'live' | 'rebuilding' | 'failed' | 'behind' | 'external' | 'stalled' | 'ahead';

/**
 * What readiness means for the read models, the same in the API and in the projector process. `runner`,
 * when this thread's runner is the one that follows the log, must be following it (not stopped by a
 * failed batch, not rebuilding: neither by `rebuild()` nor in the replay its start follows the log with,
 * `ProjectionRunner.replaying`); null when a worker thread (whose caller checks it) or a separate
 * projector follows it. Every projection must be within `maxLag` positions of the head. Caught up is
 * `live` when the projections are this process's own, `external` when a separate projector's.
 */
export function projectionState(runner: ProjectionRunner | null, lag: readonly ProjectionLag[], maxLag: number, caughtUp: 'live' | 'external'): { state: ProjectionState; ok: boolean } {
  const behind = lag.some((l) => l.lag > BigInt(maxLag));
  let state: ProjectionState;
  if (runner?.lastError) state = 'failed';
  else if (runner && (!runner.running || runner.replaying)) state = 'rebuilding';
  else if (behind) state = 'behind';
  else state = caughtUp;
  return { state, ok: state === 'live' || state === 'external' };
}

/** The projections' worker thread (LEDGER_PROJECTIONS=worker), as far as the gauges and health need it. */
export interface FollowingWorker {
  readonly running: boolean;
  readonly replaying: boolean;
  /** Why its last batch failed, while it waits to retry (the thread lives on); null when following. */
  readonly failure: string | null;
}

/**
 * Whether this process (or its projections worker thread) follows the log now, applying what comes: not
 * rebuilding, not stopped or waiting to retry after a failed batch. `/health`'s `running` and the
 * `ledger_projections_running` gauge both say this.
 */
export function followingLog(runner: Pick<ProjectionRunner, 'running' | 'replaying'>, worker: FollowingWorker | undefined): boolean {
  return worker ? worker.running && !worker.replaying && worker.failure === null : runner.running && !runner.replaying;
}
