/**
 * For projections that keep a batch's changes until its flush: the events of a ledger as projections take
 * them, and the tables a projection leaves when it takes them a batch of a given size at a time, so that a
 * test can check that one batch, a batch an event and states that are not one chain all leave the same
 * tables.
 */
import Database from 'better-sqlite3';
import { type CreditAccountState, evolve, initialState } from '@ledger/credit';
import type { EventStore } from '@ledger/event-store';
import { decodeLedgerEvent } from '../runner/ledger-streams';
import type { Projection, ProjectionEvent } from '../runner/projection';
import { dumpReadModels } from './read-model-fixture';

/**
 * The log as the runner hands it to projections: each account event with its states before and after,
 * and each closed business day. Folded twice: `chain` hands each event's state after on as the next
 * one's before, as the runner's fold does; `copies` hands equal states from a second fold, so that no
 * event's before is the object its account's last event left. Both hold the same closed days.
 */
export async function accountChanges(store: EventStore): Promise<{ chain: ProjectionEvent[]; copies: ProjectionEvent[] }> {
  const chain: ProjectionEvent[] = [];
  const copies: ProjectionEvent[] = [];
  const states = new Map<string, [CreditAccountState, CreditAccountState]>();
  for (const stored of await store.readAll({ maxCount: 1_000_000 })) {
    const decoded = decodeLedgerEvent(stored);
    if (decoded.kind === 'businessDayClosed') {
      const close = { kind: 'businessDayClosed' as const, data: decoded.data, stored };
      chain.push(close);
      copies.push(close);
    }
    if (decoded.kind !== 'account') continue;
    const [state, twin] = states.get(decoded.accountId) ?? [initialState(decoded.accountId), initialState(decoded.accountId)];
    const after = evolve(state, decoded.event);
    const twinAfter = evolve(twin, decoded.event);
    states.set(decoded.accountId, [after, twinAfter]);
    const change = { kind: 'account' as const, accountId: decoded.accountId, event: decoded.event, stored };
    chain.push({ ...change, before: state, after });
    copies.push({ ...change, before: twin, after: twinAfter });
  }
  return { chain, copies };
}

/** The tables a new projection leaves after taking `changes`, `batchSize` at a time (each batch flushed), dumped. */
export function tablesAfter(projection: Projection, changes: readonly ProjectionEvent[], batchSize: number): string {
  const db = new Database(':memory:');
  for (const ddl of projection.ddl) db.exec(ddl);
  projection.prepare(db);
  // Each account's state as of the change being applied, as the runner's fold gives it (the portfolio reads them at a month end).
  const states = new Map<string, CreditAccountState>();
  const context = { db, terms: undefined as never, accountState: (accountId: string) => states.get(accountId) ?? initialState(accountId) };
  for (let i = 0; i < changes.length; i += batchSize) {
    for (const change of changes.slice(i, i + batchSize)) {
      projection.apply(change, context);
      if (change.kind === 'account') states.set(change.accountId, change.after);
    }
    projection.flush?.(context);
  }
  const dump = dumpReadModels(db, [projection]);
  db.close();
  return dump;
}
