/**
 * An upheld dispute through the repository, which reads the account's history for it from the store
 * (the account itself comes from its cache or snapshot), and what auditors then check: `verify` finds the
 * statement after the reversal charging its accrual less the reversed share, and the journal agreeing with
 * every account; the statement explanation shows the reversed share and matches.
 */
import { addDays, applicant, DEFAULT_TERMS_CATALOGUE, Money, type CreditAccountCommand, type DrawReversedData, type StatementIssuedData, totalOwed } from '@ledger/credit';
import { randomUUID } from 'node:crypto';
import { MemoryEventStore, MemorySnapshotStore } from '@ledger/event-store';
import { AccountRepository, accountStream } from '../repository/account-repository';
import { CHAIN_GENESIS, withChainHashes } from './chain-hash';
import { verifyLedger } from './ledger-verifier';
import { explainStatement } from './statement-explanation';

const at = (date: string) => ({ actor: 'operator:test', now: `${date}T10:00:00+08:00` });

async function run(repo: AccountRepository, date: string, command: CreditAccountCommand, commandId?: string) {
  return repo.execute('acc-d', command, { ...at(date), commandId });
}

async function closeThrough(repo: AccountRepository, from: string, to: string) {
  for (let day = from; day <= to; day = addDays(day, 1)) await run(repo, day, { type: 'CloseBusinessDay', businessDate: day }, `close:${day}`);
}

/**
 * A 720 pay score account with a legitimate 300.00 draw and a stolen 1,500.00 one, nothing repaid, the
 * dispute upheld on 03-12; `withStolen` false gives the same life without the stolen draw.
 */
async function ledger(snapshotEvery: number, withStolen = true) {
  const store = new MemoryEventStore();
  const repo = new AccountRepository(store, new MemorySnapshotStore(), DEFAULT_TERMS_CATALOGUE, { snapshotEvery });
  await run(repo, '2026-01-05', { type: 'SubmitApplication', accountId: 'acc-d', channel: 'INVITED', applicant: applicant({ payScore: 720 }) }, 'apply');
  await run(repo, '2026-01-05', { type: 'ActivateAccount', agreementVersion: 'v1', autoRepayCardLast4: '6222' }, 'activate');
  await run(repo, '2026-01-05', { type: 'RequestDraw', orderId: 'legit', merchant: 'm', amount: '300.00', authentication: { method: 'PASSWORD', passed: true } }, 'draw:legit');
  if (withStolen) await run(repo, '2026-01-05', { type: 'RequestDraw', orderId: 'stolen', merchant: 'm', amount: '1500.00', authentication: { method: 'PASSWORD', passed: true } }, 'draw:stolen');
  await closeThrough(repo, '2026-01-05', '2026-03-11');
  if (!withStolen) return { store, repo, resolved: null };
  await run(repo, '2026-03-12', { type: 'OpenDispute', disputeId: 'dp-1', drawId: 'stolen', reason: 'not mine' }, 'dispute:dp-1');
  const resolved = await run(repo, '2026-03-12', { type: 'ResolveDispute', disputeId: 'dp-1', upheld: true, note: 'upheld' }, 'resolution:dp-1');
  await closeThrough(repo, '2026-03-12', '2026-04-02');
  return { store, repo, resolved };
}

