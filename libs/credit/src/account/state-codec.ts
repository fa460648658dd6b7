/**
 * Snapshots of account state as JSON. Money values are tagged so they come back as Money; everything
 * else in the state is already plain data. A snapshot is a cache: `STATE_SCHEMA_VERSION` changes
 * whenever the state's shape does, and a snapshot of another version is ignored and rebuilt by replay.
 */
import { Money } from '../money/money';
import type { CreditAccountState } from './credit-account.state';

export const STATE_SCHEMA_VERSION = 2;

const MONEY_TAG = '$money';

export function serializeState(state: CreditAccountState): string {
  return JSON.stringify(state, function (this: Record<string, unknown>, key: string, value: unknown) {
    const original = this[key];
    return original instanceof Money ? { [MONEY_TAG]: original.toExactString() } : value;
  });
}

export function deserializeState(json: string): CreditAccountState {
  return JSON.parse(json, (_key, value: unknown) => {
    if (value !== null && typeof value === 'object' && MONEY_TAG in value) {
      return Money.exact((value as Record<string, string>)[MONEY_TAG]);
    }
    return value;
  }) as CreditAccountState;
}
