import { MemoryEventStore, StoreUnavailableError, type SubscribeOptions, type Subscription } from '@ledger/event-store';
import { AuditAnchorScheduler } from './audit-anchor-scheduler';
import { AuditAnchors } from './audit-anchors';
import { verifyLedger } from './ledger-verifier';

async function until(what: string, done: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await done()); ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('the audit anchor scheduler', () => {
  it('follows the log again after its subscription failed, and anchors the day closed since', async () => {
    const store = new MemoryEventStore();
    const subscribe = store.subscribeToAll.bind(store);
    let subscriptions = 0;
    // The first subscription fails at once, as a read of an unreadable log would.
    jest.spyOn(store, 'subscribeToAll').mockImplementation((options: SubscribeOptions): Subscription => {
      subscriptions++;
      if (subscriptions > 1) return subscribe(options);
      setImmediate(() => options.onError?.(new Error('the log is unreadable')));
      return { stop: async () => undefined };
    });
    const scheduler = new AuditAnchorScheduler(store);
    const errors: string[] = [];
    const logged: string[] = [];
    scheduler.logger = { log: (message: string) => logged.push(message), warn: (message: string) => errors.push(message), error: (message: string) => errors.push(message) };
    scheduler.retryAfterMs = 20;
    await scheduler.follow();
    await until('a second subscription', () => subscriptions === 2);
    expect(errors).toEqual([expect.stringContaining('the log is unreadable')]);

    await store.append('ledger-business-days', 'no_stream', [{ id: 'day-1', type: 'BusinessDayClosed', schemaVersion: 1, data: { businessDate: '2026-01-02' }, metadata: {} }]);
    const anchors = new AuditAnchors(store);
    await until('an anchor of the closed day', async () => (await anchors.list()).length === 1);
    expect((await anchors.list())[0].data).toMatchObject({ fromPosition: '0', toPosition: '1', events: 1 });
    // Each anchor written is logged as verify prints the last one and --expect-anchor takes it.
    await until('the anchor logged', () => logged.length === 1);
    const { lastAnchor } = await verifyLedger(store);
    expect(logged).toEqual([`audit anchor ${lastAnchor!.position}:${lastAnchor!.hash} written (the log to position 1; keep it outside the ledger for ledger verify --expect-anchor)`]);
    await scheduler.onModuleDestroy();
  });

  it('stops trying to follow the log once the module stops', async () => {
    const store = new MemoryEventStore();
    const heads = jest.spyOn(store, 'headPosition').mockRejectedValue(new Error('the log is unreadable'));
    const scheduler = new AuditAnchorScheduler(store);
    scheduler.logger = { log: () => undefined, warn: () => undefined, error: () => undefined };
    scheduler.retryAfterMs = 10;
    scheduler.followLater(0);
    await until('two attempts', () => heads.mock.calls.length >= 2);
    await scheduler.onModuleDestroy();
    const attempts = heads.mock.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(heads.mock.calls.length).toBe(attempts);
  });

  it('starts with a store that does not answer yet, and follows the log once it does', async () => {
    const store = new MemoryEventStore();
    const head = store.headPosition.bind(store);
    let down = 2;
    jest.spyOn(store, 'headPosition').mockImplementation(() => (down-- > 0 ? Promise.reject(new StoreUnavailableError('connection refused')) : head()));
    const subscribed = jest.spyOn(store, 'subscribeToAll');
    const scheduler = new AuditAnchorScheduler(store);
    scheduler.logger = { log: () => undefined, warn: () => undefined, error: () => undefined };
    scheduler.retryAfterMs = 5;
    await scheduler.onApplicationBootstrap();
    await until('the subscription', () => subscribed.mock.calls.length === 1);
    expect(down).toBe(-1);
    await scheduler.onModuleDestroy();
    // Any other failure at start still stops it.
    jest.spyOn(store, 'headPosition').mockRejectedValue(new Error('no such table: events'));
    await expect(new AuditAnchorScheduler(store).onApplicationBootstrap()).rejects.toThrow('no such table: events');
  });
});
