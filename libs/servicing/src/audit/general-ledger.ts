/**
 * The general ledger and trial balance over a range of business dates, from the journal postings of
 * every account event (`postingsFor`). By default an event belongs to the business date it takes effect
 * on (`on`, its posting date). With `dateBy: 'businessDay'` it belongs to the business day whose commands
 * or close decided it (its `metadata.businessDate`; an event without one takes its stream's date before
 * it, as a replay to a close does), so the trial balance to day D is the ledger at D's close, which
 * `replay --business-date D` shows account by account: a month end's close bills the month's statement,
 * whose charges post on the 1st.
 * The trial balance shows, per ledger account, the opening balance before `from`, the debits and credits
 * of the range, and the closing balance; signed balances are debits positive, credits negative.
 */
import { CHART_OF_ACCOUNTS, type CreditAccountEvent, type LedgerAccount, Money, postingsFor } from '@ledger/credit';
import { EventStore } from '@ledger/event-store';
import { ACCOUNT_STREAM_PREFIX } from '../repository/account-repository';
import { readLog } from './log-rows';

export interface GlLine {
  date: string;
  position: string;
  eventId: string;
  accountId: string;
  eventType: string;
  /** The command that recorded the event (`GET /accounts/:id/history` names its request too); null for an event recorded without one. */
  commandId: string | null;
  ledgerAccount: LedgerAccount;
  side: 'DEBIT' | 'CREDIT';
  amount: string;
}

export interface TrialBalanceRow {
  ledgerAccount: LedgerAccount;
  opening: string;
  debits: string;
  credits: string;
  closing: string;
}

export interface GeneralLedger {
  from: string;
  to: string;
  dateBy: GlDating;
  /** Journal lines of the range, handed to `onLines` as the log is read (none are kept). */
  lineCount: number;
  trialBalance: TrialBalanceRow[];
  totals: { debits: string; credits: string; closing: string };
}

export type GlDating = 'posting' | 'businessDay';

export interface GeneralLedgerOptions {
  /** Which date an event's lines belong to: its posting date (default) or the business day that decided it. */
  dateBy?: GlDating;
  onProgress?(position: bigint, head: bigint): void;
  /**
   * The range's journal lines, a page of the log at a time, in the log's order; awaited before the next
   * page is read, so a writer that waits for its output to drain holds one page in memory, not the range.
   */
  onLines?(lines: GlLine[]): void | Promise<void>;
}

export async function generalLedger(store: EventStore, from: string, to: string, options: GeneralLedgerOptions = {}): Promise<GeneralLedger> {
  const zero = () => Object.fromEntries(CHART_OF_ACCOUNTS.map((a) => [a, Money.ZERO])) as Record<LedgerAccount, Money>;
  const opening = zero();
  const debits = zero();
  const credits = zero();
  let lineCount = 0;
  const dateBy = options.dateBy ?? 'posting';
  // By business day: each account stream's last business date, for an event that carries none.
  const lastDay = new Map<string, string>();
  const head = await store.headPosition();
  for await (const rows of readLog(store)) {
    const lines: GlLine[] = [];
    for (const row of rows) {
      if (!row.stream.startsWith(ACCOUNT_STREAM_PREFIX)) continue;
      const event = { type: row.type, data: row.data } as CreditAccountEvent;
      let on = (event.data as { on?: string }).on ?? '';
      if (dateBy === 'businessDay') {
        const recorded = row.metadata.businessDate;
        // An undated event before any dated one of its stream comes before every day, as in a replay to a close.
        on = typeof recorded === 'string' ? recorded : (lastDay.get(row.stream) ?? '');
        lastDay.set(row.stream, on);
      }
      if (on > to) continue;
      for (const p of postingsFor(event)) {
        if (on < from) {
          opening[p.account] = opening[p.account].plus(p.side === 'DEBIT' ? p.amount : p.amount.negated());
          continue;
        }
        (p.side === 'DEBIT' ? debits : credits)[p.account] = (p.side === 'DEBIT' ? debits : credits)[p.account].plus(p.amount);
        lines.push({ date: on, position: row.position.toString(), eventId: row.id, accountId: row.stream.slice(ACCOUNT_STREAM_PREFIX.length), eventType: row.type, commandId: typeof row.metadata.commandId === 'string' ? row.metadata.commandId : null, ledgerAccount: p.account, side: p.side, amount: p.amount.toString() });
      }
    }
    lineCount += lines.length;
    if (lines.length > 0) await options.onLines?.(lines);
    options.onProgress?.(rows[rows.length - 1].position, head);
  }
  const trialBalance = CHART_OF_ACCOUNTS.map((a) => ({
    ledgerAccount: a,
    opening: opening[a].toString(),
    debits: debits[a].toString(),
    credits: credits[a].toString(),
    closing: opening[a].plus(debits[a]).minus(credits[a]).toString(),
  }));
  const sum = (pick: (r: TrialBalanceRow) => string) => Money.sum(trialBalance.map((r) => Money.of(pick(r)))).toString();
  return { from, to, dateBy, lineCount, trialBalance, totals: { debits: sum((r) => r.debits), credits: sum((r) => r.credits), closing: sum((r) => r.closing) } };
}
