import type { HealthIndicatorService } from '@nestjs/terminus';
import type { EventStore } from '@ledger/event-store';
import type { LedgerSettings } from '@ledger/servicing';
import type { ReadModels } from '../read-side/read-models';
import { LedgerHealth, type StoreProbe } from './ledger-health';
import { type FollowingWorker, followingLog } from './projection-state';
import { Stopping } from './stopping';
import { LedgerFileDamage } from '../http/errors';

/**
 * `/health`'s `running` and the `ledger_projections_running` gauge are one answer (`followingLog`): with
 * the worker thread alive and its batches failing, health said `running: true` while the gauge said 0.
 */
describe('the projections health probe', () => {
  const store: StoreProbe = { reachable: true, head: 10n, error: null };
  const runner = { running: false, replaying: false, lastError: undefined, lag: async (head: bigint) => [{ projection: 'balances', position: 8n, head, lag: head - 8n }] };
  const probeWith = (worker: FollowingWorker) => {
    const readModels = { runner, worker, aheadOfLog: async () => null } as unknown as ReadModels;
    const settings = { config: { projections: true, readyMaxLag: 1000 } } as unknown as LedgerSettings;
    return new LedgerHealth({} as HealthIndicatorService, {} as EventStore, readModels, settings, new Stopping(), new LedgerFileDamage()).probeProjections(store);
  };

  it('says a worker thread whose batch failed is not running, as the gauge does', async () => {
    const worker = { running: true, replaying: false, failure: 'SQLITE_FULL: database or disk is full' };
    await expect(probeWith(worker)).resolves.toMatchObject({ state: 'failed', ok: false, running: false, error: worker.failure });
    expect(followingLog(runner, worker)).toBe(false);
  });

  it('says a worker thread that follows the log is running', async () => {
    const worker = { running: true, replaying: false, failure: null };
    await expect(probeWith(worker)).resolves.toMatchObject({ state: 'live', ok: true, running: true, error: null });
    expect(followingLog(runner, worker)).toBe(true);
  });

  it('says a worker thread replaying the read models at its start is not running yet', async () => {
    await expect(probeWith({ running: true, replaying: true, failure: null })).resolves.toMatchObject({ state: 'rebuilding', running: false });
  });
});
