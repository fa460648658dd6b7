/**
 * Writes an anchor after each closed business day, and after every `every` events in between, by
 * following the global log. It runs beside the API, outside the request path: a slow anchor never delays
 * a command, and a failed one is simply retried at the next trigger.
 *
 * With LEDGER_PROJECTIONS=worker it runs in the projections' worker thread (`projections-worker`), which
 * starts it with `followLater(0)`, and the API's own instance stays idle: reading the log back, parsing and
 * hashing it cost the thread that decides commands about 6% of its time at end of day, plus 2% following
 * the log for it (bench/HISTORY.md, fifteenth round); the worker has the other core.
 */
import { Injectable, Logger, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { EventStore, StoreUnavailableError, type Subscription } from '@ledger/event-store';
import { LedgerSettings } from '../ledger.module';
import { AUDIT_ANCHOR_STREAM, AuditAnchors } from './audit-anchors';

const ACTOR = 'system:audit-anchor';

/** The line each anchor written is logged with: its `<position>:<hash>` as `verify` prints and `--expect-anchor` takes it. */
export function anchorLine(position: bigint, hash: string, toPosition: string): string {
  return `audit anchor ${position}:${hash} written (the log to position ${toPosition}; keep it outside the ledger for ledger verify --expect-anchor)`;
}

@Injectable()
export class AuditAnchorScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly anchors: AuditAnchors;
  /**
   * Where each anchor written is logged (as `verify` prints the last anchor: a log shipped off the machine
   * is a record of the anchors kept outside the ledger, for `verify --expect-anchor`) and failures reported;
   * the worker thread passes them on to the API's log.
   */
  logger: Pick<Logger, 'log' | 'warn' | 'error'> = new Logger('AuditAnchors');
  private subscription: Subscription | null = null;
  private pending: Promise<unknown> = Promise.resolve();
  private sinceLast = 0;
  private stopped = false;
  private retry: ReturnType<typeof setTimeout> | undefined;
  every = 10_000;
  /** After a failure to follow the log (unreadable for a while), follow it again this much later. */
  retryAfterMs = 1_000;

  constructor(
    private readonly store: EventStore,
    @Optional() private readonly settings?: LedgerSettings,
  ) {
    this.anchors = new AuditAnchors(store);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.settings?.config.projectionsWorker) return;
    // A store not up yet (EventStoreDB started after the API) is followed once it answers.
    await this.follow().catch((error: Error) => {
      if (!(error instanceof StoreUnavailableError)) throw error;
      this.retryAfterFailure('audit anchor subscription not started', error);
    });
  }

  /**
   * Follows the log from its head: an anchor after each closed day and every `every` events. A failed
   * subscription is followed again `retryAfterMs` later; what was appended meanwhile goes into the next
   * anchor, which covers everything since the last one.
   */
  async follow(): Promise<void> {
    const head = await this.store.headPosition();
    if (this.stopped) return;
    this.subscription = this.store.subscribeToAll({
      after: head,
      onEvents: (events) => {
        const own = events.filter((e) => e.stream !== AUDIT_ANCHOR_STREAM);
        this.sinceLast += own.length;
        if (own.some((e) => e.type === 'BusinessDayClosed') || this.sinceLast >= this.every) this.trigger();
      },
      onError: (error) => {
        this.subscription = null;
        this.retryAfterFailure('audit anchor subscription failed', error);
      },
    });
  }

  /** `follow()` after `delayMs`, and again after each failure to start it, until the module stops. */
  followLater(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.follow().catch((error: Error) => this.retryAfterFailure('audit anchor subscription not started', error));
    }, delayMs);
  }

  private retryAfterFailure(what: string, error: Error): void {
    this.logger.error(`${what}; following the log again in ${this.retryAfterMs} ms: ${error.message}`);
    this.followLater(this.retryAfterMs);
  }

  /** Anchors now (after any anchor already under way). */
  trigger(): Promise<unknown> {
    this.sinceLast = 0;
    this.pending = this.pending
      .then(() => this.anchors.anchor(ACTOR))
      .then((anchor) => {
        if (anchor) this.logger.log(anchorLine(anchor.anchorPosition, anchor.hash, anchor.toPosition));
      })
      .catch((error: Error) => this.logger.warn(`audit anchor not written, retried at the next trigger: ${error.message}`));
    return this.pending;
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.subscription?.stop();
    this.subscription = null;
    await this.pending;
  }
}
