/**
 * `ledger rebuild [--projection name]`: empties one read model (or all) and replays the log into it,
 * with progress. Run it with the API stopped, or beside an API started with LEDGER_PROJECTIONS=0 and no
 * projector process on that file: two runners writing one read-model file would interleave their batches
 * (and each keeps caches of what it wrote).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Command, CommandRunner, Option } from 'nest-commander';
import { DEFAULT_TERMS_CATALOGUE } from '@ledger/credit';
import { createProjections, ProjectionRunner } from '@ledger/projections';
import { LedgerFiles } from '../ledger-files';
import { CliError, out, progress } from '../output';

interface RebuildOptions {
  projection?: string;
}

@Command({ name: 'rebuild', description: 'rebuild the read models (or one) from the event log' })
export class RebuildCommand extends CommandRunner {
  constructor(private readonly files: LedgerFiles) {
    super();
  }

  async run(_params: string[], options: RebuildOptions): Promise<void> {
    const projections = createProjections();
    if (options.projection !== undefined && !projections.some((p) => p.name === options.projection)) {
      throw new CliError(`no projection named ${options.projection}; known: ${projections.map((p) => p.name).join(', ')}`);
    }
    const path = this.files.config.readModelPath;
    mkdirSync(dirname(path), { recursive: true });
    const started = Date.now();
    await this.files.withStore(async (store) => {
      const runner = new ProjectionRunner({ store, database: path, projections, terms: DEFAULT_TERMS_CATALOGUE, stateCacheBytes: this.files.config.stateCacheBytes });
      const bar = progress(`rebuild ${options.projection ?? 'all'}`);
      try {
        await runner.rebuild(options.projection, (position, head, unit) => bar.update(position, head, unit));
      } finally {
        bar.stop();
        await runner.close();
      }
      out(`rebuilt ${options.projection ?? 'every projection'} up to position ${await store.headPosition()} in ${Date.now() - started} ms`);
    });
  }

  @Option({ flags: '--projection <name>', description: 'balances, accruals, statements, limit_reviews, portfolio, eod_schedule or business_days' })
  parseProjection(value: string): string {
    return value;
  }
}
