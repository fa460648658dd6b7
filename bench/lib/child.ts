/**
 * Phases run in child processes so that each one's memory and CPU profile are its own. A child receives
 * its parameters as JSON in argv, reports with `report(result)`, and the parent reads the last message.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { SOURCE_PRELOAD } from '@ledger/event-store/worker-source';

const ROOT = join(__dirname, '..', '..');

export function forkPhase(phase: string, params: unknown, nodeArgs: string[] = []): ChildProcess {
  return fork(join(ROOT, 'bench', 'phases', `${phase}.ts`), [JSON.stringify(params)], {
    cwd: ROOT,
    // BENCH_CPU_PROF=<dir>: each phase writes a V8 CPU profile there (Node refuses --cpu-prof in NODE_OPTIONS).
    execArgv: [...nodeArgs, ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []), ...SOURCE_PRELOAD],
    env: { ...process.env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Runs a phase to its end and returns its result. */
export function runPhase<R>(phase: string, params: unknown, nodeArgs: string[] = []): Promise<R> {
  const child = forkPhase(phase, params, nodeArgs);
  return new Promise<R>((resolve, reject) => {
    let result: R | undefined;
    child.on('message', (message: { type: string; value: unknown }) => {
      if (message.type === 'result') result = message.value as R;
    });
    child.on('exit', (code) => {
      if (code === 0 && result !== undefined) resolve(result);
      else reject(new Error(`bench phase ${phase} exited with ${code}`));
    });
  });
}

export function phaseParams<P>(): P {
  return JSON.parse(process.argv[2] ?? '{}') as P;
}

export function report(value: unknown): void {
  process.send?.({ type: 'result', value });
}

export function progress(text: string): void {
  process.stderr.write(`  ${text}\n`);
}

/** Runs a phase's main function, reporting its result and exiting (open handles must not keep it alive). */
export function main(run: () => Promise<unknown>): void {
  run().then(
    (value) => {
      report(value);
      process.disconnect?.();
      setTimeout(() => process.exit(0), 50);
    },
    (error) => {
      process.stderr.write(`${(error as Error).stack ?? error}\n`);
      process.exit(1);
    },
  );
}
