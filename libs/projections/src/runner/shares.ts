/**
 * A rebuild split by account: each share of the accounts replayed into a read-model file of its own
 * (`ProjectionRunner.replayShare`, in processes of their own), then put together here. What a table
 * holds decides how (`ByAccountReplay.shares`): each account's own rows are copied, tables of sums are
 * added up, and tables written from the closed days alone are the same in every share.
 */
import { Dec, Money } from '@ledger/credit';
import { ACCOUNT_STATE_TABLE } from './account-state-fold';
import type { Db, Projection, SummedTable } from './projection';

/** The most share files one merge attaches at once (SQLite attaches at most ten databases by default). */
export const MAX_SHARES = 8;

/** The fold's tables, each account's own rows (a share leaves its tail table empty). */
const FOLD_TABLES = [ACCOUNT_STATE_TABLE, `${ACCOUNT_STATE_TABLE}_tail`, `${ACCOUNT_STATE_TABLE}_shard`];

/**
 * Merges the shares in `sources` (files) into `target`, the first share's read-model file, in one
 * transaction: afterwards `target` holds the read models of every account, as a rebuild in one process
 * would have left them. Every share must have been replayed to the same position with the same
 * projections and fold (their checkpoints are compared, and a share whose replay did not end is
 * refused); a row of an account's own found in two shares fails the merge and changes nothing.
 */
export function mergeShares(target: Db, sources: readonly string[], projections: readonly Projection[]): void {
  if (sources.length + 1 > MAX_SHARES) throw new Error(`at most ${MAX_SHARES} shares, got ${sources.length + 1}`);
  const expected = checkpointsOf(target, 'main');
  const attached: string[] = [];
  try {
    for (const [i, source] of sources.entries()) {
      const schema = `share${i + 1}`;
      target.prepare('ATTACH DATABASE ? AS ' + schema).run(source);
      attached.push(schema);
      const found = checkpointsOf(target, schema);
      if (found !== expected) throw new Error(`share ${source} was not replayed to where the first share was: ${found} against ${expected}`);
    }
    target.transaction(() => {
      for (const schema of attached) {
        for (const table of FOLD_TABLES) copyRows(target, schema, table);
        for (const p of projections) {
          const whole = new Set(p.byAccount?.shares?.whole ?? []);
          const sums = new Map((p.byAccount?.shares?.sums ?? []).map((s) => [s.table, s]));
          for (const table of p.tables) {
            if (whole.has(table)) continue;
            const summed = sums.get(table);
            if (summed) addSums(target, schema, summed);
            else copyRows(target, schema, table);
          }
        }
      }
    })();
  } finally {
    for (const schema of attached) target.exec(`DETACH DATABASE ${schema}`);
  }
}

/** A share's checkpoints as one text to compare, refusing a share with a replay still in progress. */
function checkpointsOf(db: Db, schema: string): string {
  const replays = db.prepare(`SELECT count(*) FROM ${schema}.projection_replays`).pluck().get() as number | bigint;
  if (Number(replays) !== 0) throw new Error(`a share (${schema}) whose replay did not end cannot be merged`);
  return checkpointsText(db, schema);
}

/** The read models' checkpoints (in `schema`, the file itself by default) as one text: equal texts, the same checkpoints. */
export function checkpointsText(db: Db, schema = 'main'): string {
  const rows = db.prepare(`SELECT name, version, position FROM ${schema}.projection_checkpoints ORDER BY name`).raw(true).all();
  return JSON.stringify(rows, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
}

function copyRows(db: Db, schema: string, table: string): void {
  db.exec(`INSERT INTO main.${table} SELECT * FROM ${schema}.${table}`);
}

/** Adds a share's figures to the target's, row by row; a row whose figures come to zero is removed. */
function addSums(db: Db, schema: string, t: SummedTable): void {
  const columns = [...t.keys, ...t.counts, ...t.amounts];
  const keyed = t.keys.map((k) => `${k} = ?`).join(' AND ');
  const select = db.prepare(`SELECT ${[...t.counts, ...t.amounts].join(', ')} FROM main.${t.table} WHERE ${keyed}`).raw(true);
  const upsert = db.prepare(`INSERT OR REPLACE INTO main.${t.table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
  const remove = db.prepare(`DELETE FROM main.${t.table} WHERE ${keyed}`);
  // All read first (a few hundred rows: figures by section, deltas by day): better-sqlite3 writes nothing while a read iterates.
  for (const row of db.prepare(`SELECT ${columns.join(', ')} FROM ${schema}.${t.table}`).raw(true).all() as unknown[][]) {
    const keys = row.slice(0, t.keys.length);
    const figures = row.slice(t.keys.length);
    const stored = select.get(...keys) as unknown[] | undefined;
    const counts = t.counts.map((_, i) => Number(figures[i]) + Number(stored?.[i] ?? 0));
    const amounts = t.amounts.map((_, i) => {
      const at = t.counts.length + i;
      const amount = Money.exact(new Dec(String(figures[at])));
      return stored === undefined ? amount : amount.plus(Money.exact(new Dec(String(stored[at]))));
    });
    if (counts.every((c) => c === 0) && amounts.every((a) => a.isZero())) remove.run(...keys);
    else upsert.run(...keys, ...counts, ...amounts.map((a) => a.toExactString()));
  }
}
