/**
 * A lane: a set of projections that advance together over the log, with one account-state fold. The
 * runner has one main lane; a projection being rebuilt gets a lane of its own (with a second fold) until
 * it reaches the main lane's position. A batch and every checkpoint of the lane commit in one SQLite
 * transaction, so after a crash the lane resumes exactly after the last committed batch.
 */
import { evolve, type TermsCatalogue } from '@ledger/credit';
import type { StoredEvent } from '@ledger/event-store';
import type { AccountStateFold } from './account-state-fold';
import type { Checkpoints } from './checkpoints';
import { decodeLedgerEvent } from './ledger-streams';
import type { Db, Projection, ProjectionContext } from './projection';

export class Lane {
  private readonly context: ProjectionContext;

  constructor(
    private readonly db: Db,
    private readonly checkpoints: Checkpoints,
    readonly fold: AccountStateFold,
    readonly projections: readonly Projection[],
    terms: TermsCatalogue,
    /** The position every projection of the lane and its fold have applied. */
    public position: bigint,
  ) {
    this.context = { db, terms, accountState: (accountId) => fold.get(accountId) };
  }

  /** Applies the events after the lane's position; returns the new position. */
  applyBatch(batch: readonly StoredEvent[]): bigint {
    const events = batch.filter((e) => e.position > this.position);
    if (events.length === 0) return this.position;
    const last = events[events.length - 1].position;
    try {
      this.db.transaction(() => {
        for (const stored of events) this.applyOne(stored);
        for (const p of this.projections) p.flush?.(this.context);
        this.fold.flush();
        this.checkpoints.set(this.fold.checkpointName, this.fold.version, last);
        for (const p of this.projections) this.checkpoints.set(p.name, p.version, last);
      })();
    } catch (error) {
      this.fold.discard();
      for (const p of this.projections) p.discard?.();
      throw error;
    }
    this.fold.commit();
    this.position = last;
    return last;
  }

  private applyOne(stored: StoredEvent): void {
    const decoded = decodeLedgerEvent(stored);
    if (decoded.kind === 'account') {
      const before = this.fold.get(decoded.accountId);
      const after = evolve(before, decoded.event);
      this.fold.set(decoded.accountId, after, stored.position);
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
      // A sweep over accounts (the end-of-day schedule) must see the day's account events written first.
      for (const p of this.projections) {
        p.flush?.(this.context);
        p.apply({ kind: 'businessDayClosed', data: decoded.data, stored }, this.context);
      }
    }
  }
}
