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
 * `commit` returns one outcome per request, in order, either at once (better-sqlite3 on this thread) or
 * as a promise (a writer thread); if it throws or rejects, the transaction did not commit and every
 * request of the batch fails with that error. One batch is committed at a time: what is submitted while
 * one is being committed forms the next batch, which is committed as soon as that one settles.
 */
export class GroupCommit<Q, R> {
  private queue: Pending<Q, R>[] = [];
  private scheduled = false;
  private inFlight: Promise<void> | undefined;

  constructor(
    private readonly commit: (requests: Q[]) => Outcome<R>[] | Promise<Outcome<R>[]>,
    private readonly failure: (error: unknown) => unknown = (error) => error,
  ) {}

  submit(request: Q): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      if (!this.scheduled && !this.inFlight) {
        this.scheduled = true;
        // setImmediate rather than a microtask: it runs after all the microtasks of this turn, so appends
        // issued by several awaiting handlers in the same turn still share the transaction.
        setImmediate(() => this.flush());
      }
    });
  }

  /**
   * Commits whatever is queued now, unless a batch is being committed (then the queue follows it).
   * With a synchronous `commit` the batch has settled when this returns.
   */
  flush(): void {
    this.scheduled = false;
    if (this.inFlight) return;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    let outcomes: Outcome<R>[] | Promise<Outcome<R>[]>;
    try {
      outcomes = this.commit(batch.map((pending) => pending.request));
    } catch (error) {
      this.fail(batch, error);
      return;
    }
    if (!(outcomes instanceof Promise)) {
      this.settle(batch, outcomes);
      return;
    }
    // The catch also covers a `settle` that throws (fewer outcomes than requests): the batch fails
    // rather than leaving `inFlight` rejected and every later submit waiting behind it. Then the
    // requests queued meanwhile are committed.
    this.inFlight = outcomes
      .then((settled) => this.settle(batch, settled))
      .catch((error: unknown) => this.fail(batch, error))
      .then(() => {
        this.inFlight = undefined;
        this.flush();
      });
  }

  /** Resolves once every request submitted so far has settled (before the store closes). */
  async drain(): Promise<void> {
    for (;;) {
      if (this.inFlight) await this.inFlight;
      else if (this.queue.length > 0) this.flush();
      else return;
    }
  }

  private settle(batch: Pending<Q, R>[], outcomes: Outcome<R>[]): void {
    batch.forEach((pending, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) pending.resolve(outcome.value);
      else pending.reject(outcome.error);
    });
  }

  private fail(batch: Pending<Q, R>[], error: unknown): void {
    const reported = this.failure(error);
    for (const pending of batch) pending.reject(reported);
  }
}
