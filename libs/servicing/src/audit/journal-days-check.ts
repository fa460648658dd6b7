/**
 * `ledger verify`'s check of the journal read model: each posting date's debits, credits and lines per
 * business day and ledger account, as the replayed events' postings add them up (dated by the business
 * day the log recorded), against the `journal_days` rows. The
 * trial balance over HTTP is read from those rows, so a row edited or lost would put finance's
 * reconciliation out by exactly that much.
 */
import { type LedgerAccount, Money, type Posting } from '@ledger/credit';
import type { Db } from '@ledger/projections';
import { finding, type Finding } from './verify-checks';

interface DayFigures {
  debits: Money;
  credits: Money;
  lines: number;
}

export class JournalDaysCheck {
  /** Keyed by date, business day and ledger account: a few thousand entries for ten years of a ten-account chart. */
  private readonly expected = new Map<string, DayFigures>();

  add(on: string, businessDate: string, postings: readonly Posting[]): void {
    for (const p of postings) {
      const key = `${on}/${businessDate}/${p.account}`;
      const f = this.expected.get(key) ?? { debits: Money.ZERO, credits: Money.ZERO, lines: 0 };
      this.expected.set(key, { debits: p.side === 'DEBIT' ? f.debits.plus(p.amount) : f.debits, credits: p.side === 'CREDIT' ? f.credits.plus(p.amount) : f.credits, lines: f.lines + 1 });
    }
  }

  /** Each row that differs from the replay, or is in one and not the other; a file from before the journal read model has none to check. */
  findings(db: Db): Finding[] {
    if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'journal_days'").get() === undefined) return [];
    const rows = db.prepare('SELECT date, business_date, ledger_account, debits, credits, lines FROM journal_days').all() as { date: string; business_date: string; ledger_account: LedgerAccount; debits: string; credits: string; lines: number }[];
    const text = (f: DayFigures) => `${f.lines} / ${f.debits.toString()} / ${f.credits.toString()}`;
    const stored = new Map(rows.map((r) => [`${r.date}/${r.business_date}/${r.ledger_account}`, text({ debits: Money.exact(r.debits), credits: Money.exact(r.credits), lines: r.lines })]));
    const found: Finding[] = [];
    for (const key of new Set([...this.expected.keys(), ...stored.keys()])) {
      const want = this.expected.get(key);
      const wantText = want && text(want);
      const haveText = stored.get(key);
      if (wantText === haveText) continue;
      found.push(finding('READ_MODEL_MISMATCH', `journal ${key} (lines / debits / credits) is ${haveText ?? 'missing'} in the read model, ${wantText ?? 'none'} in the log's postings`, { field: `journal_days.${key}`, expected: wantText ?? null, actual: haveText ?? null }));
    }
    return found;
  }
}
