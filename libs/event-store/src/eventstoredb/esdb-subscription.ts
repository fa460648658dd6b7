import { StoreUnavailableError, type SubscribeOptions, type Subscription } from '../event-store.port';
import { AppendSignal, CatchUpSubscription, type ReadAfter } from '../subscription/catch-up-subscription';
import { type AllStreamSubscription, END, type EventStoreDBClient, excludeSystemEvents } from './esdb-client';
import { toPortError } from './esdb-errors';

/**
 * Catch-up then live delivery of `$all` from a stored position.
 *
 * Delivery itself is the shared `CatchUpSubscription`: it pages `$all` after the last delivered position
 * and waits for each batch's handler, so batches are in order and resume is exact. EventStoreDB's own
 * subscription (from the end, with `excludeSystemEvents()`) is used only as the wake-up: every event it
 * pushes, and its confirmation, makes the catch-up loop read again. Waking on the confirmation closes the
 * gap between the catch-up's last empty read and the moment the server subscription became live.
 *
 * If the server subscription fails or ends, delivery stops and `onError` gets a `StoreUnavailableError`;
 * the owner resubscribes from its checkpoint.
 */
export class EsdbLiveSubscription implements Subscription {
  readonly ended: Promise<void>;
  private readonly catchUp: CatchUpSubscription;
  private readonly live: AllStreamSubscription;
  private stopping = false;

  constructor(
    client: EventStoreDBClient,
    readAfter: ReadAfter,
    private readonly options: SubscribeOptions,
  ) {
    const signal = new AppendSignal();
    // From the leader, as every read of the adapter (see FROM_LEADER there): a follower's wake-ups lag.
    this.live = client.subscribeToAll({ fromPosition: END, filter: excludeSystemEvents(), requiresLeader: true });
    this.live.on('confirmation', () => signal.notify());
    this.live.on('data', () => signal.notify());
    this.live.on('error', (error: unknown) => this.fail(toPortError(error, 'subscription to $all')));
    this.live.on('end', () =>
      this.fail(new StoreUnavailableError('EventStoreDB ended the subscription to $all')),
    );
    this.catchUp = new CatchUpSubscription(readAfter, signal, {
      ...options,
      onError: (error) => {
        this.stopping = true;
        options.onError?.(error);
      },
    });
    this.ended = this.catchUp.ended.then(() => this.unsubscribe());
  }

  /** Resolves once no batch is in flight and the server subscription is cancelled. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.catchUp.stop();
    await this.ended;
  }

  private fail(error: Error): void {
    if (this.stopping) return;
    this.stopping = true;
    void this.catchUp.stop().then(() => this.options.onError?.(error));
  }

  private async unsubscribe(): Promise<void> {
    this.stopping = true;
    try {
      await this.live.unsubscribe();
    } catch {
      // The call may already be over (server error or end); there is nothing left to cancel.
    }
  }
}
