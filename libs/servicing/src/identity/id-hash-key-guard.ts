/**
 * The ID hash key is part of the ledger's identity: account ids are keyed hashes of ID numbers, so a
 * ledger started with another key (a restore with the wrong secret, a typo in a rotation) would give a
 * returning applicant a second account, and a second credit line, with nothing to show for it. So the
 * log records a fingerprint of the key (an HMAC of a fixed label under it, which tells nothing of the
 * key) with the ledger's first application, and a process whose key gives another fingerprint refuses
 * to start (exit 78 naming LEDGER_ID_HASH_KEY) and refuses applications.
 */
import { createHmac } from 'node:crypto';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { v5 as uuidv5 } from 'uuid';
import { ConcurrencyError, EventStore, StoreUnavailableError } from '@ledger/event-store';
import { ConfigError } from '../config/ledger-config';

export const ID_HASH_KEY_STREAM = 'ledger-id-hash-key';
const NAMESPACE = '6f1d2b9e-8a41-4c3f-9e57-2d0b7c4a1e63';

/** The fingerprint of a key as the log records it. */
export function idHashKeyFingerprint(key: string): string {
  return `hmac-sha256:${createHmac('sha256', key).update('ledger id hash key fingerprint').digest('hex')}`;
}

/** The key this process was given is not the one the ledger's account ids were made with. */
export class IdHashKeyMismatchError extends ConfigError {
  constructor(recorded: string, given: string) {
    super(
      'LEDGER_ID_HASH_KEY',
      `is not the key this ledger's account ids were made with (the log records the key's fingerprint ${recorded.slice(0, 24)}…, this key's is ${given.slice(0, 24)}…): a returning applicant would get a second account. Start with the ledger's own key`,
    );
  }
}

/** Provided by `LedgerModule` (a factory, with the configured key); its start-up check runs as the app boots. */
export class IdHashKeyGuard implements OnApplicationBootstrap {
  private readonly fingerprint: string;
  /** Resolves once the log's fingerprint was found to be this key's (or recorded); a failed look is tried again. */
  private checked: Promise<void> | null = null;

  constructor(
    private readonly store: EventStore,
    key: string,
  ) {
    this.fingerprint = idHashKeyFingerprint(key);
  }

  /** At start: a key that is not the ledger's stops it (a store that does not answer yet is looked at again at the first application). */
  async onApplicationBootstrap(): Promise<void> {
    try {
      const recorded = await this.recorded();
      if (recorded !== null && recorded !== this.fingerprint) throw new IdHashKeyMismatchError(recorded, this.fingerprint);
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
    }
  }

  /** Before an application is hashed: the key must be the ledger's; the ledger's first application records it. */
  assertKey(businessDate: string, actor: string): Promise<void> {
    this.checked ??= this.check(businessDate, actor).catch((error: unknown) => {
      if (!(error instanceof IdHashKeyMismatchError)) this.checked = null;
      throw error;
    });
    return this.checked;
  }

  private async recorded(): Promise<string | null> {
    const [first] = await this.store.readStream(ID_HASH_KEY_STREAM, { maxCount: 1 });
    return first ? String((first.data as { fingerprint: unknown }).fingerprint) : null;
  }

  private async check(businessDate: string, actor: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const recorded = await this.recorded();
      if (recorded !== null) {
        if (recorded !== this.fingerprint) throw new IdHashKeyMismatchError(recorded, this.fingerprint);
        return;
      }
      try {
        await this.store.append(ID_HASH_KEY_STREAM, 'no_stream', [
          {
            id: uuidv5(this.fingerprint, NAMESPACE),
            type: 'IdHashKeyFingerprinted',
            schemaVersion: 1,
            data: { fingerprint: this.fingerprint },
            // Dated the first application's business day, which the log's first event names (the first close).
            metadata: { actor, businessDate },
          },
        ]);
        return;
      } catch (error) {
        // Another process recorded one at the same moment: read it and compare.
        if (!(error instanceof ConcurrencyError) || attempt >= 3) throw error;
      }
    }
  }
}
