import { extname, join } from 'node:path';
import type { Worker, WorkerOptions } from 'node:worker_threads';

const ROOT = join(__dirname, '..', '..', '..');
const TSCONFIG = join(ROOT, 'tsconfig.json');
/** The source loader (scripts/register.js: swc, without the TypeScript compiler each isolate took with ts-node). */
const REGISTER = join(ROOT, 'scripts', 'register.js');
/** tsconfig-paths from the checkout, whatever the process's working directory (`npm run ledger` runs in the caller's). */
const PATHS_REGISTER = require.resolve('tsconfig-paths/register', { paths: [ROOT] });

/** The node options that run a .ts entry from source: the source loader, then the path aliases. */
export const SOURCE_PRELOAD: readonly string[] = ['-r', REGISTER, '-r', PATHS_REGISTER];

/**
 * The options a worker thread needs to run `script`. Run from source (`npm start`, the tests), the script
 * is a .ts file and needs the source loader in the thread's own isolate; built (`dist`), it inherits the
 * process's options (`-r tsconfig-paths/register`).
 */
export function workerSourceOptions(script: string): Pick<WorkerOptions, 'execArgv' | 'env'> {
  if (extname(script) !== '.ts') return {};
  return {
    execArgv: [...SOURCE_PRELOAD],
    env: { ...process.env, TS_NODE_PROJECT: TSCONFIG },
  };
}

/**
 * Sends a thread its close command and waits for it to exit, keeping the process alive meanwhile (the
 * sqlite threads are unreferenced while idle). Nothing to do without a thread.
 */
export async function closeWorker(worker: Worker | undefined, command: { type: 'close' }): Promise<void> {
  if (!worker) return;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.ref();
  worker.postMessage(command);
  await exited;
}

/**
 * What a thread throws out of itself, as an error whose message reaches the main thread's 'error' event.
 * Node's copy of a thrown better-sqlite3 `SqliteError` across threads keeps its `code` and loses its
 * message, so a thread that could not open its file was reported as "exit code 1" with the cause nowhere.
 */
export function crossThreadError(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  const code = (error as { code?: unknown }).code;
  const copy = new Error(typeof code === 'string' && !error.message.startsWith(code) ? `${code}: ${error.message}` : error.message);
  copy.name = error.name;
  return copy;
}

/** Why a thread stopped, for the main thread's message: its error's message, else its exit code. */
export function threadStopReason(failure: Error | undefined, exitCode: number): string {
  return failure?.message || (failure as { code?: unknown } | undefined)?.code?.toString() || `exit code ${exitCode}`;
}

/** Runs `action` in a thread, rethrowing what it throws as `crossThreadError` does. */
export function throwingAcrossThreads<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    throw crossThreadError(error);
  }
}
