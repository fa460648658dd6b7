/**
 * The global log exactly as stored. Hashes (chains and anchors) are over what was written, so the audit
 * reads the sqlite rows itself rather than through `readAll`, which would apply upcasters and hash a
 * payload the writer never saw. Other stores are read through the port, upcasters applied (the ledger
 * registers none today, so that is what was written).
 */
import { createHash } from 'node:crypto';
import { type EventMetadata, EventStore, limitBy, SqliteEventStore } from '@ledger/event-store';
import { canonicalJson } from './canonical-json';

export interface LogRow {
  position: bigint;
  id: string;
  stream: string;
  revision: bigint;
  type: string;
  data: unknown;
  metadata: EventMetadata;
}

interface RawRow {
  position: bigint;
  id: string;
  stream: string;
  revision: bigint;
  type: string;
  data: string;
  metadata: string;
}

/** Pages of the log after `after`, in position order, up to and including `upTo` when given. */
export async function* readLog(store: EventStore, options: { after?: bigint; upTo?: bigint; pageSize?: number } = {}): AsyncGenerator<LogRow[]> {
  const pageSize = options.pageSize ?? 2000;
  let after = options.after ?? 0n;
  const page =
    store instanceof SqliteEventStore
      ? (() => {
          const select = store.db.prepare(`SELECT position, id, stream, revision, type, data, metadata FROM events WHERE position > ? ORDER BY position ${limitBy('?')}`);
          return async (from: bigint): Promise<LogRow[]> =>
            (select.all(from, pageSize) as RawRow[]).map(toLogRow);
        })()
      : async (from: bigint): Promise<LogRow[]> => store.readAll({ after: from, maxCount: pageSize });
  for (;;) {
    let rows = await page(after);
    if (options.upTo !== undefined) rows = rows.filter((r) => r.position <= options.upTo!);
    if (rows.length === 0) return;
    yield rows;
    after = rows[rows.length - 1].position;
    if (options.upTo !== undefined && after >= options.upTo) return;
  }
}

/**
 * A reader of one stream's events at a time, as `readLog` reads the log, in the log's order (a revision
 * edited in the file does not reorder them: positions are what the anchors hold). On SQLite its query
 * is prepared once, for every stream it reads.
 */
export function streamRowsReader(store: EventStore): (stream: string) => Promise<LogRow[]> {
  if (!(store instanceof SqliteEventStore)) return (stream) => store.readStream(stream);
  const select = store.db.prepare('SELECT position, id, stream, revision, type, data, metadata FROM events WHERE stream = ? ORDER BY position');
  return async (stream) => (select.all(stream) as RawRow[]).map(toLogRow);
}

function toLogRow(r: RawRow): LogRow {
  return { ...r, position: BigInt(r.position), revision: BigInt(r.revision), data: JSON.parse(r.data), metadata: JSON.parse(r.metadata) };
}

/** A digest of one whole stored row: any change to any column changes it. */
export function rowDigest(row: LogRow, dataJson = canonicalJson(row.data)): string {
  // The canonical JSON of { data, id, metadata, position, revision, stream, type } (its keys in that,
  // sorted, order), written out so that a caller that has the data's canonical JSON does not make it twice.
  const text = `{"data":${dataJson},"id":${JSON.stringify(row.id)},"metadata":${canonicalJson(row.metadata)},"position":${JSON.stringify(row.position.toString())},"revision":${JSON.stringify(row.revision.toString())},"stream":${JSON.stringify(row.stream)},"type":${JSON.stringify(row.type)}}`;
  return createHash('sha256').update(text).digest('hex');
}
