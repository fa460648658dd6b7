/**
 * An account's disputes, read from its event log: each with the draw it is about, how it stands, and for
 * one upheld, what its reversal did (the principal, the charges given back, the minimums set again
 * without the draw, what came off the account and what is to be paid back to the customer). What an operator working a case, or an auditor, asks of it.
 */
import type { AllocationLine, DataOf, DisputedDrawCharges, DisputedDrawMinimums } from '@ledger/credit';
import { EventStore } from '@ledger/event-store';
import { readAccountStream } from './account-history';

export interface DisputeView {
  disputeId: string;
  drawId: string;
  reason: string;
  openedOn: string;
  status: 'OPEN' | 'UPHELD' | 'REJECTED';
  resolvedOn: string | null;
  note: string | null;
  /** The upheld dispute's reversal; null while open, when rejected, or when it had nothing to reverse. */
  reversal: {
    on: string;
    /** What was left of the draw's principal. */
    amount: string;
    /** The interest, penalty interest and fees given back; null for a reversal recorded before charges were reversed. */
    charges: DisputedDrawCharges | null;
    /** The draw's part of each statement's balance and the minimums lowered; null for a reversal recorded before minimums were set again. */
    minimums: DisputedDrawMinimums | null;
    appliedTo: AllocationLine[];
    /** What was already paid of it all: to be paid back to the customer. */
    returnedToCustomer: string;
  } | null;
}

export async function accountDisputes(store: EventStore, accountId: string): Promise<{ accountId: string; disputes: DisputeView[] }> {
  const disputes = new Map<string, DisputeView>();
  for (const e of await readAccountStream(store, accountId)) {
    if (e.type === 'DisputeOpened') {
      const d = e.data as DataOf<'DisputeOpened'>;
      disputes.set(d.disputeId, { disputeId: d.disputeId, drawId: d.drawId, reason: d.reason, openedOn: d.on, status: 'OPEN', resolvedOn: null, note: null, reversal: null });
    } else if (e.type === 'DisputeResolved') {
      const d = e.data as DataOf<'DisputeResolved'>;
      const dispute = disputes.get(d.disputeId);
      if (dispute) Object.assign(dispute, { status: d.upheld ? 'UPHELD' : 'REJECTED', resolvedOn: d.on, note: d.note });
    } else if (e.type === 'DrawReversed') {
      const d = e.data as DataOf<'DrawReversed'>;
      const dispute = disputes.get(d.disputeId);
      if (dispute) dispute.reversal = { on: d.on, amount: d.amount, charges: d.charges ?? null, minimums: d.minimums ?? null, appliedTo: d.appliedTo, returnedToCustomer: d.returnedToCustomer };
    }
  }
  return { accountId, disputes: [...disputes.values()] };
}
