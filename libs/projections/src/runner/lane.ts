/**
 * A lane: a set of projections that advance together over the log, with one account-state fold. The
 * runner has one main lane; a projection being rebuilt gets a lane of its own (with a second fold) until
 * it reaches the main lane's position. A batch and every checkpoint of the lane commit in one SQLite
 * transaction, so after a crash the lane resumes exactly after the last committed batch.
 *
 * Following the live log, the fold is stored with every batch (as tails; see `AccountStateFold`).
 * Replaying, it writes its states lazily, so its checkpoint may trail the projections'. Events between
 * the two are folded again on the way back up, and applied to no projection: each projection sees each
 * event exactly once.
 */
import type { CreditAccountState, TermsCatalogue } from '@ledger/credit';
import type { StoredEvent, StoredEventData } from '@ledger/event-store';
import type { AccountStateFold, FoldWrite } from './account-state-fold';
import { type Checkpoints, LOG_MARK_CHECKPOINT, logMark, type ReplayProgress, replayingVersion } from './checkpoints';
import { firstIndexWhere } from './first-index';
import { decodeLedgerEvent } from './ledger-streams';
import type { BusinessDayClosed, Db, Projection, ProjectionContext } from './projection';

/** One account's events, in order, for a replay by account (read without their metadata, which no projection reads). */
export interface AccountEvents {
  accountId: string;
  events: readonly StoredEventData[];
}

export class Lane {
  private readonly context: ProjectionContext;
  /** A replay by account is under way (begun or gone on with, not finished): every state is written with each batch, and the fold's checkpoint must stay absent (`writeFold`). */
  replayingByAccount = false;

  constructor(
    private readonly db: Db,
    private readonly checkpoints: Checkpoints,
    readonly fold: AccountStateFold,
    readonly projections: readonly Projection[],
    terms: TermsCatalogue,
    /** The position every projection of the lane has applied. */
    public position: bigint,
    /** The position the fold has folded (its states up to here are in memory or in its table). */
    public foldPosition: bigint = position,
    /** Whether its batches mark the last event they applied (`LOG_MARK_CHECKPOINT`): the main lane's do; a lane catching some projections up trails it. */
    private readonly marksLog = true,
  ) {
    if (foldPosition > position) throw new Error(`a fold (${foldPosition}) cannot be ahead of its projections (${position})`);
    this.context = { db, terms, accountState: (accountId) => fold.get(accountId) };
  }

  /**
   * Applies the events after the lane's position (folding those after the fold's); returns the new
   * position. `live` stores the fold with the batch; otherwise it is written when due or when `writeFold`.
   */
  applyBatch(batch: readonly StoredEvent[], options: { writeFold?: boolean; live?: boolean } = {}): bigint {
    const events = batch.filter((e) => e.position > this.foldPosition);
    if (events.length === 0) return this.position;
    const last = events[events.length - 1].position;
    // The position before the batch's last event, which the log holds: the event before it, or where the fold stood.
    const beforeLast = events.length > 1 ? events[events.length - 2].position : this.foldPosition;
    const advances = last > this.position;
    let written: FoldWrite = 'none';
    this.transact(() => {
      for (const stored of events) {
        if (stored.position > this.position) this.applyOne(stored);
        else this.foldOnly(stored);
      }
      if (advances) for (const p of this.projections) p.flush?.(this.context);
      if (options.live === true) {
        this.fold.writeTails(last);
        written = 'tails';
      } else if (options.writeFold === true || this.fold.writeDue()) {
        this.fold.write(last);
        written = 'whole';
      }
      if (written !== 'none') this.checkpoints.set(this.fold.checkpointName, this.fold.version, last);
      if (advances) for (const p of this.projections) this.checkpoints.set(p.name, p.version, last);
      // The last event applied, marked for a start to find again (a row on the checkpoints' page): live,
      // and in a replay in the log's order, so read models caught up by one are checked as well.
      if (advances && this.marksLog) this.checkpoints.set(LOG_MARK_CHECKPOINT, logMark(events[events.length - 1]), beforeLast);
    });
    this.fold.commit(written);
    this.foldPosition = last;
    if (advances) this.position = last;
    return this.position;
  }

  /** Writes the fold's unwritten states and moves its checkpoint up to the lane (before a stop). */
  writeFold(): void {
    if (this.replayingByAccount) return;
    if (!this.fold.hasUnwritten && this.checkpoints.get(this.fold.checkpointName)?.position === this.foldPosition) return;
    try {
      this.db.transaction(() => {
        this.fold.write(this.foldPosition);
        this.checkpoints.set(this.fold.checkpointName, this.fold.version, this.foldPosition);
      })();
    } catch (error) {
      // What the failed write kept aside (states it stored) must not reach the cache.
      this.fold.discard();
      throw error;
    }
    this.fold.commit('whole');
  }

