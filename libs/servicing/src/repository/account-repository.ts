/**
 * Load, decide, append: the one path by which a command changes an account.
 *
 * - Loading uses the latest snapshot plus the events after it, through a bounded cache of recently used
 *   accounts, so an account with years of history loads in constant time.
 * - Appending uses the exact expected revision. On a concurrency conflict the cached entry is dropped
 *   and the whole load-decide-append runs again, a bounded number of times.
 * - Event ids are UUIDv5 of the command id and the event's index, so a retried append is a no-op.
 * - Idempotency is recorded atomically with the events: each event's metadata carries its command id
 *   and request hash, and the loaded account knows every command id it has applied. A retried command
 *   returns the original events; the same command id with another payload is refused.
 * - Commands on one account run one at a time in this process (a keyed queue), so concurrent requests
 *   for one account do not spin on conflicts; requests for different accounts share group commits.
 */
import { createHash, randomUUID } from 'node:crypto';
import { v5 as uuidv5 } from 'uuid';
import {
  type CreditAccountCommand,
  type CreditAccountEvent,
  approximateRecordBytes,
  approximateStateBytes,
  BrokenStoredShardError,
  type CreditAccountState,
  contextAt,
  type Decision,
  decideFolded,
  DomainError,
  emptySharded,
  fold,
  getEntry,
  initialState,
  needsHistory,
  READABLE_STATE_VERSIONS,
  STATE_SCHEMA_VERSION,
  type TermsCatalogue,
  withEntries,
  withEntry,
} from '@ledger/credit';
import { type AppendResult, ConcurrencyError, EventIdCollisionError, EventStore, LruCache, type NewEvent, type Snapshot, SnapshotStore, type StoredEvent } from '@ledger/event-store';
import { CHAIN_GENESIS, withChainHashes } from '../audit/chain-hash';
import { KeyedQueue } from './keyed-queue';
import {
  type AppliedCommand,
  type CommandIds,
  decodeJsonSnapshot,
  decodeLinesSnapshot,
  decodeSnapshot,
  encodeSnapshot,
  JSON_SNAPSHOT_ENVELOPE,
  LINES_SNAPSHOT_ENVELOPE,
  SNAPSHOT_ENVELOPE,
  type SnapshotBody,
} from './snapshot-body';

export const ACCOUNT_STREAM_PREFIX = 'credit-account-';
export const accountStream = (accountId: string) => `${ACCOUNT_STREAM_PREFIX}${accountId}`;

/** Namespace for event ids (a fixed, random UUID: ids only need to be unique within this ledger). */
const EVENT_ID_NAMESPACE = '4f1c6d2e-8b7a-4e5f-9a3b-2c1d0e9f8a7b';
const EVENT_ID_NAMESPACE_BYTES = Buffer.from(EVENT_ID_NAMESPACE.replace(/-/g, ''), 'hex');
/** A UTF-16 surrogate without its pair: text that has no UTF-8 form. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The UUIDv5 of `name` in the event-id namespace: exactly `uuid`'s `v5(name, EVENT_ID_NAMESPACE)`
 * (event ids must not change between builds: a retried append is recognised by them), without parsing
 * the namespace and encoding the name by hand on every call, which took two thirds of its time. Text
 * with a lone surrogate goes to `uuid` itself, which refuses it as it always did.
 */
