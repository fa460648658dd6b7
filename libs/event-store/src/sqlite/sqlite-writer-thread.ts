/**
 * The sqlite writer thread (`SqliteEventStore` with `writer: 'thread'`): the only connection of the
 * process that writes the event log. It commits each group the main thread sends and answers with the
 * outcomes, so the inserts, the fsync and the WAL's checkpoints run on another core while the main
 * thread goes on deciding commands. The main thread keeps its own connection for reads.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { throwingAcrossThreads } from '../worker-source';
import { openLedgerDatabase, type SqliteConnectionOptions, type SqliteSynchronous } from './sqlite-schema';
import { type SerializedError, serializeError, SqliteWriter, type WriteRequest, type WriteResult } from './sqlite-writer';

export interface WriterThreadData {
  path: string;
  connection: SqliteConnectionOptions;
}

/** Messages from the main thread. */
export type WriterCommand =
  | { type: 'commit'; id: number; requests: WriteRequest[] }
  | { type: 'synchronous'; id: number; mode: SqliteSynchronous }
  | { type: 'close' };

export type SerializedOutcome = { ok: true; value: WriteResult } | { ok: false; error: SerializedError };

/** Messages to the main thread: one answer per command with an id, `closed` after `close`. */
export type WriterReply =
  | { type: 'committed'; id: number; outcomes: SerializedOutcome[] }
  | { type: 'done'; id: number }
  | { type: 'failed'; id: number; error: SerializedError }
  | { type: 'closed' };

function run(port: NonNullable<typeof parentPort>, data: WriterThreadData): void {
  // Opening throws out of the thread (an 'error' event on the main side) if the file cannot be opened.
  const db = throwingAcrossThreads(() => openLedgerDatabase(data.path, data.connection));
  const writer = new SqliteWriter(db);
  const send = (reply: WriterReply) => port.postMessage(reply);
  port.on('message', (command: WriterCommand) => {
    switch (command.type) {
      case 'commit':
        try {
          const outcomes = writer.commit(command.requests);
          send({
            type: 'committed',
            id: command.id,
            outcomes: outcomes.map((outcome) => (outcome.ok ? outcome : { ok: false, error: serializeError(outcome.error) })),
          });
        } catch (error) {
          send({ type: 'failed', id: command.id, error: serializeError(error) });
        }
        break;
      case 'synchronous':
        try {
          db.pragma(`synchronous = ${command.mode}`);
          send({ type: 'done', id: command.id });
        } catch (error) {
          send({ type: 'failed', id: command.id, error: serializeError(error) });
        }
        break;
      case 'close':
        db.close();
        send({ type: 'closed' });
        port.close();
        break;
    }
  });
}

if (!isMainThread && parentPort && (workerData as { sqliteWriter?: WriterThreadData } | null)?.sqliteWriter) {
  run(parentPort, (workerData as { sqliteWriter: WriterThreadData }).sqliteWriter);
}