describe('an upheld dispute, decided through the repository and audited', () => {
  it.each([1, 50])('reverses the stolen draw with its charges (snapshot every %i events), and verify finds the ledger clean', async (snapshotEvery) => {
    const { store, repo, resolved } = await ledger(snapshotEvery);
    const reversal = resolved!.events.find((e) => e.type === 'DrawReversed');
    expect(reversal?.type).toBe('DrawReversed');
    const charges = reversal!.type === 'DrawReversed' ? reversal!.data.charges! : undefined;
    expect(Money.of(charges!.interest).isPositive()).toBe(true);
    expect(Money.of(charges!.penaltyInterest).isPositive()).toBe(true);
    // What remains is the legitimate 300.00 with its own interest and penalty, as in the same life without the stolen draw.
    const twin = await ledger(snapshotEvery, false);
    await closeThrough(twin.repo, '2026-03-12', '2026-04-02');
    const owed = totalOwed((await repo.load('acc-d')).state);
    expect(owed.toString()).toBe(totalOwed((await twin.repo.load('acc-d')).state).toString());
    expect(owed.greaterThan(Money.of('300.00'))).toBe(true);

    const report = await verifyLedger(store);
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);

    const march = await explainStatement(store, 'acc-d', '2026-03');
    expect(march.penaltyInterest.statement.reversed).toBe(charges!.unbilledPenaltyInterest);
    expect(march.penaltyInterest.matches).toBe(true);
    expect(march.interest.matches).toBe(true);
    // The explanation of February, which the reversal paid: what it credited is its allocation plus what it returned.
    const february = await explainStatement(store, 'acc-d', '2026-02');
    const credited = february.payments.find((p) => p.type === 'DrawReversed')!;
    const allocated = Money.sum(credited.allocation.map((l) => Money.of(l.amount))).plus(Money.of(credited.returnedToCustomer));
    expect(credited.amount).toBe('1500.00');
    expect(Money.of(credited.amount).plus(Money.of(credited.chargesReversed)).toString()).toBe(allocated.toString());
    expect(Money.of(credited.chargesReversed).isPositive()).toBe(true);
    // February's minimum held the stolen draw: the explanation names the dispute that lowered it, as recorded.
    const lowered = reversal!.type === 'DrawReversed' ? reversal!.data.minimums!.lowered.find((l) => l.statementId === '2026-02')! : undefined;
    expect(february.minimumsLowered).toEqual([{ disputeId: 'dp-1', on: '2026-03-12', from: lowered!.from, to: lowered!.to }]);
    expect(Money.of(lowered!.to).lessThan(Money.of(february.minimumRepayment))).toBe(true);
    expect(march.minimumsLowered).toEqual([]);
  });

  /** The ledger's stream with March's statement rewritten by `forge` and chained anew, as a forger with the hash function would. */
  async function withMarchRewritten(forge: (data: StatementIssuedData) => void): Promise<MemoryEventStore> {
    const { store: original } = await ledger(50);
    const stream = accountStream('acc-d');
    const events = await original.readStream(stream);
    const march = events.find((e) => e.type === 'StatementIssued' && (e.data as StatementIssuedData).statementId === '2026-03')!;
    const data = structuredClone(march.data) as StatementIssuedData;
    forge(data);
    const unchained = events.map((e) => ({ id: randomUUID(), type: e.type, schemaVersion: 1, data: e === march ? data : e.data, metadata: { commandId: String(e.metadata.commandId), actor: 'test' } }));
    const store = new MemoryEventStore();
    await store.append(stream, 'no_stream', withChainHashes(stream, CHAIN_GENESIS, unchained).events);
    return store;
  }

  it("names a statement whose reversed share is not the one the account's reversals left", async () => {
    let doubled = '';
    const store = await withMarchRewritten((data) => {
      // As if the reversal had taken twice the share off: charged and residual agree with `reversed`, not with the account.
      const twice = Money.exact(data.penaltyInterest.reversed!).times('2');
      const net = Money.exact(data.penaltyInterest.exact).minus(twice);
      doubled = twice.toExactString();
      data.penaltyInterest = { ...data.penaltyInterest, reversed: doubled, charged: net.roundHalfUpToFen().toString(), residual: net.minus(net.roundHalfUpToFen()).toExactString() };
    });
    const report = await verifyLedger(store);
    expect(report.findings).toEqual([expect.objectContaining({ check: 'STATEMENT_INTEREST', field: 'data.penaltyInterest.reversed', actual: doubled })]);
    expect((await explainStatement(store, 'acc-d', '2026-03')).penaltyInterest.matches).toBe(false);
  });

  it('names a statement whose residual was rewritten, which would show another reversed share in the statements view', async () => {
    const store = await withMarchRewritten((data) => {
      data.penaltyInterest = { ...data.penaltyInterest, residual: Money.exact(data.penaltyInterest.residual).plus(Money.exact('0.004')).toExactString() };
    });
    const report = await verifyLedger(store);
    expect(report.findings).toEqual([expect.objectContaining({ check: 'STATEMENT_INTEREST', field: 'data.penaltyInterest.residual' })]);
    expect((await explainStatement(store, 'acc-d', '2026-03')).penaltyInterest.matches).toBe(false);
  });

  it("names a reversal that recorded more than the draw's share, though the statement after it agrees with it", async () => {
    const { store: original } = await ledger(50);
    const stream = accountStream('acc-d');
    const events = await original.readStream(stream);
    const reversal = events.find((e) => e.type === 'DrawReversed')!;
    const forgedReversal = structuredClone(reversal.data) as DrawReversedData;
    // The reversal takes three times the stolen draw's share of March's penalty interest, and March's statement charges accordingly.
    forgedReversal.charges!.unbilledPenaltyInterest = Money.exact(forgedReversal.charges!.unbilledPenaltyInterest).times('3').toExactString();
    const march = events.find((e) => e.type === 'StatementIssued' && (e.data as StatementIssuedData).statementId === '2026-03')!;
    const forgedMarch = structuredClone(march.data) as StatementIssuedData;
    const net = Money.max(Money.ZERO, Money.exact(forgedMarch.penaltyInterest.exact).minus(Money.exact(forgedReversal.charges!.unbilledPenaltyInterest)));
    forgedMarch.penaltyInterest = { exact: forgedMarch.penaltyInterest.exact, charged: net.roundHalfUpToFen().toString(), residual: net.minus(net.roundHalfUpToFen()).toExactString(), reversed: forgedReversal.charges!.unbilledPenaltyInterest };
    const forged = new Map<unknown, unknown>([[reversal, forgedReversal], [march, forgedMarch]]);
    const unchained = events.map((e) => ({ id: randomUUID(), type: e.type, schemaVersion: 1, data: forged.get(e) ?? e.data, metadata: { commandId: String(e.metadata.commandId), actor: 'test' } }));
    const store = new MemoryEventStore();
    await store.append(stream, 'no_stream', withChainHashes(stream, CHAIN_GENESIS, unchained).events);
    const report = await verifyLedger(store);
    expect(report.findings).toEqual(expect.arrayContaining([expect.objectContaining({ check: 'DISPUTE_CHARGES', field: 'data.charges', eventType: 'DrawReversed' })]));
    expect(report.counts.DISPUTE_CHARGES).toBe(1);
  });

  it('names a reversal that lowered a minimum further than its history gives', async () => {
    const { store: original, resolved } = await ledger(50);
    const recorded = resolved!.events.find((e) => e.type === 'DrawReversed');
    const lowered = recorded?.type === 'DrawReversed' ? recorded.data.minimums!.lowered : [];
    // January's and February's minimums held the stolen draw; a forger lowers January's to nothing.
    expect(lowered.map((l) => l.statementId)).toEqual(['2026-01', '2026-02']);
    const stream = accountStream('acc-d');
    const events = await original.readStream(stream);
    const reversal = events.find((e) => e.type === 'DrawReversed')!;
    const forgedReversal = structuredClone(reversal.data) as DrawReversedData;
    forgedReversal.minimums!.lowered[0].to = '0.00';
    const unchained = events.map((e) => ({ id: randomUUID(), type: e.type, schemaVersion: 1, data: e === reversal ? forgedReversal : e.data, metadata: { commandId: String(e.metadata.commandId), actor: 'test' } }));
    const store = new MemoryEventStore();
    await store.append(stream, 'no_stream', withChainHashes(stream, CHAIN_GENESIS, unchained).events);
    const report = await verifyLedger(store);
    expect(report.findings).toEqual([expect.objectContaining({ check: 'DISPUTE_CHARGES', field: 'data.minimums', eventType: 'DrawReversed' })]);
  });
});
