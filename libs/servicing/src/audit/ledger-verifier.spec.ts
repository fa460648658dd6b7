/**
 * The verifier's second pass reads each account's stream alone: a store whose stream read has lost
 * events the log still holds (a truncated or deleted stream on EventStoreDB) must be named, not replayed
 * short in silence. (`test/audit/verify-cli.e2e.spec.ts` runs the whole CLI on SQLite.)
 */
import { randomUUID } from 'node:crypto';
import { AccountScenario } from '@ledger/credit';
import { MemoryEventStore, type ReadStreamOptions, type StoredEvent } from '@ledger/event-store';
import { BUSINESS_DAYS_STREAM } from '@ledger/projections';
import { ACCOUNT_STREAM_PREFIX } from '../repository/account-repository';
import { CHAIN_GENESIS, withChainHashes } from './chain-hash';
import { verifyLedger } from './ledger-verifier';

class StreamReadLosingItsLast extends MemoryEventStore {
  override async readStream(stream: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    return (await super.readStream(stream, options)).slice(0, -1);
  }
}

async function ledgerOn(store: MemoryEventStore): Promise<void> {
  const s = new AccountScenario('acc-v', '2026-01-05T10:00:00+08:00').open();
  s.draw('o-1', '100.00');
  s.repay('r-1', '40.00');
  const stream = `${ACCOUNT_STREAM_PREFIX}acc-v`;
  const unchained = s.history.map((e) => ({ id: randomUUID(), type: e.type, schemaVersion: 1, data: e.data, metadata: { commandId: 'c', actor: 'test' } }));
  await store.append(stream, 'no_stream', withChainHashes(stream, CHAIN_GENESIS, unchained).events);
}

describe('ledger verify, reading each account alone', () => {
  it('passes a stream read whole', async () => {
    const store = new MemoryEventStore();
    await ledgerOn(store);
    const report = await verifyLedger(store);
    expect(report).toMatchObject({ ok: true, accounts: 1, findings: [] });
    expect(report.events).toBeGreaterThan(3);
  });

  it('names a stream whose read alone ends before the log does', async () => {
    const store = new StreamReadLosingItsLast();
    await ledgerOn(store);
    const head = await store.headPosition();
    const report = await verifyLedger(store);
    expect(report.findings).toEqual([
      expect.objectContaining({ check: 'REVISION_GAP', accountId: 'acc-v', expected: String(head - 1n), actual: String(head - 2n) }),
    ]);
  });

  it('names an account event dated a business day that had closed when it was recorded', async () => {
    const store = new MemoryEventStore();
    const s = new AccountScenario('acc-v', '2026-01-05T10:00:00+08:00').open();
    s.draw('o-1', '100.00');
    const stream = `${ACCOUNT_STREAM_PREFIX}acc-v`;
    let chain = CHAIN_GENESIS;
    let written = 0;
    const appendDated = async (events: typeof s.history, businessDate: string) => {
      const chained = withChainHashes(stream, chain, events.map((e) => ({ id: randomUUID(), type: e.type, schemaVersion: 1, data: e.data, metadata: { commandId: 'c', actor: 'test', businessDate } })));
      chain = chained.last;
      const result = await store.append(stream, written === 0 ? 'no_stream' : BigInt(written - 1), chained.events);
      written += events.length;
      return result;
    };
    await appendDated(s.history, '2026-01-05');
    await store.append(BUSINESS_DAYS_STREAM, 'no_stream', [
      { id: randomUUID(), type: 'BusinessDayClosed', schemaVersion: 1, data: { businessDate: '2026-01-05', closedAt: '2026-01-06T00:01:00+08:00', accounts: 0, counts: {} }, metadata: { businessDate: '2026-01-05' } },
    ]);
    // A repayment dated the closed day, recorded after its close; then one dated the next day, as it should be.
    const late = await appendDated(s.repay('r-1', '40.00'), '2026-01-05');
    await appendDated(s.repay('r-2', '10.00'), '2026-01-06');
    const report = await verifyLedger(store);
    expect(report.findings).toEqual([
      expect.objectContaining({ check: 'DATED_AFTER_CLOSE', accountId: 'acc-v', position: late.position.toString(), field: 'metadata.businessDate', expected: 'after 2026-01-05', actual: '2026-01-05' }),
    ]);
  });
});
