/**
 * Read-your-writes for queries: a caller that appended at position p waits until every projection has
 * applied p. Waiters are kept sorted by nothing in particular; there are few at a time and each commit
 * checks them all.
 */
export class ProjectionLagTimeoutError extends Error {
  readonly code = 'PROJECTION_LAG_TIMEOUT';
  constructor(
    readonly position: bigint,
    readonly processed: bigint,
    readonly timeoutMs: number,
  ) {
    super(`read models did not reach position ${position} within ${timeoutMs} ms (at ${processed})`);
    this.name = 'ProjectionLagTimeoutError';
  }
}

interface Waiter {
  position: bigint;
  resolve(): void;
}

export class PositionWaiters {
  private readonly waiting = new Set<Waiter>();

  waitFor(position: bigint, timeoutMs: number, processed: () => bigint): Promise<void> {
    if (processed() >= position) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        position,
        resolve: () => {
          clearTimeout(timer);
          this.waiting.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiting.delete(waiter);
        reject(new ProjectionLagTimeoutError(position, processed(), timeoutMs));
      }, timeoutMs);
      // A wait nobody awaits any more (an end of day stopped for shutdown) must not keep the process up.
      timer.unref();
      this.waiting.add(waiter);
    });
  }

  notify(processed: bigint): void {
    for (const waiter of [...this.waiting]) if (processed >= waiter.position) waiter.resolve();
  }
}
