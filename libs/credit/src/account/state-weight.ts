/**
 * About how many bytes of heap a decoded account state holds, for caches bounded by memory rather than
 * by count (a five-year account holds five times what a one-year account does).
 *
 * The estimate is linear in what grows with an account's history. Its constants were fitted by least
 * squares to the measured heap of 60 decoded five-year accounts from the benchmark fixture (`--expose-gc`,
 * 40 copies each, heap used before and after): it was within 8% of every one of them, and rounded up
 * here so that it errs on the heavy side.
 */
import type { CreditAccountState } from './credit-account.state';
import { sizeOf } from './sharded-record';

/** Everything of fixed size: the state object, its Money fields, the quarter, the holder. */
const BASE = 3_600;
const PER_ORDER = 200;
const PER_DRAW = 300;
const PER_STATEMENT = 700;
const PER_ACCRUAL_SEGMENT = 250;
const PER_PLAN = 1_500;
const PER_REPAYMENT = 80;
const PER_DISPUTE = 200;

export function approximateStateBytes(state: CreditAccountState): number {
  return (
    BASE +
    PER_ORDER * sizeOf(state.orders) +
    PER_DRAW * sizeOf(state.draws) +
    PER_STATEMENT * state.statements.length +
    PER_ACCRUAL_SEGMENT * state.accrual.segments.length +
    PER_PLAN * countKeys(state.plans) +
    PER_REPAYMENT * countKeys(state.repayments) +
    PER_DISPUTE * countKeys(state.disputes)
  );
}

function countKeys(record: object): number {
  let n = 0;
  for (const key in record) if (Object.hasOwn(record, key)) n++;
  return n;
}
