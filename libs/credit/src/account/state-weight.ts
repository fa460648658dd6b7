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
import { builtSizeOf, countOwnKeys, type ShardedRecord, StoredShard } from './sharded-record';

/** Everything of fixed size: the state object, its Money fields, the quarter, the holder. */
const BASE = 3_600;
const PER_ORDER = 200;
const PER_DRAW = 300;
/**
 * An unbilled draw's entry in the state (`unbilledDraws`): an object of two fields and a Money. Not in the
 * fit above (the draws carried their shares until state version 6); the object's size, rounded up.
 */
const PER_UNBILLED_DRAW = 120;
const PER_STATEMENT = 700;
const PER_ACCRUAL_SEGMENT = 250;
const PER_PLAN = 1_500;
/**
 * A repayment reference held parsed. Sharded since state version 6, each non-empty shard is an object of
 * its own, so few references cost more each than many: 2,000 records folded in memory weighed 3,821 bytes
 * for 12 references and 14,760 for 60 (318 and 246 a reference; one plain object had taken 153 and 139).
 */
const PER_REPAYMENT = 320;
const PER_DISPUTE = 200;
/**
 * A stored shard not parsed (`StoredShard`): the object and the function that reads its text. Its text,
 * once read, is a header and a byte a character, or two where it holds any character beyond Latin-1
 * (a merchant's name in Chinese: `StoredShard.textBytes`). Measured the same way on the 1,000
 * one-year accounts of the benchmark fixture (five copies each): a state read back apart with no shard
 * read weighed 11.3 KB on the heap, and 21.6 KB with every shard's text read.
 */
const PER_STORED_SHARD = 100;
const STRING_HEADER = 16;
/**
 * Entries parsed from a stored shard weigh more than those `evolve` builds (the parser's objects are
 * not in the fold's shapes): with every shard read and parsed the same states weighed 51.5 KB, which
 * half as much again brings the estimate to 55.3 KB rather than leaving it under (46.1 KB without).
 */
const PARSED_PER_ENTRY = (perEntry: number) => (3 * perEntry) / 2;

export function approximateStateBytes(state: CreditAccountState): number {
  return (
    BASE +
    approximateRecordBytes(state.orders, PER_ORDER) +
    approximateRecordBytes(state.draws, PER_DRAW) +
    PER_UNBILLED_DRAW * state.unbilledDraws.length +
    PER_STATEMENT * state.statements.length +
    PER_ACCRUAL_SEGMENT * state.accrual.segments.length +
    PER_PLAN * countOwnKeys(state.plans) +
    approximateRecordBytes(state.repayments, PER_REPAYMENT) +
    PER_DISPUTE * countOwnKeys(state.disputes)
  );
}

/**
 * A sharded record's weight: each entry held parsed costs `perEntry`, and a shard still held as stored
 * (or not read at all: `deserializeApart`) only its object and its text, which is how a state read back
 * holds most of its history. (Also for records kept beside a state, such as the repository's command ids.)
 */
export function approximateRecordBytes(record: ShardedRecord<unknown>, perEntry: number): number {
  // The shards built here are counted as the record is copied (`builtSizeOf`): only stored ones are visited.
  let bytes = perEntry * builtSizeOf(record);
  for (const slot of record) {
    if (!(slot instanceof StoredShard)) continue;
    bytes += PER_STORED_SHARD;
    if (slot.loaded) bytes += STRING_HEADER + slot.textBytes;
    const parsed = slot.parsedEntryCount();
    if (parsed !== undefined) bytes += PARSED_PER_ENTRY(perEntry) * parsed;
  }
  return Math.ceil(bytes);
}
