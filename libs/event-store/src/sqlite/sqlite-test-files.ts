import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh folder for one test's database files, and how to remove it. */
export function temporaryDatabasePath(): { path: string; remove(): void } {
  const folder = mkdtempSync(join(tmpdir(), 'ledger-sqlite-'));
  return {
    path: join(folder, 'nested', 'ledger.sqlite'),
    remove: () => rmSync(folder, { recursive: true, force: true }),
  };
}
