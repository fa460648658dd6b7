/**
 * The verifier's journal check: each account's receivables, as its postings sum them, must equal what its
 * replayed state owes. A journal that left a repayment out, still balanced in itself (no posting at all),
 * passes the trial balance and must be named here.
 */
import { randomUUID } from 'node:crypto';
import { AccountScenario, type CreditAccountEvent } from '@ledger/credit';
import { MemoryEventStore } from '@ledger/event-store';
import { ACCOUNT_STREAM_PREFIX } from '../repository/account-repository';
import { CHAIN_GENESIS, withChainHashes } from './chain-hash';
import { verifyLedger } from './ledger-verifier';

let dropRepayments = false;
jest.mock('@ledger/credit', () => {
  const actual = jest.requireActual<typeof import('@ledger/credit')>('@ledger/credit');
  return { ...actual, postingsFor: (event: CreditAccountEvent) => (dropRepayments && event.type === 'RepaymentReceived' ? [] : actual.postingsFor(event)) };
});

async function ledger(): Promise<MemoryEventStore> {
  const store = new MemoryEventStore();
  const s = new AccountScenario('acc-j', '2026-01-05T10:00:00+08:00').open();
  s.draw('o-1', '100.00');
  s.repay('r-1', '40.00');
  const stream = `${ACCOUNT_STREAM_PREFIX}acc-j`;
  const unchained = s.history.map((e) => ({ id: randomUUID(), type: e.type, schemaVersion: 1, data: e.data, metadata: { commandId: 'c', actor: 'test' } }));
  await store.append(stream, 'no_stream', withChainHashes(stream, CHAIN_GENESIS, unchained).events);
  return store;
}

describe("ledger verify, the journal against each account's state", () => {
  afterEach(() => {
    dropRepayments = false;
  });

  it('passes a journal that agrees with every account, receivable by receivable', async () => {
    expect(await verifyLedger(await ledger())).toMatchObject({ ok: true, findings: [] });
  });

  it('names the receivable where the journal and the replayed account differ, though the trial balance is zero', async () => {
    dropRepayments = true;
    const report = await verifyLedger(await ledger());
    // 100.00 drawn, 40.00 repaid against unbilled revolving principal: the account owes 60.00; the journal, without the repayment, 100.00.
    expect(report.findings).toEqual([
      expect.objectContaining({ check: 'JOURNAL_MISMATCH', accountId: 'acc-j', field: 'REVOLVING_PRINCIPAL_RECEIVABLE', expected: '60.00', actual: '100.00' }),
    ]);
    expect(report.counts.TRIAL_BALANCE).toBe(0);
  });
});
