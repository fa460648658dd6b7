/**
 * Checks on query arguments. The HTTP layer validates first; these keep a wrong call from reading as an
 * empty answer.
 */
import { daysBetween, isValidDate } from '@ledger/credit';

export class QueryInputError extends Error {
  readonly code = 'INVALID_QUERY';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'QueryInputError';
  }
}

export function assertDate(value: string, field: string): void {
  if (typeof value !== 'string' || !isValidDate(value))
    throw new QueryInputError(`${field} must be a date YYYY-MM-DD`, field);
}

/** Two dates in order, and with `maxDays` no more days than that, both ends counted. */
export function assertRange(from: string, to: string, maxDays?: number): void {
  assertDate(from, 'from');
  assertDate(to, 'to');
  if (to < from) throw new QueryInputError('to must not be before from', 'to');
  if (maxDays !== undefined && daysBetween(from, to) + 1 > maxDays)
    throw new QueryInputError(`at most ${maxDays} days at a time`, 'to');
}

export function pageLimit(limit: number | undefined, fallback: number, max: number): number {
  if (limit === undefined) return fallback;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > max)
    throw new QueryInputError(`limit must be an integer from 1 to ${max}`, 'limit');
  return limit;
}
