import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type EventStore, SqliteEventStore } from '@ledger/event-store';
import { createEventStoreDbStore } from '@ledger/event-store/eventstoredb';
import { EsdbGrpcTestDouble } from '@ledger/event-store/eventstoredb/test-double/esdb-grpc-test-double';
import { createProjections } from '../projections/create-projections';
import { accountStreamReads, dumpReadModels, readModelFixture, readModelsInLogOrder } from '../testing/read-model-fixture';
import { simulateRandomPortfolio } from '../testing/random-portfolio';
import { ProjectionRunner } from './projection-runner';

/** A ledger written in memory, copied event by event in the log's order (EventStoreDB wants UUID ids). */
async function copyLedger(store: EventStore): Promise<void> {
  const fixture = readModelFixture();
  await simulateRandomPortfolio(fixture.sim, { seed: 99, accounts: 6, lastDate: '2026-03-05' });
  for (const stored of await fixture.store.readAll({ maxCount: 1_000_000 })) {
    const expected = stored.revision === 0n ? 'no_stream' : stored.revision - 1n;
    await store.append(stored.stream, expected, [{ id: randomUUID(), type: stored.type, schemaVersion: stored.schemaVersion, data: stored.data, metadata: stored.metadata }]);
  }
}


describe('a replay account by account on the SQLite adapter', () => {
  let dir: string;
  let store: SqliteEventStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'replay-'));
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'));
    await copyLedger(store);
  }, 60_000);

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves the tables a replay in the log’s order leaves, listing its accounts without reading the log', async () => {
    const expected = await readModelsInLogOrder(store);
    const log = jest.spyOn(store, 'readAll');
    const streams = jest.spyOn(store, 'readStream');
    const withoutMetadata = jest.spyOn(store, 'readStreamData');
    const byAccount = new ProjectionRunner({ store, database: new Database(':memory:'), projections: createProjections(), replayBatchSize: 100 });
    await byAccount.rebuild();
    expect(log).not.toHaveBeenCalled();
    // Each account's stream once, without its metadata (which no projection reads).
    expect(accountStreamReads(withoutMetadata)).toBe(6);
    expect(accountStreamReads(streams)).toBe(0);
    expect(dumpReadModels(byAccount.db, byAccount.projections)).toBe(expected);
    await byAccount.close();
  });
});

/**
 * A replay by account reads each account's stream and compares its events' positions with the end of
 * the replay, which it took from the log. On EventStoreDB positions are `$all` commit positions, with
 * gaps: checked with the real client against the loopback gRPC test double.
 */
describe('a replay account by account on the EventStoreDB adapter (against the loopback gRPC test double)', () => {
  let double: EsdbGrpcTestDouble;
  let store: EventStore;

  beforeAll(async () => {
    double = await EsdbGrpcTestDouble.start();
    store = createEventStoreDbStore(double.connectionString());
    await copyLedger(store);
  }, 60_000);

  afterAll(async () => {
    await store.close();
    await double.stop();
  });

  it('leaves the tables a replay in the log’s order leaves, with commit positions for positions', async () => {
    const expected = await readModelsInLogOrder(store);

    const streams = jest.spyOn(store, 'readStream');
    const byAccount = new ProjectionRunner({ store, database: new Database(':memory:'), projections: createProjections(), replayBatchSize: 100 });
    await byAccount.rebuild();
    expect(accountStreamReads(streams)).toBe(6);
    expect(dumpReadModels(byAccount.db, byAccount.projections)).toBe(expected);
    const head = await store.headPosition();
    const events = (await store.readAll({ maxCount: 1_000_000 })).length;
    expect(head).toBeGreaterThan(BigInt(events));
    const checkpoints = byAccount.db.prepare('SELECT DISTINCT position FROM projection_checkpoints').all() as { position: number }[];
    expect(checkpoints.map((row) => BigInt(row.position))).toEqual([head]);
    await byAccount.close();
  });
});
