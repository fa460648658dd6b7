import { MemoryEventStore, StoreUnavailableError } from '@ledger/event-store';
import { ID_HASH_KEY_STREAM, IdHashKeyGuard, IdHashKeyMismatchError, idHashKeyFingerprint } from './id-hash-key-guard';

const KEY = 'the-ledger-key-0123456789';
const OTHER = 'a-different-key-0123456789';

describe('the ID hash key guard', () => {
  it("records the key's fingerprint with the first application, and refuses another key at start and at applications", async () => {
    const store = new MemoryEventStore();
    const guard = new IdHashKeyGuard(store, KEY);
    await guard.onApplicationBootstrap(); // nothing recorded yet
    await guard.assertKey('2026-01-05', 'operator:a');
    await guard.assertKey('2026-01-05', 'operator:a'); // checked once a process
    const recorded = await store.readStream(ID_HASH_KEY_STREAM);
    expect(recorded.map((e) => [e.type, e.data, e.metadata.businessDate])).toEqual([['IdHashKeyFingerprinted', { fingerprint: idHashKeyFingerprint(KEY) }, '2026-01-05']]);
    // The fingerprint tells nothing of the key.
    expect(JSON.stringify(recorded.map((e) => [e.data, e.metadata]))).not.toContain(KEY);

    const restoredWithAnotherKey = new IdHashKeyGuard(store, OTHER);
    await expect(restoredWithAnotherKey.onApplicationBootstrap()).rejects.toBeInstanceOf(IdHashKeyMismatchError);
    await expect(restoredWithAnotherKey.assertKey('2026-01-06', 'operator:b')).rejects.toThrow(/^LEDGER_ID_HASH_KEY: is not the key this ledger's account ids were made with/);
    await expect(new IdHashKeyGuard(store, KEY).onApplicationBootstrap()).resolves.toBeUndefined();
    expect(await store.readStream(ID_HASH_KEY_STREAM)).toHaveLength(1);
  });

  it('lets a start go on while the store does not answer, and checks at the first application once it does', async () => {
    const store = new MemoryEventStore();
    await new IdHashKeyGuard(store, KEY).assertKey('2026-01-05', 'operator:a');
    const read = store.readStream.bind(store);
    const reads = jest.spyOn(store, 'readStream').mockRejectedValueOnce(new StoreUnavailableError('connection refused'));
    const guard = new IdHashKeyGuard(store, OTHER);
    await expect(guard.onApplicationBootstrap()).resolves.toBeUndefined();
    reads.mockImplementation(read);
    await expect(guard.assertKey('2026-01-06', 'operator:b')).rejects.toBeInstanceOf(IdHashKeyMismatchError);
  });
});
