/** What one request of a batch came to: each request succeeds or fails on its own. */
export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

interface Pending<Q, R> {
  request: Q;
  resolve(value: R): void;
  reject(error: unknown): void;
}

/**
 * Group commit: requests submitted in the same turn of the event loop are handed to `commit` together,
 * which runs them in one durable transaction, and every caller's promise settles only after that
 * transaction committed. One fsync then covers many appends, which is what lets a store with
 * `synchronous=FULL` take thousands of appends per second.
 *
 * `commit` is synchronous (better-sqlite3 is) and returns one outcome per request, in order; if it throws,
 * the transaction did not commit and every request of the batch fails with that error.
 */
export class GroupCommit<Q, R> {
  private queue: Pending<Q, R>[] = [];
  private scheduled = false;

  constructor(
    private readonly commit: (requests: Q[]) => Outcome<R>[],
    private readonly failure: (error: unknown) => unknown = (error) => error,
  ) {}

  submit(request: Q): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate rather than a microtask: it runs after all the microtasks of this turn, so appends
        // issued by several awaiting handlers in the same turn still share the transaction.
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits whatever is queued now, synchronously (used before the database closes). */
  flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    let outcomes: Outcome<R>[];
    try {
      outcomes = this.commit(batch.map((pending) => pending.request));
    } catch (error) {
      const reported = this.failure(error);
      for (const pending of batch) pending.reject(reported);
      return;
    }
    batch.forEach((pending, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) pending.resolve(outcome.value);
      else pending.reject(outcome.error);
    });
  }
}
