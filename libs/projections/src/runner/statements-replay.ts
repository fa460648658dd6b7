/**
 * One account's statements as the statements read model showed them after a prefix of the account's
 * events: the statements projection run over those events into a database in memory, then read by the
 * query the API reads the live read model with. A replay to a past moment and the live view at that
 * moment so come from the same code, and agree to the fen: status, paid and outstanding as they stood,
 * not as they stand now.
 */
import Database from 'better-sqlite3';
import { DEFAULT_TERMS_CATALOGUE, evolve, initialState, type CreditAccountState } from '@ledger/credit';
import type { StoredEventData } from '@ledger/event-store';
import { StatementsProjection } from '../projections/statements.projection';
import { getStatements, type StatementView } from '../queries/statements.queries';
import { decodeLedgerEvent } from './ledger-streams';
import type { Projection, ProjectionContext } from './projection';

/** `stored`: the account's events from its first, in stream order (a prefix of its stream). */
export function replayStatements(accountId: string, stored: readonly StoredEventData[]): StatementView[] {
  const db = new Database(':memory:');
  try {
    const projection: Projection = new StatementsProjection();
    for (const ddl of projection.ddl) db.exec(ddl);
    projection.prepare(db);
    let state: CreditAccountState = initialState(accountId);
    const context: ProjectionContext = { db, terms: DEFAULT_TERMS_CATALOGUE, accountState: () => state };
    db.transaction(() => {
      for (const e of stored) {
        const decoded = decodeLedgerEvent(e);
        if (decoded.kind !== 'account') continue;
        const before = state;
        state = evolve(state, decoded.event);
        projection.apply({ kind: 'account', accountId, event: decoded.event, before, after: state, stored: e }, context);
      }
      projection.flush?.(context);
    })();
    return getStatements(db, accountId);
  } finally {
    db.close();
  }
}
