import type { ProjectionLag, ProjectionRunner } from '@ledger/projections';

export type ProjectionState = 'live' | 'rebuilding' | 'failed' | 'behind' | 'external';

/**
 * What readiness means for the read models, the same in the API and in the projector process: a runner
 * in this process must be following the log (not stopped by a failed batch, not rebuilding: neither by
 * `rebuild()` nor in the replay its start follows the log with, `ProjectionRunner.replaying`); and every
 * projection, here or in a separate projector (`enabled` false), within `maxLag` events of the head.
 */
export function projectionState(runner: ProjectionRunner, lag: readonly ProjectionLag[], maxLag: number, enabled: boolean): { state: ProjectionState; ok: boolean } {
  const behind = lag.some((l) => l.lag > BigInt(maxLag));
  let state: ProjectionState;
  if (enabled && runner.lastError) state = 'failed';
  else if (enabled && (!runner.running || runner.replaying)) state = 'rebuilding';
  else if (behind) state = 'behind';
  else state = enabled ? 'live' : 'external';
  return { state, ok: state === 'live' || state === 'external' };
}
