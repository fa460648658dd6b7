/**
 * Measures what snapshots buy: loading one account with five years of history through the repository,
 * from the whole stream versus from its latest snapshot plus the events after it. Run with
 * `npm run bench:snapshots`; the figures go into docs/adr/0001-snapshots.md by hand.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDays, DEFAULT_TERMS_CATALOGUE, Money } from '@ledger/credit';
import { MemorySnapshotStore, SqliteEventStore, SqliteSnapshotStore } from '@ledger/event-store';
import { AccountRepository } from '@ledger/servicing';

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'snapshot-bench-'));
  const store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { synchronous: 'NORMAL' });
  const writer = new AccountRepository(store, new SqliteSnapshotStore(store.db), DEFAULT_TERMS_CATALOGUE, { snapshotEvery: 100 });
  const id = 'acc-bench';
  const meta = (commandId: string, now: string) => ({ commandId, actor: 'bench', now });
  let day = '2026-01-02';
  const at = (d: string) => `${d}T10:00:00+08:00`;
  await writer.execute(id, { type: 'SubmitApplication', accountId: id, channel: 'INVITED', applicant: { idNumberHash: 'h', idNumberMasked: '110***********1234', nameMasked: '王*', birthDate: '1990-01-01', nationality: 'CN', payScore: 720, paymentsLast6Months: 50, identityVerified: { idCard: true, bankCard: true, phone: true }, debitCard: { kind: 'DEBIT', last4: '6222' }, creditRecord: { currentOverdue: false, severeDelinquency: false } } }, meta('apply', at(day)));
  await writer.execute(id, { type: 'ActivateAccount', agreementVersion: 'v1', autoRepayCardLast4: '6222' }, meta('activate', at(day)));
  // Five years: a draw every third day, the statement paid in full each month, every day closed.
  for (let i = 0; i < 5 * 365; i++) {
    if (i % 3 === 0) await writer.execute(id, { type: 'RequestDraw', orderId: `o-${i}`, merchant: 'm', amount: '35.00', authentication: { method: 'PASSWORD', passed: true } }, meta(`draw:o-${i}`, at(day)));
    if (day.endsWith('-02')) {
      const { state } = await writer.load(id);
      const owed = state.statements.reduce((sum, s) => sum.plus(Money.sum(Object.values(s.owed))), Money.ZERO);
      if (owed.isPositive()) await writer.execute(id, { type: 'ReceiveRepayment', reference: `pay-${day}`, amount: owed.toString(), channel: 'AUTO_DEBIT' }, meta(`pay-${day}`, at(day)));
    }
    await writer.execute(id, { type: 'CloseBusinessDay', businessDate: day }, meta(`eod:${day}`, `${day}T23:59:59+08:00`));
    day = addDays(day, 1);
  }
  const events = (await store.readStream(`credit-account-${id}`)).length;
  const time = async (repo: () => AccountRepository): Promise<number[]> => {
    const samples: number[] = [];
    for (let i = 0; i < 200; i++) {
      const r = repo();
      const start = process.hrtime.bigint();
      await r.load(id);
      samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    return samples.sort((a, b) => a - b);
  };
  const fromSnapshot = await time(() => new AccountRepository(store, new SqliteSnapshotStore(store.db), DEFAULT_TERMS_CATALOGUE));
  const fromScratch = await time(() => new AccountRepository(store, new MemorySnapshotStore(), DEFAULT_TERMS_CATALOGUE));
  const p = (xs: number[], q: number) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))].toFixed(2);
  process.stdout.write(
    JSON.stringify({ events, fromScratchMs: { p50: p(fromScratch, 0.5), p99: p(fromScratch, 0.99) }, fromSnapshotMs: { p50: p(fromSnapshot, 0.5), p99: p(fromSnapshot, 0.99) } }, null, 2) + '\n',
  );
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}

void main();
