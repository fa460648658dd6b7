/** Helpers for the repository's snapshot specs. */
import { StoredShard } from '@ledger/credit';
import { SavedParts, type SnapshotBody } from './snapshot-body';

/** Each part a decoded snapshot names, with the revision it lists for it. */
export const partsOf = (body: SnapshotBody) =>
  Object.fromEntries(
    (
      [
        ['o', body.state.orders],
        ['d', body.state.draws],
        ['r', body.state.repayments],
        ['c', body.commands],
      ] as const
    ).flatMap(([prefix, record]) => record.flatMap((slot, index) => (slot instanceof StoredShard && slot.home instanceof SavedParts ? [[`${prefix}${index}`, slot.home.listed]] : []))),
  ) as Record<string, string>;

