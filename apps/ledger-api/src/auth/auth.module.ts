import { type DynamicModule, Injectable, Logger, Module, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import type { LedgerConfig } from '@ledger/servicing';
import { AccessGuard } from './access.guard';
import { AccessSettings } from './access-policy';
import { ApiKeyRing, loadApiKeys, type Role } from './api-keys';
import { RateLimitStorage } from './rate-limit-storage';

const RATE_WINDOW_MS = 60_000;

/** The keys generated for a demo run (none when keys are configured). */
export class DemoKeys {
  constructor(readonly keys: Record<Role, string> | null) {}
}

/** Prints the generated keys once, so a developer running the demo can call the API and open the dashboard. */
@Injectable()
class DemoKeysAnnouncer implements OnApplicationBootstrap {
  constructor(private readonly demo: DemoKeys) {}

  onApplicationBootstrap(): void {
    if (!this.demo.keys) return;
    const logger = new Logger('ApiKeys');
    logger.warn(
      'no API keys configured: demo keys generated for this run only (set LEDGER_API_KEYS for real use)',
    );
    for (const [role, key] of Object.entries(this.demo.keys)) logger.warn(`demo ${role} key: ${key}`);
  }
}

@Module({})
export class AuthModule {
  /** Throws a ConfigError when keys are malformed, or missing in production, so the app never starts open. */
  static forRoot(config: LedgerConfig): DynamicModule {
    const { ring, demoKeys } = loadApiKeys(config);
    return {
      module: AuthModule,
      imports: [
        ThrottlerModule.forRoot({ throttlers: [{ ttl: RATE_WINDOW_MS, limit: config.rateLimitPerMinute }], storage: new RateLimitStorage() }),
      ],
      providers: [
        { provide: ApiKeyRing, useValue: ring },
        { provide: AccessSettings, useValue: new AccessSettings(config.metricsAccess === 'key') },
        { provide: DemoKeys, useValue: new DemoKeys(demoKeys) },
        DemoKeysAnnouncer,
        { provide: APP_GUARD, useClass: AccessGuard },
      ],
    };
  }
}