  /**
   * Starts a replay by account of the whole log up to `progress.until` (the lane at position 0): applies
   * the closed days to the projections that take them whole, and records the replay in progress. Until
   * the replay ends, the fold's checkpoint is removed and each projection's carries `replayingVersion`,
   * so that a build that cannot go on with the replay (an older one, or one whose projections changed)
   * resets them instead of following the log from 0 on top of what the replay wrote.
   */
  beginByAccount(closes: readonly BusinessDayClosed[], progress: ReplayProgress): void {
    this.transact(() => {
      for (const p of this.projections) {
        if (p.byAccount?.closedFor !== undefined) continue;
        for (const close of closes) p.apply(close, this.context);
        p.flush?.(this.context);
      }
      this.checkpoints.delete(this.fold.checkpointName);
      for (const p of this.projections) this.checkpoints.set(p.name, replayingVersion(p.version), 0n);
      this.checkpoints.setReplayProgress(this.fold.checkpointName, progress);
    });
  }

  /**
   * Replaying by account: applies each account's events (up to the replay's end), with the closed days
   * between and after them, and writes each account's state whole, as of the replay's end, in one
   * transaction with `progress`.
   */
  applyAccounts(accounts: readonly AccountEvents[], closes: readonly BusinessDayClosed[], progress: ReplayProgress): void {
    this.transact(() => {
      for (const { accountId, events } of accounts) this.applyAccount(accountId, events, closes);
      for (const p of this.projections) p.flush?.(this.context);
      this.fold.write(progress.until);
      this.checkpoints.setReplayProgress(this.fold.checkpointName, progress);
    });
    this.fold.commit('whole');
  }

  /** Ends a replay by account: the fold and every projection stand at `until`. */
  finishByAccount(until: bigint): void {
    this.transact(() => {
      this.checkpoints.deleteReplayProgress(this.fold.checkpointName);
      this.checkpoints.set(this.fold.checkpointName, this.fold.version, until);
      for (const p of this.projections) this.checkpoints.set(p.name, p.version, until);
    });
    this.position = until;
    this.foldPosition = until;
    this.replayingByAccount = false;
  }

  /** Runs `work` in one transaction; if it rolls back, the fold and the projections forget what they buffered for it. */
  private transact(work: () => void): void {
    try {
      this.db.transaction(work)();
    } catch (error) {
      this.fold.discard();
      for (const p of this.projections) p.discard?.();
      throw error;
    }
  }

  private applyAccount(accountId: string, events: readonly StoredEventData[], closes: readonly BusinessDayClosed[]): void {
    // A stream the log lists but that reads empty (never the case in this ledger, which deletes no stream).
    if (events.length === 0) return;
    // The closes before the account's first event found it not yet open: none of them concerns it.
    let at = firstIndexWhere(closes.length, (i) => closes[i].stored.position > events[0].position);
    let state = this.fold.get(accountId);
    for (const stored of events) {
      let next = at;
      while (next < closes.length && closes[next].stored.position < stored.position) next++;
      if (next > at) this.closedFor(accountId, state, closes, at, next);
      at = next;
      const decoded = decodeLedgerEvent(stored);
      if (decoded.kind !== 'account') continue;
      const { before, after } = this.fold.apply(accountId, decoded.event, stored.position);
      state = after;
      const change = { kind: 'account' as const, accountId, event: decoded.event, before, after, stored };
      for (const p of this.projections) p.apply(change, this.context);
    }
    if (at < closes.length) this.closedFor(accountId, state, closes, at, closes.length);
  }

  private closedFor(accountId: string, state: CreditAccountState, closes: readonly BusinessDayClosed[], from: number, to: number): void {
    for (const p of this.projections) p.byAccount?.closedFor?.(accountId, state, closes, from, to, this.context);
  }

  private foldOnly(stored: StoredEvent): void {
    const decoded = decodeLedgerEvent(stored);
    if (decoded.kind === 'account') this.fold.apply(decoded.accountId, decoded.event, stored.position);
  }

  private applyOne(stored: StoredEvent): void {
    const decoded = decodeLedgerEvent(stored);
    if (decoded.kind === 'account') {
      const { before, after } = this.fold.apply(decoded.accountId, decoded.event, stored.position);
      const change = {
        kind: 'account' as const,
        accountId: decoded.accountId,
        event: decoded.event,
        before,
        after,
        stored,
      };
      for (const p of this.projections) p.apply(change, this.context);
    } else if (decoded.kind === 'businessDayClosed') {
      // A projection that reads its own table on a closed day (the end-of-day schedule's sweep, the
      // portfolio's month-end buckets) flushes its pending writes itself; flushing every projection on
      // every closed day wrote each busy account's rows once a day instead of once a batch.
      for (const p of this.projections) p.apply({ kind: 'businessDayClosed', data: decoded.data, stored }, this.context);
    }
  }
}
