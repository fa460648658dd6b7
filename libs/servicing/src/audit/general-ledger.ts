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
import { type CreditAccountEvent, type JournalDating, type LedgerAccount, postingsFor, type TrialBalanceLine, trialBalanceLines, zeroPerAccount } from '@ledger/credit';
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

export interface GeneralLedger {
  from: string;
  to: string;
  dateBy: JournalDating;
  /** Journal lines of the range, handed to `onLines` as the log is read (none are kept). */
  lineCount: number;
  trialBalance: TrialBalanceLine[];
  totals: { debits: string; credits: string; closing: string };
}

export interface GeneralLedgerOptions {
  /** Which date an event's lines belong to: its posting date (default) or the business day that decided it. */
  dateBy?: JournalDating;
  onProgress?(position: bigint, head: bigint): void;
  /**
   * The range's journal lines, a page of the log at a time, in the log's order; awaited before the next
   * page is read, so a writer that waits for its output to drain holds one page in memory, not the range.
   */
  onLines?(lines: GlLine[]): void | Promise<void>;
}

export async function generalLedger(store: EventStore, from: string, to: string, options: GeneralLedgerOptions = {}): Promise<GeneralLedger> {
  const opening = zeroPerAccount();
  const debits = zeroPerAccount();
  const credits = zeroPerAccount();
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
  return { from, to, dateBy, lineCount, ...trialBalanceLines(opening, debits, credits) };
}
