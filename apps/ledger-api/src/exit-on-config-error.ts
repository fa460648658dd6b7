import { ConfigError } from '@ledger/servicing';

/** A wrong setting stops start-up with one line naming the variable and exit code 78 (EX_CONFIG). Used by the API and the projector. */
export function exitOnConfigError(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`configuration error: ${error.message}\n`);
    process.exit(78);
  }
  throw error;
}
