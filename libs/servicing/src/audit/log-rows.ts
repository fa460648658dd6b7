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
  /**
   * The `recorded_at` column (epoch milliseconds) on SQLite, which point-in-time reads compare: it must be
   * the metadata's `recordedAt`, which the anchors cover. Other stores keep the time in the metadata only.
   */
  recordedAtMs?: number;
  /**
   * Set, when read by a reader that takes them (`tolerateUnreadable`), for a row whose data or metadata is not
   * JSON: the column that is not, why, and both columns' text as stored (`data` and `metadata` are then
   * null and an empty object).
   */
  unreadable?: { column: 'data' | 'metadata'; reason: string; data: string; metadata: string };
}

interface RawRow {
  position: bigint;
  id: string;
  stream: string;
  revision: bigint;
  type: string;
  data: string;
  metadata: string;
  recorded_at: number;
}

/** A stored row whose data or metadata is not JSON, met by a reader that needs every row readable. */
export class UnreadableRowError extends Error {
  constructor(readonly position: bigint, column: string, reason: string) {
    super(`the event at position ${position} cannot be read: its ${column} is not JSON (${reason}); \`ledger verify\` names what else is wrong`);
    this.name = 'UnreadableRowError';
  }
}

const SELECT_ROW = 'SELECT position, id, stream, revision, type, data, metadata, recorded_at FROM events';

/**
 * Pages of the log after `after`, in position order, up to and including `upTo` when given. A row that is
 * not JSON throws `UnreadableRowError`, unless `tolerateUnreadable` (the verifier's), which yields it marked.
 */
export async function* readLog(store: EventStore, options: { after?: bigint; upTo?: bigint; pageSize?: number; tolerateUnreadable?: boolean } = {}): AsyncGenerator<LogRow[]> {
  const pageSize = options.pageSize ?? 2000;
  const toRow = rowReader(options.tolerateUnreadable ?? false);
  let after = options.after ?? 0n;
  const page =
    store instanceof SqliteEventStore
      ? (() => {
          const select = store.db.prepare(`${SELECT_ROW} WHERE position > ? ORDER BY position ${limitBy('?')}`);
          return async (from: bigint): Promise<LogRow[]> =>
            (select.all(from, pageSize) as RawRow[]).map(toRow);
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
 * is prepared once, for every stream it reads. `tolerateUnreadable` as for `readLog`.
 */
export function streamRowsReader(store: EventStore, { tolerateUnreadable = false }: { tolerateUnreadable?: boolean } = {}): (stream: string) => Promise<LogRow[]> {
  if (!(store instanceof SqliteEventStore)) return (stream) => store.readStream(stream);
  const select = store.db.prepare(`${SELECT_ROW} WHERE stream = ? ORDER BY position`);
  const toRow = rowReader(tolerateUnreadable);
  return async (stream) => (select.all(stream) as RawRow[]).map(toRow);
}

function rowReader(tolerateUnreadable: boolean): (r: RawRow) => LogRow {
  return (r) => {
    const row = { position: BigInt(r.position), id: r.id, stream: r.stream, revision: BigInt(r.revision), type: r.type, recordedAtMs: Number(r.recorded_at) };
    let column: 'data' | 'metadata' = 'data';
    try {
      const data: unknown = JSON.parse(r.data);
      column = 'metadata';
      return { ...row, data, metadata: JSON.parse(r.metadata) as EventMetadata };
    } catch (error) {
      const reason = (error as Error).message;
      if (!tolerateUnreadable) throw new UnreadableRowError(row.position, column, reason);
      return { ...row, data: null, metadata: {}, unreadable: { column, reason, data: r.data, metadata: r.metadata } };
    }
  };
}

/** A digest of one whole stored row: any change to any column changes it. */
export function rowDigest(row: LogRow, dataJson = canonicalJson(row.data)): string {
  // A row that is not JSON was not written so: any digest but the one anchored will do, and this one is its text.
  if (row.unreadable) return createHash('sha256').update(`unreadable\n${row.unreadable.data}\n${row.unreadable.metadata}`).digest('hex');
  // The canonical JSON of { data, id, metadata, position, revision, stream, type } (its keys in that,
  // sorted, order), written out so that a caller that has the data's canonical JSON does not make it twice.
  const text = `{"data":${dataJson},"id":${JSON.stringify(row.id)},"metadata":${canonicalJson(row.metadata)},"position":${JSON.stringify(row.position.toString())},"revision":${JSON.stringify(row.revision.toString())},"stream":${JSON.stringify(row.stream)},"type":${JSON.stringify(row.type)}}`;
  return createHash('sha256').update(text).digest('hex');
}
