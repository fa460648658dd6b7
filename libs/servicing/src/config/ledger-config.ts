/**
 * All configuration, read once from the environment and validated at start-up: a wrong value stops the
 * process with a message naming the variable. Every variable and its default is listed in docs/configuration.md.
 */
import { isIP } from 'node:net';
import { isValidDateTime } from '@ledger/credit';
import { createEventStore, DEFAULT_CHECKPOINT_INTERVAL_MS, defaultWalAutocheckpointPages, type EventStore, SQLITE_SYNCHRONOUS_MODES, type SqliteCheckpointMode, type SqliteEventStoreOptions, type SqliteSynchronous, type SqliteWriterMode } from '@ledger/event-store';
import { DEFAULT_STATE_CACHE_BYTES } from '@ledger/projections';
import { DEFAULT_AGGREGATE_CACHE_BYTES } from '../repository/account-repository';
import { DEFAULT_END_OF_DAY_CONCURRENCY } from '../end-of-day/end-of-day.service';

export interface LedgerConfig {
  port: number;
  /** Readiness fails when a projection is more than this many events behind the head (LEDGER_READY_MAX_LAG). */
  readyMaxLag: number;
  store: 'sqlite' | 'eventstoredb' | 'memory';
  sqlitePath: string;
  sqliteSynchronous: SqliteSynchronous;
  /**
   * Pages the event log's write-ahead log may hold before a commit checkpoints it
   * (LEDGER_SQLITE_WAL_AUTOCHECKPOINT): 100,000 (a backstop) with a checkpointer thread, the default; 10,000 with LEDGER_SQLITE_CHECKPOINT=commit.
   */
  sqliteWalAutocheckpointPages: number;
  /** Where the event log's groups are committed (LEDGER_SQLITE_WRITER): a writer thread, or the appending thread. */
  sqliteWriter: SqliteWriterMode;
  /** Who copies the event log's write-ahead log into its file (LEDGER_SQLITE_CHECKPOINT): a checkpointer thread, or the commit that fills it. */
  sqliteCheckpoints: SqliteCheckpointMode;
  /** Milliseconds between the checkpointer thread's runs (LEDGER_SQLITE_CHECKPOINT_INTERVAL_MS). */
  sqliteCheckpointIntervalMs: number;
  readModelPath: string;
  eventStoreConnectionString: string | undefined;
  clock: 'system' | 'manual';
  clockStart: string;
  demo: boolean;
  demoAccounts: number;
  demoMonths: number;
  idHashKey: string;
  /** This process's main thread runs the projections (LEDGER_PROJECTIONS=1, the default). */
  projections: boolean;
  /**
   * A worker thread of this process runs them (LEDGER_PROJECTIONS=worker): the main thread then reads
   * the read models as it would beside a separate projector, and the projections get a core of their own.
   */
  projectionsWorker: boolean;
  endOfDayConcurrency: number;
  aggregateCacheSize: number;
  /** Bytes the repository's account cache may hold (estimated per account by `approximateStateBytes`); set in MiB. */
  aggregateCacheBytes: number;
  /** Bytes the projection runner's account-state cache may hold; set in MiB. */
  stateCacheBytes: number;
  logLevel: string;
  /** `role:key` or `role:name:key` pairs, comma separated (LEDGER_API_KEYS); parsed and hashed by the API. */
  apiKeys: string | undefined;
  /** A file of the same pairs, one or more a line (LEDGER_API_KEYS_FILE). */
  apiKeysFile: string | undefined;
  /** Requests a minute allowed per API key (or per address before authentication). */
  rateLimitPerMinute: number;
  /** Requests the API works on at once; more are refused with 503 OVERLOADED (LEDGER_MAX_IN_FLIGHT). */
  maxRequestsInFlight: number;
  /**
   * Milliseconds between a stop signal and the stop itself, while readiness answers 503 and requests are
   * still served, so a load balancer takes the instance out before it refuses connections
   * (LEDGER_SHUTDOWN_DRAIN_MS).
   */
  shutdownDrainMs: number;
  /** Who may read `/metrics`: anyone (`open`), or a caller with a key of any role (`key`; LEDGER_METRICS_ACCESS). */
  metricsAccess: 'open' | 'key';
  /**
   * The proxies whose `X-Forwarded-For` names the caller (LEDGER_TRUST_PROXY: addresses, CIDR ranges, or
   * proxy-addr's names `loopback`, `linklocal`, `uniquelocal`); undefined trusts none.
   */
  trustProxy: string[] | undefined;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  // Case does not matter, as for the flags: `full` is FULL, `SQLITE` is sqlite.
  const value = allowed.find((a) => a.toLowerCase() === raw.toLowerCase());
  if (value === undefined) throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
  return value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new ConfigError(name, `must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * A list of proxies to trust, each an address, a CIDR range or one of proxy-addr's names. `true`, a hop
 * count and ranges wider than a /8 (IPv4) or a /32 (IPv6) are refused: a caller inside a trusted range
 * chooses the address its rate limit counts against (`0.0.0.0/1,128.0.0.0/1` trusted everyone, and
 * `0.0.0.0/0` stopped the start inside Fastify without naming the variable).
 */
function proxies(env: Env, name: string): string[] | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const entries = raw.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    if (PROXY_NAMES.includes(entry.toLowerCase())) continue;
    const [address, prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
    if (family === 0 || !prefixOk || rest.length > 0) {
      throw new ConfigError(name, `must be a comma-separated list of proxy addresses, CIDR ranges (10.0.0.0/8) or ${PROXY_NAMES.join(', ')}; got ${JSON.stringify(raw)}, whose ${JSON.stringify(entry)} is none of them`);
    }
    // An IPv4 address written in IPv6 (`::ffff:0.0.0.0/96`) is matched as IPv4 by proxy-addr: name it as IPv4.
    if (family === 6 && /^::ffff:/i.test(address)) {
      throw new ConfigError(name, `names ${JSON.stringify(entry)}, an IPv4 range written in IPv6: write it as IPv4 (got ${JSON.stringify(raw)})`);
    }
    const narrowest = family === 6 ? 32 : 8;
    if (prefix !== undefined && Number(prefix) < narrowest) {
      throw new ConfigError(name, `names the proxies to trust, and ${JSON.stringify(entry)} is wider than a /${narrowest}: a caller inside a trusted range chooses the address its rate limit counts; name the proxies' own addresses or subnet (got ${JSON.stringify(raw)})`);
    }
  }
  return entries.map((entry) => (PROXY_NAMES.includes(entry.toLowerCase()) ? entry.toLowerCase() : entry));
}

