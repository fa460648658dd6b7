/**
 * Snapshots of account state as JSON. Money values are tagged so they come back as Money; everything
 * else in the state is already plain data. A snapshot is a cache: `STATE_SCHEMA_VERSION` changes
 * whenever the state's shape does, and a snapshot of another version is ignored and rebuilt by replay.
 *
 * Both directions walk the state once and leave the JSON text to the engine's native stringify and
 * parse: a replacer or reviver callback per key costs several times more (and a replacer sees Money
 * only after its `toJSON` already formatted it once). The projections write a state per touched
 * account per batch, so this is on the hot path.
 */
import { Money } from '../money/money';
import type { CreditAccountState } from './credit-account.state';

export const STATE_SCHEMA_VERSION = 2;

const MONEY_TAG = '$money';

export function serializeState(state: CreditAccountState): string {
  return JSON.stringify(tagMoney(state));
}

export function deserializeState(json: string): CreditAccountState {
  return untagMoney(JSON.parse(json)) as CreditAccountState;
}

function tagMoney(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Money) return { [MONEY_TAG]: value.toExactString() };
  if (Array.isArray(value)) return value.map(tagMoney);
  const out: Record<string, unknown> = {};
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    // Ids are caller-supplied keys here; `__proto__` must stay a key, not set the prototype.
    if (key === '__proto__') Object.defineProperty(out, key, { value: tagMoney(v), enumerable: true, writable: true, configurable: true });
    else out[key] = tagMoney(v);
  }
  return out;
}

/** Replaces `{ $money: "1.23" }` objects with Money, in place (the parsed tree is ours alone). */
function untagMoney(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = untagMoney(value[i]);
    return value;
  }
  const record = value as Record<string, unknown>;
  const tagged = record[MONEY_TAG];
  if (typeof tagged === 'string') return Money.exact(tagged);
  for (const key in record) record[key] = untagMoney(record[key]);
  return record;
}
