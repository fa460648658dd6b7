/**
 * `ledger verify`'s check of the journal read model: each posting date's debits, credits and lines per
 * business day and ledger account, and each posting month's per business month, as the replayed events'
 * postings add them up (dated by the business day the log recorded), against the `journal_days` and
 * `journal_months` rows. The trial balance over HTTP is read from those rows, so a row edited or lost
 * would put finance's reconciliation out by exactly that much.
 */
import { type LedgerAccount, Money, type Posting } from '@ledger/credit';
import type { Db } from '@ledger/projections';
import { finding, type Finding } from './verify-checks';

interface DayFigures {
  debits: Money;
  credits: Money;
  lines: number;
}

/** A table of the journal read model, its two date columns, and what the replay expects of it. */
interface Summed {
  table: 'journal_days' | 'journal_months';
  posted: string;
  decided: string;
  /** Keyed by date (or month), business day (or month) and ledger account: a few thousand entries for ten years of a ten-account chart. */
  expected: Map<string, DayFigures>;
}

export class JournalDaysCheck {
  private readonly days: Summed = { table: 'journal_days', posted: 'date', decided: 'business_date', expected: new Map() };
  private readonly months: Summed = { table: 'journal_months', posted: 'month', decided: 'business_month', expected: new Map() };

  add(on: string, businessDate: string, postings: readonly Posting[]): void {
    for (const p of postings) {
      add(this.days.expected, `${on}/${businessDate}/${p.account}`, p);
      add(this.months.expected, `${on.slice(0, 7)}/${businessDate.slice(0, 7)}/${p.account}`, p);
    }
  }

  /** Each row that differs from the replay, or is in one and not the other; a file from before a table has none of it to check. */
  findings(db: Db): Finding[] {
    return [...tableFindings(db, this.days), ...tableFindings(db, this.months)];
  }
}

function add(expected: Map<string, DayFigures>, key: string, p: Posting): void {
  const f = expected.get(key) ?? { debits: Money.ZERO, credits: Money.ZERO, lines: 0 };
  expected.set(key, { debits: p.side === 'DEBIT' ? f.debits.plus(p.amount) : f.debits, credits: p.side === 'CREDIT' ? f.credits.plus(p.amount) : f.credits, lines: f.lines + 1 });
}

function tableFindings(db: Db, { table, posted, decided, expected }: Summed): Finding[] {
  if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) === undefined) return [];
  const rows = db.prepare(`SELECT ${posted} AS posted, ${decided} AS decided, ledger_account, debits, credits, lines FROM ${table}`).all() as { posted: string; decided: string; ledger_account: LedgerAccount; debits: string; credits: string; lines: number }[];
  const text = (f: DayFigures) => `${f.lines} / ${f.debits.toString()} / ${f.credits.toString()}`;
  const stored = new Map(rows.map((r) => [`${r.posted}/${r.decided}/${r.ledger_account}`, text({ debits: Money.exact(r.debits), credits: Money.exact(r.credits), lines: r.lines })]));
  const found: Finding[] = [];
  for (const key of new Set([...expected.keys(), ...stored.keys()])) {
    const want = expected.get(key);
    const wantText = want && text(want);
    const haveText = stored.get(key);
    if (wantText === haveText) continue;
    const what = table === 'journal_days' ? 'journal' : 'journal month';
    found.push(finding('READ_MODEL_MISMATCH', `${what} ${key} (lines / debits / credits) is ${haveText ?? 'missing'} in the read model, ${wantText ?? 'none'} in the log's postings`, { field: `${table}.${key}`, expected: wantText ?? null, actual: haveText ?? null }));
  }
  return found;
}
