/**
 * The million-account benchmark's fixture (`bench/million.ts`): a portfolio of `accounts` opened over
 * `days` days from `start`, built as the main suite's fixtures are (`buildPortfolio`), then its read
 * models rebuilt into the file the API reads (`ledger.read-models.sqlite`).
 */
import { join } from 'node:path';
import { createProjections, ProjectionRunner } from '@ledger/projections';
import { main, phaseParams, progress } from '../lib/child';
import { buildLedger, type LedgerParams } from '../lib/portfolio-fixture';
import { msSince, round } from '../lib/stats';

main(async () => {
  const p = phaseParams<LedgerParams>();
  // A month of history: every day's progress.
  const { store, fixture, buildSeconds } = await buildLedger(p, 1);
  const runner = new ProjectionRunner({ store, database: join(p.dir, 'ledger.read-models.sqlite'), projections: createProjections() });
  const start = process.hrtime.bigint();
  // Reported once a batch of accounts commits: printed each time another 100,000 are done.
  let reported = 0n;
  await runner.rebuild(undefined, (position, head, unit) => {
    if (unit !== 'accounts' || position < reported + 100_000n) return;
    reported = position;
    progress(`rebuild: ${position}/${head} accounts`);
  });
  const rebuildSeconds = msSince(start) / 1000;
  await runner.close();
  await store.close();
  return {
    events: fixture.events,
    buildSeconds: round(buildSeconds, 1),
    rebuildSeconds: round(rebuildSeconds, 1),
    rebuildEventsPerSec: round(fixture.events / rebuildSeconds, 0),
  };
});
