import Database from 'better-sqlite3';
import { createProjections } from '../projections/create-projections';
import { accountStreamReads, dumpReadModels, readModelFixture, readModelsInLogOrder } from '../testing/read-model-fixture';
import { simulateRandomPortfolio } from '../testing/random-portfolio';
import type { Db, Projection, ProjectionEvent, Statement } from './projection';
import { ProjectionLagTimeoutError } from './position-waiters';
import type { EventStore, StoredEvent } from '@ledger/event-store';
import { byDistinctAccounts, DEFAULT_STATE_CACHE_BYTES, ProjectionRunner, ReadModelsAheadOfLogError, ReadModelsOfAnotherLogError, stateCacheBounds } from './projection-runner';
import { ACCOUNT_STATE_TABLE, AccountStateFold, FOLD_VERSION } from './account-state-fold';
import { BUSINESS_DAYS_STREAM, decodeLedgerEvent } from './ledger-streams';
import { Lane } from './lane';
import { Checkpoints, projectionsAppliedPosition } from './checkpoints';
import { approximateStateBytes, asStoredBefore6, drawShardBefore6, headBefore6, StoredShard, type CreditAccountEvent, DEFAULT_TERMS_CATALOGUE, type CreditAccountState, deserializeState, evolve, initialState, serializeState, STATE_SCHEMA_VERSION } from '@ledger/credit';

/** The portfolio projection's version in this build: the tests that bump it go one past it. */
const PORTFOLIO = createProjections().find((p) => p.name === 'portfolio')!.version;
const BALANCES = createProjections().find((p) => p.name === 'balances')!.version;

/** Records every event it sees, by position; a second application of one position fails the primary key. */
class EventLogProjection implements Projection {
  readonly name = 'event_log';
  readonly tables = ['event_log'];
  readonly ddl = ['CREATE TABLE IF NOT EXISTS event_log (position INTEGER PRIMARY KEY, type TEXT NOT NULL)'];
  private insert!: Statement;
  failAt: bigint | null = null;
  constructor(readonly version = 1) {}
  prepare(db: Db): void {
    this.insert = db.prepare('INSERT INTO event_log (position, type) VALUES (?, ?)');
  }
  apply(event: ProjectionEvent): void {
    if (event.stored.position === this.failAt) throw new Error(`failing at ${this.failAt}`);
    this.insert.run(event.stored.position, event.stored.type);
  }
}

/** Polls every `everyMs` until `done` holds (jest's timeout bounds the wait). */
async function until(done: () => boolean, everyMs = 1): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, everyMs));
}

/**
 * A random portfolio and a runner over it. The runner follows the log in its order from the start (a
 * start on empty read models otherwise replays by account first), since these tests are about following
 * the log: its batches, its tails and its failures. The replays by account have their own tests below.
 */
async function portfolio(options: Parameters<typeof readModelFixture>[0] = {}) {
  const fixture = readModelFixture({ replayOrder: 'log', ...options });
  await simulateRandomPortfolio(fixture.sim, { seed: 7, accounts: 6, lastDate: '2026-04-03' });
  return fixture;
}

/**
 * A runner started with `options`, once the replay its start follows the log with has failed (`start()`
 * resolves before that replay: it reports its failure to `onError`), with that failure.
 */
async function failedStart(options: ConstructorParameters<typeof ProjectionRunner>[0]): Promise<{ runner: ProjectionRunner; error: Error }> {
  let failed!: (error: Error) => void;
  const failure = new Promise<Error>((resolve) => (failed = resolve));
  const runner = new ProjectionRunner({ ...options, onError: failed });
  await runner.start();
  return { runner, error: await failure };
}

/** A portfolio followed live to its head in batches of 10, the runner closed: its database, store, head and read models. */
async function followedToHead() {
  const { runner, db, store } = await portfolio({ batchSize: 10 });
  const head = await store.headPosition();
  await runner.start();
  await runner.waitFor(head, 10_000);
  await runner.close();
  return { db, store, head, expected: dumpReadModels(db, createProjections()) };
}