export function eventIdOf(name: string): string {
  if (LONE_SURROGATE.test(name)) return uuidv5(name, EVENT_ID_NAMESPACE);
  const hash = createHash('sha1').update(EVENT_ID_NAMESPACE_BYTES).update(name, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
/** Snapshot schema: the domain state's version and the envelope's (`snapshot-body.ts`). */
export const SNAPSHOT_SCHEMA_VERSION = STATE_SCHEMA_VERSION * 100 + SNAPSHOT_ENVELOPE;
/**
 * Snapshots loaded: this envelope or the lines envelope before it (both written around state versions 5
 * and later), or the JSON envelope before that, around any state version the codec still reads.
 */
const READABLE_SNAPSHOT_VERSIONS = new Set([
  ...READABLE_STATE_VERSIONS.filter((version) => version >= 5).flatMap((version) => [version * 100 + SNAPSHOT_ENVELOPE, version * 100 + LINES_SNAPSHOT_ENVELOPE]),
  ...READABLE_STATE_VERSIONS.map((version) => version * 100 + JSON_SNAPSHOT_ENVELOPE),
]);

/**
 * A decoded snapshot, the revision of the last event it holds, and the revision to count as the
 * account's last snapshot (null for one of an older version: see `readSnapshot`).
 */
type SnapshotAt = SnapshotBody & { revision: bigint; snapshotRevision: bigint | null };

/** Bytes a parsed command id weighs in a cached account (id, request hash, revisions). */
const PER_COMMAND = 250;
/**
 * Bytes of a cached account beyond its state and records: the account object, its cache entry, the
 * command ids' slots. Measured with the rest (`--expose-gc`, five copies of the 1,000 one-year accounts
 * of the benchmark fixture, each loaded from its snapshot): 75.7 KB each on the heap, estimated 72.0 KB
 * without this.
 */
const PER_ACCOUNT = 4_000;

export interface LoadedAccount {
  accountId: string;
  state: CreditAccountState;
  revision: bigint | 'no_stream';
  /** Global position of the stream's last event (0n when none). */
  position: bigint;
  /**
   * Every command id the stream records, sharded as the state's orders are: adding one copies a 64th of
   * them, and one read back from a snapshot parses only the shards of the ids looked up.
   */
  commands: CommandIds;
  /** Revision of the last snapshot taken. */
  snapshotRevision: bigint | null;
  /** Chain hash of the stream's last event, which the next event's hash is chained over. */
  chainHash: string;
  /**
   * Text of the snapshot it was loaded from that its shards keep in memory and do not weigh
   * (`SnapshotBody`): for a snapshot of the lines envelope (3), whose shards are cut out of its text.
   */
  heldTextBytes?: number;
}

/** Bytes a cached account holds, estimated: its id, its state, its command ids as it holds them (parsed or as text), and the snapshot text they hold. */
function weighAccount(account: LoadedAccount): number {
  return PER_ACCOUNT + 2 * account.accountId.length + approximateStateBytes(account.state) + approximateRecordBytes(account.commands, PER_COMMAND) + (account.heldTextBytes ?? 0);
}

export interface CommandMetadata {
  /** Idempotency scope of the command: a natural key (draw:<orderId>) or the Idempotency-Key header. */
  commandId?: string;
  /**
   * The command id came from the client's Idempotency-Key, not from a natural key of the command: taken
   * with another payload it is a reused key (IDEMPOTENCY_KEY_REUSED) whatever the domain would say of the
   * payload (an application sent again with another body answered APPLICATION_ALREADY_APPROVED).
   */
  clientKey?: boolean;
  /** Hash of the request payload; the same command id with another hash is a reused key. */
  requestHash?: string;
  /**
   * Hashes of the same request as earlier builds computed them, taken as the same request too: the HTTP
   * layer hashes amounts in their canonical form ("100" and "100.00" alike) since rule revision 2, and a
   * retry of a command recorded before that carries the hash of its body as sent.
   */
  sameRequestHashes?: readonly string[];
  /**
   * Ids an earlier build recorded this command under: one found under such an id with this request's hash
   * (or one of `sameRequestHashes`) is this command's retry and answered with its first outcome; one found
   * there for another request is another command's (the earlier form could name two commands alike).
   */
  formerCommandIds?: readonly string[];
  actor: string;
  correlationId?: string;
  causationId?: string;
  /** The business time to decide at; defaults to the clock's now. */
  now: string;
}

export interface ExecuteResult {
  accountId: string;
  events: CreditAccountEvent[];
  /** Global position of the last event written, or of the stream's last event when nothing was written. */
  position: bigint;
  /** True when this was a retry of a command already applied: nothing was written. */
  replayed: boolean;
  state: CreditAccountState;
}

export class IdempotencyKeyReusedError extends Error {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  constructor(readonly commandId: string) {
    super(`idempotency key ${commandId} was already used with a different request`);
  }
}

/** The account this process held was older than the store's: the command's events were stored already. */
class StaleAccountError extends Error {
  constructor(readonly accountId: string) {
    super(`account ${accountId}: the command's events were already stored; reading the account again`);
  }
}

/** Whether revision `a` is later than `b`. */
function laterRevision(a: bigint | 'no_stream', b: bigint | 'no_stream'): boolean {
  return a !== 'no_stream' && (b === 'no_stream' || a > b);
}

export class ConcurrencyRetriesExhaustedError extends Error {
  readonly code = 'CONCURRENCY_CONFLICT';
  constructor(readonly accountId: string, readonly attempts: number) {
    super(`account ${accountId} changed concurrently ${attempts} times; try again`);
  }
}

/**
 * Commands that visit accounts once each, in bulk: end of day goes through every account with something
 * due. An account such a command finds outside the cache stays out of it; if the command changed it, it
 * is snapshotted as the cache would on letting it go. Cached, they would push out the accounts in use for
 * ones not needed again until the next such day, and every one of them would live long enough to be
 * promoted to V8's old generation and be collected there: on the 100,000-account statement day that
 * collection took a fifth of the deciding thread (bench/HISTORY.md, twenty-sixth round). An account the
 * cache holds is used and kept as before, and so is one a read (`load`) caches while the command runs.
 */
function passesThrough(command: CreditAccountCommand): boolean {
  return command.type === 'CloseBusinessDay';
}

/** The account cache's default budget in estimated bytes (`LEDGER_AGGREGATE_CACHE_MB`'s default too). */
export const DEFAULT_AGGREGATE_CACHE_BYTES = 128 * 2 ** 20;

export interface RepositoryOptions {
  /** Accounts kept folded in memory. Default 20,000. */
  cacheSize?: number;
  /**
   * An account the cache lets go of with at least this many events since its last snapshot is
   * snapshotted on its way out, and so is one that end of day changed without caching it
   * (`passesThrough`). Default 10.
   */
  evictionSnapshotAfter?: number;
  /** Estimated bytes those accounts may hold (`approximateStateBytes` plus their command maps). Default 128 MiB. */
  cacheBytes?: number;
  snapshotEvery?: number;
  maxAttempts?: number;
}

export interface RepositoryMetrics {
  onConflictRetry?(accountId: string): void;
  onIdempotentReplay?(accountId: string): void;
  /** Each `load`: the account found in the cache (`hit`), or folded from its snapshot and the events after it, or from its first event (`miss`). */
  onLoad?(found: 'hit' | 'miss'): void;
}

/** What the account cache holds and may hold: accounts, and their estimated bytes (`weighAccount`). */
export interface CacheOccupancy {
  accounts: number;
  bytes: number;
  maxAccounts: number;
  maxBytes: number;
}

export class AccountRepository {
  private readonly cache: LruCache<string, LoadedAccount>;
  private readonly queue = new KeyedQueue();
  private readonly snapshotEvery: number;
  private readonly evictionSnapshotAfter: number;
  /**
   * The revision of the snapshot taken of an account as the cache let go of it, by the object let go of:
   * a command still holding that object (its append in flight, or an account too heavy to keep that it
   * has just loaded) counts its next snapshot from there.
   */
  private readonly snapshottedOnEviction = new WeakMap<LoadedAccount, bigint>();
  private readonly maxAttempts: number;
  /**
   * What this repository's snapshots' parts belong to (`SavedParts.owner`): a shard whose home is one of
   * its saves is named by the next snapshot rather than saved again. A new one after `clearCache`.
   */
  private partsOwner: object = {};
  /**
   * Accounts whose snapshot could not be written because a part it would have saved again could not be
   * read (lost, or saved over since): each is replayed from its first event at its next load, which
   * rebuilds every shard, rather than failing to snapshot on every command until one touches that shard.
   */
  private readonly replayAtNextLoad = new Set<string>();
  metrics: RepositoryMetrics = {};

  constructor(
    private readonly store: EventStore,
    private readonly snapshots: SnapshotStore,
    private readonly terms: TermsCatalogue,
    options: RepositoryOptions = {},
  ) {
    this.cache = new LruCache(options.cacheSize ?? 20_000, { maxWeight: options.cacheBytes ?? DEFAULT_AGGREGATE_CACHE_BYTES, weigh: weighAccount }, (_, account) => this.letGo(account));
    this.snapshotEvery = options.snapshotEvery ?? 50;
    this.evictionSnapshotAfter = options.evictionSnapshotAfter ?? 10;
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  /**
   * The account as of now (from cache, snapshot and the events after it). `ignoreSnapshot` replays the
   * account from its first event: for a snapshot found broken after it was read (a shard that does not
   * parse, `BrokenStoredShardError`), which is only a cache. `admit: false` leaves an account that was
   * not cached out of the cache (`passesThrough`).
   */
  async load(accountId: string, { ignoreSnapshot = false, admit = true }: { ignoreSnapshot?: boolean; admit?: boolean } = {}): Promise<LoadedAccount> {
    if (this.replayAtNextLoad.delete(accountId)) ignoreSnapshot = true;
    const cached = ignoreSnapshot ? undefined : this.cache.get(accountId);
    this.metrics.onLoad?.(cached ? 'hit' : 'miss');
    if (cached) return cached;
    let loaded: LoadedAccount;
    try {
      loaded = await this.loadFrom(accountId, ignoreSnapshot ? undefined : await this.readSnapshot(accountId));
    } catch (error) {
      // Folding the events after the snapshot parsed one of its shards, which was broken.
      if (!(error instanceof BrokenStoredShardError) || ignoreSnapshot) throw error;
      loaded = await this.loadFrom(accountId, undefined);
    }
    // An account with no events is not kept: every unknown id asked for (a typo, a caller probing ids of
    // up to 16 KiB) would otherwise take a place in the cache, pushing out accounts that commands use. A
    // command that opens the account caches it once its events are appended.
    if (!admit || loaded.revision === 'no_stream') return loaded;
    // A load takes no turn in the account's queue, and a store may read asynchronously (EventStoreDB):
    // a command may have cached a later revision while this one read. The later one stays.
    const cachedMeanwhile = this.cache.get(accountId);
    if (cachedMeanwhile && laterRevision(cachedMeanwhile.revision, loaded.revision)) return cachedMeanwhile;
    this.cache.set(accountId, loaded);
    return loaded;
  }

  /** The cache's occupancy now, against its bounds (LEDGER_AGGREGATE_CACHE and LEDGER_AGGREGATE_CACHE_MB). */
  cacheOccupancy(): CacheOccupancy {
    return { accounts: this.cache.size, bytes: this.cache.weight, maxAccounts: this.cache.capacity, maxBytes: this.cache.maxWeight ?? Number.POSITIVE_INFINITY };
  }

  private readSnapshot(accountId: string): Promise<SnapshotAt | undefined> {
    return readAccountSnapshot(this.snapshots, accountId, this.partsOwner);
  }

  private async loadFrom(accountId: string, snapshot: SnapshotAt | undefined): Promise<LoadedAccount> {
    const initial: LoadedAccount = snapshot
      ? { accountId, ...snapshot }
      : { accountId, state: initialState(accountId), revision: 'no_stream', position: 0n, commands: emptySharded(), snapshotRevision: null, chainHash: CHAIN_GENESIS };
    const events = await this.store.readStream(accountStream(accountId), { fromRevision: snapshot ? snapshot.revision + 1n : 0n });
    return applyStored(initial, events);
  }

  /**
   * Decides the command on the loaded (cached) state. Deciding may parse stored shards of that state, so
   * when it appends nothing (refused, or no events) the state stays cached and is weighed again; a
   * command that appends caches its next state, weighed anew, unless it passes through (`passesThrough`).
   */
  private decideOn(loaded: LoadedAccount, command: CreditAccountCommand, meta: CommandMetadata, history?: readonly CreditAccountEvent[]): Decision {
    let decision: Decision | undefined;
    try {
      decision = decideFolded(command, loaded.state, contextAt(meta.now, this.terms, history));
      return decision;
    } finally {
      if (decision === undefined || decision.events.length === 0) this.cache.reweigh(loaded.accountId);
    }
  }

  /**
   * An account leaving memory: the cache's eviction, or a command that passes through (`passesThrough`).
   * It is snapshotted if it has `evictionSnapshotAfter` events since its last snapshot.
   */
  private letGo(account: LoadedAccount): void {
    // A snapshot is only a cache: nothing about taking one may fail the command that let this go.
    try {
      const kept = this.snapshotIfDue(account, this.evictionSnapshotAfter);
      if (kept !== account && kept.snapshotRevision !== null) this.snapshottedOnEviction.set(account, kept.snapshotRevision);
    } catch {
      // Taken again at the next eviction or the next 50 events.
    }
  }

  /** Decides and appends a command, retrying on concurrency conflicts. */
  execute(accountId: string, command: CreditAccountCommand, meta: CommandMetadata): Promise<ExecuteResult> {
    return this.queue.run(accountId, () => this.executeWithRetry(accountId, command, meta));
  }

  private async executeWithRetry(accountId: string, command: CreditAccountCommand, meta: CommandMetadata): Promise<ExecuteResult> {
    let ignoreSnapshot = false;
    // Decided once, in the same tick as the first attempt's `load` looks the account up (so nothing is
    // evicted in between): a retry finds the account dropped from the cache, and must not take that for
    // an account end of day should pass through.
    const admit = !passesThrough(command) || this.cache.has(accountId);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.attempt(accountId, command, meta, ignoreSnapshot, admit);
      } catch (error) {
        // A shard of the snapshot did not parse when the command asked for it: nothing was appended, so
        // the command runs again once on the account replayed from its first event.
        if (error instanceof BrokenStoredShardError && !ignoreSnapshot) {
          this.cache.delete(accountId);
          ignoreSnapshot = true;
          continue;
        }
        // The store had this command's events already (`StaleAccountError`): the command is decided
        // again on the account read afresh, where it is found taken, and answered as taken.
        // An event id of this command already in the stream (`EventIdCollisionError`): a decision on an
        // account another process moved on, taken as the retry of a command that process stored.
        if (!(error instanceof ConcurrencyError) && !(error instanceof StaleAccountError) && !(error instanceof EventIdCollisionError)) throw error;
        this.cache.delete(accountId);
        if (attempt >= this.maxAttempts) throw new ConcurrencyRetriesExhaustedError(accountId, attempt);
        if (error instanceof ConcurrencyError) this.metrics.onConflictRetry?.(accountId);
      }
    }
  }

  /**
   * The account's events up to the loaded revision, for the rare command that reads them (an upheld
   * dispute, `needsHistory`). An event appended since is not among them, and the append's revision check
   * refuses the decision.
   */
  private async historyOf(loaded: LoadedAccount): Promise<CreditAccountEvent[]> {
    if (loaded.revision === 'no_stream') return [];
    const stored = await this.store.readStream(accountStream(loaded.accountId), { fromRevision: 0n, toRevision: loaded.revision });
    return stored.map(toDomainEvent);
  }

  /** Whether the store holds events of the account after the loaded revision (appended by another process). */
  private async advancedSince(loaded: LoadedAccount): Promise<boolean> {
    const after = loaded.revision === 'no_stream' ? 0n : loaded.revision + 1n;
    return (await this.store.readStream(accountStream(loaded.accountId), { fromRevision: after, maxCount: 1 })).length > 0;
  }

  private async attempt(accountId: string, command: CreditAccountCommand, meta: CommandMetadata, ignoreSnapshot: boolean, admit: boolean): Promise<ExecuteResult> {
    const loaded = await this.load(accountId, { ignoreSnapshot, admit });
    // Read only for a decision that reads it: a retry of an upheld resolution finds the dispute resolved.
    const history = needsHistory(command, loaded.state) ? await this.historyOf(loaded) : undefined;
    const commandId = meta.commandId ?? `cmd:${randomUUID()}`;
    const requestHash = meta.requestHash ?? '';
    const applied = getEntry(loaded.commands, commandId);
    if (!applied && meta.formerCommandIds) {
      for (const former of meta.formerCommandIds) {
        const recorded = getEntry(loaded.commands, former);
        if (recorded && (recorded.requestHash === requestHash || meta.sameRequestHashes?.includes(recorded.requestHash) === true)) {
          this.cache.reweigh(accountId);
          return this.replay(loaded, recorded);
        }
      }
    }
    if (applied) {
      // Looking the id up may have parsed a shard of command ids: the cached account holds more now.
      this.cache.reweigh(accountId);
      if (applied.requestHash === requestHash || meta.sameRequestHashes?.includes(applied.requestHash) === true) return this.replay(loaded, applied);
      // Another payload under a key already used: a natural key (order id, payment reference) gets the
      // domain's own conflict code; any other key is a reused idempotency key. One exception: an order id
      // is final (README), so a draw sent again with its order's amount and merchant, which the domain
      // takes as the same order, answers with its first outcome whatever its authentication says now.
      if (meta.clientKey === true) throw new IdempotencyKeyReusedError(commandId);
      const decided = this.decideOn(loaded, command, meta, history);
      if (command.type === 'RequestDraw' && decided.events.length === 0) return this.replay(loaded, applied);
      throw new IdempotencyKeyReusedError(commandId);
    }
    let decision: Decision;
    try {
      decision = this.decideOn(loaded, command, meta, history);
    } catch (error) {
      // A refusal decided on the cached account is answered only if the store holds nothing later: another
      // process on the same log (a second API) may have moved the account on, and the refusal, or this
      // command's id taken there, is then decided again on the account read afresh.
      if (error instanceof DomainError && (await this.advancedSince(loaded))) throw new StaleAccountError(accountId);
      throw error;
    }
    const { events } = decision;
    if (events.length === 0) {
      if (command.type !== 'CloseBusinessDay' && (await this.advancedSince(loaded))) throw new StaleAccountError(accountId);
      return { accountId, events, position: loaded.position, replayed: false, state: loaded.state };
    }
    const businessDate = command.type === 'CloseBusinessDay' ? command.businessDate : contextAt(meta.now, this.terms).businessDate;
    const unchained: NewEvent[] = events.map((e, index) => ({
      id: eventIdOf(`${accountId}|${commandId}|${index}`),
      type: e.type,
      schemaVersion: 1,
      data: e.data,
      metadata: {
        commandId,
        requestHash,
        actor: meta.actor,
        correlationId: meta.correlationId ?? commandId,
        causationId: meta.causationId ?? commandId,
        businessDate,
      },
    }));
    const chained = withChainHashes(accountStream(accountId), loaded.chainHash, unchained);
    const newEvents = chained.events;
    let result: AppendResult;
    try {
      result = await this.store.append(accountStream(accountId), loaded.revision, newEvents);
    } catch (error) {
      // Whatever failed, the append may have committed (a writer thread that died after its COMMIT, a
      // timeout on EventStoreDB): the account is read again from the store at its next command, never
      // carried on from what this process believed before the append.
      this.cache.delete(accountId);
      throw error;
    }
    // Every event was stored already: this command's id was taken by an append this process never heard
    // had committed (its answer lost, or written by another process). What was just decided may differ
    // from what was stored, so none of it is kept or answered.
    if (result.alreadyStored) throw new StaleAccountError(accountId);
    const firstRevision = result.nextRevision - BigInt(events.length - 1);
    // End of day folded its events as it decided them.
    const state = decision.after ?? fold(loaded.state, events);
    const recorded: AppliedCommand = { requestHash, firstRevision: firstRevision.toString(), lastRevision: result.nextRevision.toString() };
    const next: LoadedAccount = {
      ...loaded,
      snapshotRevision: this.snapshottedOnEviction.get(loaded) ?? loaded.snapshotRevision,
      state,
      commands: withEntry(loaded.commands, commandId, recorded),
      revision: result.nextRevision,
      position: result.position,
      chainHash: chained.last,
    };
    // Passing through, the account is let go of as the cache would, unless a read (`load`, which takes no
    // turn in the queue) has cached it meanwhile, as it was before this command.
    if (admit || this.cache.has(accountId)) this.cache.set(accountId, this.snapshotIfDue(next));
    else this.letGo(next);
    return { accountId, events, position: result.position, replayed: false, state: next.state };
  }

  private async replay(loaded: LoadedAccount, applied: AppliedCommand): Promise<ExecuteResult> {
    const stored = await this.store.readStream(accountStream(loaded.accountId), {
      fromRevision: BigInt(applied.firstRevision),
      toRevision: BigInt(applied.lastRevision),
    });
    this.metrics.onIdempotentReplay?.(loaded.accountId);
    return {
      accountId: loaded.accountId,
      events: stored.map(toDomainEvent),
      position: stored.length > 0 ? stored[stored.length - 1].position : loaded.position,
      replayed: true,
      state: loaded.state,
    };
  }

  /**
   * Takes a snapshot once an account has `after` events since its last (`snapshotEvery` after a
   * command), without making the command wait for it: a snapshot is only a cache, written with the next
   * group commit, and failing to write one must never fail the command that was committed. The cache
   * counts it as taken at once, so the commands that follow do not take it again while it is being
   * written; one that failed is taken again N events on. Returns the account as the cache should hold it.
   *
   * `letGo` calls this, with `evictionSnapshotAfter`, for each account the cache lets go of and each
   * that a command changed without caching (`passesThrough`). With more
   * accounts than it holds (1,000,000 against 20,000 by default) almost every load is cold: the
   * snapshot, then up to `snapshotEvery` events read, parsed and folded. An account leaving memory
   * with a few events since its snapshot takes one on its way out, which its next load starts from.
   */
  private snapshotIfDue(loaded: LoadedAccount, after = this.snapshotEvery): LoadedAccount {
    if (loaded.revision === 'no_stream') return loaded;
    const since = loaded.snapshotRevision === null ? loaded.revision + 1n : loaded.revision - loaded.snapshotRevision;
    if (since < BigInt(after)) return loaded;
    // The cache keeps the account as the snapshot holds it: its history as stored shards (lighter, and
    // saved again only where they change).
    let encoded: ReturnType<typeof encodeSnapshot>;
    try {
      encoded = encodeSnapshot(loaded, loaded.revision, this.partsOwner);
    } catch {
      // A part it had to read again did not read: nothing about a snapshot may fail the command that was
      // committed, so the account is replayed from its first event at its next load instead.
      this.replayAtNextLoad.add(loaded.accountId);
      return loaded;
    }
    const { text, parts, uses, kept, homes } = encoded;
    // Not kept (failed, refused as older than one kept, or using a part the store no longer keeps): the
    // next snapshot saves every shard this one saved or named, rather than naming parts that are not there.
    const notKept = () => homes.forEach((home) => (home.kept = false));
    this.snapshots
      .saveText(snapshotKey(accountStream(loaded.accountId)), loaded.revision, SNAPSHOT_SCHEMA_VERSION, text, parts, uses)
      .then((saved) => saved || notKept(), notKept);
    return { ...loaded, ...kept, snapshotRevision: loaded.revision };
  }

  /** Resolves once every command accepted so far has finished (graceful shutdown). */
  drain(): Promise<void> {
    return this.queue.drain();
  }

  /** Drops every cached account, and what it knew of the snapshots' parts (after a restore, or in tests). */
  clearCache(): void {
    this.cache.clear();
    this.partsOwner = {};
    this.replayAtNextLoad.clear();
  }
}

/**
 * Where the account's snapshot is kept: apart from the stream's own name, under which builds before
 * envelope 3 kept theirs. Those builds parse any snapshot under that name as JSON before they look at
 * its version, so a lines snapshot there would fail every command of theirs; here they find their own
 * (older, still correct with the events after it) or none, and a rollback to one costs load time only.
 */
export const snapshotKey = (stream: string) => `${stream}/lines`;

/**
 * The account's latest usable snapshot, as a load reads it: the one under this build's key
 * (`snapshotKey`), of its own envelope or the lines envelope before it, else one of the JSON envelope that
 * builds before those wrote under the stream's name. A snapshot of a version this build does not read, or
 * that does not decode, is passed over. `partsOwner` owns the parts a current snapshot's state reads (a
 * repository's own object; `verify`, which saves nothing, passes none).
 */
export async function readAccountSnapshot(snapshots: SnapshotStore, accountId: string, partsOwner: object = {}): Promise<SnapshotAt | undefined> {
  const stream = accountStream(accountId);
  for (const key of [snapshotKey(stream), stream]) {
    const snapshot = await snapshots.loadText(key);
    if (!snapshot || !READABLE_SNAPSHOT_VERSIONS.has(snapshot.schemaVersion)) continue;
    // A snapshot of an older version converts as it is read, and would again at every cold load: it
    // counts as none taken, so the account takes one of this version at its next command or eviction.
    // Its parts are read but never named by that one, owned by no repository: a store keeps each part
    // under its snapshot's version (the memory store refuses a snapshot that names a part of another,
    // and a reader of SQLite's would find such a part replaced, and replay), so it saves them all again.
    const current = snapshot.schemaVersion === SNAPSHOT_SCHEMA_VERSION;
    const body = decodeBody(snapshot, (name) => snapshots.loadPart(key, name), current ? partsOwner : {});
    if (body) return { ...body, revision: snapshot.revision, snapshotRevision: current ? snapshot.revision : null };
  }
  return undefined;
}

/**
 * A readable snapshot's body, or undefined for one that does not decode: a snapshot is a cache, so a
 * broken one (a bug of the build that wrote it, a hand-edited row) costs a replay from the first event,
 * never a command.
 */
function decodeBody({ revision, schemaVersion, state: text }: Snapshot<string>, part: (name: string) => Snapshot<string> | undefined, owner: object): SnapshotBody | undefined {
  try {
    switch (schemaVersion % 100) {
      case SNAPSHOT_ENVELOPE:
        return decodeSnapshot(text, { revision, schemaVersion }, part, owner);
      case LINES_SNAPSHOT_ENVELOPE:
        return decodeLinesSnapshot(text);
      default:
        return decodeJsonSnapshot(text);
    }
  } catch {
    return undefined;
  }
}

export function toDomainEvent(stored: StoredEvent): CreditAccountEvent {
  return { type: stored.type, data: stored.data } as CreditAccountEvent;
}

/** Folds stored events into a loaded account, adding the command ids they record to its command ids. */
export function applyStored(loaded: LoadedAccount, events: StoredEvent[]): LoadedAccount {
  if (events.length === 0) return loaded;
  // Gathered first, so each shard of command ids they touch is copied once.
  const added = new Map<string, AppliedCommand>();
  for (const e of events) {
    const commandId = e.metadata.commandId;
    if (typeof commandId !== 'string') continue;
    const existing = added.get(commandId) ?? getEntry(loaded.commands, commandId);
    added.set(commandId, {
      requestHash: typeof e.metadata.requestHash === 'string' ? e.metadata.requestHash : '',
      firstRevision: existing ? existing.firstRevision : e.revision.toString(),
      lastRevision: e.revision.toString(),
    });
  }
  const last = events[events.length - 1];
  return {
    ...loaded,
    state: fold(loaded.state, events.map(toDomainEvent)),
    revision: last.revision,
    position: last.position,
    commands: withEntries(loaded.commands, added),
    chainHash: typeof last.metadata.chainHash === 'string' ? last.metadata.chainHash : loaded.chainHash,
  };
}

export { DomainError };
