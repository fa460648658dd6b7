import type { EventStore } from '../event-store.port';
import { Upcasters } from '../upcasters';
import { DeliveryLog, newEvent, uniqueStream, waitFor } from './contract-helpers';
import type { ContractSubject, ContractSubjectOptions } from './event-store.contract';

/** Version 1 had a number of fen; version 2 a decimal string; version 3 added the currency. */
function amountUpcasters(): Upcasters {
  return new Upcasters()
    .register('AmountRecorded', 1, (data: { fen: number }) => ({ amount: (data.fen / 100).toFixed(2) }))
    .register('AmountRecorded', 2, (data: { amount: string }) => ({ ...data, currency: 'CNY' }));
}

/** Reads apply the store's upcasters; what is stored is never rewritten. */
export function describeUpcastingContract(
  makeSubject: (options?: ContractSubjectOptions) => Promise<ContractSubject>,
): void {
  describe('upcasting', () => {
    let subject: ContractSubject;
    const store = (): EventStore => subject.store;

    beforeEach(async () => {
      subject = await makeSubject({ upcasters: amountUpcasters() });
    });

    afterEach(async () => {
      await subject.cleanup();
    });

    it('reads an old event at the latest schema version through readStream, readStreamData and readAll', async () => {
      const head = await store().headPosition();
      const stream = uniqueStream();
      const event = newEvent('AmountRecorded', { fen: 1234 });
      await store().append(stream, 'no_stream', [event]);
      const expected = { id: event.id, schemaVersion: 3, data: { amount: '12.34', currency: 'CNY' } };
      expect(await store().readStream(stream)).toEqual([expect.objectContaining(expected)]);
      expect(await store().readStreamData(stream)).toEqual([expect.objectContaining(expected)]);
      const fromLog = (await store().readAll({ after: head })).filter((read) => read.stream === stream);
      expect(fromLog).toEqual([expect.objectContaining(expected)]);
    });

    it('starts the chain at the version an event was stored with', async () => {
      const stream = uniqueStream();
      await store().append(stream, 'no_stream', [
        { ...newEvent('AmountRecorded', { amount: '5.00' }), schemaVersion: 2 },
      ]);
      const [read] = await store().readStream(stream);
      expect(read).toMatchObject({ schemaVersion: 3, data: { amount: '5.00', currency: 'CNY' } });
    });

    it('leaves events of types without an upcaster as they were stored', async () => {
      const stream = uniqueStream();
      await store().append(stream, 'no_stream', [newEvent('OtherThing', { fen: 1 })]);
      const [read] = await store().readStream(stream);
      expect(read).toMatchObject({ schemaVersion: 1, data: { fen: 1 } });
    });

    it('delivers upcast events to subscribers', async () => {
      const head = await store().headPosition();
      const stream = uniqueStream();
      await store().append(stream, 'no_stream', [newEvent('AmountRecorded', { fen: 50 })]);
      const log = new DeliveryLog([stream]);
      const subscription = store().subscribeToAll({ after: head, onEvents: log.onEvents });
      try {
        await waitFor(() => log.events.length === 1, 'the delivery');
        expect(log.events[0]).toMatchObject({ schemaVersion: 3, data: { amount: '0.50', currency: 'CNY' } });
      } finally {
        await subscription.stop();
      }
    });
  });
}
