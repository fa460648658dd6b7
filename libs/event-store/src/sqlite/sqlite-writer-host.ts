import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { StoreUnavailableError } from '../event-store.port';
import { closeWorker, threadStopReason, workerSourceOptions } from '../worker-source';
import type { Outcome } from './group-commit';
import type { SqliteConnectionOptions, SqliteSynchronous } from './sqlite-schema';
import type { WriterCommand, WriterReply, WriterThreadData } from './sqlite-writer-thread';
import { deserializeError, type WriteRequest, type WriteResult } from './sqlite-writer';

const SCRIPT = join(__dirname, `sqlite-writer-thread${extname(__filename)}`);

interface Call {
  resolve(reply: WriterReply): void;
  reject(error: Error): void;
}

/**
 * The main thread's side of the writer thread. The thread starts with the first write (a process that
 * only reads never starts one), is referenced only while a write is outstanding (an idle store does not
 * keep the process alive), and is started again by the next write if it dies.
 *
 * A thread that dies with a commit outstanding leaves that commit's outcome unknown: it may have
 * committed just before. The commit's callers get `StoreUnavailableError`; an append retried with the same
 * event ids is then either stored once or recognised as the retry it is (`EventStore.append`).
 */
export class SqliteWriterHost {
  private worker: Worker | undefined;
  private readonly calls = new Map<number, Call>();
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly path: string,
    private readonly connection: SqliteConnectionOptions,
  ) {}

  async commit(requests: WriteRequest[]): Promise<Outcome<WriteResult>[]> {
    const reply = await this.call((id) => ({ type: 'commit', id, requests }));
    if (reply.type !== 'committed') throw new Error(`the sqlite writer thread answered a commit with ${reply.type}`);
    return reply.outcomes.map((outcome) => (outcome.ok ? outcome : { ok: false, error: deserializeError(outcome.error) }));
  }

  /** Sets the writing connection's `synchronous` mode, and that of any thread started after. */
  async setSynchronous(mode: SqliteSynchronous): Promise<void> {
    this.connection.synchronous = mode;
    if (this.worker) await this.call((id) => ({ type: 'synchronous', id, mode }));
  }

  /** Closes the thread's connection and ends the thread; call once nothing is outstanding. */
  async close(): Promise<void> {
    this.closed = true;
    await closeWorker(this.worker, { type: 'close' } satisfies WriterCommand);
  }

  private call(command: (id: number) => WriterCommand): Promise<WriterReply> {
    if (this.closed) return Promise.reject(new StoreUnavailableError(`the sqlite event store ${this.path} is closed`));
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise<WriterReply>((resolve, reject) => {
      try {
        worker.postMessage(command(id));
      } catch (error) {
        // A request the thread cannot be sent (not cloneable) is refused here, and holds nothing open.
        reject(error as Error);
        return;
      }
      this.calls.set(id, { resolve, reject });
      worker.ref();
    });
  }

  private start(): Worker {
    const data: WriterThreadData = { path: this.path, connection: { ...this.connection } };
    const worker = new Worker(SCRIPT, { workerData: { sqliteWriter: data }, ...workerSourceOptions(SCRIPT) });
    this.worker = worker;
    worker.on('message', (reply: WriterReply) => {
      if (reply.type === 'closed') return;
      const call = this.calls.get(reply.id);
      if (!call) return;
      this.calls.delete(reply.id);
      if (this.calls.size === 0) worker.unref();
      if (reply.type === 'failed') call.reject(deserializeError(reply.error));
      else call.resolve(reply);
    });
    let failure: Error | undefined;
    worker.on('error', (error) => (failure = error));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      const reason = threadStopReason(failure, code);
      for (const call of this.calls.values()) {
        call.reject(new StoreUnavailableError(`the sqlite writer thread stopped (${reason}); the outcome of its last commit is unknown`, failure));
      }
      this.calls.clear();
    });
    return worker;
  }
}
