import type { EventStore } from '../event-store.port';
import type { Upcasters } from '../upcasters';
import { describeAppendContract } from './append.contract';
import { describeReadContract } from './read.contract';
import { describeSubscriptionContract } from './subscription.contract';
import { describeUpcastingContract } from './upcasting.contract';

/** A store under test and how to dispose of it (close it, delete its file, ...). */
export interface ContractSubject {
  store: EventStore;
  cleanup(): Promise<void>;
}

/** What a test may ask of the store it gets: upcasting tests need a store built with their upcasters. */
export interface ContractSubjectOptions {
  upcasters?: Upcasters;
}

export type MakeContractSubject = (options?: ContractSubjectOptions) => Promise<ContractSubject>;

/**
 * What an adapter guarantees beyond the common contract. Memory and sqlite guarantee it. EventStoreDB
 * positions are `$all` commit positions (strictly increasing, with gaps); for those the contract asserts
 * the weaker property instead of skipping the test.
 */
export interface StoreCapabilities {
  gaplessPositions: boolean;
}

export const FULL_CAPABILITIES: StoreCapabilities = { gaplessPositions: true };

/**
 * The behaviour every `EventStore` adapter must have. Each adapter's spec calls this with a factory that
 * builds a fresh subject; a test gets its own subject, and also writes only to streams of its own and
 * measures positions from the head it found, so a subject may be a store shared with other data.
 */
export function describeEventStoreContract(name: string, makeSubject: MakeContractSubject, capabilities: StoreCapabilities = FULL_CAPABILITIES): void {
  describe(`the event store contract: ${name}`, () => {
    describe('with a plain store', () => {
      let subject: ContractSubject;
      const store = (): EventStore => subject.store;

      beforeEach(async () => {
        subject = await makeSubject();
      });

      afterEach(async () => {
        await subject.cleanup();
      });

      describeAppendContract(store);
      describeReadContract(store, capabilities);
      describeSubscriptionContract(store);
    });

    describeUpcastingContract(makeSubject);
  });
}
