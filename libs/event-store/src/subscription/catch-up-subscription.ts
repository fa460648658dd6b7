import type { StoredEvent, SubscribeOptions, Subscription } from '../event-store.port';

/** Reads a page of the global log after a position: the only thing a subscription needs from a store. */
export type ReadAfter = (after: bigint, maxCount: number) => Promise<StoredEvent[]> | StoredEvent[];

/**
 * Tells live subscriptions that something was committed, so they read at once instead of polling the
 * database in a loop. A store notifies after each commit.
 */
export class AppendSignal {
  private readonly listeners = new Set<() => void>();

  listen(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(): void {
    for (const listener of this.listeners) listener();
  }
}

export interface CatchUpSettings {
  /**
   * Also read this often while live. Only needed when other processes may append to the same log (a
   * shared sqlite file), since their commits do not reach this process's signal.
   */
  pollIntervalMs?: number;
}

/**
 * Catch-up then live delivery over any store that can page its log. Each batch is delivered only after
 * the previous `onEvents` promise settled, so a handler that commits its checkpoint with the batch never
 * sees an event twice or misses one. A failing handler ends the subscription (reported to `onError`),
 * because going on would move past events whose effects were not recorded.
 *
 * `stop()` waits for the batch in flight, so it must not be awaited from inside `onEvents`.
 */
export class CatchUpSubscription implements Subscription {
  private stopped = false;
  /** Set by every append notification and cleared before each read, so no wake-up is ever lost. */
  private signalled = false;
  private wake: (() => void) | undefined;
  private readonly stopListening: () => void;
  /** Settles when delivery has ended, by `stop()` or by a failure. */
  readonly ended: Promise<void>;

  constructor(
    private readonly readAfter: ReadAfter,
    signal: AppendSignal,
    private readonly options: SubscribeOptions,
    private readonly settings: CatchUpSettings = {},
  ) {
    this.stopListening = signal.listen(() => {
      this.signalled = true;
      this.wake?.();
    });
    this.ended = this.run().finally(() => this.stopListening());
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    return this.ended;
  }

  private async run(): Promise<void> {
    const batchSize = this.options.batchSize ?? 500;
    let after = this.options.after ?? 0n;
    let live = false;
    while (!this.stopped) {
      this.signalled = false;
      let batch: StoredEvent[];
      try {
        batch = await this.readAfter(after, batchSize);
      } catch (error) {
        if (!this.stopped) this.fail(error);
        return;
      }
      if (this.stopped) return;
      if (batch.length === 0) {
        if (!live) {
          live = true;
          this.options.onCaughtUp?.(after);
        }
        await this.nextAppend();
        continue;
      }
      try {
        await this.options.onEvents(batch);
      } catch (error) {
        this.fail(error);
        return;
      }
      after = batch[batch.length - 1].position;
      // A store that reads synchronously (sqlite, memory) resolves every read at once, so without this
      // a subscription that is behind would deliver batch after batch as one long task and starve the
      // process's other work (requests waited hundreds of milliseconds behind the projections).
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private fail(error: unknown): void {
    this.stopped = true;
    this.options.onError?.(error instanceof Error ? error : new Error(String(error)));
  }

  private nextAppend(): Promise<void> {
    if (this.signalled || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = this.settings.pollIntervalMs
        ? setTimeout(finish, this.settings.pollIntervalMs)
        : undefined;
      this.wake = finish;
    });
  }
}
