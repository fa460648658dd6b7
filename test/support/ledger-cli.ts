/**
 * The `ledger` CLI run as an operator runs it: a real process (`apps/ledger-cli/bin/ledger.js`) on the
 * ledger in `dir` (its `ledger.sqlite`, the read models beside it), with a manual clock.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const CLI = join(__dirname, '..', '..', 'apps', 'ledger-cli', 'bin', 'ledger.js');

export interface LedgerRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `ledger <args>` on the ledger in `dir`; `env` adds to (or overrides) the variables it is given. */
export function runLedger(dir: string, args: readonly string[], env: Record<string, string> = {}): Promise<LedgerRun> {
  const environment = {
    ...process.env,
    LEDGER_SQLITE_PATH: join(dir, 'ledger.sqlite'),
    LEDGER_SQLITE_SYNCHRONOUS: 'NORMAL',
    LEDGER_CLOCK: 'manual',
    LEDGER_CLOCK_START: '2026-01-05T09:00:00+08:00',
    ...env,
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: environment, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
