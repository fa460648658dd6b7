import { extname, join } from 'node:path';
import type { Worker, WorkerOptions } from 'node:worker_threads';

const TSCONFIG = join(__dirname, '..', '..', '..', 'tsconfig.json');

/**
 * The options a worker thread needs to run `script`. Run from source (`npm start`, the tests), the script
 * is a .ts file and needs ts-node in the thread's own isolate; built (`dist`), it inherits the process's
 * options (`-r tsconfig-paths/register`).
 */
export function workerSourceOptions(script: string): Pick<WorkerOptions, 'execArgv' | 'env'> {
  if (extname(script) !== '.ts') return {};
  return {
    execArgv: ['-r', 'ts-node/register', '-r', 'tsconfig-paths/register'],
    env: { ...process.env, TS_NODE_PROJECT: TSCONFIG, TS_NODE_TRANSPILE_ONLY: 'true' },
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
