/**
 * `ledger verify` on a simulated ledger: clean, it passes with exit code 0; after each kind of corruption
 * made directly in SQLite (changed amount, deleted event, reordered events, a stream's last event
 * deleted, a recorded time edited, a row that is not JSON, the log cut back with its anchors, a stale read
 * model, a statement row that differs), it fails with exit code 1 and names the account, the event and the
 * difference. The CLI runs as a real process on copies of the same files.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Money } from '@ledger/credit';
import { getStatements } from '@ledger/projections';
import type { Finding, VerifyReport } from '@ledger/servicing/audit';
import { type LedgerRun, runLedger } from '../support/ledger-cli';
import { verifyText } from '../../apps/ledger-cli/src/commands/verify.command';

jest.setTimeout(180_000);

function ledger(dir: string, ...args: string[]): Promise<LedgerRun> {
  return runLedger(dir, args);
}

const dirs: string[] = [];
function copyOf(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-verify-'));
  dirs.push(dir);
  for (const file of ['ledger.sqlite', 'ledger.read-models.sqlite']) {
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(join(source, file + suffix))) copyFileSync(join(source, file + suffix), join(dir, file + suffix));
  }
  return dir;
}

function corrupt(dir: string, file: 'ledger.sqlite' | 'ledger.read-models.sqlite', work: (db: Database.Database) => Record<string, string>): Record<string, string> {
  const db = new Database(join(dir, file));
  try {
    return work(db);
  } finally {
    db.close();
  }
}

interface Row {
  position: number;
  id: string;
  stream: string;
  revision: number;
  data: string;
}

const accountOf = (stream: string) => stream.replace('credit-account-', '');

describe('ledger verify on a simulated ledger', () => {
  const clean = mkdtempSync(join(tmpdir(), 'ledger-clean-'));
  dirs.push(clean);
  const runs: Record<string, LedgerRun> = {};
  const facts: Record<string, Record<string, string>> = {};
  let lastAnchor = '';

  beforeAll(async () => {
    // Into May, so the open month has accruals to check (a run of months would end on a month end).
    const simulated = await ledger(clean, 'simulate', '--accounts', '12', '--seed', '42', '--start', '2026-01-05', '--until', '2026-05-06');
    if (simulated.code !== 0) throw new Error(`simulate failed: ${simulated.stderr}`);
    const cases: Record<string, (dir: string) => Record<string, string>> = {
      changedAmount: (dir) =>
        corrupt(dir, 'ledger.sqlite', (db) => {
          const row = db.prepare(`SELECT * FROM events WHERE type = 'DrawPosted' ORDER BY position DESC LIMIT 1`).get() as Row;
          db.prepare(`UPDATE events SET data = json_set(data, '$.amount', '9999.99') WHERE position = ?`).run(row.position);
          return { accountId: accountOf(row.stream), eventId: row.id };
        }),
      deletedEvent: (dir) =>
        corrupt(dir, 'ledger.sqlite', (db) => {
          const row = db.prepare(`SELECT * FROM events WHERE type = 'DrawPosted' AND revision > 3 ORDER BY position LIMIT 1`).get() as Row;
          db.prepare('DELETE FROM events WHERE position = ?').run(row.position);
          const next = db.prepare('SELECT * FROM events WHERE stream = ? AND revision = ?').get(row.stream, row.revision + 1) as Row;
          return { accountId: accountOf(row.stream), revision: String(row.revision), nextEventId: next.id };
        }),
      reorderedEvents: (dir) =>
        corrupt(dir, 'ledger.sqlite', (db) => {
          const [a, b] = db.prepare(`SELECT * FROM events WHERE type = 'DrawPosted' AND stream = (SELECT stream FROM events WHERE type = 'DrawPosted' GROUP BY stream HAVING count(*) >= 2 LIMIT 1) ORDER BY revision LIMIT 2`).all() as Row[];
          const swap = db.prepare('UPDATE events SET data = ? WHERE position = ?');
          swap.run(b.data, a.position);
          swap.run(a.data, b.position);
          return { accountId: accountOf(a.stream), first: a.id, second: b.id };
        }),
      lastEventDeleted: (dir) =>
        corrupt(dir, 'ledger.sqlite', (db) => {
          const row = db.prepare(`SELECT * FROM events e WHERE stream LIKE 'credit-account-%' AND revision = (SELECT max(revision) FROM events WHERE stream = e.stream) ORDER BY position LIMIT 1`).get() as Row;
          db.prepare('DELETE FROM events WHERE position = ?').run(row.position);
          return { accountId: accountOf(row.stream), position: String(row.position) };
        }),
      recordedAtEdited: (dir) =>
        corrupt(dir, 'ledger.sqlite', (db) => {
          // What a replay as of a moment compares: moved a year on, the event would drop out of replays between.
          const row = db.prepare(`SELECT * FROM events WHERE type = 'DrawPosted' AND revision > 3 ORDER BY position LIMIT 1`).get() as Row;
          db.prepare('UPDATE events SET recorded_at = recorded_at + 31536000000 WHERE position = ?').run(row.position);
          return { accountId: accountOf(row.stream), eventId: row.id };
        }),
      unreadableRow: (dir) =>
        corrupt(dir, 'ledger.sqlite', (db) => {
          const row = db.prepare(`SELECT * FROM events WHERE type = 'DrawPosted' AND revision > 3 ORDER BY position LIMIT 1`).get() as Row;
          db.prepare(`UPDATE events SET data = '{not json' WHERE position = ?`).run(row.position);
          return { accountId: accountOf(row.stream), eventId: row.id };
        }),
      // The log cut back, anchors and all, to well before its end: only an anchor kept outside it shows that.
      cutBack: (dir) =>
        corrupt(dir, 'ledger.sqlite', (db) => {
          const head = db.prepare('SELECT max(position) FROM events').pluck().get() as number;
          const kept = db.prepare(`SELECT max(position) FROM events WHERE stream = 'system-audit-anchors' AND position < ?`).pluck().get(head - 40) as number;
          db.prepare('DELETE FROM events WHERE position > ?').run(kept);
          return { kept: String(kept) };
        }),
      staleReadModel: (dir) =>
        corrupt(dir, 'ledger.read-models.sqlite', (db) => {
          const row = db.prepare(`SELECT account_id, total_owed FROM balances WHERE status = 'ACTIVE' AND total_owed != '0.00' ORDER BY account_id LIMIT 1`).get() as { account_id: string; total_owed: string };
          db.prepare(`UPDATE balances SET total_owed = '0.01' WHERE account_id = ?`).run(row.account_id);
          return { accountId: row.account_id, totalOwed: row.total_owed };
        }),
      staleStatement: (dir) =>
        corrupt(dir, 'ledger.read-models.sqlite', (db) => {
          const row = db.prepare(`SELECT account_id, statement_id, new_draws, repaid_since_issue, daily_rate FROM statements WHERE repaid_since_issue != '0.00' ORDER BY account_id, statement_id LIMIT 1`).get() as { account_id: string; statement_id: string; new_draws: string; repaid_since_issue: string; daily_rate: string };
          db.prepare(`UPDATE statements SET new_draws = '0.01', repaid_since_issue = '9999.99', minimum_lowered_to = '0.01', daily_rate = '0.9' WHERE account_id = ? AND statement_id = ?`).run(row.account_id, row.statement_id);
          db.prepare(`INSERT INTO statements SELECT account_id, '2099-01', statement_date, period_from, period_to, due_date, new_draws, refunds, revolving_principal, installment_periods_json, interest_exact, interest_charged, interest_residual, penalty_exact, penalty_charged, penalty_residual, fees, previous_balance, statement_balance, overdue_included, minimum_repayment, minimum_lowered_to, repaid, refunded, repaid_since_issue, outstanding, status, overdue_since, terms_version, daily_rate, penalty_daily_rate, issued_position FROM statements WHERE account_id = ? AND statement_id = ?`).run(row.account_id, row.statement_id);
          db.prepare(`INSERT INTO statements SELECT 'acc_ghost', statement_id, statement_date, period_from, period_to, due_date, new_draws, refunds, revolving_principal, installment_periods_json, interest_exact, interest_charged, interest_residual, penalty_exact, penalty_charged, penalty_residual, fees, previous_balance, statement_balance, overdue_included, minimum_repayment, minimum_lowered_to, repaid, refunded, repaid_since_issue, outstanding, status, overdue_since, terms_version, daily_rate, penalty_daily_rate, issued_position FROM statements WHERE account_id = ? AND statement_id = ?`).run(row.account_id, row.statement_id);
          return { accountId: row.account_id, statementId: row.statement_id, newDraws: row.new_draws, repaidSinceIssue: row.repaid_since_issue, dailyRate: row.daily_rate };
        }),
      // A command loads its account from the snapshot: a limit raised there would let draws through.
      editedSnapshot: (dir) =>
        corrupt(dir, 'ledger.sqlite', (db) => {
          const row = db.prepare(`SELECT stream, revision, state FROM snapshots WHERE state LIKE '%"limit":{"$money":"%' ORDER BY stream LIMIT 1`).get() as { stream: string; revision: number; state: string };
          const limit = /"limit":\{"\$money":"([^"]+)"\}/.exec(row.state)![1];
          db.prepare('UPDATE snapshots SET state = ? WHERE stream = ?').run(row.state.replace(`"limit":{"$money":"${limit}"}`, '"limit":{"$money":"900000"}'), row.stream);
          return { accountId: row.stream.replace(/^credit-account-/, '').replace(/\/.*$/, ''), revision: String(row.revision), limit };
        }),
      // A quarterly review edited in the read model, and a balances row for no account, dated past the head.
      staleReview: (dir) =>
        corrupt(dir, 'ledger.read-models.sqlite', (db) => {
          const row = db.prepare('SELECT account_id, quarter, new_limit FROM limit_reviews ORDER BY account_id, quarter LIMIT 1').get() as { account_id: string; quarter: string; new_limit: string };
          db.prepare(`UPDATE limit_reviews SET new_limit = '99999.00' WHERE account_id = ? AND quarter = ?`).run(row.account_id, row.quarter);
          const columns = (db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('balances') as string[]).slice(1);
          db.prepare(`INSERT INTO balances SELECT 'acc_future', ${columns.map((c) => (c === 'updated_position' ? '999999999' : c)).join(', ')} FROM balances LIMIT 1`).run();
          return { accountId: row.account_id, quarter: row.quarter, newLimit: row.new_limit };
        }),
      // The read models' closed days (each day's report, and the last closed day the accruals read to).
      businessDays: (dir) =>
        corrupt(dir, 'ledger.read-models.sqlite', (db) => {
          const [first, second] = db.prepare('SELECT business_date, accounts FROM business_days ORDER BY business_date LIMIT 2').all() as { business_date: string; accounts: number }[];
          db.prepare('DELETE FROM business_days WHERE business_date = ?').run(first.business_date);
          db.prepare('UPDATE business_days SET accounts = 999 WHERE business_date = ?').run(second.business_date);
          return { deleted: first.business_date, edited: second.business_date, accounts: String(second.accounts) };
        }),
      // The dashboard's figures: a sum over every account, checked against the replayed accounts' sum.
      portfolio: (dir) =>
        corrupt(dir, 'ledger.read-models.sqlite', (db) => {
          const row = db.prepare(`SELECT count, amount FROM portfolio_figures WHERE section = 'exposure' AND key = 'limit'`).get() as { count: number; amount: string };
          db.prepare(`UPDATE portfolio_figures SET amount = '1' WHERE section = 'exposure' AND key = 'limit'`).run();
          return { count: String(row.count), amount: Money.exact(row.amount).toExactString() };
        }),
      // The trial balance over HTTP is read from these rows: one edited puts the reconciliation out by as much.
      journal: (dir) =>
        corrupt(dir, 'ledger.read-models.sqlite', (db) => {
          const row = db.prepare(`SELECT date, business_date, ledger_account, debits, credits, lines FROM journal_days WHERE debits != '0' ORDER BY date, ledger_account LIMIT 1`).get() as { date: string; business_date: string; ledger_account: string; debits: string; credits: string; lines: number };
          db.prepare(`UPDATE journal_days SET debits = '1' WHERE date = ? AND business_date = ? AND ledger_account = ?`).run(row.date, row.business_date, row.ledger_account);
          // And a month's row, which opens a trial balance's range.
          const month = db.prepare(`SELECT month, business_month, ledger_account, debits, credits, lines FROM journal_months WHERE credits != '0' ORDER BY month DESC, ledger_account LIMIT 1`).get() as { month: string; business_month: string; ledger_account: string; debits: string; credits: string; lines: number };
          db.prepare(`UPDATE journal_months SET credits = '2' WHERE month = ? AND business_month = ? AND ledger_account = ?`).run(month.month, month.business_month, month.ledger_account);
          return {
            key: `${row.date}/${row.business_date}/${row.ledger_account}`,
            lines: String(row.lines),
            debits: Money.exact(row.debits).toString(),
            credits: Money.exact(row.credits).toString(),
            monthKey: `${month.month}/${month.business_month}/${month.ledger_account}`,
            monthLines: String(month.lines),
            monthDebits: Money.exact(month.debits).toString(),
            monthCredits: Money.exact(month.credits).toString(),
          };
        }),
      // An account put in the roll rates' working table that has not moved since the last month end: the next month end would roll it from there.
      rollFrom: (dir) =>
        corrupt(dir, 'ledger.read-models.sqlite', (db) => {
          const accountId = db.prepare(`SELECT account_id FROM balances WHERE status = 'ACTIVE' AND account_id NOT IN (SELECT account_id FROM portfolio_roll_from) ORDER BY account_id LIMIT 1`).pluck().get() as string;
          db.prepare(`INSERT INTO portfolio_roll_from (account_id, standing) VALUES (?, 'M3+')`).run(accountId);
          return { accountId };
        }),
      // Every anchor removed: the log alone still shows days closed with no anchor after them.
      anchorsDeleted: (dir) =>
        corrupt(dir, 'ledger.sqlite', (db) => {
          const closes = db.prepare(`SELECT count(*) FROM events WHERE type = 'BusinessDayClosed'`).pluck().get() as number;
          db.prepare(`DELETE FROM events WHERE stream = 'system-audit-anchors'`).run();
          return { closes: String(closes) };
        }),
      // The last anchor's count of events: no later anchor covers its event.
      lastAnchorCount: (dir) =>
        corrupt(dir, 'ledger.sqlite', (db) => {
          const row = db.prepare(`SELECT position, data FROM events WHERE stream = 'system-audit-anchors' ORDER BY position DESC LIMIT 1`).get() as { position: number; data: string };
          const data = JSON.parse(row.data) as { events: number };
          db.prepare('UPDATE events SET data = ? WHERE position = ?').run(JSON.stringify({ ...data, events: data.events - 1 }), row.position);
          return { position: String(row.position), events: String(data.events) };
        }),
      // A day of the month not yet billed, as /accruals serves it (a billed month's sums are checked at its statement).
      openAccrual: (dir) =>
        corrupt(dir, 'ledger.read-models.sqlite', (db) => {
          const row = db
            .prepare(`SELECT s.account_id, s.from_date, s.normal_principal FROM accrual_segments s WHERE s.normal_principal != '0' AND s.from_date > (SELECT max(period_to) FROM statements t WHERE t.account_id = s.account_id) ORDER BY s.account_id, s.from_date LIMIT 1`)
            .get() as { account_id: string; from_date: string; normal_principal: string };
          db.prepare(`UPDATE accrual_segments SET normal_principal = '999999' WHERE account_id = ? AND from_date = ?`).run(row.account_id, row.from_date);
          return { accountId: row.account_id, date: row.from_date, normalPrincipal: row.normal_principal };
        }),
      // End of day visits only the accounts its schedule names: a row lost or moved skips the account's month end.
      lostSchedule: (dir) =>
        corrupt(dir, 'ledger.read-models.sqlite', (db) => {
          const [lost, moved] = db.prepare('SELECT account_id, next_action_date FROM eod_schedule ORDER BY account_id LIMIT 2').all() as { account_id: string; next_action_date: string }[];
          db.prepare('DELETE FROM eod_schedule WHERE account_id = ?').run(lost.account_id);
          db.prepare(`UPDATE eod_schedule SET next_action_date = '2099-01-01' WHERE account_id = ?`).run(moved.account_id);
          db.prepare(`INSERT INTO eod_schedule VALUES ('acc_ghost', '2026-01-31', 1)`).run();
          return { lost: lost.account_id, lostDate: lost.next_action_date, moved: moved.account_id, movedDate: moved.next_action_date };
        }),
      aheadReadModel: (dir) =>
        corrupt(dir, 'ledger.read-models.sqlite', (db) => {
          const row = db.prepare(`SELECT account_id FROM balances WHERE status = 'ACTIVE' ORDER BY account_id LIMIT 1`).get() as { account_id: string };
          db.prepare(`UPDATE balances SET updated_position = 999999999, total_owed = '0.01' WHERE account_id = ?`).run(row.account_id);
          return { accountId: row.account_id };
        }),
    };
    const log = new Database(join(clean, 'ledger.sqlite'), { readonly: true });
    lastAnchor = log.prepare(`SELECT position || ':' || json_extract(data, '$.hash') FROM events WHERE stream = 'system-audit-anchors' ORDER BY position DESC LIMIT 1`).pluck().get() as string;
    log.close();
    // Every copy is made, and rebuilt where a case needs it, before any verify runs on the clean ledger:
    // a copy taken while another process has the files open could catch them part-written.
    const later: [string, () => Promise<LedgerRun>][] = [];
    // Read models one close behind the log, as an API's are for a moment after end of day commits a close:
    // rebuilt from the log cut before its last close, then checked against the whole log.
    const behind = copyOf(clean);
    corrupt(behind, 'ledger.sqlite', (db) => {
      db.prepare(`DELETE FROM events WHERE position >= (SELECT max(position) FROM events WHERE type = 'BusinessDayClosed')`).run();
      return {};
    });
    const rebuilt = await ledger(behind, 'rebuild');
    if (rebuilt.code !== 0) throw new Error(`rebuild failed: ${rebuilt.stderr}`);
    later.push(['closeNotProjected', () => runLedger(clean, ['verify', '--format', 'json'], { LEDGER_READ_MODEL_PATH: join(behind, 'ledger.read-models.sqlite') })]);
    // A review as builds before overdue episodes recorded it (no inputs.overdueEpisodes), its read models rebuilt.
    const legacyReview = copyOf(clean);
    facts.legacyReview = corrupt(legacyReview, 'ledger.sqlite', (db) => {
      const row = db.prepare(`SELECT position, stream FROM events WHERE type = 'CreditLimitReviewed' ORDER BY position LIMIT 1`).get() as { position: number; stream: string };
      db.prepare(`UPDATE events SET data = json_remove(data, '$.inputs.overdueEpisodes') WHERE position = ?`).run(row.position);
      return { accountId: accountOf(row.stream) };
    });
    const legacyRebuilt = await ledger(legacyReview, 'rebuild');
    if (legacyRebuilt.code !== 0) throw new Error(`rebuild failed: ${legacyRebuilt.stderr}`);
    later.push(['legacyReview', () => ledger(legacyReview, 'verify', '--format', 'json')]);
    for (const [name, make] of Object.entries(cases)) {
      const dir = copyOf(clean);
      facts[name] = make(dir);
      // The read models of the log before it was cut back are ahead of it (a finding of their own): the log alone.
      const cutBack = name === 'cutBack' ? ['--no-read-models'] : [];
      later.push([name, () => ledger(dir, 'verify', '--format', 'json', ...cutBack, ...(name === 'cutBack' ? ['--expect-anchor', lastAnchor] : []))]);
      if (name === 'cutBack') later.push(['cutBackUnexpected', () => ledger(dir, 'verify', '--format', 'json', ...cutBack)]);
    }
    const older = copyOf(clean);
    corrupt(older, 'ledger.read-models.sqlite', (db) => {
      db.prepare(`UPDATE projection_checkpoints SET version = version - 1 WHERE name = 'statements'`).run();
      return {};
    });
    later.push(['olderReadModels', () => ledger(older, 'verify')]);
    // A replay by account under way marks its projections' versions (-1 - version) until it is done.
    const rebuilding = copyOf(clean);
    corrupt(rebuilding, 'ledger.read-models.sqlite', (db) => {
      db.prepare(`UPDATE projection_checkpoints SET version = -1 - version WHERE name = 'balances'`).run();
      return {};
    });
    later.push(['rebuildingReadModels', () => ledger(rebuilding, 'verify')]);
    later.push(
      ['cleanText', () => ledger(clean, 'verify')],
      ['clean', () => ledger(clean, 'verify', '--format', 'json', '--expect-anchor', lastAnchor)],
      ['otherAnchorHash', () => ledger(clean, 'verify', '--expect-anchor', lastAnchor.replace(/:(.)/, (_, c: string) => `:${c === '0' ? '1' : '0'}`))],
      ['badExpectAnchor', () => ledger(clean, 'verify', '--expect-anchor', 'last')],
    );
    await Promise.all(later.map(([name, run]) => run().then((r) => void (runs[name] = r))));
  });
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const report = (name: string): VerifyReport => JSON.parse(runs[name].stdout) as VerifyReport;
  const findings = (name: string, check: string): Finding[] => report(name).findings.filter((f) => f.check === check);

  it('passes a clean simulated ledger with exit code 0 and a summary', () => {
    expect(runs.clean.code).toBe(0);
    const r = report('clean');
    expect(r).toMatchObject({ ok: true, findings: [] });
    expect(r.events).toBeGreaterThan(300);
    expect(r.anchorsChecked).toBeGreaterThan(100);
    expect(Object.values(r.trialBalance).reduce((sum, v) => sum + Math.round(Number(v) * 100), 0)).toBe(0);
    expect(runs.cleanText.code).toBe(0);
    expect(runs.cleanText.stdout).toMatch(/^OK: \d+ events, 12 accounts/);
    expect(runs.cleanText.stdout).toContain(`last anchor: ${lastAnchor} (`);
    const [position, hash] = lastAnchor.split(':');
    expect(r.lastAnchor).toMatchObject({ position, hash });
  });

  it('fails when an anchor kept outside the ledger is no longer in it as it was: the log cut back, or rewritten', () => {
    // Cut back with its anchors, the log is consistent in itself: without the kept anchor it verifies clean.
    expect(runs.cutBackUnexpected.code).toBe(0);
    expect(runs.cutBack.code).toBe(1);
    expect(report('cutBack').findings).toEqual([expect.objectContaining({ check: 'ANCHOR_MISMATCH', position: lastAnchor.split(':')[0], expected: lastAnchor.split(':')[1], actual: null })]);
    expect(report('cutBack').lastAnchor?.position).toBe(facts.cutBack.kept);
    expect(runs.otherAnchorHash.code).toBe(1);
    expect(runs.otherAnchorHash.stdout).toContain('has another hash than the one recorded');
    expect(runs.badExpectAnchor.code).toBe(2);
    expect(runs.badExpectAnchor.stderr).toContain('--expect-anchor takes <position>:<hash>');
  });

  it('fails on a recorded time edited in the column point-in-time replays read, which no hash covers', () => {
    expect(runs.recordedAtEdited.code).toBe(1);
    const { accountId, eventId } = facts.recordedAtEdited;
    expect(report('recordedAtEdited').findings).toEqual([expect.objectContaining({ check: 'RECORDED_AT_MISMATCH', accountId, eventId, field: 'recorded_at' })]);
  });

  it('names a row that is not JSON as a finding, and goes on verifying the rest', () => {
    expect(runs.unreadableRow.code).toBe(1);
    const { accountId, eventId } = facts.unreadableRow;
    expect(findings('unreadableRow', 'ROW_UNREADABLE')).toEqual([expect.objectContaining({ accountId, eventId, field: 'data', actual: '{not json' })]);
    expect(findings('unreadableRow', 'ANCHOR_MISMATCH').length).toBeGreaterThan(0);
    expect(report('unreadableRow').accounts).toBe(12);
  });

  it("refuses read models of another build's projection versions, rather than crashing on their rows", () => {
    expect(runs.olderReadModels.code).toBe(2);
    expect(runs.olderReadModels.stderr).toMatch(/read models at .* are not this build's \(statements version \d+, this build's \d+\)/);
    expect(runs.olderReadModels.stderr).toContain('--no-read-models');
    expect(runs.rebuildingReadModels.code).toBe(2);
    expect(runs.rebuildingReadModels.stderr).toMatch(/read models at .* are being rebuilt \(balances\): run verify once the rebuild is done/);
  });

  it('fails on a changed amount, naming the account, the event and the read-model difference', () => {
    expect(runs.changedAmount.code).toBe(1);
    const { accountId, eventId } = facts.changedAmount;
    expect(findings('changedAmount', 'CHAIN_BROKEN')).toEqual([expect.objectContaining({ accountId, eventId, eventType: 'DrawPosted', field: 'metadata.chainHash' })]);
    expect(findings('changedAmount', 'ANCHOR_MISMATCH').length).toBeGreaterThan(0);
    expect(findings('changedAmount', 'READ_MODEL_MISMATCH')).toContainEqual(expect.objectContaining({ accountId, field: 'balances.total_owed' }));
  });

  it('fails on a deleted event with the missing revision and the broken link after it', () => {
    expect(runs.deletedEvent.code).toBe(1);
    const { accountId, revision, nextEventId } = facts.deletedEvent;
    expect(findings('deletedEvent', 'REVISION_GAP')).toEqual([expect.objectContaining({ accountId, eventId: nextEventId, expected: revision, actual: String(Number(revision) + 1) })]);
    expect(findings('deletedEvent', 'CHAIN_BROKEN')).toEqual([expect.objectContaining({ accountId, eventId: nextEventId })]);
  });

  it('fails on two events whose data were swapped, at both events', () => {
    expect(runs.reorderedEvents.code).toBe(1);
    const { accountId, first, second } = facts.reorderedEvents;
    expect(findings('reorderedEvents', 'CHAIN_BROKEN').map((f) => [f.accountId, f.eventId])).toEqual([
      [accountId, first],
      [accountId, second],
    ]);
  });

  it("fails on a stream's last event deleted, which only the global anchors can see", () => {
    expect(runs.lastEventDeleted.code).toBe(1);
    expect(findings('lastEventDeleted', 'CHAIN_BROKEN')).toEqual([]);
    expect(findings('lastEventDeleted', 'ANCHOR_MISMATCH')[0]).toMatchObject({ stream: 'system-audit-anchors', field: 'hash' });
  });

  it('replays an account to a revision of its stream or to the close of a business day, and refuses a revision it does not have', async () => {
    const db = new Database(join(clean, 'ledger.sqlite'), { readonly: true });
    const { stream, last } = db.prepare(`SELECT stream, max(revision) AS last FROM events WHERE stream LIKE 'credit-account-%' GROUP BY stream ORDER BY last DESC LIMIT 1`).get() as { stream: string; last: number };
    const { day } = db.prepare(`SELECT json_extract(metadata, '$.businessDate') AS day FROM events WHERE stream = ? AND revision = 3`).get(stream) as { day: string };
    db.close();
    const accountId = accountOf(stream);
    const [whole, toThree, beyond, both, atClose, byDate] = await Promise.all([
      ledger(clean, 'replay', '--account', accountId, '--format', 'json'),
      ledger(clean, 'replay', '--account', accountId, '--revision', '3', '--format', 'json'),
      ledger(clean, 'replay', '--account', accountId, '--revision', String(last + 1)),
      ledger(clean, 'replay', '--account', accountId, '--revision', '3', '--as-of', '2026-02-01T00:00:00+08:00'),
      ledger(clean, 'replay', '--account', accountId, '--business-date', day, '--format', 'json'),
      // A bare date for --as-of is the end of that day in Asia/Shanghai, as the API takes it.
      ledger(clean, 'replay', '--account', accountId, '--as-of', '2099-12-31', '--format', 'json'),
    ]);
    expect(toThree.code).toBe(0);
    const all = JSON.parse(whole.stdout) as { events: { revision: string; after: unknown }[] };
    const replayed = JSON.parse(toThree.stdout) as { revision: string; events: { revision: string; after: unknown }[]; balances: { status: string } };
    expect(replayed.revision).toBe('3');
    expect(replayed.events.map((e) => e.revision)).toEqual(['0', '1', '2', '3']);
    expect(replayed.events).toEqual(all.events.slice(0, 4));
    expect(beyond.code).toBe(2);
    expect(beyond.stderr).toContain(`has no event at revision ${last + 1} (its last is ${last})`);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give one of --as-of, --revision, --business-date or --position');
    // To the close of revision 3's business day: every event of that day and before, none after.
    expect(atClose.code).toBe(0);
    const closed = JSON.parse(atClose.stdout) as { businessDate: string; events: { businessDate: string }[] };
    const wholeDays = (all.events as unknown as { businessDate: string }[]).map((e) => e.businessDate);
    expect(closed.businessDate).toBe(day);
    expect(closed.events).toEqual(all.events.slice(0, wholeDays.filter((d) => d <= day).length));
    expect(closed.events.length).toBeGreaterThanOrEqual(4);
    expect(byDate.code).toBe(0);
    expect(JSON.parse(byDate.stdout)).toMatchObject({ asOf: '2099-12-31T23:59:59.999+08:00', events: all.events });
  });

  it('replays the statements as they stood at a log position, and now as the read model holds them', async () => {
    const read = new Database(join(clean, 'ledger.read-models.sqlite'), { readonly: true });
    const rows = read.prepare(`SELECT account_id AS accountId, count(*) AS n FROM statements GROUP BY account_id ORDER BY n DESC LIMIT 1`).get() as { accountId: string; n: number };
    const live = getStatements(read, rows.accountId);
    read.close();
    const log = new Database(join(clean, 'ledger.sqlite'), { readonly: true });
    // The position of the account's first statement: the replay to it shows that one, as first issued.
    const issued = log.prepare(`SELECT position FROM events WHERE stream = ? AND type = 'StatementIssued' ORDER BY revision LIMIT 1`).pluck().get(`credit-account-${rows.accountId}`) as number;
    log.close();
    const [now, atFirst, text, badPosition] = await Promise.all([
      ledger(clean, 'replay', '--account', rows.accountId, '--statements', '--format', 'json'),
      ledger(clean, 'replay', '--account', rows.accountId, '--statements', '--position', String(issued), '--format', 'json'),
      ledger(clean, 'replay', '--account', rows.accountId, '--statements', '--position', String(issued)),
      ledger(clean, 'replay', '--account', rows.accountId, '--position', '3x'),
    ]);
    expect(now.code).toBe(0);
    expect(JSON.parse(now.stdout).statements).toEqual(live);
    const first = JSON.parse(atFirst.stdout) as { position: string; statements: { statementId: string; status: string; paid: { repayments: string } }[] };
    expect(first.position).toBe(String(issued));
    expect(first.statements.map((st) => [st.statementId, st.paid.repayments])).toEqual([[live[0].statementId, '0.00']]);
    expect(text.stdout).toContain(`statements at log position ${issued}`);
    expect(text.stdout).toContain(live[0].statementId);
    expect([badPosition.code, badPosition.stderr]).toEqual([2, expect.stringContaining('--position must be a non-negative integer')]);
  });

  it('fails on a statement row that differs from its event and from the repayments, and on a row the log does not have', () => {
    expect(runs.staleStatement.code).toBe(1);
    const { accountId, statementId, newDraws, repaidSinceIssue, dailyRate } = facts.staleStatement;
    expect(report('staleStatement').findings).toEqual([
      expect.objectContaining({ check: 'READ_MODEL_MISMATCH', accountId, field: `statements.${statementId}.newDraws`, expected: newDraws, actual: '0.01' }),
      expect.objectContaining({ check: 'READ_MODEL_MISMATCH', accountId, field: `statements.${statementId}.repaidSinceIssue`, expected: repaidSinceIssue, actual: '9999.99' }),
      // No upheld dispute lowered its minimum: the log gives none.
      expect.objectContaining({ check: 'READ_MODEL_MISMATCH', accountId, field: `statements.${statementId}.minimumLoweredTo`, expected: null, actual: '0.01' }),
      expect.objectContaining({ check: 'READ_MODEL_MISMATCH', accountId, field: `statements.${statementId}.dailyRate`, expected: dailyRate, actual: '0.9' }),
      expect.objectContaining({ check: 'READ_MODEL_MISMATCH', accountId, field: 'statements.2099-01', expected: null, actual: 'present' }),
      expect.objectContaining({ check: 'READ_MODEL_MISMATCH', accountId: 'acc_ghost', field: 'statements' }),
    ]);
  });

  it("fails on a snapshot whose state differs from the replay at its revision, naming the field", () => {
    expect(runs.editedSnapshot.code).toBe(1);
    const { accountId, revision, limit } = facts.editedSnapshot;
    expect(report('editedSnapshot').findings).toEqual([
      expect.objectContaining({ check: 'SNAPSHOT_MISMATCH', accountId, revision, field: 'snapshot.limit', expected: JSON.stringify({ $money: limit }), actual: '{"$money":"900000"}' }),
    ]);
  });

  it("fails on a limit review that differs from its event, and on a row of no account however far ahead it claims to be", () => {
    expect(runs.staleReview.code).toBe(1);
    const { accountId, quarter, newLimit } = facts.staleReview;
    expect(report('staleReview').findings).toEqual([
      expect.objectContaining({ check: 'READ_MODEL_MISMATCH', accountId, field: `limit_reviews.${quarter}.newLimit`, expected: JSON.stringify(newLimit), actual: '"99999.00"' }),
      expect.objectContaining({ check: 'READ_MODEL_MISMATCH', accountId: 'acc_future', field: 'balances' }),
    ]);
  });

  it('passes read models one close behind the log: the open month and the schedule are checked as of the close both hold', () => {
    expect(runs.closeNotProjected.code).toBe(0);
    expect(report('closeNotProjected')).toMatchObject({ ok: true, findings: [] });
    // The sums over every account are compared only where the read models stand where the log was read
    // to, and the report says which were left out and where each stood.
    const { notChecked } = report('closeNotProjected');
    expect(notChecked).toEqual({ checks: ['portfolio figures', "roll rates' working table", 'journal rows'], readModelsAt: expect.any(String), logReadTo: expect.any(String) });
    expect(BigInt(notChecked!.readModelsAt)).toBeLessThan(BigInt(notChecked!.logReadTo));
    expect(verifyText(report('closeNotProjected'))).toContain("not checked: the portfolio figures, the roll rates' working table, the journal rows (sums over every account");
    expect(verifyText(report('closeNotProjected'))).toContain('so they were behind it (a projector catching up or stopped');
    expect(report('clean').notChecked).toBeNull();
  });

  it('compares a limit review recorded without overdue episodes with its row by value (0 episodes)', () => {
    const fields = report('legacyReview').findings.map((f) => f.field ?? '');
    // The edit itself breaks the stream's chain and its anchor; the review's row is the replay's.
    expect(report('legacyReview').findings.filter((f) => f.accountId === facts.legacyReview.accountId).map((f) => f.check)).toContain('CHAIN_BROKEN');
    expect(fields.filter((f) => f.startsWith('limit_reviews'))).toEqual([]);
  });

  it("fails on the read models' closed days where they differ from the log's, naming the day", () => {
    expect(runs.businessDays.code).toBe(1);
    const { deleted, edited, accounts } = facts.businessDays;
    expect(report('businessDays').findings).toEqual([
      expect.objectContaining({ check: 'READ_MODEL_MISMATCH', stream: 'ledger-business-days', field: `business_days.${deleted}`, expected: 'present', actual: null }),
      expect.objectContaining({ check: 'READ_MODEL_MISMATCH', stream: 'ledger-business-days', field: `business_days.${edited}.accounts`, expected: accounts, actual: '999' }),
    ]);
  });

  it("fails on a dashboard figure that is not the sum over the replayed accounts", () => {
    expect(runs.portfolio.code).toBe(1);
    const { count, amount } = facts.portfolio;
    expect(report('portfolio').findings).toEqual([
      expect.objectContaining({ check: 'READ_MODEL_MISMATCH', field: 'portfolio_figures.exposure/limit', expected: `${count} / ${amount}`, actual: `${count} / 1` }),
    ]);
  });

  it("fails on a row of the journal read model, which the trial balance reads, that is not the log's postings", () => {
    expect(runs.journal.code).toBe(1);
    expect(verifyText(report('journal'))).toContain('read models that differ from the log are rebuilt from it: `ledger rebuild`');
    expect(verifyText(report('clean'))).not.toContain('ledger rebuild');
    const { key, lines, debits, credits, monthKey, monthLines, monthDebits, monthCredits } = facts.journal;
    expect(report('journal').findings).toEqual([
      expect.objectContaining({ check: 'READ_MODEL_MISMATCH', field: `journal_days.${key}`, expected: `${lines} / ${debits} / ${credits}`, actual: `${lines} / 1.00 / ${credits}` }),
      expect.objectContaining({ check: 'READ_MODEL_MISMATCH', field: `journal_months.${monthKey}`, expected: `${monthLines} / ${monthDebits} / ${monthCredits}`, actual: `${monthLines} / ${monthDebits} / 2.00` }),
    ]);
  });

  it("fails on an account in the roll rates' working table that has not moved since the last month end", () => {
    expect(runs.rollFrom.code).toBe(1);
    expect(report('rollFrom').findings).toEqual([expect.objectContaining({ check: 'READ_MODEL_MISMATCH', accountId: facts.rollFrom.accountId, field: 'portfolio_roll_from.standing', expected: null, actual: 'M3+' })]);
  });

  it('fails on a log whose anchors were removed, counting the days closed with none after them', () => {
    expect(runs.anchorsDeleted.code).toBe(1);
    const findings = report('anchorsDeleted').findings;
    expect(findings).toEqual([expect.objectContaining({ check: 'ANCHOR_MISSING', stream: 'system-audit-anchors', field: 'anchors', actual: 'no anchor' })]);
    expect(findings[0].message).toMatch(new RegExp(`^${facts.anchorsDeleted.closes} business days closed after the last anchor`));
  });

  it("fails on the last anchor's count of events edited, which no later anchor covers", () => {
    expect(runs.lastAnchorCount.code).toBe(1);
    const { position, events } = facts.lastAnchorCount;
    expect(report('lastAnchorCount').findings).toEqual([
      expect.objectContaining({ check: 'ANCHOR_MISMATCH', stream: 'system-audit-anchors', position, field: 'events', expected: events, actual: String(Number(events) - 1) }),
    ]);
  });

  it('fails on a daily accrual of the month not yet billed that differs from the replay, naming its first day', () => {
    expect(runs.openAccrual.code).toBe(1);
    const { accountId, date, normalPrincipal } = facts.openAccrual;
    expect(report('openAccrual').findings).toEqual([
      expect.objectContaining({ check: 'READ_MODEL_MISMATCH', accountId, field: `accruals.${date}.normalPrincipal`, expected: Money.of(normalPrincipal).toJSON(), actual: '999999.00' }),
    ]);
  });

  it('fails on an end-of-day schedule row lost, moved or without an account, naming the date the replay needs', () => {
    expect(runs.lostSchedule.code).toBe(1);
    const { lost, lostDate, moved, movedDate } = facts.lostSchedule;
    expect(report('lostSchedule').findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ check: 'READ_MODEL_MISMATCH', accountId: lost, field: 'eod_schedule.next_action_date', expected: lostDate, actual: null }),
        expect.objectContaining({ check: 'READ_MODEL_MISMATCH', accountId: moved, field: 'eod_schedule.next_action_date', expected: movedDate, actual: '2099-01-01' }),
        expect.objectContaining({ check: 'READ_MODEL_MISMATCH', accountId: 'acc_ghost', field: 'eod_schedule' }),
      ]),
    );
    expect(report('lostSchedule').findings).toHaveLength(3);
  });

  it("names a read-model row past the log's head, and compares no figure of it", () => {
    expect(runs.aheadReadModel.code).toBe(1);
    const { accountId } = facts.aheadReadModel;
    expect(report('aheadReadModel').findings).toEqual([expect.objectContaining({ check: 'READ_MODEL_MISMATCH', accountId, field: 'balances.updated_position', actual: '999999999' })]);
  });

  it('fails on a stale read model with the column, the replayed value and the stored one', () => {
    expect(runs.staleReadModel.code).toBe(1);
    const { accountId, totalOwed } = facts.staleReadModel;
    expect(report('staleReadModel').findings).toEqual([expect.objectContaining({ check: 'READ_MODEL_MISMATCH', accountId, field: 'balances.total_owed', expected: totalOwed, actual: '0.01' })]);
  });
});