describe('the projection runner', () => {
  it('rebuilds from scratch into byte-identical read models', async () => {
    const { runner, db, catchUp, store } = await portfolio({ batchSize: 250 });
    await catchUp();
    const live = dumpReadModels(db, runner.projections);
    const progress: bigint[] = [];
    await runner.rebuild(undefined, (position) => progress.push(position));
    expect(dumpReadModels(db, runner.projections)).toBe(live);
    expect(progress[progress.length - 1]).toBe(await store.headPosition());

    const fresh = new Database(':memory:');
    const other = new ProjectionRunner({
      store,
      database: fresh,
      projections: createProjections(),
      batchSize: 13,
      stateCacheSize: 2,
    });
    await other.start();
    await other.waitFor(await store.headPosition(), 10_000);
    expect(dumpReadModels(fresh, other.projections)).toBe(live);

    // A replay cut into batches of at most two accounts each builds the same tables.
    const narrow = new ProjectionRunner({ store, database: new Database(':memory:'), projections: createProjections(), replayBatchAccounts: 2 });
    await narrow.rebuild();
    expect(dumpReadModels(narrow.db, narrow.projections)).toBe(live);
    // So does one whose batches are cut by a byte bound of a few states (half of a 64 KB cache).
    const light = new ProjectionRunner({ store, database: new Database(':memory:'), projections: createProjections(), stateCacheBytes: 64 * 1024 });
    await light.rebuild();
    expect(dumpReadModels(light.db, light.projections)).toBe(live);
    await Promise.all([runner.close(), other.close(), narrow.close(), light.close()]);
  });

  it('serves the event loop between the batches of a rebuild, so Ctrl-C or a request is not held until its end', async () => {
    const { store } = await portfolio();
    const runner = new ProjectionRunner({ store, database: new Database(':memory:'), projections: createProjections(), replayBatchAccounts: 2 });
    let turns = 0;
    let rebuilding = true;
    const turn = () => {
      if (!rebuilding) return;
      turns++;
      setImmediate(turn);
    };
    setImmediate(turn);
    await runner.rebuild();
    rebuilding = false;
    // Six accounts in batches of two: the loop turns between them.
    expect(turns).toBeGreaterThanOrEqual(3);
    await runner.close();
  });

  it('holds more account states for a larger budget, unless told how many', () => {
    const mib = 2 ** 20;
    expect(stateCacheBounds({})).toEqual({ entries: 10_000, bytes: DEFAULT_STATE_CACHE_BYTES });
    // LEDGER_STATE_CACHE_MB=8192 (`ledger rebuild` given the memory for a large ledger): 10,000 states a 96 MiB.
    expect(stateCacheBounds({ stateCacheBytes: 8192 * mib })).toEqual({ entries: 853_333, bytes: 8192 * mib });
    expect(stateCacheBounds({ stateCacheBytes: 192 * mib }).entries).toBe(20_000);
    // A smaller budget bounds the cache by its bytes; the count stays at the default.
    expect(stateCacheBounds({ stateCacheBytes: 8 * mib }).entries).toBe(10_000);
    expect(stateCacheBounds({ stateCacheSize: 2, stateCacheBytes: 8192 * mib })).toEqual({ entries: 2, bytes: 8192 * mib });
  });

  it('cuts a replay page into runs of at most the given number of accounts, keeping the order', () => {
    const event = (position: number, stream: string) => ({ position: BigInt(position), stream }) as StoredEvent;
    const page = [event(1, 'credit-account-a'), event(2, 'credit-account-b'), event(3, 'credit-account-a'), event(4, 'ledger-business-days'), event(5, 'credit-account-c'), event(6, 'credit-account-b'), event(7, 'credit-account-d')];
    const runs = byDistinctAccounts(page, { accounts: 2 }).map((run) => run.map((e) => Number(e.position)));
    expect(runs).toEqual([[1, 2, 3, 4], [5, 6], [7]]);
    expect(byDistinctAccounts(page, { accounts: 10 })).toEqual([page]);
    expect(byDistinctAccounts([], { accounts: 2 })).toEqual([]);
  });

  it('also cuts a run once its accounts weigh more than the byte bound, asking each account’s weight once a run', () => {
    const event = (position: number, stream: string) => ({ position: BigInt(position), stream }) as StoredEvent;
    const page = [event(1, 'credit-account-a'), event(2, 'credit-account-b'), event(3, 'credit-account-a'), event(4, 'ledger-business-days'), event(5, 'credit-account-c'), event(6, 'credit-account-b'), event(7, 'credit-account-d')];
    const weights: Record<string, number> = { 'credit-account-a': 3, 'credit-account-b': 3, 'credit-account-c': 5, 'credit-account-d': 1 };
    const asked: string[] = [];
    const weigh = (stream: string) => {
      asked.push(stream);
      return weights[stream];
    };
    const positions = (runs: StoredEvent[][]) => runs.map((run) => run.map((e) => Number(e.position)));
    expect(positions(byDistinctAccounts(page, { accounts: 10, bytes: 6, weigh }))).toEqual([[1, 2, 3, 4], [5], [6, 7]]);
    expect(asked).toEqual(['credit-account-a', 'credit-account-b', 'credit-account-c', 'credit-account-b', 'credit-account-d']);
    // An account heavier than the whole bound still gets a run of its own.
    weights['credit-account-c'] = 100;
    expect(positions(byDistinctAccounts(page, { accounts: 10, bytes: 6, weigh }))).toEqual([[1, 2, 3, 4], [5], [6, 7]]);
    // The account bound still applies when the weights are light.
    expect(positions(byDistinctAccounts(page, { accounts: 1, bytes: 1_000, weigh }))).toEqual([[1], [2], [3, 4], [5], [6], [7]]);
  });

  it('estimates a cached account by its own weight and any other by the fallback, for cutting replay batches', () => {
    const fold = new AccountStateFold(new Database(':memory:'), 'estimate_state', { entries: 10, bytes: 1_000_000 });
    expect(fold.estimatedBytes('acc-1', 7)).toBe(7);
    const { after: state } = fold.apply('acc-1', { type: 'PayScoreUpdated', data: { on: '2026-01-02', payScore: 700 } } satisfies CreditAccountEvent, 1n);
    fold.commit('none');
    expect(fold.estimatedBytes('acc-1', 7)).toBe(approximateStateBytes(state));
    expect(fold.estimatedBytes('acc-2', 7)).toBe(7);
  });

  it('rebuilds one projection while the others keep their checkpoints', async () => {
    const { runner, db, catchUp } = await portfolio();
    await catchUp();
    const before = dumpReadModels(db, runner.projections);
    db.exec("UPDATE balances SET total_owed = 'corrupted'");
    const others = "SELECT name, position FROM projection_checkpoints WHERE name NOT IN ('balances') AND name NOT LIKE '$%' ORDER BY name";
    const checkpoints = db.prepare(others).all();
    await runner.rebuild('balances');
    expect(dumpReadModels(db, runner.projections)).toBe(before);
    expect(db.prepare(others).all()).toEqual(checkpoints);
    expect((await runner.lag()).every((l) => l.lag === 0n && l.head === l.position)).toBe(true);
    expect(
      db.prepare("SELECT name FROM sqlite_master WHERE name LIKE 'projection_rebuild_state%'").all(),
    ).toEqual([]);
    await runner.close();
  });

  it('rebuilds a projection whose version changed when it starts', async () => {
    const { runner, db, catchUp, store } = await portfolio();
    await catchUp();
    await runner.close();
    const before = dumpReadModels(db, runner.projections);
    const projections = createProjections();
    const balances = projections.find((p) => p.name === 'balances')!;
    Object.defineProperty(balances, 'version', { value: BALANCES + 1 });
    db.exec("UPDATE balances SET total_owed = 'stale'");
    const plans: string[][] = [];
    const restarted = new ProjectionRunner({ store, database: db, projections, onRebuildPlan: (reasons) => plans.push(reasons) });
    await restarted.start();
    // It says which read model it replays and why, once: an upgrade's first start is slower for it.
    expect(plans).toEqual([[`balances: version ${BALANCES} to ${BALANCES + 1}`]]);
    // The rebuild is the first part of following the log: start() has not waited for it.
    expect({ running: restarted.running, replaying: restarted.replaying }).toEqual({ running: true, replaying: true });
    await restarted.waitFor(await store.headPosition(), 10_000);
    await until(() => !restarted.replaying);
    expect(dumpReadModels(db, projections)).toBe(before);
    expect(db.prepare("SELECT version FROM projection_checkpoints WHERE name = 'balances'").get()).toEqual({
      version: BALANCES + 1,
    });
    await restarted.close();
  });

  it('says a new version that adds a table, and a read model new to the file, as what they are, and a lost table as lost', async () => {
    const { runner, db, catchUp, store } = await portfolio();
    await catchUp();
    await runner.close();
    // As the build before this one left the file: the portfolio at the version before, without the table
    // its version added, and no journal at all.
    const portfolioVersion = createProjections().find((p) => p.name === 'portfolio')!.version;
    db.exec('DROP TABLE portfolio_roll_from; DROP TABLE journal_days; DROP TABLE limit_reviews');
    db.prepare("UPDATE projection_checkpoints SET version = ? WHERE name = 'portfolio'").run(portfolioVersion - 1);
    db.prepare("DELETE FROM projection_checkpoints WHERE name = 'journal'").run();
    const plans: string[][] = [];
    const restarted = new ProjectionRunner({ store, database: db, projections: createProjections(), onRebuildPlan: (reasons) => plans.push(reasons) });
    await restarted.start();
    expect(plans).toEqual([[`limit_reviews: its tables were missing`, `portfolio: version ${portfolioVersion - 1} to ${portfolioVersion}`, 'journal: new']]);
    await restarted.waitFor(await store.headPosition(), 10_000);
    await until(() => !restarted.replaying);
    await restarted.close();
  });

  it('keeps its account states and read models across an upgrade from state version 3, 4 or 5, and starts over from older ones', async () => {
    const foldVersions = (db: Database.Database) => {
      const version = (name: string) => (db.prepare('SELECT version FROM projection_checkpoints WHERE name = ?').get(name) as { version: number } | undefined)?.version ?? null;
      return { foldVersion: version('$projection_account_state'), oldestRows: version('$projection_account_state:oldest') };
    };
    const restart = async (storedVersion: number, storedOldest?: number) => {
      const { runner, db, catchUp, store, sim } = await portfolio();
      await catchUp();
      await runner.close();
      // The table as version 3 wrote it: each shard index an object keyed by shard, no unbilled-draw list.
      // (Version 4 wrote each record as an array of its parsed shards; version 5 as their text. All three
      // kept each draw's placement and unbilled share in the draw.)
      const parsed = (stored: { $shards: (string | null)[] }) => stored.$shards.map((shard) => (shard === null ? null : JSON.parse(shard)));
      const keyed = (stored: { $shards: (string | null)[] }) => Object.fromEntries(parsed(stored).flatMap((shard, i) => (shard ? [[`s${i}`, shard]] : [])));
      if (storedVersion === 205) {
        // Version 5 kept shards apart, as this build does (layout 2), with tails: its heads and its rows of draws rewritten.
        const heads = db.prepare(`SELECT account_id, state_json FROM ${ACCOUNT_STATE_TABLE}`).all() as { account_id: string; state_json: string }[];
        const drawRows = db.prepare(`SELECT account_id, shard, text FROM ${ACCOUNT_STATE_TABLE}_shard WHERE field = 1`).all() as { account_id: string; shard: number; text: string }[];
        expect(drawRows.length).toBeGreaterThan(heads.length);
        expect(db.prepare(`SELECT count(*) AS n FROM ${ACCOUNT_STATE_TABLE}_tail`).get()).not.toEqual({ n: 0 });
        const headOf = new Map(heads.map((row) => [row.account_id, JSON.parse(row.state_json)]));
        for (const row of drawRows) {
          db.prepare(`UPDATE ${ACCOUNT_STATE_TABLE}_shard SET text = ? WHERE account_id = ? AND field = 1 AND shard = ?`).run(drawShardBefore6(row.text, headOf.get(row.account_id)), row.account_id, row.shard);
        }
        // Version 5 kept the repayment references in the head, not in rows of their own.
        const repaymentRows = db.prepare(`SELECT account_id, shard, text FROM ${ACCOUNT_STATE_TABLE}_shard WHERE field = 2`).all() as { account_id: string; shard: number; text: string }[];
        expect(repaymentRows.length).toBeGreaterThan(0);
        for (const [id, head] of headOf) {
          const repayments = repaymentRows.filter((row) => row.account_id === id).map((row) => row.text);
          db.prepare(`UPDATE ${ACCOUNT_STATE_TABLE} SET state_json = ? WHERE account_id = ?`).run(JSON.stringify(headBefore6(head, repayments)), id);
        }
        db.exec(`DELETE FROM ${ACCOUNT_STATE_TABLE}_shard WHERE field = 2`);
      } else {
        // A version 3 table has no tails: every row holds its account's whole state.
        await writeWhole(db, ACCOUNT_STATE_TABLE, store);
        const rows = db.prepare(`SELECT account_id, state_json FROM ${ACCOUNT_STATE_TABLE}`).all() as { account_id: string; state_json: string }[];
        expect(rows.length).toBeGreaterThan(0);
        for (const row of rows) {
          const { unbilledDrawIds, ...state } = asStoredBefore6(JSON.parse(row.state_json));
          expect(Array.isArray(unbilledDrawIds)).toBe(true);
          const rowAs = storedVersion % 100 === 4 ? { ...state, unbilledDrawIds, orders: parsed(state.orders), draws: parsed(state.draws) } : { ...state, orders: keyed(state.orders), draws: keyed(state.draws) };
          db.prepare(`UPDATE ${ACCOUNT_STATE_TABLE} SET state_json = ? WHERE account_id = ?`).run(JSON.stringify(rowAs), row.account_id);
        }
      }
      db.exec(`UPDATE projection_checkpoints SET version = ${storedVersion} WHERE name = '$projection_account_state'`);
      if (storedOldest !== undefined) db.prepare("INSERT INTO projection_checkpoints (name, version, position) VALUES ('$projection_account_state:oldest', ?, 0)").run(storedOldest);
      db.exec("UPDATE balances SET total_owed = 'kept' WHERE account_id = 'acc-000'");
      const restarted = new ProjectionRunner({ store, database: db, projections: createProjections(), stateCacheSize: 2 });
      await restarted.start();
      await restarted.waitFor(await store.headPosition(), 10_000);
      const kept = (db.prepare("SELECT count(*) AS n FROM balances WHERE total_owed = 'kept'").get() as { n: number }).n === 1;
      // More business: every account's state is read back from the table (the cache holds two).
      for (const id of ['acc-000', 'acc-001', 'acc-002', 'acc-003', 'acc-004']) await sim.attempt(id, { type: 'RequestDraw', orderId: `after-${id}`, merchant: 'm', amount: '12.34', authentication: { method: 'PASSWORD', passed: true } });
      await sim.closeDaysThrough('2026-05-02');
      await restarted.waitFor(await store.headPosition(), 10_000);
      await restarted.close();
      const fresh = readModelFixture({ database: new Database(':memory:') });
      const scratch = new ProjectionRunner({ store, database: fresh.db, projections: createProjections() });
      await scratch.start();
      await scratch.waitFor(await store.headPosition(), 10_000);
      await scratch.close();
      // acc-000 drew again, so its marked row was written anew.
      // And the states the table holds, kept rows and rows written since, read back as a fold of the streams.
      const stored = await storedStates(db, ACCOUNT_STATE_TABLE, store);
      const folded = await streamStates(store);
      const statesAsFolded = stored.size === folded.size && [...folded].every(([id, text]) => stored.get(id) === text);
      // The accounts changed since hold rows of this version: a row converted as it was read is written again whole.
      const changed = ['acc-000', 'acc-001', 'acc-002', 'acc-003', 'acc-004'];
      const rowsOfThisVersion = changed.filter((id) => (db.prepare(`SELECT state_json FROM ${ACCOUNT_STATE_TABLE} WHERE account_id = ?`).get(id) as { state_json: string }).state_json.includes('"unbilledDraws"')).length;
      return { kept, sameAsScratch: dumpReadModels(db, restarted.projections) === dumpReadModels(fresh.db, createProjections()) && statesAsFolded, rowsOfThisVersion, ...foldVersions(db) };
    };
    // Kept: the marker row stays and everything else matches a rebuild. The checkpoint takes the version
    // of the rows written since (so the version 3 build, rolled back to, resets), and a second row keeps
    // version 3 as the oldest a row may have (so a build that no longer reads 3 resets too).
    expect(await restart(3)).toEqual({ kept: true, sameAsScratch: true, rowsOfThisVersion: 5, foldVersion: FOLD_VERSION, oldestRows: 3 });
    // The same from the tails' first build, state version 4 (each record an array of parsed shards).
    expect(await restart(104)).toEqual({ kept: true, sameAsScratch: true, rowsOfThisVersion: 5, foldVersion: FOLD_VERSION, oldestRows: 104 });
    // And from the build before state version 6, which kept shards apart (layout 2).
    expect(await restart(205)).toEqual({ kept: true, sameAsScratch: true, rowsOfThisVersion: 5, foldVersion: FOLD_VERSION, oldestRows: 205 });
    expect(await restart(2)).toEqual({ kept: false, sameAsScratch: true, rowsOfThisVersion: 5, foldVersion: FOLD_VERSION, oldestRows: null });
    // Rows of an unreadable version left in a table whose checkpoint is current: reset as well.
    expect(await restart(STATE_SCHEMA_VERSION, 2)).toEqual({ kept: false, sameAsScratch: true, rowsOfThisVersion: 5, foldVersion: FOLD_VERSION, oldestRows: null });
  });

  it('applies neither rows nor checkpoint of a batch in which a projection throws, and resumes without applying anything twice', async () => {
    const logProjection = new EventLogProjection();
    const errors: Error[] = [];
    const { runner, db, store } = await portfolio({
      projections: [...createProjections(), logProjection],
      batchSize: 50,
      onError: (e) => errors.push(e),
    });
    const head = await store.headPosition();
    logProjection.failAt = 120n;
    await runner.start();
    await until(() => errors.length !== 0);
    await expect(runner.waitFor(head, 50)).rejects.toBeInstanceOf(ProjectionLagTimeoutError);
    expect(errors.map((e) => e.message)).toEqual(['failing at 120']);
    expect(runner.running).toBe(false);
    const checkpoints = db.prepare("SELECT DISTINCT position FROM projection_checkpoints WHERE name NOT LIKE '$%'").all();
    expect(checkpoints).toEqual([{ position: 100 }]);
    // Following the log, the fold is stored with every batch (as tails): its checkpoint is the projections'.
    const fold = db.prepare("SELECT position FROM projection_checkpoints WHERE name = '$projection_account_state'").get() as { position: number };
    expect(fold.position).toBe(100);
    expect(db.prepare('SELECT MAX(position) AS last, COUNT(*) AS n FROM event_log').get()).toEqual({
      last: 100,
      n: 100,
    });
    expect(
      (db.prepare('SELECT MAX(updated_position) AS last FROM balances').get() as { last: number }).last,
    ).toBeLessThanOrEqual(100);

    logProjection.failAt = null;
    await runner.start();
    await runner.waitFor(head, 10_000);
    expect(db.prepare('SELECT COUNT(*) AS n FROM event_log').get()).toEqual({ n: Number(head) });

    const fresh = new ProjectionRunner({
      store,
      database: new Database(':memory:'),
      projections: createProjections(),
    });
    await fresh.start();
    await fresh.waitFor(head, 10_000);
    expect(dumpReadModels(db, createProjections())).toBe(dumpReadModels(fresh.db, createProjections()));
    await Promise.all([runner.close(), fresh.close()]);
  });

  it('resolves waitFor once every projection has applied the position, for live appends too', async () => {
    const { runner, sim, store, queries } = readModelFixture();
    await runner.start();
    await sim.open('acc-9');
    const events = await sim.draw('acc-9', 'o-1', '88.00');
    expect(events).toHaveLength(1);
    await runner.waitFor(await store.headPosition(), 5_000);
    expect(queries.getAccount('acc-9')?.owed.revolvingUnbilled).toBe('88.00');
    expect(runner.processedPosition()).toBe(await store.headPosition());
    await runner.close();
  });

  it('moves its checkpoint past events of streams it does not know', async () => {
    const { runner, store, db } = readModelFixture();
    await store.append('ledger-idempotency-x', 'no_stream', [
      { id: 'i-1', type: 'CommandRecorded', schemaVersion: 1, data: {} },
    ]);
    await runner.start();
    await runner.waitFor(1n, 5_000);
    expect(db.prepare("SELECT position FROM projection_checkpoints WHERE name = 'balances'").get()).toEqual({
      position: 1,
    });
    await runner.close();
  });

  it('resumes an interrupted rebuild from its own checkpoint', async () => {
    const { runner, db, store } = await portfolio({
      projections: [...createProjections(), new EventLogProjection()],
      batchSize: 50,
    });
    const head = await store.headPosition();
    await runner.start();
    await runner.waitFor(head, 10_000);
    await runner.close();

    const changed = new EventLogProjection(2);
    changed.failAt = 120n;
    const { runner: restarted, error } = await failedStart({
      store,
      database: db,
      projections: [...createProjections(), changed],
      batchSize: 50,
      replayBatchSize: 50,
      foldWrites: { maxEvents: 1, eventsPerState: 1 },
    });
    expect(error.message).toBe('failing at 120');
    expect(
      db
        .prepare(
          "SELECT position FROM projection_checkpoints WHERE name IN ('event_log', '$projection_rebuild_state')",
        )
        .all(),
    ).toEqual([{ position: 100 }, { position: 100 }]);
    changed.failAt = null;
    const mark = db.prepare("SELECT position FROM projection_checkpoints WHERE name = '$log_mark'").get() as { position: number };
    const reads: bigint[] = [];
    const readAll = store.readAll.bind(store);
    jest.spyOn(store, 'readAll').mockImplementation((options) => {
      reads.push(options?.after ?? 0n);
      return readAll(options);
    });
    await restarted.start();
    await restarted.waitFor(head, 10_000);
    // The first read checks that the log holds the last event applied, after the position before it; the replay reads from 100.
    expect(reads.slice(0, 2)).toEqual([BigInt(mark.position), 100n]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM event_log').get()).toEqual({ n: Number(head) });
    await restarted.close();
  });

  it('starts again by itself after a failed batch when asked to retry', async () => {
    const flaky = new EventLogProjection();
    const errors: Error[] = [];
    const { runner, db, store } = await portfolio({ projections: [flaky], batchSize: 50, retryAfterMs: 20, onError: (e) => errors.push(e) });
    const head = await store.headPosition();
    flaky.failAt = 120n;
    await runner.start();
    await until(() => errors.length !== 0);
    expect(errors[0].message).toBe('failing at 120');
    flaky.failAt = null;
    await runner.waitFor(head, 5_000);
    expect(db.prepare('SELECT COUNT(*) AS n FROM event_log').get()).toEqual({ n: Number(head) });
    await runner.close();
  });

  it.each([
    ['a projection’s table', ['balances']],
    ['the account states’ tail table', ['projection_account_state_tail']],
    ['the account states and a projection’s table', ['projection_account_state', 'statements']],
  ])('applies again from the start what %s held when it was dropped while its checkpoint stayed', async (_, dropped) => {
    const { runner, db, store, sim } = await portfolio({ batchSize: 10, foldWrites: { maxTail: 8 } });
    const head = await store.headPosition();
    await runner.start();
    await runner.waitFor(head, 10_000);
    await runner.close();
    expect(db.prepare('SELECT COUNT(*) AS n FROM projection_account_state_tail').get()).not.toEqual({ n: 0 });
    // Dropped by hand: the next start creates each table again, empty, under checkpoints at the head.
    for (const table of dropped) db.exec(`DROP TABLE ${table}`);
    for (const id of ['acc-000', 'acc-003']) await sim.attempt(id, { type: 'RequestDraw', orderId: `after-${id}`, merchant: 'm', amount: '21.09', authentication: { method: 'PASSWORD', passed: true } });
    const later = await store.headPosition();
    const restarted = new ProjectionRunner({ store, database: db, projections: createProjections(), batchSize: 10, foldWrites: { maxTail: 8 } });
    await restarted.start();
    await restarted.waitFor(later, 10_000);
    await until(() => !restarted.replaying);
    await restarted.close();
    const scratch = new ProjectionRunner({ store, database: new Database(':memory:'), projections: createProjections() });
    await scratch.rebuild();
    expect(dumpReadModels(db, createProjections())).toBe(dumpReadModels(scratch.db, createProjections()));
    expect(await storedStates(db, ACCOUNT_STATE_TABLE, store)).toEqual(await streamStates(store));
    await scratch.close();
  });

  it('after a crash while following the log, reads each state back from its row and tail, and applies nothing twice', async () => {
    const log = new EventLogProjection();
    const { runner, db, store, sim } = await portfolio({ projections: [...createProjections(), log], batchSize: 10, foldWrites: { maxTail: 8 } });
    const head = await store.headPosition();
    await runner.start();
    await runner.waitFor(head, 10_000);
    // What a SIGKILL leaves behind: every committed batch.
    const crashed = new Database(db.serialize());
    await runner.close();
    const positions = checkpointPositions(crashed);
    expect(positions.get('event_log')).toBe(head);
    expect(positions.get('$projection_account_state')).toBe(head);
    // Some states are rows alone, some rows and tails, and no tail reaches maxTail.
    const tails = crashed.prepare('SELECT account_id, COUNT(*) AS n FROM projection_account_state_tail GROUP BY account_id').all() as { n: number }[];
    expect(tails.length).toBeGreaterThan(0);
    expect(Math.max(...tails.map((t) => t.n))).toBeLessThan(8);
    expect(await storedStates(crashed, ACCOUNT_STATE_TABLE, store)).toEqual(await streamStates(store));

    // More business while it is down: the restart goes on from the states it reads back.
    for (const id of ['acc-000', 'acc-001', 'acc-002', 'acc-003', 'acc-004', 'acc-005']) await sim.attempt(id, { type: 'RequestDraw', orderId: `after-${id}`, merchant: 'm', amount: '21.09', authentication: { method: 'PASSWORD', passed: true } });
    await sim.closeDaysThrough('2026-05-12');
    const later = await store.headPosition();
    expect(later).toBeGreaterThan(head);
    const restarted = new ProjectionRunner({ store, database: crashed, projections: [...createProjections(), new EventLogProjection()], batchSize: 10, foldWrites: { maxTail: 8 } });
    await restarted.start();
    await restarted.waitFor(later, 10_000);
    await restarted.close();
    expect(crashed.prepare('SELECT COUNT(*) AS n FROM event_log').get()).toEqual({ n: Number(later) });
    const scratch = new ProjectionRunner({ store, database: new Database(':memory:'), projections: createProjections() });
    await scratch.rebuild();
    expect(dumpReadModels(crashed, createProjections())).toBe(dumpReadModels(scratch.db, createProjections()));
    expect(await storedStates(crashed, ACCOUNT_STATE_TABLE, store)).toEqual(await streamStates(store));
    await scratch.close();
  });

  it('refuses read models ahead of the log, even once commands take the head past them, until they start over', async () => {
    const { db, store, head, expected } = await followedToHead();
    // The log restored from a backup 5 events shorter, the read models left as they were.
    const heads = jest.spyOn(store, 'headPosition').mockResolvedValue(head - 5n);
    const { runner, error } = await failedStart({ store, database: db, projections: createProjections() });
    expect(error).toBeInstanceOf(ReadModelsAheadOfLogError);
    expect(error.message).toContain(`up to position ${head}, past its head at ${head - 5n}`);
    await runner.close();
    // Commands have taken the head past the read models again: they still are not this log's.
    heads.mockResolvedValue(head + 3n);
    const again = await failedStart({ store, database: db, projections: createProjections() });
    expect(again.error).toBeInstanceOf(ReadModelsAheadOfLogError);
    heads.mockRestore();
    // Only starting over clears it: a rebuild from this log.
    await again.runner.rebuild();
    await again.runner.start();
    await again.runner.waitFor(head, 10_000);
    expect(dumpReadModels(db, createProjections())).toBe(expected);
    await again.runner.close();
  });

  it('refuses read models holding an event the log does not hold at its position, as after a restore written to since, while it does not', async () => {
    const { db, store, head, expected } = await followedToHead();
    // The log restored from a backup and written to again: at the last position the read models applied,
    // it holds another event, and its head is past theirs.
    const readAll = store.readAll.bind(store);
    const reads = jest.spyOn(store, 'readAll').mockImplementation(async (options) => {
      const page = await readAll(options);
      return page.map((event) => (event.position === head ? { ...event, id: `${event.id}-other` } : event));
    });
    const heads = jest.spyOn(store, 'headPosition').mockResolvedValue(head + 3n);
    const { runner, error } = await failedStart({ store, database: db, projections: createProjections() });
    expect(error).toBeInstanceOf(ReadModelsOfAnotherLogError);
    expect(error.message).toContain(`applied, after position ${head - 1n} of the event log, an event that this log does not hold there`);
    expect(runner.running).toBe(false);
    await runner.close();
    // The finding is kept in the file: the next start on that log refuses them at once, and still after
    // looking at the log again.
    const kept = await failedStart({ store, database: db, projections: createProjections() });
    expect(kept.error).toBeInstanceOf(ReadModelsOfAnotherLogError);
    await kept.runner.close();
    expect(kept.runner.refusal()).toBeInstanceOf(ReadModelsOfAnotherLogError);
    // Pointed back at the log they were built from, a start finds them its own and follows it.
    reads.mockRestore();
    heads.mockRestore();
    const back = await failedStart({ store, database: db, projections: createProjections() });
    expect(back.error).toBeInstanceOf(ReadModelsOfAnotherLogError);
    await until(() => back.runner.running);
    expect(back.runner.refusal()).toBeUndefined();
    await back.runner.waitFor(head, 10_000);
    expect(dumpReadModels(db, createProjections())).toBe(expected);
    await back.runner.close();
  });

  it('follows the log again at a start that finds the last event it applied where it was', async () => {
    const { db, store, head } = await followedToHead();
    // Marked after the position before it, which the log holds exactly (EventStoreDB reads from no other).
    expect(db.prepare("SELECT position FROM projection_checkpoints WHERE name = '$log_mark'").get()).toEqual({ position: Number(head - 1n) });
    const runner = new ProjectionRunner({ store, database: db, projections: createProjections() });
    await runner.start();
    await runner.waitFor(head, 10_000);
    expect({ running: runner.running, error: runner.lastError }).toEqual({ running: true, error: undefined });
    await runner.close();
  });

  it('marks the last event a catch-up by replay applied too, so a start after one checks that event', async () => {
    const { runner, db, store, sim } = await portfolio({ batchSize: 10 });
    await runner.start();
    await runner.waitFor(await store.headPosition(), 10_000);
    await runner.close();
    const before = db.prepare("SELECT position FROM projection_checkpoints WHERE name = '$log_mark'").get() as { position: number };
    // More of the log than the runner follows live: its start catches up by replay, in the log's order.
    await sim.closeDaysThrough('2026-06-30');
    const head = await store.headPosition();
    const replaying = new ProjectionRunner({ store, database: db, projections: createProjections(), replayWhenBehindBy: 0 });
    await replaying.start();
    await replaying.waitFor(head, 10_000);
    await replaying.close();
    const after = db.prepare("SELECT position FROM projection_checkpoints WHERE name = '$log_mark'").get() as { position: number };
    expect([before.position < after.position, after.position]).toEqual([true, Number(head - 1n)]);
  });

  it('drops the tails a build from before them left behind, whose rows already hold their events', async () => {
    const { db, store, head, expected } = await followedToHead();
    const tailRows = () => (db.prepare('SELECT COUNT(*) AS n FROM projection_account_state_tail').get() as { n: number }).n;
    expect(tailRows()).toBeGreaterThan(0);
    // What a rollback to such a build leaves: it reset the rows (dropping its own table only) and wrote
    // every state whole at its version, leaving this build's tails where they were.
    const tails = db.prepare('SELECT * FROM projection_account_state_tail').all() as Record<string, unknown>[];
    await writeWhole(db, ACCOUNT_STATE_TABLE, store);
    const insert = db.prepare('INSERT INTO projection_account_state_tail (account_id, position, event_json) VALUES (@account_id, @position, @event_json)');
    for (const row of tails) insert.run(row);
    db.prepare("UPDATE projection_checkpoints SET version = ? WHERE name = '$projection_account_state'").run(STATE_SCHEMA_VERSION);

    const restarted = new ProjectionRunner({ store, database: db, projections: createProjections() });
    await restarted.start();
    await restarted.waitFor(head, 10_000);
    await restarted.close();
    expect(tailRows()).toBe(0);
    expect(await storedStates(db, ACCOUNT_STATE_TABLE, store)).toEqual(await streamStates(store));
    expect(dumpReadModels(db, createProjections())).toBe(expected);
  });

  it('keeps orders and draws apart, a row per shard, and drops such rows a build from before them left behind', async () => {
    const { db, store, head, expected } = await followedToHead();
    const shardRows = () => (db.prepare('SELECT COUNT(*) AS n FROM projection_account_state_shard').get() as { n: number }).n;
    expect(shardRows()).toBeGreaterThan(0);
    // A row holds the state without its shards; each shard's text is a row of its own.
    const row = db.prepare("SELECT state_json FROM projection_account_state WHERE account_id = 'acc-000'").get() as { state_json: string };
    expect(JSON.parse(row.state_json).orders).toEqual({ $apart: 'orders', size: expect.any(Number), slots: expect.stringMatching(/^[0-9a-f]{16}$/) });
    // It lists the slots that hold a shard, so that each shard row is read only when an event needs it.
    const listed = (mask: string) => [...mask].flatMap((digit, d) => [0, 1, 2, 3].filter((bit) => (parseInt(digit, 16) >> bit) & 1).map((bit) => d * 4 + bit));
    for (const [field, name] of ['orders', 'draws'].entries()) {
      const rows = db.prepare("SELECT shard FROM projection_account_state_shard WHERE account_id = 'acc-000' AND field = ? ORDER BY shard").pluck().all(field);
      expect(listed(JSON.parse(row.state_json)[name].slots)).toEqual(rows);
    }
    expect(() => deserializeState(row.state_json)).toThrow(/written apart/);
    // What a rollback to a build from before them leaves: it reset the rows (dropping its own tables only)
    // and wrote every state whole, shards inline, leaving these rows where they were.
    await writeWhole(db, ACCOUNT_STATE_TABLE, store);
    db.prepare("UPDATE projection_checkpoints SET version = ? WHERE name = '$projection_account_state'").run(100 + STATE_SCHEMA_VERSION);
    expect(shardRows()).toBeGreaterThan(0);

    const restarted = new ProjectionRunner({ store, database: db, projections: createProjections() });
    await restarted.start();
    await restarted.waitFor(head, 10_000);
    await restarted.close();
    expect(shardRows()).toBe(0);
    expect(await storedStates(db, ACCOUNT_STATE_TABLE, store)).toEqual(await streamStates(store));
    expect(dumpReadModels(db, createProjections())).toBe(expected);
  });

  it('after a crash during a replay, folds again the events its lazily written states trail by, and applies none of them twice', async () => {
    const log = new EventLogProjection();
    const { runner, db, store, catchUp } = await portfolio({
      projections: [...createProjections(), log],
      replayBatchSize: 40,
      foldWrites: { maxEvents: 150, maxMs: 60_000, maxTail: 3, eventsPerState: 1 },
    });
    await catchUp();
    const head = await store.headPosition();
    const expected = dumpReadModels(db, createProjections());
    // A rebuild of everything that fails near the end: every batch before it committed, the fold's last write trailing them.
    log.failAt = head - 5n;
    await expect(runner.rebuild()).rejects.toThrow(`failing at ${head - 5n}`);
    const crashed = new Database(db.serialize());
    await runner.close();
    const positions = checkpointPositions(crashed);
    expect(positions.get('event_log')).toBeLessThan(head - 5n);
    expect(positions.get('$projection_account_state')).toBeGreaterThan(0n);
    expect(positions.get('$projection_account_state')).toBeLessThan(positions.get('event_log')!);

    const restarted = new ProjectionRunner({ store, database: crashed, projections: [...createProjections(), new EventLogProjection()] });
    await restarted.start();
    await restarted.waitFor(head, 10_000);
    await restarted.close();
    expect(crashed.prepare('SELECT COUNT(*) AS n FROM event_log').get()).toEqual({ n: Number(head) });
    expect(dumpReadModels(crashed, createProjections())).toBe(expected);
    expect(await storedStates(crashed, ACCOUNT_STATE_TABLE, store)).toEqual(await streamStates(store));
  });

  it('reads back a state evicted from its cache from the row and tail, in the middle of a batch too', async () => {
    // A cache of one account: nearly every event of a batch reads its account back from the tables.
    const { runner, db, catchUp, store } = await portfolio({ batchSize: 7, stateCacheSize: 1, foldWrites: { maxTail: 5 } });
    await catchUp();
    expect((db.prepare('SELECT COUNT(*) AS n FROM projection_account_state_tail').get() as { n: number }).n).toBeGreaterThan(0);
    const scratch = new ProjectionRunner({ store, database: new Database(':memory:'), projections: createProjections() });
    await scratch.rebuild();
    expect(dumpReadModels(db, runner.projections)).toBe(dumpReadModels(scratch.db, scratch.projections));
    expect(await storedStates(db, ACCOUNT_STATE_TABLE, store)).toEqual(await streamStates(store));
    await Promise.all([runner.close(), scratch.close()]);
  });

  it('reads a state back without its shard rows, reads each once an entry of it is asked for, and refuses to read one for a state kept past a reset', async () => {
    const { runner, db, store, catchUp } = await portfolio();
    await catchUp();
    await runner.close();
    const statements: string[] = [];
    const copy = new Database(db.serialize(), { verbose: (sql) => statements.push(String(sql)) });
    const fold = new AccountStateFold(copy, ACCOUNT_STATE_TABLE, { entries: 10, bytes: 1_000_000_000 });
    // Accounts whose row holds all their events (no tail to fold, which would read the shards it touches).
    const untailed = copy
      .prepare(`SELECT account_id FROM ${ACCOUNT_STATE_TABLE} WHERE account_id NOT IN (SELECT account_id FROM ${ACCOUNT_STATE_TABLE}_tail) ORDER BY account_id`)
      .pluck()
      .all() as string[];
    expect(untailed.length).toBeGreaterThanOrEqual(3);
    const expected = await streamStates(store);
    const shardReads = () => statements.filter((sql) => sql.includes(`${ACCOUNT_STATE_TABLE}_shard`)).length;

    statements.length = 0;
    const state = fold.get(untailed[0]);
    expect(shardReads()).toBe(0);
    const stored = state.orders.find((slot) => slot !== null) as StoredShard;
    expect(stored).toBeInstanceOf(StoredShard);
    stored.entries();
    stored.entries();
    expect(shardReads()).toBe(1);
    expect(serializeState(state)).toBe(expected.get(untailed[0]));

    // A state kept past `forget` (its table emptied or rolled back since) must not read what is there now.
    const kept = fold.get(untailed[1]);
    fold.forget();
    expect(() => serializeState(kept)).toThrow(/kept past a reset of the fold/);
    expect(serializeState(fold.get(untailed[1]))).toBe(expected.get(untailed[1]));

    // A row that lists a shard its table lost, and a row whose slot list is not one, are refused, not misread.
    copy.prepare(`DELETE FROM ${ACCOUNT_STATE_TABLE}_shard WHERE account_id = ? AND field = 0`).run(untailed[2]);
    expect(() => serializeState(fold.get(untailed[2]))).toThrow(/lost shard 0:\d+ of/);
    fold.forget();
    copy.prepare(`UPDATE ${ACCOUNT_STATE_TABLE} SET state_json = replace(state_json, '"slots":"', '"slots":"z') WHERE account_id = ?`).run(untailed[0]);
    expect(() => fold.get(untailed[0])).toThrow(/not a slot list/);
    copy.close();
  });

  it('writes whole, when it goes live, every state a replay left unwritten', async () => {
    const { store } = await portfolio();
    const events = await store.readAll({ maxCount: 1_000_000 });
    const db = new Database(':memory:');
    const fold = new AccountStateFold(db, ACCOUNT_STATE_TABLE, { entries: 100, bytes: 100_000_000 }, { maxEvents: 1_000_000, maxMs: 3_600_000, maxTail: 1_000 });
    const lane = new Lane(db, new Checkpoints(db), fold, [], DEFAULT_TERMS_CATALOGUE, 0n);
    const half = Math.floor(events.length / 2);
    lane.applyBatch(events.slice(0, half));
    expect(new Checkpoints(db).get(fold.checkpointName)).toBeUndefined(); // nothing written yet
    lane.applyBatch(events.slice(half), { live: true });
    expect(new Checkpoints(db).get(fold.checkpointName)?.position).toBe(events[events.length - 1].position);
    expect(await storedStates(db, ACCOUNT_STATE_TABLE, store)).toEqual(await streamStates(store));
  });

  it('in a replay, writes by events or time only once the write carries enough events for each state it writes', () => {
    const db = new Database(':memory:');
    const fold = new AccountStateFold(db, ACCOUNT_STATE_TABLE, { entries: 100, bytes: 100_000_000 }, { maxEvents: 10, maxMs: 3_600_000, eventsPerState: 4 });
    const scored = { type: 'PayScoreUpdated', data: { on: '2026-01-01', payScore: 700 } } as CreditAccountEvent;
    let position = 0n;
    const fold1 = (accountId: string) => fold.apply(accountId, scored, ++position);
    // 12 events over 6 accounts: past maxEvents, but 2 events a state.
    for (let i = 0; i < 12; i++) fold1(`acc-${i % 6}`);
    expect(fold.writeDue()).toBe(false);
    fold.commit('none');
    // 24 events over the same 6: 4 a state.
    for (let i = 0; i < 12; i++) fold1(`acc-${i % 6}`);
    expect(fold.writeDue()).toBe(true);
    // The accounts bound forces a write whatever it carries.
    const crowded = new AccountStateFold(db, 'crowded_state', { entries: 100, bytes: 100_000_000 }, { maxAccounts: 3, eventsPerState: 1_000 });
    for (let i = 0; i < 3; i++) crowded.apply(`acc-${i}`, scored, BigInt(i + 1));
    expect(crowded.writeDue()).toBe(true);
  });

  it('in a replay, counts toward its bytes bound only the unwritten states its cache has let go of', () => {
    const db = new Database(':memory:');
    const scored = { type: 'PayScoreUpdated', data: { on: '2026-01-01', payScore: 700 } } as CreditAccountEvent;
    const weight = approximateStateBytes(evolve(initialState('acc-0'), scored));
    // Only the bytes bound can make a write due here; half the cache's bytes is four states.
    const policy = { maxAccounts: 1_000, maxEvents: 1_000_000, maxMs: 3_600_000 };
    const replay = (fold: AccountStateFold, accounts: number, first = 0) => {
      for (let i = first; i < first + accounts; i++) fold.apply(`acc-${i}`, scored, BigInt(i + 1));
      fold.commit('none');
    };
    // Six unwritten states weigh more than half the cache, but the cache holds them all: it bounds them itself.
    const roomy = new AccountStateFold(db, 'roomy_state', { entries: 100, bytes: 8 * weight }, policy);
    replay(roomy, 6);
    expect(roomy.writeDue()).toBe(false);
    // A cache of three lets go of three of six (held until written, outside its bound): still under four.
    const small = new AccountStateFold(db, 'small_state', { entries: 3, bytes: 8 * weight }, policy);
    replay(small, 6);
    expect(small.writeDue()).toBe(false);
    // Folding one it let go of takes that one back and pushes out another: still three.
    replay(small, 1, 0);
    expect(small.writeDue()).toBe(false);
    // A seventh account pushes out a fourth: half the cache's bytes, and the write is due.
    replay(small, 1, 6);
    expect(small.writeDue()).toBe(true);
    // Once written, nothing is held outside the cache.
    db.transaction(() => small.write(7n))();
    small.commit('whole');
    replay(small, 1, 7);
    expect(small.writeDue()).toBe(false);
    // A state heavier than the whole budget is let go of as the cache takes it: counted at once.
    const tiny = new AccountStateFold(db, 'tiny_state', { entries: 100, bytes: weight - 1 }, policy);
    replay(tiny, 1);
    expect(tiny.writeDue()).toBe(true);
  });

  it('refuses a tail bound that is not a positive integer', () => {
    expect(() => new AccountStateFold(new Database(':memory:'), 'bad_state', { entries: 1, bytes: 1_000 }, { maxTail: 0 })).toThrow('maxTail must be a positive integer, got 0');
  });

  it('refuses a catch-up bound that is not a non-negative integer', () => {
    const store = readModelFixture().store;
    for (const bad of [-1, 1.5, Number.NaN]) {
      expect(() => new ProjectionRunner({ store, database: new Database(':memory:'), projections: [], replayWhenBehindBy: bad })).toThrow(`replayWhenBehindBy must be a non-negative integer, got ${bad}`);
    }
  });
});

describe('a replay account by account', () => {
  afterEach(() => jest.restoreAllMocks());

  /** A random portfolio over eight months, and an account opened after four of them, when many days had closed already. */
  async function ledger() {
    const fixture = readModelFixture();
    await simulateRandomPortfolio(fixture.sim, { seed: 4242, accounts: 12, lastDate: '2026-05-20' });
    await fixture.sim.open('late-001', { payScore: 700, idNumberMasked: '110***********2001' });
    await fixture.sim.draw('late-001', 'late-o-1', '800.00');
    // One that never draws: end of day finds nothing to do at its month ends, so only the sweeps move its schedule row.
    await fixture.sim.open('late-002', { payScore: 720, idNumberMasked: '110***********2002' });
    await fixture.sim.closeDaysThrough('2026-09-03');
    return { ...fixture, head: await fixture.store.headPosition(), accounts: (await streamStates(fixture.store)).size };
  }

  const inLogOrder = readModelsInLogOrder;
  const accountReads = accountStreamReads;

  /** A rebuild of everything on `db` that fails part way, at acc-008's events (batches of 200 events). */
  async function interruptedRebuild(store: EventStore, db: Database.Database): Promise<void> {
    const failing = new ProjectionRunner({ store, database: db, projections: failingOn('balances'), replayBatchSize: 200 });
    await expect(failing.rebuild()).rejects.toThrow('failing at acc-008');
    await failing.close();
  }

  /** A runner started with `options` and closed once it has applied `head`. */
  async function followToHead(options: ConstructorParameters<typeof ProjectionRunner>[0], head: bigint): Promise<void> {
    const runner = new ProjectionRunner(options);
    await runner.start();
    await runner.waitFor(head, 10_000);
    await runner.close();
  }

  /** `ledger()` followed to its head and the runner closed, with the read models it left. */
  async function caughtUp() {
    const fixture = await ledger();
    await fixture.catchUp();
    await fixture.runner.close();
    return { ...fixture, expected: dumpReadModels(fixture.db, fixture.runner.projections) };
  }

  const count = (db: Database.Database, sql: string) => (db.prepare(sql).get() as { n: number }).n;

  /** Projections whose `name` projection throws on `account`'s events. */
  function failingOn(name: string, account = 'acc-008', projections: Projection[] = createProjections()) {
    return failingUntilHealed(name, account, projections).projections;
  }

  /** Projections whose `name` projection throws on `account`'s events until `heal()`, or only once with `once`. */
  function failingUntilHealed(name: string, account = 'acc-008', projections: Projection[] = createProjections(), once = false) {
    const p = projections.find((x) => x.name === name)!;
    const apply = p.apply.bind(p);
    let failing = true;
    jest.spyOn(p, 'apply').mockImplementation((event, context) => {
      if (failing && event.kind === 'account' && event.accountId === account) {
        failing = !once;
        throw new Error(`failing at ${account}`);
      }
      apply(event, context);
    });
    return { projections, heal: () => (failing = false) };
  }

  function bump(projections: Projection[], name: string, version: number): Projection[] {
    Object.defineProperty(projections.find((p) => p.name === name)!, 'version', { value: version });
    return projections;
  }
  const only = (names: string[], projections: Projection[] = createProjections()) => projections.filter((p) => names.includes(p.name));
  const version = (db: Database.Database, name: string) => db.prepare('SELECT version, position FROM projection_checkpoints WHERE name = ?').get(name) as { version: number; position: number } | undefined;
  const rows = (db: Database.Database, sql: string) => db.prepare(sql).all();



  it('leaves exactly the tables and account states a replay in the log’s order leaves, reading each account’s stream once', async () => {
    const { store, head, accounts } = await ledger();
    const streams = jest.spyOn(store, 'readStream');
    const expected = await inLogOrder(store);
    expect(streams).not.toHaveBeenCalled();

    const runner = new ProjectionRunner({ store, database: new Database(':memory:'), projections: createProjections(), replayBatchSize: 300 });
    const progress: [bigint, bigint][] = [];
    await runner.rebuild(undefined, (position, of) => progress.push([position, of]));
    expect(accountReads(streams)).toBe(accounts);
    expect(dumpReadModels(runner.db, runner.projections)).toBe(expected);
    expect(await storedStates(runner.db, ACCOUNT_STATE_TABLE, store)).toEqual(await streamStates(store));
    expect([...checkpointPositions(runner.db).values()].every((position) => position === head)).toBe(true);
    expect(count(runner.db, 'SELECT COUNT(*) AS n FROM projection_replays')).toBe(0);
    expect(progress[progress.length - 1]).toEqual([head, head]);
    expect(progress.length).toBeGreaterThan(2);

    // What the two order-dependent read models keep occurs here: month-end buckets past CURRENT, and
    // schedule rows last moved by a closed day's sweep, the late account's among them.
    expect(count(runner.db, "SELECT COUNT(*) AS n FROM portfolio_figures WHERE section = 'bucket_month' AND key NOT LIKE '%CURRENT'")).toBeGreaterThan(0);
    expect(count(runner.db, "SELECT COUNT(*) AS n FROM portfolio_figures WHERE section = 'bucket_month' AND key LIKE '2026-01%'")).toBeGreaterThan(0);
    expect(count(runner.db, 'SELECT COUNT(*) AS n FROM eod_schedule WHERE position IN (SELECT position FROM business_days)')).toBeGreaterThan(0);
    expect(count(runner.db, "SELECT COUNT(*) AS n FROM eod_schedule WHERE account_id LIKE 'late-%'")).toBe(2);
    await runner.close();
  });

  it('rebuilds one projection by account too, while the others keep their checkpoints', async () => {
    const { store, db, runner, catchUp, accounts } = await ledger();
    await catchUp();
    const expected = dumpReadModels(db, runner.projections);
    db.exec("UPDATE portfolio_figures SET amount = '0'");
    db.exec('DELETE FROM eod_schedule');
    const streams = jest.spyOn(store, 'readStream');
    await runner.rebuild('portfolio');
    await runner.rebuild('eod_schedule');
    expect(accountReads(streams)).toBe(2 * accounts);
    expect(dumpReadModels(db, runner.projections)).toBe(expected);
    await runner.close();
  });

  it('goes on with an interrupted rebuild of one projection at the next start, in its own lane', async () => {
    const { store, db, accounts, head, expected } = await caughtUp();
    const { projections: failing, heal } = failingUntilHealed('portfolio');
    const interrupted = new ProjectionRunner({ store, database: db, projections: failing, replayBatchSize: 200 });
    await expect(interrupted.rebuild('portfolio')).rejects.toThrow('failing at acc-008');
    await interrupted.close();
    const progress = db.prepare("SELECT accounts_done AS done, projections FROM projection_replays WHERE fold = '$projection_rebuild_state'").get() as { done: number; projections: string };
    expect(progress.projections).toBe(`portfolio@${PORTFOLIO}`);
    expect(checkpointPositions(db).get('portfolio')).toBe(0n);
    expect(db.prepare("SELECT version FROM projection_checkpoints WHERE name = 'portfolio'").get()).toEqual({ version: -1 - PORTFOLIO });
    expect(progress.done).toBeGreaterThan(0);

    heal();
    const streams = jest.spyOn(store, 'readStream');
    const restarted = new ProjectionRunner({ store, database: db, projections: failing });
    await restarted.start();
    await restarted.waitFor(head, 10_000);
    expect(accountReads(streams)).toBe(accounts - progress.done);
    expect(dumpReadModels(db, restarted.projections)).toBe(expected);
    expect(count(db, 'SELECT COUNT(*) AS n FROM projection_replays')).toBe(0);
    await restarted.close();
  });

  it('goes on where it stopped after an interruption, at the next start or rebuild of everything, applying nothing twice; a build that cannot go on starts over', async () => {
    const { store, sim, head, accounts } = await ledger();
    const db = new Database(':memory:');
    const failing = createProjections();
    const balances = failing.find((p) => p.name === 'balances')!;
    const apply = balances.apply.bind(balances);
    jest.spyOn(balances, 'apply').mockImplementation((event, context) => {
      if (event.kind === 'account' && event.accountId === 'acc-008') throw new Error('failing at acc-008');
      apply(event, context);
    });
    const runner = new ProjectionRunner({ store, database: db, projections: failing, replayBatchSize: 200 });
    await expect(runner.rebuild()).rejects.toThrow('failing at acc-008');
    await runner.close();
    const progress = db.prepare('SELECT until, accounts_done AS done FROM projection_replays').get() as { until: number; done: number };
    expect(progress.until).toBe(Number(head));
    expect(progress.done).toBeGreaterThan(0);
    expect(progress.done).toBeLessThan(accounts);
    // No fold checkpoint meanwhile, so a build that knows no replay by account resets rather than follows the log on top of it.
    expect(checkpointPositions(db).has('$projection_account_state')).toBe(false);
    expect([...checkpointPositions(db).values()].every((position) => position === 0n)).toBe(true);
    const copies = [new Database(db.serialize()), new Database(db.serialize())];

    // The log goes on meanwhile: what follows the replay's end is followed in order after it.
    await sim.draw('late-002', 'late-o-2', '50.00');
    const now = await store.headPosition();
    expect(now).toBeGreaterThan(head);
    const expected = await inLogOrder(store);
    const streams = jest.spyOn(store, 'readStream');
    const restarted = new ProjectionRunner({ store, database: db, projections: createProjections() });
    await restarted.start();
    await restarted.waitFor(now, 10_000);
    expect(accountReads(streams)).toBe(accounts - progress.done);
    expect(dumpReadModels(db, restarted.projections)).toBe(expected);
    expect(await storedStates(db, ACCOUNT_STATE_TABLE, store)).toEqual(await streamStates(store));
    await restarted.close();

    streams.mockClear();
    const rebuilt = new ProjectionRunner({ store, database: copies[0], projections: createProjections() });
    await rebuilt.rebuild();
    expect(accountReads(streams)).toBe(accounts - progress.done);
    expect(dumpReadModels(copies[0], rebuilt.projections)).toBe(expected);
    expect(count(copies[0], 'SELECT COUNT(*) AS n FROM projection_replays')).toBe(0);
    await rebuilt.close();

    // Told to replay in the log's order, the next start cannot go on by account: it starts over.
    const inOrder = new ProjectionRunner({ store, database: copies[1], projections: createProjections(), replayOrder: 'log' });
    await inOrder.start();
    await inOrder.waitFor(now, 10_000);
    expect(dumpReadModels(copies[1], inOrder.projections)).toBe(expected);
    expect(count(copies[1], 'SELECT COUNT(*) AS n FROM projection_replays')).toBe(0);
    await inOrder.close();
  });

  it('finishes an interrupted replay of everything before rebuilding one projection', async () => {
    const { store, head } = await ledger();
    const expected = await inLogOrder(store);
    const db = new Database(':memory:');
    await interruptedRebuild(store, db);

    const cli = new ProjectionRunner({ store, database: db, projections: createProjections() });
    await cli.rebuild('portfolio');
    await cli.close();

    await followToHead({ store, database: db, projections: createProjections() }, head);
    expect(dumpReadModels(db, createProjections())).toBe(expected);
  });

  it('leaves what the log’s order leaves with unknown event types on account streams, a stream of them only, and a month end closed twice', async () => {
    const { store, sim } = await ledger();
    const anySim = sim as unknown as { revisions: Map<string, bigint>; daysClosed: number };
    // A stream of unknown events only, early in the log.
    await store.append('credit-account-ghost', 'no_stream', [{ id: 'ghost:0', type: 'SomethingNew', schemaVersion: 1, data: { on: '2026-09-04' }, metadata: {} }]);
    // An account whose stream starts with an unknown event, before a month end.
    await store.append('credit-account-late-003', 'no_stream', [{ id: 'late-003:x', type: 'SomethingNew', schemaVersion: 1, data: {}, metadata: {} }]);
    anySim.revisions.set('late-003', 1n);
    await sim.closeDaysThrough('2026-09-29');
    await sim.open('late-003', { payScore: 700, idNumberMasked: '110***********2003' });
    await sim.draw('late-003', 'late3-o-1', '500.00');
    // An unknown event in the middle of an account's stream.
    await store.append('credit-account-late-001', BigInt(Number(anySim.revisions.get('late-001')) - 1), [{ id: 'late-001:x', type: 'SomethingNew', schemaVersion: 1, data: {}, metadata: {} }]);
    anySim.revisions.set('late-001', anySim.revisions.get('late-001')! + 1n);
    await sim.closeDaysThrough('2026-09-30');
    // 2026-09-30 closed a second time.
    await store.append(BUSINESS_DAYS_STREAM, BigInt(anySim.daysClosed - 1), [
      { id: 'business-day-2026-09-30-again', type: 'BusinessDayClosed', schemaVersion: 1, data: { businessDate: '2026-09-30', closedAt: '2026-10-01T00:09:00+08:00', accounts: 0, counts: {} }, metadata: {} },
    ]);
    anySim.daysClosed += 1;
    await sim.closeDaysThrough('2026-11-02');
    const expected = await inLogOrder(store);
    const runner = new ProjectionRunner({ store, database: new Database(':memory:'), projections: createProjections(), replayBatchSize: 300 });
    await runner.rebuild();
    expect(dumpReadModels(runner.db, runner.projections)).toBe(expected);
    expect(await storedStates(runner.db, ACCOUNT_STATE_TABLE, store)).toEqual(await streamStates(store));
    await runner.close();
  });

  it('leaves the events appended while it runs to the live log, which applies them once', async () => {
    const { store, sim, head } = await ledger();
    const db = new Database(':memory:');
    let appended = false;
    const readStream = store.readStream.bind(store);
    jest.spyOn(store, 'readStream').mockImplementation(async (stream, options) => {
      if (!appended) {
        appended = true;
        await sim.draw('late-001', 'during-1', '12.00');
        await sim.closeDaysThrough('2026-09-30');
      }
      return readStream(stream, options);
    });
    const runner = new ProjectionRunner({ store, database: db, projections: createProjections() });
    await runner.rebuild();
    await runner.start();
    const newHead = await store.headPosition();
    expect(newHead).toBeGreaterThan(head);
    await runner.waitFor(newHead, 10_000);
    const got = dumpReadModels(db, runner.projections);
    await runner.close();
    expect(got).toBe(await inLogOrder(store));
  });

  it('starts an interrupted rebuild of one projection over when that projection’s version changed since', async () => {
    const { store, db, head, expected } = await caughtUp();
    const failing = new ProjectionRunner({ store, database: db, projections: failingOn('portfolio'), replayBatchSize: 200 });
    await expect(failing.rebuild('portfolio')).rejects.toThrow('failing at acc-008');
    await failing.close();

    const bumped = createProjections();
    Object.defineProperty(bumped.find((p) => p.name === 'portfolio')!, 'version', { value: PORTFOLIO + 1 });
    await followToHead({ store, database: db, projections: bumped }, head);
    expect(dumpReadModels(db, createProjections())).toBe(expected);
  });

  it('rebuilds with another projection, in the same runner, the projection whose replay by account failed', async () => {
    const { store, db, head, expected } = await caughtUp();
    const r = new ProjectionRunner({ store, database: db, projections: failingOn('portfolio'), replayBatchSize: 200 });
    await expect(r.rebuild('portfolio')).rejects.toThrow('failing at acc-008');
    jest.restoreAllMocks();
    await r.rebuild('statements');
    await r.start();
    await r.waitFor(head, 10_000);
    await r.close();
    expect(dumpReadModels(db, createProjections())).toBe(expected);
  });

  it('shows another reader of the file no applied position while a replay is half done', async () => {
    const { store } = await ledger();
    const db = new Database(':memory:');
    await interruptedRebuild(store, db);
    expect(projectionsAppliedPosition(db)()).toBe(0n);
  });

  it('treats a progress row that a build knowing no replay by account left behind as stale: after a reset it does not resume, after a catch-up it keeps the read models', async () => {
    const { store, head } = await ledger();
    const expected = await inLogOrder(store);
    const db = new Database(':memory:');
    await interruptedRebuild(store, db);
    // What such a build's start leaves if it stops before its first batch: every table emptied and every
    // checkpoint at 0 with its version, its fold's among them; the progress row it does not know of stays.
    for (const p of createProjections()) for (const table of p.tables) db.exec(`DELETE FROM ${table}`);
    db.exec('DELETE FROM projection_account_state; DELETE FROM projection_account_state_shard');
    for (const p of createProjections()) db.prepare('UPDATE projection_checkpoints SET version = ?, position = 0 WHERE name = ?').run(p.version, p.name);
    db.prepare("INSERT INTO projection_checkpoints (name, version, position) VALUES ('$projection_account_state', ?, 0)").run(FOLD_VERSION);
    await followToHead({ store, database: db, projections: createProjections() }, head);
    expect(dumpReadModels(db, createProjections())).toBe(expected);
    expect(count(db, 'SELECT COUNT(*) AS n FROM projection_replays')).toBe(0);

    // Read models at the head with such a row beside them: kept, and followed from the head.
    const second = await ledger();
    await second.catchUp();
    await second.runner.close();
    second.db.prepare("INSERT INTO projection_replays VALUES ('$projection_account_state', ?, 3, ?, 'balances@1')").run(second.head, FOLD_VERSION);
    const subscribe = jest.spyOn(second.store, 'subscribeToAll');
    const again = new ProjectionRunner({ store: second.store, database: second.db, projections: createProjections() });
    await again.start();
    // The subscription comes once the start has read the head (in the background).
    await until(() => subscribe.mock.calls.length !== 0);
    expect(subscribe.mock.calls[0][0].after).toBe(second.head);
    expect(count(second.db, 'SELECT COUNT(*) AS n FROM projection_replays')).toBe(0);
    await again.close();
  });

  it('rebuilds both projections an interrupted catch-up was replaying when one of them changed version again', async () => {
    const { store, db, head, expected } = await caughtUp();

    // Deploy 1 bumps portfolio and balances: start() catches both up in a lane of their own, by account, and fails midway.
    const deploy1 = bump(bump(failingOn('balances'), 'portfolio', PORTFOLIO + 1), 'balances', BALANCES + 1);
    const { runner: r1, error } = await failedStart({ store, database: db, projections: deploy1, replayBatchSize: 200 });
    expect(error.message).toBe('failing at acc-008');
    await r1.close();
    const progress = db.prepare('SELECT fold, accounts_done AS done, projections FROM projection_replays').all() as { done: number; projections: string }[];
    expect(progress).toEqual([expect.objectContaining({ projections: `balances@${BALANCES + 1},portfolio@${PORTFOLIO + 1}` })]);
    expect(progress[0].done).toBeGreaterThan(0);

    // Deploy 2 (a hotfix) bumps balances again; portfolio stays where deploy 1 put it.
    const deploy2 = bump(bump(createProjections(), 'portfolio', PORTFOLIO + 1), 'balances', BALANCES + 2);
    await followToHead({ store, database: db, projections: deploy2 }, head);
    expect(dumpReadModels(db, createProjections())).toBe(expected);
  });

  it('resets a projection kept for its lane’s replay when the main lane would follow the log into it', async () => {
    const { store, head } = await ledger();
    const names = ['balances', 'portfolio'];
    const expectedAll = new Database(':memory:');
    {
      const r = new ProjectionRunner({ store, database: expectedAll, projections: only(names), replayOrder: 'log' });
      await r.rebuild();
      await r.close();
    }
    const expected = dumpReadModels(expectedAll, only(names));
    const db = new Database(':memory:');
    // 1. A rebuild in the log's order fails midway: projections at x, the fold's checkpoint still at 0.
    const p0 = only(names);
    const b = p0.find((p) => p.name === 'balances')!;
    const apply = b.apply.bind(b);
    jest.spyOn(b, 'apply').mockImplementation((event, context) => {
      if (event.stored.position >= head / 2n) throw new Error('failing midway');
      apply(event, context);
    });
    const r0 = new ProjectionRunner({ store, database: db, projections: p0, replayOrder: 'log', replayBatchSize: 200 });
    await expect(r0.rebuild()).rejects.toThrow('failing midway');
    await r0.close();
    jest.restoreAllMocks();
    const x = version(db, 'balances')!.position;
    expect(x).toBeGreaterThan(0);
    expect(version(db, '$projection_account_state')!.position).toBe(0);
    // 2. A build bumping portfolio catches it up by account to x, and fails midway.
    const { runner: r1, error } = await failedStart({ store, database: db, projections: bump(failingOn('portfolio', 'acc-003', only(names)), 'portfolio', PORTFOLIO + 1), replayBatchSize: 200, replayBatchAccounts: 2 });
    expect(error.message).toBe('failing at acc-003');
    await r1.close();
    jest.restoreAllMocks();
    expect(rows(db, 'SELECT projections, accounts_done FROM projection_replays')).toEqual([{ projections: `portfolio@${PORTFOLIO + 1}`, accounts_done: expect.any(Number) }]);
    expect((rows(db, 'SELECT accounts_done AS n FROM projection_replays')[0] as { n: number }).n).toBeGreaterThan(0);
    // 3. A build bumping balances: it is reset, every projection is at 0, the fold at 0: portfolio's partial rows are kept and followed into.
    await followToHead({ store, database: db, projections: bump(bump(only(names), 'portfolio', PORTFOLIO + 1), 'balances', BALANCES + 1) }, head);
    expect(dumpReadModels(db, only(names))).toBe(expected);
  });

  describe('when a start finds the read models empty', () => {
    /** Holds the replay at its first account stream until `release()`: the first read appends `during()` to the log first. */
    function holdFirstAccountRead(store: EventStore, during: () => Promise<void>) {
      const readStream = store.readStream.bind(store);
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let appended!: () => void;
      const appendedNow = new Promise<void>((resolve) => (appended = resolve));
      let held = false;
      const spy = jest.spyOn(store, 'readStream').mockImplementation(async (stream, options) => {
        if (!held && stream.startsWith('credit-account-')) {
          held = true;
          await during();
          appended();
          await released;
        }
        return readStream(stream, options);
      });
      return { spy, release, appendedNow };
    }

    it('replays them by account as the first part of following the log: start() does not wait, and what is appended meanwhile is followed once', async () => {
      const { store, sim, head, accounts } = await ledger();
      const db = new Database(':memory:');
      const held = holdFirstAccountRead(store, async () => {
        await sim.draw('late-001', 'during-1', '12.00');
        await sim.closeDaysThrough('2026-09-30');
      });
      const progress: string[] = [];
      const started: bigint[] = [];
      const runner = new ProjectionRunner({
        store,
        database: db,
        projections: createProjections(),
        onRebuildProgress: (position, of, unit) => progress.push(`${position}/${of} ${unit}`),
        onStarted: (position) => started.push(position),
      });
      await runner.start();
      await held.appendedNow;
      // Started and following, nothing applied yet: the replay is held at its first account.
      expect({ running: runner.running, replaying: runner.replaying, started, applied: runner.processedPosition() }).toEqual({ running: true, replaying: true, started: [0n], applied: 0n });
      expect(count(db, 'SELECT COUNT(*) AS n FROM projection_replays WHERE until = ' + head)).toBe(1);
      const now = await store.headPosition();
      expect(now).toBeGreaterThan(head);
      expect((await runner.lag()).every((l) => l.position === 0n && l.lag === now)).toBe(true);

      held.release();
      await runner.waitFor(now, 10_000);
      expect(runner.replaying).toBe(false);
      const expected = await inLogOrder(store);
      // Each account's stream read once, by the replay (the appends meanwhile came after its end, from the live log).
      expect(accountReads(held.spy)).toBe(accounts);
      expect(dumpReadModels(db, runner.projections)).toBe(expected);
      expect(await storedStates(db, ACCOUNT_STATE_TABLE, store)).toEqual(await streamStates(store));
      expect([...checkpointPositions(db).values()].every((position) => position === now)).toBe(true);
      expect(count(db, 'SELECT COUNT(*) AS n FROM projection_replays')).toBe(0);
      expect(progress[0]).toMatch(/ accounts$/);
      expect(progress[progress.length - 1]).toBe(`${head}/${head} positions`);
      await runner.close();
    });

    /** A start on empty read models stopped right after the replay's first batch (200 events): the runner, its database and the accounts done. */
    async function stoppedAfterFirstBatch(store: EventStore) {
      const db = new Database(':memory:');
      let stopped: Promise<void> | undefined;
      const runner: ProjectionRunner = new ProjectionRunner({
        store,
        database: db,
        projections: createProjections(),
        replayBatchSize: 200,
        onReplayCommitted: () => (stopped ??= runner.stop()),
      });
      await runner.start();
      await until(() => stopped !== undefined);
      await stopped;
      return { db, runner, done: (rows(db, 'SELECT accounts_done AS n FROM projection_replays')[0] as { n: number }).n };
    }

    it('stops between batches of that replay, which the next start and the next rebuild of everything go on with', async () => {
      const { store, head, accounts } = await ledger();
      const expected = await inLogOrder(store);
      const { db, runner, done } = await stoppedAfterFirstBatch(store);
      expect(runner.running).toBe(false);
      expect(done).toBeGreaterThan(0);
      expect(done).toBeLessThan(accounts);
      // Stopping wrote no fold checkpoint: the replay stands as a batch left it, for the next start to go on with.
      expect(checkpointPositions(db).has('$projection_account_state')).toBe(false);
      expect(version(db, 'balances')).toEqual({ version: -1 - createProjections().find((p) => p.name === 'balances')!.version, position: 0 });
      await runner.close();
      const copy = new Database(db.serialize());

      const streams = jest.spyOn(store, 'readStream');
      await followToHead({ store, database: db, projections: createProjections() }, head);
      expect(accountReads(streams)).toBe(accounts - done);
      expect(dumpReadModels(db, createProjections())).toBe(expected);

      streams.mockClear();
      const rebuilt = new ProjectionRunner({ store, database: copy, projections: createProjections() });
      await rebuilt.rebuild();
      await rebuilt.close();
      expect(accountReads(streams)).toBe(accounts - done);
      expect(dumpReadModels(copy, createProjections())).toBe(expected);
    });

    it('goes on with that replay when the same runner is asked to rebuild everything meanwhile', async () => {
      const { store, head, accounts } = await ledger();
      const expected = await inLogOrder(store);
      const streams = jest.spyOn(store, 'readStream');
      const db = new Database(':memory:');
      let rebuilt: Promise<void> | undefined;
      let done = 0;
      let readsBefore = 0;
      const runner: ProjectionRunner = new ProjectionRunner({
        store,
        database: db,
        projections: createProjections(),
        replayBatchSize: 200,
        onReplayCommitted: (accountsDone) => {
          if (rebuilt !== undefined) return;
          done = accountsDone;
          readsBefore = accountReads(streams);
          rebuilt = runner.rebuild();
        },
      });
      await runner.start();
      await until(() => rebuilt !== undefined);
      await rebuilt;
      expect(runner.running).toBe(true);
      await runner.waitFor(head, 10_000);
      await runner.close();
      // The rebuild went on from the accounts the start's replay had done, reading only the streams after them.
      expect(done).toBeGreaterThan(0);
      expect(accountReads(streams) - readsBefore).toBe(accounts - done);
      expect(dumpReadModels(db, createProjections())).toBe(expected);
    });

    it('tries a failed batch of that replay again later, going on from the accounts committed', async () => {
      const { store, head, accounts } = await ledger();
      const expected = await inLogOrder(store);
      const { projections } = failingUntilHealed('balances', 'acc-008', createProjections(), true);
      const streams = jest.spyOn(store, 'readStream');
      const db = new Database(':memory:');
      const errors: string[] = [];
      let doneAtFailure = 0;
      const runner = new ProjectionRunner({
        store,
        database: db,
        projections,
        replayBatchSize: 200,
        retryAfterMs: 5,
        onError: (error) => {
          errors.push(error.message);
          doneAtFailure = (rows(db, 'SELECT accounts_done AS n FROM projection_replays')[0] as { n: number }).n;
        },
      });
      await runner.start();
      await runner.waitFor(head, 10_000);
      await runner.close();
      expect(errors).toEqual(['failing at acc-008']);
      expect(doneAtFailure).toBeGreaterThan(0);
      expect(dumpReadModels(db, createProjections())).toBe(expected);
      // The accounts committed before the failure were read once; only those after were read again.
      const order = await store.streamsUpTo(head, 'credit-account-');
      const reads = streams.mock.calls.map(([stream]) => String(stream));
      for (const stream of order.slice(0, doneAtFailure)) expect(reads.filter((r) => r === stream)).toHaveLength(1);
      expect(accountReads(streams)).toBeLessThan(2 * accounts);
    });
  });

  describe('following the log after the replay its start found to do', () => {
    it('reports and retries a subscription to the log that fails once the replay has ended', async () => {
      const { store, head } = await ledger();
      const subscribe = store.subscribeToAll.bind(store);
      let thrown = false;
      jest.spyOn(store, 'subscribeToAll').mockImplementation((options) => {
        if (thrown) return subscribe(options);
        thrown = true;
        throw new Error('store unavailable');
      });
      const errors: string[] = [];
      const runner = new ProjectionRunner({ store, database: new Database(':memory:'), projections: createProjections(), retryAfterMs: 5, onError: (e) => errors.push(e.message) });
      await runner.start();
      await runner.waitFor(head, 5_000);
      await until(() => runner.running && !runner.replaying, 5);
      await runner.close();
      expect({ thrown, errors }).toEqual({ thrown: true, errors: ['store unavailable'] });
    });

    it('starts whatever the store answers, reporting and retrying a head it could not read', async () => {
      const { store, runner, head, catchUp, sim } = await ledger();
      await catchUp();
      await runner.stop();
      await sim.draw('late-001', 'after-stop', '5.00');
      const headPosition = store.headPosition.bind(store);
      jest.spyOn(store, 'headPosition').mockRejectedValueOnce(new Error('connection refused')).mockImplementation(headPosition);
      const errors: string[] = [];
      const retrying = new ProjectionRunner({ store, database: runner.db, projections: createProjections(), retryAfterMs: 5, onError: (e) => errors.push(e.message) });
      await retrying.start();
      const now = await headPosition();
      expect(now).toBeGreaterThan(head);
      await retrying.waitFor(now, 5_000);
      await retrying.close();
      expect(errors).toEqual(['connection refused']);
    });

    it('reports and retries a subscription whose first read fails before subscribeToAll returns', async () => {
      const { store, runner, head, catchUp } = await ledger();
      await catchUp();
      await runner.stop();
      const subscribe = store.subscribeToAll.bind(store);
      let failed = false;
      jest.spyOn(store, 'subscribeToAll').mockImplementation((options) => {
        if (failed) return subscribe(options);
        failed = true;
        options.onError?.(new Error('SQLITE_IOERR'));
        return { stop: async () => undefined };
      });
      const errors: string[] = [];
      const retrying = new ProjectionRunner({ store, database: runner.db, projections: createProjections(), retryAfterMs: 5, onError: (e) => errors.push(e.message) });
      await retrying.start();
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect({ errors, lastError: retrying.lastError?.message, running: retrying.running }).toEqual({ errors: ['SQLITE_IOERR'], lastError: 'SQLITE_IOERR', running: false });
      await until(() => retrying.running, 5);
      expect(retrying.lastError).toBeUndefined();
      await retrying.waitFor(head, 5_000);
      await retrying.close();
    });

    it('rebuilds one projection exactly when that rebuild stops a replay going on, which then fails before its first batch', async () => {
      const { store, head } = await ledger();
      const expected = await inLogOrder(store);
      // A replay of everything stopped after its first batch, for the next start to go on with.
      const db = new Database(':memory:');
      let stopped: Promise<void> | undefined;
      const first: ProjectionRunner = new ProjectionRunner({ store, database: db, projections: createProjections(), replayBatchSize: 200, onReplayCommitted: () => (stopped ??= first.stop()) });
      await first.start();
      await until(() => stopped !== undefined);
      await stopped;
      await first.close();

      const streamsUpTo = store.streamsUpTo.bind(store);
      let fail!: () => void;
      const failing = new Promise<void>((resolve) => (fail = resolve));
      let calls = 0;
      jest.spyOn(store, 'streamsUpTo').mockImplementation(async (until, prefix) => {
        if (calls++ > 0) return streamsUpTo(until, prefix);
        await failing;
        throw new Error('store unavailable');
      });
      const errors: string[] = [];
      const runner = new ProjectionRunner({ store, database: db, projections: createProjections(), onError: (e) => errors.push(e.message) });
      await runner.start(); // goes on with the replay, held listing the accounts
      const rebuilt = runner.rebuild('balances');
      await new Promise((resolve) => setTimeout(resolve, 1));
      fail();
      await rebuilt;
      await runner.waitFor(head, 5_000);
      // The failure was reported; the runner, rebuilt, follows the log with no failure standing.
      expect({ errors, lastError: runner.lastError, running: runner.running }).toEqual({ errors: ['store unavailable'], lastError: undefined, running: true });
      await runner.close();
      expect(dumpReadModels(db, createProjections())).toBe(expected);
    });
  });

  it('follows the log again after a rebuild asked for while it waited to retry a failed batch of its start’s replay', async () => {
    const { store, db, head, expected } = await caughtUp();
    const { projections, heal } = failingUntilHealed('balances', 'acc-008', bump(createProjections(), 'balances', BALANCES + 1));
    let failed!: () => void;
    const failure = new Promise<void>((resolve) => (failed = resolve));
    const runner = new ProjectionRunner({ store, database: db, projections, retryAfterMs: 60_000, onError: () => failed() });
    await runner.start();
    await failure;
    heal();
    await runner.rebuild('portfolio');
    expect({ running: runner.running, lastError: runner.lastError }).toEqual({ running: true, lastError: undefined });
    await runner.waitFor(head, 5_000);
    await runner.close();
    expect(dumpReadModels(db, createProjections())).toBe(expected);
  });

  it('stops, and starts again, whatever a callback reporting its replay throws', async () => {
    const { store, db, head, expected } = await caughtUp();
    const runner = new ProjectionRunner({
      store,
      database: db,
      projections: bump(createProjections(), 'balances', BALANCES + 1),
      onReplaying: () => {
        throw new Error('callback');
      },
    });
    await runner.start();
    await runner.waitFor(head, 5_000);
    await runner.close();
    expect(dumpReadModels(db, createProjections())).toBe(expected);
  });

  it('catches up read models far behind the log by a replay in its order, then follows it; nearer, by following it', async () => {
    const { store, runner, db, sim, head } = await ledger();
    await runner.start();
    await runner.waitFor(head, 10_000);
    await runner.close();
    await sim.closeDaysThrough('2026-12-31');
    const now = await store.headPosition();
    const expected = await inLogOrder(store);
    const copy = new Database(db.serialize());
    const subscriptions: bigint[] = [];
    const pages: bigint[] = [];
    const subscribe = store.subscribeToAll.bind(store);
    jest.spyOn(store, 'subscribeToAll').mockImplementation((options) => {
      subscriptions.push(options.after ?? 0n);
      return subscribe(options);
    });
    const readAll = store.readAll.bind(store);
    jest.spyOn(store, 'readAll').mockImplementation((options) => {
      pages.push(options?.after ?? 0n);
      return readAll(options);
    });

    // Further behind than the bound: pages of the log from the checkpoint, then a subscription after the head.
    const rebuilding: boolean[] = [];
    const far = new ProjectionRunner({ store, database: db, projections: createProjections(), replayWhenBehindBy: Number(now - head) - 1, onReplaying: (r) => rebuilding.push(r) });
    await far.start();
    await far.waitFor(now, 10_000);
    // The subscription follows once the replay has ended.
    await until(() => subscriptions.length !== 0);
    await far.close();
    // Only behind meanwhile, not rebuilding: nothing was emptied.
    expect({ firstPage: pages[0], subscribedAfter: subscriptions, rebuilding }).toEqual({ firstPage: head, subscribedAfter: [now], rebuilding: [] });
    expect(dumpReadModels(db, createProjections())).toBe(expected);

    // Within it: following the log from the checkpoint.
    pages.length = 0;
    subscriptions.length = 0;
    const near = new ProjectionRunner({ store, database: copy, projections: createProjections(), replayWhenBehindBy: Number(now - head) });
    await near.start();
    await near.waitFor(now, 10_000);
    await near.close();
    expect({ pages, subscribedAfter: subscriptions }).toEqual({ pages: [], subscribedAfter: [head] });
    expect(dumpReadModels(copy, createProjections())).toBe(expected);
  });

  it('in one runner, finishes a failed replay of everything before rebuilding one projection', async () => {
    const { store, head } = await ledger();
    const expected = await inLogOrder(store);
    const db = new Database(':memory:');
    const runner = new ProjectionRunner({ store, database: db, projections: failingOn('balances'), replayBatchSize: 200 });
    await expect(runner.rebuild()).rejects.toThrow('failing at acc-008');
    expect((rows(db, 'SELECT accounts_done AS n FROM projection_replays')[0] as { n: number }).n).toBeGreaterThan(0);
    jest.restoreAllMocks();
    await runner.rebuild('portfolio');
    // As in a new runner (test 'finishes an interrupted replay of everything before rebuilding one projection'):
    // the pending replay is finished first, so every projection stands at the head once rebuild(name) resolves.
    const lag = await runner.lag();
    const streams = jest.spyOn(store, 'readStream');
    await runner.start();
    await runner.waitFor(head, 10_000);
    await runner.close();
    expect(dumpReadModels(db, createProjections())).toBe(expected);
    expect({ lag: lag.map((l) => `${l.projection}:${l.position}`), nextStartReadStreams: accountReads(streams) }).toEqual({
      lag: createProjections().map((p) => `${p.name}:${head}`),
      nextStartReadStreams: 0,
    });
  });
});

/** Where each projection and fold stands (the log mark's row, the position before an event, is no checkpoint of theirs). */
function checkpointPositions(db: Database.Database): Map<string, bigint> {
  const rows = db.prepare("SELECT name, position FROM projection_checkpoints WHERE name <> '$log_mark'").all() as { name: string; position: number }[];
  return new Map(rows.map((r) => [r.name, BigInt(r.position)]));
}

/** Every account's state folded from its stream, serialized. */
async function streamStates(store: EventStore): Promise<Map<string, string>> {
  const states = new Map<string, CreditAccountState>();
  for (const stored of await store.readAll({ maxCount: 1_000_000 })) {
    const decoded = decodeLedgerEvent(stored);
    if (decoded.kind === 'account') states.set(decoded.accountId, evolve(states.get(decoded.accountId) ?? initialState(decoded.accountId), decoded.event));
  }
  return new Map([...states].map(([id, state]) => [id, serializeState(state)]));
}

/** Writes every account's state whole into a fold table, and empties its tail, as a build from before the tails would. */
async function writeWhole(db: Database.Database, table: string, store: EventStore): Promise<void> {
  const upsert = db.prepare(`INSERT OR REPLACE INTO ${table} (account_id, position, state_json) VALUES (?, ?, ?)`);
  const position = await store.headPosition();
  for (const [id, json] of await streamStates(store)) upsert.run(id, position, json);
  db.exec(`DELETE FROM ${table}_tail`);
}

/** The same accounts' states as a fresh fold reads them from a database's tables (rows and tails). */
async function storedStates(db: Database.Database, table: string, store: EventStore): Promise<Map<string, string>> {
  const fold = new AccountStateFold(db, table, { entries: 1, bytes: 1_000_000_000 });
  const ids = [...(await streamStates(store)).keys()];
  return new Map(ids.map((id) => [id, serializeState(fold.get(id))]));
}
