import { applicant, DEFAULT_TERMS_CATALOGUE } from '@ledger/credit';
import { MemoryEventStore, MemorySnapshotStore } from '@ledger/event-store';
import { AccountRepository } from './account-repository';

const NOW = '2026-01-05T10:00:00+08:00';
const meta = (commandId: string) => ({ commandId, requestHash: 'h1', actor: 'operator:test', now: NOW });
const draw = (orderId: string) => ({ type: 'RequestDraw' as const, orderId, merchant: 'm', amount: '1.00', authentication: { method: 'PASSWORD' as const, passed: true } });
async function open(repo: AccountRepository, id: string) {
  await repo.execute(id, { type: 'SubmitApplication', accountId: id, channel: 'INVITED', applicant: applicant({ payScore: 650 }) }, meta(`apply:${id}`));
  await repo.execute(id, { type: 'ActivateAccount', agreementVersion: 'v1', autoRepayCardLast4: '6222' }, meta(`activate:${id}`));
}
function recording(snapshots: MemorySnapshotStore): string[] {
  const saved: string[] = [];
  const save = snapshots.saveText.bind(snapshots);
  snapshots.saveText = async (stream, revision, version, text, parts, uses) => {
    saved.push(`${stream.replace(/^credit-account-|\/lines$/g, '')}@${revision}`);
    return save(stream, revision, version, text, parts, uses);
  };
  return saved;
}

describe('snapshots taken as the cache lets go of an account, counted by the command that follows', () => {
  it('a snapshot taken as an over-budget account is loaded resets the count its command continues', async () => {
    const store = new MemoryEventStore();
    const snapshots = new MemorySnapshotStore();
    const roomy = new AccountRepository(store, snapshots, DEFAULT_TERMS_CATALOGUE);
    await open(roomy, 'a');
    for (let i = 0; i < 15; i++) await roomy.execute('a', draw(`o-${i}`), meta(`draw:o-${i}`));
    const saved = recording(snapshots);
    const tight = new AccountRepository(store, snapshots, DEFAULT_TERMS_CATALOGUE, { cacheBytes: 1000 });
    await tight.execute('a', draw('z'), meta('draw:z'));
    // Dropped as it was loaded with 18 events and none snapshotted: one snapshot, at revision 17; the
    // command's one event after it is not 10 more.
    expect(saved).toEqual(['a@17']);
  });

  it('a snapshot taken as the cache lets go of an account whose command is in flight resets the count that command continues', async () => {
    const store = new MemoryEventStore();
    const snapshots = new MemorySnapshotStore();
    const repo = new AccountRepository(store, snapshots, DEFAULT_TERMS_CATALOGUE, { cacheSize: 1, evictionSnapshotAfter: 2 });
    await open(repo, 'a');
    await open(repo, 'b');
    await repo.execute('a', draw('x1'), meta('draw:x1'));
    await repo.execute('a', draw('x2'), meta('draw:x2')); // a: revision 4, snapshot at 2
    const saved = recording(snapshots);
    const append = store.append.bind(store);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    store.append = async (...args: Parameters<typeof append>) => {
      await gate;
      return append(...args);
    };
    const pending = repo.execute('a', draw('y'), meta('draw:y'));
    await new Promise((resolve) => setImmediate(resolve));
    await repo.load('b'); // lets go of a (revision 4, 2 events since its snapshot) while its append waits
    expect(saved).toEqual(['a@4']);
    release();
    await pending;
    store.append = append;
    await repo.load('b'); // lets go of a again, at revision 5: one event since the snapshot at 4
    expect(saved).toEqual(['a@4']);
  });
});
