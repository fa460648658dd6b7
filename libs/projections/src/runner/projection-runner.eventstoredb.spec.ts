import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { EventStore, StoredEvent } from '@ledger/event-store';
import { createEventStoreDbStore } from '@ledger/event-store/eventstoredb';
import { EsdbGrpcTestDouble } from '@ledger/event-store/eventstoredb/test-double/esdb-grpc-test-double';
import { createProjections } from '../projections/create-projections';
import { readModelFixture } from '../testing/read-model-fixture';
import { simulateRandomPortfolio } from '../testing/random-portfolio';
import { ProjectionRunner, ReadModelsOfAnotherLogError } from './projection-runner';

/** `events` appended in their order, with ids of their own (EventStoreDB wants UUIDs). */
async function copy(events: StoredEvent[], store: EventStore): Promise<void> {
  for (const stored of events) {
    const expected = stored.revision === 0n ? 'no_stream' : stored.revision - 1n;
    await store.append(stored.stream, expected, [
      { id: randomUUID(), type: stored.type, schemaVersion: stored.schemaVersion, data: stored.data, metadata: stored.metadata },
    ]);
  }
}

/**
 * EventStoreDB reads `$all` only from the start of a record, so the mark of read models built from
 * another log (a restore written to since) may be a position this log refuses to read from: checked
 * with the real client against the loopback gRPC test double, which refuses such positions as the server does.
 */
describe('a projection runner started on read models of another EventStoreDB log', () => {
  const doubles: EsdbGrpcTestDouble[] = [];
  const stores: EventStore[] = [];

  afterAll(async () => {
    for (const store of stores) await store.close();
    for (const double of doubles) await double.stop();
  });

  async function log(): Promise<{ double: EsdbGrpcTestDouble; store: EventStore }> {
    const double = await EsdbGrpcTestDouble.start();
    const store = createEventStoreDbStore(double.connectionString());
    doubles.push(double);
    stores.push(store);
    return { double, store };
  }

  it('refuses them as another log’s when that log holds no event at their mark, rather than fail on the read', async () => {
    const fixture = readModelFixture();
    await simulateRandomPortfolio(fixture.sim, { seed: 11, accounts: 2, lastDate: '2026-01-20' });
    const ledger = await fixture.store.readAll({ maxCount: 1_000_000 });
    const built = await log();
    await copy(ledger, built.store);
    const db = new Database(':memory:');
    const first = new ProjectionRunner({ store: built.store, database: db, projections: createProjections(), replayOrder: 'log' });
    await first.start();
    await first.waitFor(await built.store.headPosition(), 10_000);
    await first.close();
    const mark = db.prepare("SELECT position FROM projection_checkpoints WHERE name = '$log_mark'").safeIntegers(true).get() as { position: bigint };

    // Another log: the same ledger behind an event of another size, so its records start elsewhere, and
    // longer, so the read models are not ahead of it.
    const other = await log();
    await other.store.append(`system-${randomUUID()}`, 'any', [{ id: randomUUID(), type: 'Noted', schemaVersion: 1, data: { note: 'moved' } }]);
    await copy(ledger, other.store);
    expect(await other.store.headPosition()).toBeGreaterThan(await built.store.headPosition());
    expect(other.double.log.readableFrom(mark.position)).toBe(false);

    let failed!: (error: Error) => void;
    const failure = new Promise<Error>((resolve) => (failed = resolve));
    const runner = new ProjectionRunner({ store: other.store, database: db, projections: createProjections(), onError: failed });
    await runner.start();
    const error = await failure;
    expect(error).toBeInstanceOf(ReadModelsOfAnotherLogError);
    expect(runner.refusal()).toBeInstanceOf(ReadModelsOfAnotherLogError);
    await runner.close();
  }, 60_000);
});