function flag(env: Env, name: string, fallback: boolean, alternatives = ''): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(name, `must be 1 or 0 (true or false)${alternatives ? ` ${alternatives}` : ''}, got ${JSON.stringify(raw)}`);
}

/** The development key used only when none is configured outside production; printed as a warning. */
export const DEVELOPMENT_ID_HASH_KEY = 'development-only-id-hash-key-change-me';

/** Bytes in a mebibyte: the cache bounds are configured in MiB. */
const MIB = 2 ** 20;

export function loadConfig(env: Env = process.env): LedgerConfig {
  const store = oneOf(env, 'LEDGER_STORE', ['sqlite', 'eventstoredb', 'memory'] as const, 'sqlite');
  const production = env.NODE_ENV === 'production';
  // Production runs on the wall clock: a manual one starts at a fixed date, never runs end of day by
  // itself, and lets any operator key move business time (PUT /operations/clock).
  const clock = oneOf(env, 'LEDGER_CLOCK', ['system', 'manual'] as const, production ? 'system' : 'manual');
  if (production && clock === 'manual') {
    throw new ConfigError('LEDGER_CLOCK', 'manual is for demos, simulation and tests: it starts at a fixed date, runs no end of day by itself and lets an operator key set business time; production runs on the system clock (unset LEDGER_CLOCK, or set it to system)');
  }
  if (production && store === 'memory') {
    throw new ConfigError('LEDGER_STORE', 'memory keeps the event log in the process and loses it when the process ends: it is for tests and demos; production runs on sqlite (the default) or eventstoredb');
  }
  const clockStart = env.LEDGER_CLOCK_START || '2026-01-01T09:00:00+08:00';
  if (!isValidDateTime(clockStart)) throw new ConfigError('LEDGER_CLOCK_START', `must be an ISO date-time with an offset, got ${JSON.stringify(clockStart)}`);
  // The development key is in the source: with it, whoever can list accounts can recover ID numbers from
  // their account ids (keyed hashes of them) and masked forms, by trying every birth date and region. It
  // is refused wherever NODE_ENV names a deployment (staging, uat ...), not only production: such
  // instances hold real applicants' data as often as not.
  const deployed = env.NODE_ENV !== undefined && env.NODE_ENV !== '' && !['development', 'test'].includes(env.NODE_ENV);
  const idHashKey = env.LEDGER_ID_HASH_KEY || (deployed ? '' : DEVELOPMENT_ID_HASH_KEY);
  const onlyFor = `with NODE_ENV=${env.NODE_ENV} (the development key is only for NODE_ENV unset, development or test)`;
  if (idHashKey.length < 16) throw new ConfigError('LEDGER_ID_HASH_KEY', deployed && !env.LEDGER_ID_HASH_KEY ? `must be set to a secret of at least 16 characters ${onlyFor}` : `must be a secret of at least 16 characters, got ${idHashKey.length}`);
  if (deployed && idHashKey === DEVELOPMENT_ID_HASH_KEY) throw new ConfigError('LEDGER_ID_HASH_KEY', `is the development key, which is published in the source; set a secret of your own ${onlyFor}`);
  if (store === 'eventstoredb' && !env.EVENTSTORE_CONNECTION_STRING) {
    throw new ConfigError('EVENTSTORE_CONNECTION_STRING', 'is required when LEDGER_STORE=eventstoredb');
  }
  const sqlitePath = env.LEDGER_SQLITE_PATH || './data/ledger.sqlite';
  const projectionsWorker = env.LEDGER_PROJECTIONS?.toLowerCase() === 'worker';
  const sqliteCheckpoints = oneOf(env, 'LEDGER_SQLITE_CHECKPOINT', ['commit', 'thread'] as const, 'thread');
  if (projectionsWorker && store === 'memory') {
    throw new ConfigError('LEDGER_PROJECTIONS', 'worker needs a store both threads can open (sqlite or eventstoredb), not memory');
  }
  return {
    port: integer(env, 'PORT', 3000, 1, 65535),
    // Events on SQLite; bytes of commit position on EventStoreDB, where an event takes about a kilobyte of
    // log: 10,000 bytes there was a few dozen events, and readiness flapped to `behind` under load.
    readyMaxLag: integer(env, 'LEDGER_READY_MAX_LAG', store === 'eventstoredb' ? 10_000_000 : 10_000, 0, 1_000_000_000),
    store,
    sqlitePath,
    sqliteSynchronous: oneOf(env, 'LEDGER_SQLITE_SYNCHRONOUS', SQLITE_SYNCHRONOUS_MODES, 'FULL'),
    sqliteWalAutocheckpointPages: integer(env, 'LEDGER_SQLITE_WAL_AUTOCHECKPOINT', defaultWalAutocheckpointPages(sqliteCheckpoints), 1, 10_000_000),
    sqliteWriter: oneOf(env, 'LEDGER_SQLITE_WRITER', ['inline', 'thread'] as const, 'inline'),
    sqliteCheckpoints,
    sqliteCheckpointIntervalMs: integer(env, 'LEDGER_SQLITE_CHECKPOINT_INTERVAL_MS', DEFAULT_CHECKPOINT_INTERVAL_MS, 1, 60_000),
    readModelPath: env.LEDGER_READ_MODEL_PATH || sqlitePath.replace(/(\.sqlite)?$/, '.read-models.sqlite'),
    eventStoreConnectionString: env.EVENTSTORE_CONNECTION_STRING,
    clock,
    clockStart,
    demo: flag(env, 'LEDGER_DEMO', false),
    demoAccounts: integer(env, 'LEDGER_DEMO_ACCOUNTS', 2000, 1, 1_000_000),
    demoMonths: integer(env, 'LEDGER_DEMO_MONTHS', 13, 1, 120),
    idHashKey,
    projections: projectionsWorker ? false : flag(env, 'LEDGER_PROJECTIONS', true, 'or worker'),
    projectionsWorker,
    endOfDayConcurrency: integer(env, 'LEDGER_EOD_CONCURRENCY', DEFAULT_END_OF_DAY_CONCURRENCY, 1, 1024),
    aggregateCacheSize: integer(env, 'LEDGER_AGGREGATE_CACHE', 20_000, 1, 10_000_000),
    aggregateCacheBytes: integer(env, 'LEDGER_AGGREGATE_CACHE_MB', DEFAULT_AGGREGATE_CACHE_BYTES / MIB, 1, 1_048_576) * MIB,
    stateCacheBytes: integer(env, 'LEDGER_STATE_CACHE_MB', DEFAULT_STATE_CACHE_BYTES / MIB, 1, 1_048_576) * MIB,
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    apiKeys: env.LEDGER_API_KEYS || undefined,
    apiKeysFile: env.LEDGER_API_KEYS_FILE || undefined,
    rateLimitPerMinute: integer(env, 'LEDGER_RATE_LIMIT', 6000, 1, 10_000_000),
    maxRequestsInFlight: integer(env, 'LEDGER_MAX_IN_FLIGHT', 1000, 1, 1_000_000),
    shutdownDrainMs: integer(env, 'LEDGER_SHUTDOWN_DRAIN_MS', 0, 0, 600_000),
    metricsAccess: oneOf(env, 'LEDGER_METRICS_ACCESS', ['open', 'key'] as const, 'open'),
    trustProxy: proxies(env, 'LEDGER_TRUST_PROXY'),
  };
}

/** The event store the configuration names (API, projector and CLI open it the same way). */
export function createLedgerEventStore(config: LedgerConfig, options: SqliteEventStoreOptions = {}): Promise<EventStore> {
  return createEventStore(
    {
      LEDGER_STORE: config.store,
      LEDGER_SQLITE_PATH: config.sqlitePath,
      LEDGER_SQLITE_SYNCHRONOUS: config.sqliteSynchronous,
      LEDGER_SQLITE_WAL_AUTOCHECKPOINT: String(config.sqliteWalAutocheckpointPages),
      LEDGER_SQLITE_WRITER: config.sqliteWriter,
      LEDGER_SQLITE_CHECKPOINT: config.sqliteCheckpoints,
      LEDGER_SQLITE_CHECKPOINT_INTERVAL_MS: String(config.sqliteCheckpointIntervalMs),
      EVENTSTORE_CONNECTION_STRING: config.eventStoreConnectionString,
    },
    options,
  );
}
