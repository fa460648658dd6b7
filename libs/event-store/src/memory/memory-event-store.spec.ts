import { describeEventStoreContract } from '../contract/event-store.contract';
import { MemoryEventStore } from './memory-event-store';

describeEventStoreContract('memory', async (options) => {
  const store = new MemoryEventStore(options);
  return { store, cleanup: () => store.close() };
});
