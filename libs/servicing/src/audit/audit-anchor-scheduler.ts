/**
 * Writes an anchor after each closed business day, and after every `every` events in between, by
 * following the global log. It runs beside the API, outside the request path: a slow anchor never delays
 * a command, and a failed one is simply retried at the next trigger.
 */
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { EventStore, type Subscription } from '@ledger/event-store';
import { AUDIT_ANCHOR_STREAM, AuditAnchors } from './audit-anchors';

const ACTOR = 'system:audit-anchor';

@Injectable()
export class AuditAnchorScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly anchors: AuditAnchors;
  private readonly logger = new Logger('AuditAnchors');
  private subscription: Subscription | null = null;
  private pending: Promise<unknown> = Promise.resolve();
  private sinceLast = 0;
  every = 10_000;

  constructor(private readonly store: EventStore) {
    this.anchors = new AuditAnchors(store);
  }

  async onApplicationBootstrap(): Promise<void> {
    const head = await this.store.headPosition();
    this.subscription = this.store.subscribeToAll({
      after: head,
      onEvents: (events) => {
        const own = events.filter((e) => e.stream !== AUDIT_ANCHOR_STREAM);
        this.sinceLast += own.length;
        if (own.some((e) => e.type === 'BusinessDayClosed') || this.sinceLast >= this.every) this.trigger();
      },
      onError: (error) => this.logger.error(`audit anchor subscription failed: ${error.message}`),
    });
  }

  /** Anchors now (after any anchor already under way). */
  trigger(): Promise<unknown> {
    this.sinceLast = 0;
    this.pending = this.pending
      .then(() => this.anchors.anchor(ACTOR))
      .catch((error: Error) => this.logger.warn(`audit anchor not written, retried at the next trigger: ${error.message}`));
    return this.pending;
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscription?.stop();
    this.subscription = null;
    await this.pending;
  }
}
