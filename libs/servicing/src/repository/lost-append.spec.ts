/**
 * The repository never carries on from what it believed before an append whose outcome it did not hear,
 * nor from an account older than the store's: an append that committed though its caller got an error,
 * a second process that took the command, a read that finished after a command had moved the account on.
 * Each case ends with the cache, a fresh load and the stored chain of hashes agreeing.
 */
import { applicant, type CreditAccountCommand, DEFAULT_TERMS_CATALOGUE, serializeState } from '@ledger/credit';
import { type ExpectedRevision, MemoryEventStore, MemorySnapshotStore, type NewEvent, type ReadStreamOptions, StoreUnavailableError } from '@ledger/event-store';
import { CHAIN_GENESIS, chainHashOf } from '../audit/chain-hash';
import { AccountRepository, accountStream, IdempotencyKeyReusedError } from './account-repository';

const NOW = '2026-01-05T10:00:00+08:00';
const meta = (commandId: string, requestHash = 'h') => ({ commandId, requestHash, actor: 'operator:test', now: NOW });
const payScore = (score: number): CreditAccountCommand => ({ type: 'UpdatePayScore', payScore: score });

/** Commits, and then can report the outcome lost, as the SQLite writer host does when its thread dies after COMMIT. */
class LosingStore extends MemoryEventStore {
  loseNext = false;
  holdNextReadMs = 0;

  override async append(stream: string, expected: ExpectedRevision, events: NewEvent[]) {
    const result = await super.append(stream, expected, events);
    if (this.loseNext) {
      this.loseNext = false;
      throw new StoreUnavailableError('the writer stopped; the outcome of its last commit is unknown');
    }
    return result;
  }

  /** Reads take a round trip, as EventStoreDB's do; the next one can be held longer. */
  override async readStream(stream: string, options?: ReadStreamOptions) {
    const events = await super.readStream(stream, options);
    const hold = this.holdNextReadMs;
    this.holdNextReadMs = 0;
    if (hold > 0) await new Promise((resolve) => setTimeout(resolve, hold));
    return events;
  }
}

async function openAccount(repository: AccountRepository): Promise<void> {
  await repository.execute('a', { type: 'SubmitApplication', accountId: 'a', channel: 'INVITED', applicant: applicant({ payScore: 650 }) }, meta('apply'));
  await repository.execute('a', { type: 'ActivateAccount', agreementVersion: 'v1', autoRepayCardLast4: '6222' }, meta('activate'));
}

/** The cache agrees with a fresh read of the log, and every stored event chains over the one before it. */
async function expectAgreement(store: LosingStore, repository: AccountRepository): Promise<void> {
  const fresh = await new AccountRepository(store, new MemorySnapshotStore(), DEFAULT_TERMS_CATALOGUE).load('a');
  const cached = await repository.load('a');
  expect([cached.revision, serializeState(cached.state)]).toEqual([fresh.revision, serializeState(fresh.state)]);
  let previous = CHAIN_GENESIS;
  for (const e of await store.readStream(accountStream('a'))) {
    expect([e.revision, e.metadata.chainHash]).toEqual([e.revision, chainHashOf(previous, { stream: e.stream, id: e.id, type: e.type, data: e.data, metadata: e.metadata })]);
    previous = e.metadata.chainHash as string;
  }
}

describe('an append whose outcome the repository did not hear', () => {
  it('refuses the key with another payload afterwards, answers a retry as taken, and chains the next command on the stored events', async () => {
    const store = new LosingStore();
    const repository = new AccountRepository(store, new MemorySnapshotStore(), DEFAULT_TERMS_CATALOGUE, { snapshotEvery: 5 });
    await openAccount(repository);

    store.loseNext = true;
    await expect(repository.execute('a', payScore(700), meta('key:k', 'hash-700'))).rejects.toBeInstanceOf(StoreUnavailableError);
    expect((await store.readStream(accountStream('a'))).at(-1)?.data).toMatchObject({ payScore: 700 });

    await expect(repository.execute('a', payScore(710), meta('key:k', 'hash-710'))).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    const retried = await repository.execute('a', payScore(700), meta('key:k', 'hash-700'));
    expect([retried.replayed, retried.state.payScore]).toEqual([true, 700]);
    await repository.execute('a', { type: 'RequestDraw', orderId: 'o-1', merchant: 'm', amount: '100.00', authentication: { method: 'PASSWORD', passed: true } }, meta('draw:o-1'));
    await expectAgreement(store, repository);
  });

  it('answers a command another process took as taken, not with what this one would have decided on its older account', async () => {
    const store = new LosingStore();
    const first = new AccountRepository(store, new MemorySnapshotStore(), DEFAULT_TERMS_CATALOGUE);
    const second = new AccountRepository(store, new MemorySnapshotStore(), DEFAULT_TERMS_CATALOGUE);
    await openAccount(first);
    await second.load('a');
    await first.execute('a', payScore(700), meta('key:k', 'hash-700'));

    // The second process holds the account before that command; the same id makes the same event ids.
    await expect(second.execute('a', payScore(710), meta('key:k', 'hash-710'))).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    const retried = await second.execute('a', payScore(700), meta('key:k', 'hash-700'));
    expect([retried.replayed, retried.state.payScore]).toEqual([true, 700]);
    await expectAgreement(store, second);
  });
});

describe('a read that finishes after a command moved the account on', () => {
  it('leaves the later account in the cache', async () => {
    const store = new LosingStore();
    const repository = new AccountRepository(store, new MemorySnapshotStore(), DEFAULT_TERMS_CATALOGUE);
    await openAccount(new AccountRepository(store, new MemorySnapshotStore(), DEFAULT_TERMS_CATALOGUE));

    store.holdNextReadMs = 30;
    const read = repository.load('a'); // a query such as the installment quote, which takes no turn in the queue
    await repository.execute('a', payScore(700), meta('key:k', 'hash-700'));
    const head = BigInt((await store.readStream(accountStream('a'))).length - 1);
    expect([(await read).revision, (await repository.load('a')).revision]).toEqual([head, head]);
    await expect(repository.execute('a', payScore(710), meta('key:k', 'hash-710'))).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    await expectAgreement(store, repository);
  });
});
