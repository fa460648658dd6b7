import type { EventStore } from '../event-store.port';
import { DeliveryLog, newEvent, numberedEvents, sleep, uniqueStream, waitFor } from './contract-helpers';

/** Catch-up then live subscriptions to the global log. */
export function describeSubscriptionContract(store: () => EventStore): void {
  describe('subscribing to the global log', () => {
    it('delivers stored events, reports catching up, then delivers new appends live', async () => {
      const head = await store().headPosition();
      const stream = uniqueStream();
      const stored = numberedEvents(3);
      await store().append(stream, 'no_stream', stored);
      const log = new DeliveryLog([stream]);
      const subscription = store().subscribeToAll({
        after: head,
        onEvents: log.onEvents,
        onCaughtUp: log.onCaughtUp,
      });
      try {
        await waitFor(() => log.caughtUpAt !== undefined, 'catching up');
        expect(log.ids()).toEqual(stored.map((event) => event.id));
        const live = numberedEvents(2);
        await store().append(stream, 2n, live);
        await waitFor(() => log.events.length === 5, 'live delivery');
        expect(log.ids()).toEqual([...stored, ...live].map((event) => event.id));
        expect(log.events.map((event) => event.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
      } finally {
        await subscription.stop();
      }
    });

    it('resumes after a checkpoint with nothing skipped or repeated', async () => {
      const head = await store().headPosition();
      const stream = uniqueStream();
      const events = numberedEvents(10);
      await store().append(stream, 'no_stream', events.slice(0, 6));
      const first = new DeliveryLog([stream]);
      let checkpoint = head;
      const firstRun = store().subscribeToAll({
        after: head,
        batchSize: 2,
        onEvents: (batch) => {
          first.onEvents(batch);
          checkpoint = batch[batch.length - 1].position;
        },
      });
      await waitFor(() => first.events.length >= 4, 'the first deliveries');
      await firstRun.stop();
      await store().append(stream, 5n, events.slice(6));
      const second = new DeliveryLog([stream]);
      const secondRun = store().subscribeToAll({ after: checkpoint, onEvents: second.onEvents });
      try {
        await waitFor(() => first.events.length + second.events.length >= 10, 'the resumed deliveries');
        await sleep(50);
        expect([...first.ids(), ...second.ids()]).toEqual(events.map((event) => event.id));
      } finally {
        await secondRun.stop();
      }
    });

    it('delivers one batch at a time, no larger than batchSize, waiting for each handler', async () => {
      const head = await store().headPosition();
      const stream = uniqueStream();
      await store().append(stream, 'no_stream', numberedEvents(7));
      let inFlight = 0;
      let overlapped = false;
      const sizes: number[] = [];
      const log = new DeliveryLog([stream]);
      const subscription = store().subscribeToAll({
        after: head,
        batchSize: 3,
        onEvents: async (batch) => {
          inFlight += 1;
          overlapped ||= inFlight > 1;
          sizes.push(batch.length);
          await sleep(15);
          log.onEvents(batch);
          inFlight -= 1;
        },
      });
      try {
        await waitFor(() => log.events.length === 7, 'all deliveries');
        expect(overlapped).toBe(false);
        expect(Math.max(...sizes)).toBeLessThanOrEqual(3);
        expect(log.events.map((event) => event.revision)).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n]);
      } finally {
        await subscription.stop();
      }
    });

    it('delivers nothing after stop() resolves, even when stopped with a batch in flight', async () => {
      const head = await store().headPosition();
      const stream = uniqueStream();
      await store().append(stream, 'no_stream', [newEvent()]);
      let handlerFinished = false;
      let deliveries = 0;
      const subscription = store().subscribeToAll({
        after: head,
        onEvents: async () => {
          deliveries += 1;
          await sleep(100);
          handlerFinished = true;
        },
      });
      await waitFor(() => deliveries === 1, 'the first delivery');
      await subscription.stop();
      expect(handlerFinished).toBe(true);
      await store().append(stream, 0n, numberedEvents(2));
      await sleep(400);
      expect(deliveries).toBe(1);
    });
  });
}
