/**
 * The ledger's files as the CLI opens them: the same configuration as the API (`loadConfig()`, so
 * LEDGER_SQLITE_PATH and LEDGER_READ_MODEL_PATH point both at the same files). Read-only commands open the
 * event store and, for verify, the read-model file read-only; nothing here starts a projection runner.
 */
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { EventStore } from '@ledger/event-store';
import type { Db } from '@ledger/projections';
import { createLedgerEventStore, type LedgerConfig } from '@ledger/servicing';
import { CliError } from './output';

export class LedgerFiles {
  constructor(readonly config: LedgerConfig) {}

  openStore(): Promise<EventStore> {
    if (this.config.store === 'sqlite' && !existsSync(this.config.sqlitePath)) {
      throw new CliError(`no ledger at ${this.config.sqlitePath} (set LEDGER_SQLITE_PATH)`);
    }
    return createLedgerEventStore(this.config);
  }

  /** The read models, read-only, or null when the file does not exist (the checks on them are skipped). */
  openReadModels(): Db | null {
    if (this.config.store === 'memory' || !existsSync(this.config.readModelPath)) return null;
    return new Database(this.config.readModelPath, { readonly: true, fileMustExist: true });
  }

  /** Runs `work` with the store open, closing it however `work` ends. */
  async withStore<T>(work: (store: EventStore) => Promise<T>): Promise<T> {
    const store = await this.openStore();
    try {
      return await work(store);
    } finally {
      await store.close();
    }
  }
}
