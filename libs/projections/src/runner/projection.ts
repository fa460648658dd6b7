/**
 * What a projection is to the runner: a name and version, the tables it owns, and how one event changes
 * them. Everything is synchronous because the runner applies a whole batch (and the checkpoints) inside
 * one better-sqlite3 transaction, which cannot span an await.
 */
import type Database from 'better-sqlite3';
import type { CreditAccountEvent, CreditAccountState, TermsCatalogue } from '@ledger/credit';
import type { StoredEventData } from '@ledger/event-store';

export type Db = Database.Database;
export type Statement = Database.Statement<unknown[]>;

/** An event on a `credit-account-<id>` stream, with the account state folded before and after it. */
export interface AccountChange {
  kind: 'account';
  accountId: string;
  event: CreditAccountEvent;
  /**
   * The account's state before and after the event, as the runner's fold holds them. Use them while
   * applying the batch (up to `flush`), never keep them past it: a state may read its orders' and
   * draws' shards from the fold's table when asked for them, and once the fold writes a later state
   * of the account (or empties its table) an older state would read rows that are no longer its own.
   */
  before: CreditAccountState;
  after: CreditAccountState;
  /** The stored event, without its metadata: a replay does not read it, and no projection may depend on it. */
  stored: StoredEventData;
}

/** Payload of `BusinessDayClosed` on the `ledger-business-days` stream. */
export interface BusinessDayClosedData {
  businessDate: string;
  closedAt: string;
  accounts: number;
  counts: Record<string, number>;
}

export interface BusinessDayClosed {
  kind: 'businessDayClosed';
  data: BusinessDayClosedData;
  stored: StoredEventData;
}

export type ProjectionEvent = AccountChange | BusinessDayClosed;

export interface ProjectionContext {
  db: Db;
  terms: TermsCatalogue;
  /** The folded state of any account as of the event being applied (for projections that sweep accounts; not to be kept past the batch, see `AccountChange`). */
  accountState(accountId: string): CreditAccountState;
}

export interface Projection {
  readonly name: string;
  /** Bump when the tables or the meaning of a row change: the runner then rebuilds this projection. */
  readonly version: number;
  /** DDL run at start (CREATE TABLE/INDEX IF NOT EXISTS). */
  readonly ddl: readonly string[];
  /** Tables dropped by `reset`, so a rebuild starts from nothing. */
  readonly tables: readonly string[];
  /** Prepares statements once the tables exist. */
  prepare(db: Db): void;
  apply(event: ProjectionEvent, context: ProjectionContext): void;
  /**
   * Writes what the projection buffered and forgets it; called inside the batch's transaction at the end
   * of the batch. A projection that reads its own table while applying (on a BusinessDayClosed, say)
   * flushes itself first, so this may run more than once per batch.
   */
  flush?(context: ProjectionContext): void;
  /** Forgets what was buffered for a batch whose transaction rolled back. */
  discard?(): void;
  /**
   * Set when the runner may replay this projection account by account: each account's events together,
   * one account after another. That folds each account's state once, where a replay in the log's order
   * reads it back and writes it again and again once the accounts outnumber the state cache. Set it only
   * when the tables come out exactly as a replay in the log's order leaves them. A replay that includes
   * a projection without it runs in the log's order.
   */
  readonly byAccount?: ByAccountReplay;
}

/** How a projection takes a replay account by account (`Projection.byAccount`). */
export interface ByAccountReplay {
  /**
   * For a projection whose work on a closed business day depends on the accounts' states at that close
   * (a sweep of its own table, a month-end figure). Replaying by account, the runner calls this instead
   * of `apply` for the closed days: once per account for each run of closes between two of its events
   * (`closes[from]` up to `closes[to - 1]`, in the log's order), with the account's state throughout
   * those closes. Closes before the account's first event are left out: the account did not exist then.
   * A projection without it gets each closed day through `apply`, once, before any account's events.
   */
  closedFor?(accountId: string, state: CreditAccountState, closes: readonly BusinessDayClosed[], from: number, to: number, context: ProjectionContext): void;
  /**
   * How the projection's tables come together after a rebuild split by account (`replayShare`,
   * `mergeShares`). By default a table holds each account's own rows, which no two shares share: the
   * merge copies them. `whole` names tables every share writes alike, from the closed days alone (the
   * merge keeps the first share's); `sums` names tables of figures summed over the accounts.
   */
  readonly shares?: { whole?: readonly string[]; sums?: readonly SummedTable[] };
}

/**
 * A table of figures summed over the accounts (`ByAccountReplay.shares`): rows keyed by `keys`, whose
 * `counts` (integers) and `amounts` (exact decimal text) add up over the shares; a row whose figures all
 * come to zero is left out, as the projection's own flush leaves it out.
 */
export interface SummedTable {
  table: string;
  keys: readonly string[];
  counts: readonly string[];
  amounts: readonly string[];
}
