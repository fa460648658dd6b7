/**
 * The small, pure checks the verifier runs on each event and each read-model row. Each returns what it
 * found, named precisely enough to act on: the field, the expected and the actual value.
 */
import { type CreditAccountState } from '@ledger/credit';
import { type BalanceRow, balanceRow } from '@ledger/projections';

export type CheckName =
  | 'ROW_UNREADABLE'
  | 'RECORDED_AT_MISMATCH'
  | 'CHAIN_BROKEN'
  | 'REVISION_GAP'
  | 'ANCHOR_MISMATCH'
  | 'REPLAY_FAILED'
  | 'POSTINGS_UNBALANCED'
  | 'AMOUNT_PRECISION'
  | 'STATEMENT_INTEREST'
  | 'DISPUTE_CHARGES'
  | 'TRIAL_BALANCE'
  | 'JOURNAL_MISMATCH'
  | 'READ_MODEL_MISMATCH';

export const CHECK_NAMES: CheckName[] = ['ROW_UNREADABLE', 'RECORDED_AT_MISMATCH', 'CHAIN_BROKEN', 'REVISION_GAP', 'ANCHOR_MISMATCH', 'REPLAY_FAILED', 'POSTINGS_UNBALANCED', 'AMOUNT_PRECISION', 'STATEMENT_INTEREST', 'DISPUTE_CHARGES', 'TRIAL_BALANCE', 'JOURNAL_MISMATCH', 'READ_MODEL_MISMATCH'];

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

/**
 * Keys whose values are rates, ratios or exact (unrounded) amounts: allowed more than 2 decimals. A
 * disputed draw's shares of the accrual, and what a statement leaves out for them, are exact.
 */
const EXACT_KEY = /(rate|apr|exact|residual|utilization|share|reversed)$|^unbilled(penalty)?interest$/i;
const DECIMAL = /^-?\d+\.(\d+)$/;

/** Every posted amount in an event's payload with more than 2 decimals, as [path, value]. */
export function overPreciseAmounts(data: unknown, path = 'data'): [string, string][] {
  if (Array.isArray(data)) return data.flatMap((v, i) => overPreciseAmounts(v, `${path}[${i}]`));
  if (data === null || typeof data !== 'object') return [];
  const found: [string, string][] = [];
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    if (EXACT_KEY.test(key)) continue;
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
