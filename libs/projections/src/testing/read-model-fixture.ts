/**
 * A runner over an in-memory event store and an in-memory read-model database, for specs.
 */
import Database from 'better-sqlite3';
import { type EventStore, MemoryEventStore } from '@ledger/event-store';
import { createProjections } from '../projections/create-projections';
import { ReadModelQueries } from '../queries/read-model-queries';
import type { Db, Projection } from '../runner/projection';
import { ProjectionRunner, type ProjectionRunnerOptions } from '../runner/projection-runner';
import { LedgerSimulation } from './ledger-simulation';

export function readModelFixture(options: Partial<ProjectionRunnerOptions> = {}) {
  const store = new MemoryEventStore({ now: () => new Date('2026-01-05T02:00:00Z') });
  const sim = new LedgerSimulation(store);
  const db: Db = (options.database as Db | undefined) ?? new Database(':memory:');
  const projections: readonly Projection[] = options.projections ?? createProjections();
  const runner = new ProjectionRunner({ store, database: db, projections, ...options });
  const queries = new ReadModelQueries(db);
  /** Runs the runner until it has applied everything in the store. */
  const catchUp = async () => {
    await runner.start();
    await runner.waitFor(await store.headPosition(), 10_000);
  };
  return { store, sim, db, runner, queries, catchUp };
}

/** Every read-model table, rows sorted, as text: two databases with equal dumps hold the same read models. */
export function dumpReadModels(db: Db, projections: readonly Projection[]): string {
  const lines: string[] = [];
  for (const p of projections) {
    for (const table of p.tables) {
      const rows = db.prepare(`SELECT * FROM ${table}`).all() as Record<string, unknown>[];
      lines.push(`# ${table}`, ...rows.map((r) => JSON.stringify(r)).sort());
    }
  }
  return lines.join('\n');
}

/**
 * Every table of a read-model file, the fold's and the runner's checkpoints included, rows sorted, as
 * text: two files with equal dumps hold the same rows, whatever order they were written in.
 */
export function dumpEveryTable(db: Db): string {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
  const row = (r: unknown[]) => JSON.stringify(r, (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value));
  return tables.map((table) => [`# ${table}`, ...(db.prepare(`SELECT * FROM ${table}`).raw(true).all() as unknown[][]).map(row).sort()].join('\n')).join('\n');
}

/** The read models a rebuild in the log's order leaves for `store` (the order before replays by account), dumped. */
export async function readModelsInLogOrder(store: EventStore): Promise<string> {
  const runner = new ProjectionRunner({ store, database: new Database(':memory:'), projections: createProjections(), replayOrder: 'log' });
  await runner.rebuild();
  const dump = dumpReadModels(runner.db, runner.projections);
  await runner.close();
  return dump;
}

/** How many account streams a spy on `readStream` saw read. */
export function accountStreamReads(spy: { mock: { calls: unknown[][] } }): number {
  return spy.mock.calls.filter(([stream]) => String(stream).startsWith('credit-account-')).length;
}
