/**
 * A split rebuild whose share process has failed stops its own share at the next batch, rather than
 * replaying it to the end before it looks at the others (`rebuild-cli.e2e.spec.ts` runs the real
 * processes; here the share process is one that failed at once, and the batches are one account each).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TERMS_CATALOGUE } from '@ledger/credit';
import { type EventStore, SqliteEventStore } from '@ledger/event-store';
import { type AccountShare, createProjections, ProjectionRunner } from '@ledger/projections';
import { LedgerSimulation } from '@ledger/projections/testing/ledger-simulation';
import { simulateRandomPortfolio } from '@ledger/projections/testing/random-portfolio';
import { loadConfig } from '@ledger/servicing';
import { LedgerFiles } from '../ledger-files';
import { CliError } from '../output';
import { RebuildCommand, type ShareProcess } from './rebuild.command';

class RebuildWithFailedShare extends RebuildCommand {
  readonly committed: number[] = [];
  readonly failure = new CliError('the process replaying share 2 of 2 ended with SIGKILL', 3);

  protected override runnerOn(store: EventStore, database: string): ProjectionRunner {
    return new ProjectionRunner({
      store,
      database,
      projections: createProjections(),
      terms: DEFAULT_TERMS_CATALOGUE,
      replayBatchAccounts: 1,
      onReplayCommitted: (done) => this.committed.push(done),
    });
  }

  protected override startShare(_share: AccountShare, _until: bigint, _into: string): ShareProcess {
    const done = Promise.reject(this.failure);
    done.catch(() => undefined);
    // Ended already: nothing for the command to stop.
    return { process: { exitCode: null, signalCode: 'SIGKILL' } as unknown as ChildProcess, done, failure: this.failure };
  }
}

describe('ledger rebuild --jobs, a share process failed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-rebuild-failed-'));
  const files = new LedgerFiles(loadConfig({ LEDGER_STORE: 'sqlite', LEDGER_SQLITE_PATH: join(dir, 'ledger.sqlite'), LOG_LEVEL: 'silent' }));

  beforeAll(async () => {
    const store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { synchronous: 'OFF' });
    await simulateRandomPortfolio(new LedgerSimulation(store), { seed: 11, accounts: 12, lastDate: '2026-03-10' });
    await store.close();
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('fails with its cause after the batch under way, leaving no read models and no scratch', async () => {
    const command = new RebuildWithFailedShare(files);
    await expect(command.run([], { jobs: 2 })).rejects.toBe(command.failure);
    // Six accounts of twelve are this share's, one a batch: it stopped after the first.
    expect(command.committed).toEqual([1]);
    expect(existsSync(join(dir, 'ledger.read-models.sqlite'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('.rebuild-'))).toEqual([]);
  });
});
