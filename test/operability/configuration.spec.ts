import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SCHEMA_VERSION, SOURCE_PRELOAD, SqliteEventStore } from '@ledger/event-store';
import { ConfigError, createLedgerEventStore, DEVELOPMENT_ID_HASH_KEY, loadConfig } from '@ledger/servicing';
import { createApp } from '../../apps/ledger-api/src/bootstrap';

const ROOT = join(__dirname, '..', '..');

function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('the configuration', () => {
  it('starts with every default when nothing is set', () => {
    expect(loadConfig({})).toMatchObject({
      port: 3000,
      readyMaxLag: 10000,
      store: 'sqlite',
      sqlitePath: './data/ledger.sqlite',
      sqliteSynchronous: 'FULL',
      sqliteWalAutocheckpointPages: 100000,
      sqliteWriter: 'inline',
      sqliteCheckpoints: 'thread',
      sqliteCheckpointIntervalMs: 100,
      readModelPath: './data/ledger.read-models.sqlite',
      clock: 'manual',
      clockStart: '2026-01-01T09:00:00+08:00',
      demo: false,
      projections: true,
      projectionsWorker: false,
      endOfDayConcurrency: 128,
      aggregateCacheSize: 20000,
      logLevel: 'info',
    });
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['LEDGER_STORE', 'postgres'],
    ['LEDGER_SQLITE_SYNCHRONOUS', 'FAST'],
    ['LEDGER_SQLITE_WAL_AUTOCHECKPOINT', '0'],
    ['LEDGER_SQLITE_WRITER', 'sideways'],
    ['LEDGER_SQLITE_CHECKPOINT', 'sometimes'],
    ['LEDGER_SQLITE_CHECKPOINT_INTERVAL_MS', '0'],
    ['LEDGER_CLOCK', 'lunar'],
    ['LEDGER_CLOCK_START', '2026-01-01'],
    ['LEDGER_DEMO', 'maybe'],
    ['LEDGER_DEMO_ACCOUNTS', '0'],
    ['LEDGER_DEMO_MONTHS', '121'],
    ['LEDGER_PROJECTIONS', 'sometimes'],
    ['LEDGER_EOD_CONCURRENCY', '0'],
    ['LEDGER_AGGREGATE_CACHE', '-5'],
    ['LEDGER_AGGREGATE_CACHE_MB', '0'],
    ['LEDGER_STATE_CACHE_MB', '1.5'],
    ['LEDGER_READY_MAX_LAG', '1e3'],
    ['LEDGER_RATE_LIMIT', '0'],
    ['LEDGER_TRUST_PROXY', 'true'],
    ['LEDGER_TRUST_PROXY', '10.0.0.0/33'],
    ['LEDGER_TRUST_PROXY', '127.0.0.1,proxy.internal'],
    ['LEDGER_TRUST_PROXY', '0.0.0.0/0'],
    ['LEDGER_TRUST_PROXY', '0.0.0.0/1,128.0.0.0/1'],
    ['LEDGER_TRUST_PROXY', '::/0'],
    ['LEDGER_TRUST_PROXY', '::ffff:0.0.0.0/96'],
    ['LOG_LEVEL', 'verbose'],
  ])('refuses %s=%s with a message naming the variable and the value', (variable, value) => {
    const error = refusal({ [variable]: value });
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(new RegExp(`^${variable}: `));
    expect(error.message).toContain(JSON.stringify(value));
  });

  it('reads the proxies to trust as a list of addresses, ranges and names, and trusts none by default', () => {
    expect(loadConfig({}).trustProxy).toBeUndefined();
    expect(loadConfig({ LEDGER_TRUST_PROXY: ' 10.0.0.0/8, ::1 ,Loopback' }).trustProxy).toEqual(['10.0.0.0/8', '::1', 'loopback']);
  });

  it('reads named values whatever their case, as it reads flags', () => {
    const config = loadConfig({ LEDGER_SQLITE_SYNCHRONOUS: 'full', LEDGER_STORE: 'SQLite', LEDGER_SQLITE_CHECKPOINT: 'Commit', LEDGER_CLOCK: 'SYSTEM' });
    expect([config.sqliteSynchronous, config.store, config.sqliteCheckpoints, config.clock]).toEqual(['FULL', 'sqlite', 'commit', 'system']);
  });

  it('says how long a short ID hash key is, not that production needs one, outside production', () => {
    expect(refusal({ LEDGER_ID_HASH_KEY: 'short' }).message).toBe('LEDGER_ID_HASH_KEY: must be a secret of at least 16 characters, got 5');
  });

  it('refuses production without a secret ID hash key', () => {
    expect(refusal({ NODE_ENV: 'production' }).variable).toBe('LEDGER_ID_HASH_KEY');
    expect(refusal({ NODE_ENV: 'production', LEDGER_ID_HASH_KEY: 'short' }).variable).toBe('LEDGER_ID_HASH_KEY');
    // The development key is in the source, so set explicitly it is no secret either.
    const published = refusal({ NODE_ENV: 'production', LEDGER_ID_HASH_KEY: DEVELOPMENT_ID_HASH_KEY, LEDGER_API_KEYS: 'operator:abcdefghijklmnopqrstu' });
    expect([published.variable, published.message]).toEqual(['LEDGER_ID_HASH_KEY', expect.stringContaining('development key')]);
    expect(loadConfig({ NODE_ENV: 'production', LEDGER_ID_HASH_KEY: 'a-secret-of-our-own-0001', LEDGER_API_KEYS: 'operator:abcdefghijklmnopqrstu' }).idHashKey).toBe('a-secret-of-our-own-0001');
  });

  it('refuses the published development ID hash key wherever NODE_ENV names a deployment, not only production', () => {
    for (const NODE_ENV of ['staging', 'uat', 'prod']) {
      expect(refusal({ NODE_ENV }).message).toContain(`with NODE_ENV=${NODE_ENV}`);
      const published = refusal({ NODE_ENV, LEDGER_ID_HASH_KEY: DEVELOPMENT_ID_HASH_KEY });
      expect([published.variable, published.message]).toEqual(['LEDGER_ID_HASH_KEY', expect.stringContaining('development key')]);
    }
    for (const NODE_ENV of [undefined, '', 'development', 'test']) expect(loadConfig({ NODE_ENV }).idHashKey).toBe(DEVELOPMENT_ID_HASH_KEY);
    // A staging instance is not production: it may keep the manual clock, with a key of its own.
    expect(loadConfig({ NODE_ENV: 'staging', LEDGER_ID_HASH_KEY: 'a-secret-of-our-own-0001' }).clock).toBe('manual');
  });

  it('runs production on the system clock, and refuses the manual one there', () => {
    const secrets = { NODE_ENV: 'production', LEDGER_ID_HASH_KEY: 'a-secret-of-our-own-0001' };
    expect([loadConfig(secrets).clock, loadConfig({}).clock]).toEqual(['system', 'manual']);
    const manual = refusal({ ...secrets, LEDGER_CLOCK: 'Manual' });
    expect([manual.variable, manual.message]).toEqual(['LEDGER_CLOCK', expect.stringContaining('production runs on the system clock')]);
  });

  it('takes the readiness lag in events on SQLite and in bytes of log on EventStoreDB, each about 10,000 events by default', () => {
    expect(loadConfig({}).readyMaxLag).toBe(10_000);
    expect(loadConfig({ LEDGER_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113?tls=false' }).readyMaxLag).toBe(10_000_000);
    expect(loadConfig({ LEDGER_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113?tls=false', LEDGER_READY_MAX_LAG: '500' }).readyMaxLag).toBe(500);
  });

  it('refuses the memory store in production, which loses the log when the process ends', () => {
    const secrets = { NODE_ENV: 'production', LEDGER_ID_HASH_KEY: 'a-secret-of-our-own-0001' };
    const memory = refusal({ ...secrets, LEDGER_STORE: 'memory' });
    expect([memory.variable, memory.message]).toEqual(['LEDGER_STORE', expect.stringContaining('production runs on sqlite')]);
    expect(loadConfig({ LEDGER_STORE: 'memory' }).store).toBe('memory');
  });

  it('runs the projections in a worker thread with LEDGER_PROJECTIONS=worker, and never on the memory store', () => {
    expect(loadConfig({ LEDGER_PROJECTIONS: 'worker' })).toMatchObject({ projections: false, projectionsWorker: true });
    expect(loadConfig({ LEDGER_PROJECTIONS: '0' })).toMatchObject({ projections: false, projectionsWorker: false });
    expect(refusal({ LEDGER_PROJECTIONS: 'sometimes' }).message).toContain('or worker');
    const memory = refusal({ LEDGER_PROJECTIONS: 'worker', LEDGER_STORE: 'memory' });
    expect(memory.variable).toBe('LEDGER_PROJECTIONS');
    expect(memory.message).toContain('not memory');
  });

  it('refuses the EventStoreDB store without its connection string', () => {
    expect(refusal({ LEDGER_STORE: 'eventstoredb' }).variable).toBe('EVENTSTORE_CONNECTION_STRING');
  });

  it('opens the event log with the write-ahead log checkpointed at LEDGER_SQLITE_WAL_AUTOCHECKPOINT pages', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-wal-'));
    const store = await createLedgerEventStore(loadConfig({ LEDGER_SQLITE_PATH: join(dir, 'ledger.sqlite'), LEDGER_SQLITE_WAL_AUTOCHECKPOINT: '3000' }));
    try {
      expect(store).toBeInstanceOf(SqliteEventStore);
      expect(Number((store as SqliteEventStore).db.pragma('wal_autocheckpoint', { simple: true }))).toBe(3000);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checkpoints the event log on a thread by default, with the commit\'s limit as a backstop, and on commit with LEDGER_SQLITE_CHECKPOINT=commit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-checkpoints-'));
    const opened: SqliteEventStore[] = [];
    const open = async (env: Record<string, string>) => {
      const store = (await createLedgerEventStore(loadConfig({ LEDGER_SQLITE_PATH: join(dir, 'ledger.sqlite'), ...env }))) as SqliteEventStore;
      opened.push(store);
      return store;
    };
    const autocheckpoint = (store: SqliteEventStore) => Number(store.db.pragma('wal_autocheckpoint', { simple: true }));
    try {
      const threaded = await open({});
      expect(threaded.checkpoints).toBe('thread');
      expect(autocheckpoint(threaded)).toBe(100_000);
      await threaded.append('account-a', 'no_stream', [{ id: 'e-1', type: 'Opened', schemaVersion: 1, data: {} }]);
      expect(threaded.checkpointerRunning).toBe(true);
      const onCommit = await open({ LEDGER_SQLITE_CHECKPOINT: 'commit' });
      expect(onCommit.checkpoints).toBe('commit');
      expect(autocheckpoint(onCommit)).toBe(10_000);
      expect(autocheckpoint(await open({ LEDGER_SQLITE_WAL_AUTOCHECKPOINT: '50000' }))).toBe(50_000);
      expect(loadConfig({ LEDGER_SQLITE_CHECKPOINT_INTERVAL_MS: '250' }).sqliteCheckpointIntervalMs).toBe(250);
    } finally {
      await Promise.all(opened.map((store) => store.close()));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('commits the event log on a writer thread with LEDGER_SQLITE_WRITER=thread, appends and snapshots alike', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-writer-'));
    const store = (await createLedgerEventStore(loadConfig({ LEDGER_SQLITE_PATH: join(dir, 'ledger.sqlite'), LEDGER_SQLITE_WRITER: 'thread' }))) as SqliteEventStore;
    try {
      expect(store.writer).toBe('thread');
      const snapshots = store.snapshotStore();
      await Promise.all([
        store.append('account-a', 'no_stream', [{ id: 'e-1', type: 'Opened', schemaVersion: 1, data: {} }]),
        snapshots.save('account-a', 0n, 1, { opened: true }),
      ]);
      expect((await store.readStream('account-a')).map((event) => event.id)).toEqual(['e-1']);
      expect(await snapshots.load('account-a')).toEqual({ revision: 0n, schemaVersion: 1, state: { opened: true } });
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('documents every variable it reads in docs/configuration.md', () => {
    const source = readFileSync(join(ROOT, 'libs/servicing/src/config/ledger-config.ts'), 'utf8');
    const read = new Set([...source.matchAll(/env(?:\.|, ')([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]));
    expect(read.size).toBeGreaterThan(15);
    const documented = readFileSync(join(ROOT, 'docs/configuration.md'), 'utf8');
    const missing = [...read].filter((name) => !documented.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });

  it('stops the API process with exit code 78 and one line naming the variable', () => {
    const result = spawnSync(process.execPath, [...SOURCE_PRELOAD, join(ROOT, 'apps/ledger-api/src/main.ts')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), LEDGER_EOD_CONCURRENCY: 'lots' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(78);
    expect(result.stderr.trim()).toBe('configuration error: LEDGER_EOD_CONCURRENCY: must be an integer from 1 to 1024, got "lots"');
  }, 90_000);

  it('stops the API and the CLI with exit code 78 and one line on a log a newer build wrote (a rollback past its schema)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-newer-'));
    try {
      const log = join(dir, 'ledger.sqlite');
      await new SqliteEventStore(log).close();
      const db = new Database(log);
      db.pragma('user_version = 99');
      db.close();
      const env = { PATH: process.env.PATH, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'), LEDGER_SQLITE_PATH: log, LEDGER_READ_MODEL_PATH: join(dir, 'r.sqlite'), PORT: '1', LOG_LEVEL: 'silent', LEDGER_CLOCK: 'manual' };
      const run = (entry: string, args: string[] = []) =>
        spawnSync(process.execPath, [...SOURCE_PRELOAD, join(ROOT, entry), ...args], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
      for (const [result, prefix] of [
        [run('apps/ledger-api/src/main.ts'), 'LEDGER_SQLITE_PATH: '],
        [run('apps/ledger-cli/src/main.ts', ['verify']), ''],
        // simulate builds its own app: refused before it too.
        [run('apps/ledger-cli/src/main.ts', ['simulate', '--accounts', '2', '--months', '1']), ''],
      ] as const) {
        expect({ status: result.status, stderr: result.stderr.trim() }).toEqual({
          status: 78,
          stderr: `configuration error: ${prefix}${log} has schema version 99; this build knows up to ${SCHEMA_VERSION}: a newer build wrote it. Run that build, or restore the backup taken before the upgrade (docs/runbook.md, Upgrading)`,
        });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('refuses an API keys file that cannot be read while the app is built, naming the variable', async () => {
    const config = loadConfig({ LEDGER_STORE: 'memory', LEDGER_API_KEYS_FILE: '/nonexistent/ledger-keys' });
    const error = await createApp(config, { logger: false }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('LEDGER_API_KEYS_FILE');
  });
});
