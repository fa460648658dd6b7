/**
 * The small, pure checks the verifier runs on each event and each read-model row. Each returns what it
 * found, named precisely enough to act on: the field, the expected and the actual value.
 */
import { type AccrualBreakdown, type CreditAccountState, Money } from '@ledger/credit';
import { type BalanceRow, balanceRow } from '@ledger/projections';

export type CheckName =
  | 'ROW_UNREADABLE'
  | 'RECORDED_AT_MISMATCH'
  | 'DATED_AFTER_CLOSE'
  | 'CHAIN_BROKEN'
  | 'REVISION_GAP'
  | 'ANCHOR_MISMATCH'
  | 'ANCHOR_MISSING'
  | 'REPLAY_FAILED'
  | 'POSTINGS_UNBALANCED'
  | 'AMOUNT_PRECISION'
  | 'STATEMENT_INTEREST'
  | 'DISPUTE_CHARGES'
  | 'TRIAL_BALANCE'
  | 'JOURNAL_MISMATCH'
  | 'SNAPSHOT_MISMATCH'
  | 'READ_MODEL_MISMATCH';

export const CHECK_NAMES: CheckName[] = ['ROW_UNREADABLE', 'RECORDED_AT_MISMATCH', 'DATED_AFTER_CLOSE', 'CHAIN_BROKEN', 'REVISION_GAP', 'ANCHOR_MISMATCH', 'ANCHOR_MISSING', 'REPLAY_FAILED', 'POSTINGS_UNBALANCED', 'AMOUNT_PRECISION', 'STATEMENT_INTEREST', 'DISPUTE_CHARGES', 'TRIAL_BALANCE', 'JOURNAL_MISMATCH', 'SNAPSHOT_MISMATCH', 'READ_MODEL_MISMATCH'];

export interface Finding {
  check: CheckName;
  accountId: string | null;
  stream: string | null;
  position: string | null;
  revision: string | null;
  eventId: string | null;
  eventType: string | null;
  /** The field or read-model column that differs, when there is one. */
  field: string | null;
  expected: string | null;
  actual: string | null;
  message: string;
}

export function finding(check: CheckName, message: string, where: Partial<Omit<Finding, 'check' | 'message'>> = {}): Finding {
  return { check, accountId: null, stream: null, position: null, revision: null, eventId: null, eventType: null, field: null, expected: null, actual: null, message, ...where };
}

/** Keys whose values are rates, ratios or exact (unrounded) amounts: allowed more than 2 decimals. */
const EXACT_KEY = /(rate|apr|exact|residual|utilization)$/i;
/** A disputed draw's exact shares of the accrual (`DisputedDrawCharges`), and what a statement leaves out for them (`AccrualBreakdown.reversed`). */
const EXACT_KEYS = new Set(['interestShare', 'penaltyInterestShare', 'unbilledInterest', 'unbilledPenaltyInterest', 'reversed']);
const DECIMAL = /^-?\d+\.(\d+)$/;

/** Every posted amount in an event's payload with more than 2 decimals, as [path, value]. */
export function overPreciseAmounts(data: unknown, path = 'data'): [string, string][] {
  if (Array.isArray(data)) return data.flatMap((v, i) => overPreciseAmounts(v, `${path}[${i}]`));
  if (data === null || typeof data !== 'object') return [];
  const found: [string, string][] = [];
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    if (EXACT_KEY.test(key) || EXACT_KEYS.has(key)) continue;
    const match = typeof value === 'string' ? DECIMAL.exec(value) : null;
    if (match && match[1].length > 2) found.push([`${path}.${key}`, value as string]);
    else if (typeof value === 'object') found.push(...overPreciseAmounts(value, `${path}.${key}`));
  }
  return found;
}

/** The columns of a stored balances row that differ from the row a replay gives: [column, replayed, stored]. */
export function balanceRowDifferences(state: CreditAccountState, position: bigint, stored: BalanceRow): [string, string, string][] {
  const expected = balanceRow(state, position) as unknown as Record<string, unknown>;
  const actual = stored as unknown as Record<string, unknown>;
  const text = (v: unknown) => (v === null || v === undefined ? 'null' : String(v));
  return Object.keys(expected)
    .filter((column) => text(expected[column]) !== text(actual[column]))
    .map((column) => [column, text(expected[column]), text(actual[column])]);
}

/** The first figure of a recorded accrual breakdown that is not the expected one, compared as amounts (`reversed` absent is 0). */
export function differingPart(recorded: AccrualBreakdown, expected: AccrualBreakdown): { name: keyof AccrualBreakdown; expected: string; actual: string } | null {
  for (const name of ['exact', 'reversed', 'charged', 'residual'] as const) {
    const actual = recorded[name] ?? '0';
    const wanted = expected[name] ?? '0';
    if (!Money.exact(actual).equals(Money.exact(wanted))) return { name, expected: wanted, actual };
  }
  return null;
}
