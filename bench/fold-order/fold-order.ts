/**
 * What folding each account's events together would buy a rebuild (bench/HISTORY.md, nineteenth round,
 * item 4): the projections' account-state fold alone, with the runner's default state cache and write
 * policy and no read model, over a copy of a kept fixture's event log, in log order (pages of 5,000
 * cut as the runner cuts a replay) and account by account (each account's stream read whole, 5,000
 * events a transaction). Prints events/s and the writes each order made (the final write of what is
 * left not counted). The figures went into bench/HISTORY.md (nineteenth round) by hand.
 *
 *   npm run bench:fold-order -- <fixture dir> [log|account ...]
 *
 * The fixture directory is one `npm run bench -- --fixtures DIR` kept (`DIR/<scenario>`), holding
 * `ledger.sqlite`. Each order runs in a fresh copy of it, one after the other.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore, type StoredEvent } from '@ledger/event-store';
import { ACCOUNT_STREAM_PREFIX, byDistinctAccounts, decodeLedgerEvent, replayBatchBounds, stateCacheBounds } from '@ledger/projections';
// The fold is the runner's own, not part of the library's interface.
import { ACCOUNT_STATE_TABLE, AccountStateFold, type FoldWrite } from '../../libs/projections/src/runner/account-state-fold';

type Order = 'log' | 'account';

/** Events per transaction, and per page read in log order: the runner's replay batch. */
const PAGE = 5_000;

async function foldInOrder(fixture: string, order: Order): Promise<{ events: number; seconds: number; writes: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'fold-order-'));
  try {
    cpSync(join(fixture, 'ledger.sqlite'), join(dir, 'ledger.sqlite'));
    const store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { synchronous: 'FULL' });
    const db = new Database(join(dir, 'read-models.sqlite'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    const bounds = stateCacheBounds({});
    const fold = new AccountStateFold(db, ACCOUNT_STATE_TABLE, bounds);
    let events = 0;
    let writes = 0;
    const apply = (batch: readonly StoredEvent[]) => {
      let written: FoldWrite = 'none';
      db.transaction(() => {
        for (const stored of batch) {
          const decoded = decodeLedgerEvent(stored);
          if (decoded.kind === 'account') fold.apply(decoded.accountId, decoded.event, stored.position);
        }
        if (fold.writeDue()) {
          fold.write(batch[batch.length - 1].position);
          written = 'whole';
          writes++;
        }
      })();
      fold.commit(written);
      events += batch.length;
    };
    const started = process.hrtime.bigint();
    if (order === 'account') {
      const log = new Database(join(dir, 'ledger.sqlite'), { readonly: true });
      const streams = log.prepare(`SELECT DISTINCT stream FROM events WHERE stream LIKE ? || '%'`).pluck().all(ACCOUNT_STREAM_PREFIX) as string[];
      log.close();
      let batch: StoredEvent[] = [];
      for (const stream of streams) {
        batch.push(...(await store.readStream(stream)));
        if (batch.length >= PAGE) {
          apply(batch);
          batch = [];
        }
      }
      if (batch.length > 0) apply(batch);
    } else {
      const batchBounds = replayBatchBounds(fold, bounds);
      for (let after = 0n; ; ) {
        const page = await store.readAll({ after, maxCount: PAGE });
        if (page.length === 0) break;
        for (const batch of byDistinctAccounts(page, batchBounds)) apply(batch);
        after = page[page.length - 1].position;
      }
    }
    db.transaction(() => fold.write(0n))();
    fold.commit('whole');
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    db.close();
    await store.close();
    return { events, seconds, writes };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const [fixture, ...orders] = process.argv.slice(2);
  if (!fixture) throw new Error('usage: npm run bench:fold-order -- <fixture dir> [log|account ...]');
  for (const order of (orders.length > 0 ? orders : ['log', 'account']) as Order[]) {
    if (order !== 'log' && order !== 'account') throw new Error(`not an order: ${order} (log or account)`);
    const { events, seconds, writes } = await foldInOrder(fixture, order);
    console.log(`${order} order: ${events.toLocaleString('en-US')} events in ${seconds.toFixed(1)} s, ${Math.round(events / seconds).toLocaleString('en-US')} events/s, ${writes} writes`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
