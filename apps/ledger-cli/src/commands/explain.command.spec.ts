/**
 * `ledger explain --format csv` of a statement after an upheld dispute: its daily rows add up to what
 * the dispute took off (`reversed`), what it charged (`total`) and the rounding residual, kind by kind.
 */
import { addDays, applicant, DEFAULT_TERMS_CATALOGUE, Money, type CreditAccountCommand } from '@ledger/credit';
import { MemoryEventStore, MemorySnapshotStore } from '@ledger/event-store';
import { AccountRepository } from '@ledger/servicing';
import { explainStatement } from '@ledger/servicing/audit';
import { explanationCsv, explanationText } from './explain.command';

async function ledgerWithUpheldDispute(): Promise<MemoryEventStore> {
  const store = new MemoryEventStore();
  const repo = new AccountRepository(store, new MemorySnapshotStore(), DEFAULT_TERMS_CATALOGUE);
  const run = (date: string, command: CreditAccountCommand, commandId: string) => repo.execute('acc-x', command, { actor: 'operator:test', now: `${date}T10:00:00+08:00`, commandId });
  await run('2026-01-05', { type: 'SubmitApplication', accountId: 'acc-x', channel: 'INVITED', applicant: applicant({ payScore: 720 }) }, 'apply');
  await run('2026-01-05', { type: 'ActivateAccount', agreementVersion: 'v1', autoRepayCardLast4: '6222' }, 'activate');
  await run('2026-01-05', { type: 'RequestDraw', orderId: 'own', merchant: 'm', amount: '300.00', authentication: { method: 'PASSWORD', passed: true } }, 'draw:own');
  await run('2026-01-05', { type: 'RequestDraw', orderId: 'stolen', merchant: 'm', amount: '1500.00', authentication: { method: 'PASSWORD', passed: true } }, 'draw:stolen');
  const close = async (from: string, to: string) => {
    for (let day = from; day <= to; day = addDays(day, 1)) await run(day, { type: 'CloseBusinessDay', businessDate: day }, `close:${day}`);
  };
  await close('2026-01-05', '2026-03-11');
  await run('2026-03-12', { type: 'OpenDispute', disputeId: 'dp-1', drawId: 'stolen', reason: 'not mine' }, 'dispute');
  await run('2026-03-12', { type: 'ResolveDispute', disputeId: 'dp-1', upheld: true, note: 'upheld' }, 'resolution');
  await close('2026-03-12', '2026-03-31');
  return store;
}

describe('the explanation as CSV', () => {
  it('adds up, kind by kind: the daily rows are what disputes took off, plus what was charged, plus the residual', async () => {
    const x = await explainStatement(await ledgerWithUpheldDispute(), 'acc-x', '2026-03');
    const rows = explanationCsv(x)
      .split('\n')
      .slice(1)
      .map((line) => line.split(','));
    const sum = (section: string, bucket: string) => Money.sum(rows.filter((r) => r[0] === section && r[3] === bucket).map((r) => Money.exact(r[6])));
    expect(x.penaltyInterest.statement.reversed).not.toBe('0');
    expect(rows.some((r) => r[0] === 'reversed' && r[3] === 'PENALTY_INTEREST')).toBe(true);
    for (const [daily, bucket] of [['interest', 'INTEREST'], ['penalty_interest', 'PENALTY_INTEREST']] as const) {
      const parts = sum('reversed', bucket).plus(sum('total', bucket)).plus(sum('residual', bucket));
      expect(parts.toExactString()).toBe(sum(daily, bucket).toExactString());
    }
  });
});

describe('the explanation as text', () => {
  it("shows the minimum the statement asked for and the one an upheld dispute lowered it to", async () => {
    const x = await explainStatement(await ledgerWithUpheldDispute(), 'acc-x', '2026-02');
    expect(x.minimumsLowered).toHaveLength(1);
    const text = explanationText(x);
    expect(text).toMatch(new RegExp(`minimum repayment\\s*\\|?\\s*${x.minimumRepayment.replace('.', '\\.')}`));
    expect(text).toContain(`minimum lowered by dispute dp-1 on 2026-03-12`);
    expect(text).toContain(x.minimumsLowered[0].to);
  });
});

describe("the explanation's draws", () => {
  it('lists the draws posted in the period, the one converted naming its plan, and none of another period', async () => {
    const store = new MemoryEventStore();
    const repo = new AccountRepository(store, new MemorySnapshotStore(), DEFAULT_TERMS_CATALOGUE);
    const run = (date: string, command: CreditAccountCommand, commandId: string) => repo.execute('acc-d', command, { actor: 'operator:test', now: `${date}T10:00:00+08:00`, commandId });
    await run('2026-01-05', { type: 'SubmitApplication', accountId: 'acc-d', channel: 'INVITED', applicant: applicant({ payScore: 720 }) }, 'apply');
    await run('2026-01-05', { type: 'ActivateAccount', agreementVersion: 'v1', autoRepayCardLast4: '6222' }, 'activate');
    const draw = (orderId: string, amount: string) => ({ type: 'RequestDraw' as const, orderId, merchant: `shop-${orderId}`, amount, authentication: { method: 'PASSWORD' as const, passed: true } });
    const during: Record<string, [CreditAccountCommand, string]> = {
      '2026-01-05': [draw('jan-1', '120.00'), 'draw:jan-1'],
      '2026-01-20': [draw('jan-sofa', '1200.00'), 'draw:jan-sofa'],
      '2026-01-21': [{ type: 'ConvertToInstallments', drawId: 'jan-sofa', periods: 3 }, 'convert'],
      '2026-02-02': [draw('feb-1', '50.00'), 'draw:feb-1'],
    };
    for (let day = '2026-01-05'; day <= '2026-02-03'; day = addDays(day, 1)) {
      if (during[day]) await run(day, ...during[day]);
      await run(day, { type: 'CloseBusinessDay', businessDate: day }, `close:${day}`);
    }
    const x = await explainStatement(store, 'acc-d', '2026-01');
    expect(x.draws.map((d) => [d.on, d.drawId, d.merchant, d.amount, d.convertedTo])).toEqual([
      ['2026-01-05', 'jan-1', 'shop-jan-1', '120.00', null],
      ['2026-01-20', 'jan-sofa', 'shop-jan-sofa', '1200.00', 'jan-sofa'],
    ]);
    expect(explanationText(x)).toMatch(/2026-01-20\s*\|?\s*jan-sofa\s*\|?\s*shop-jan-sofa\s*\|?\s*1200\.00\s*\|?\s*jan-sofa/);
    expect(explanationCsv(x)).toContain('draw,2026-01-05,jan-1,REVOLVING,,,120.00');
  });
});
