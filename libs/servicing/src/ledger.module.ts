/**
 * Wires the ledger: the event store chosen by configuration, snapshots, the business clock, the
 * repository, end of day and the command handlers. Apps import `LedgerModule.forRoot(config)`.
 */
import { type BeforeApplicationShutdown, type DynamicModule, Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigModule, registerAs } from '@nestjs/config';
import { CqrsModule } from '@nestjs/cqrs';
import { DEFAULT_TERMS_CATALOGUE, TermsCatalogue } from '@ledger/credit';
import { type CheckpointRun, EventStore, MemorySnapshotStore, SnapshotStore, SqliteEventStore, type SqliteEventStoreOptions } from '@ledger/event-store';
import { BusinessClock, ManualClock, SystemClock } from './clock/business-clock';
import { CloseBusinessDayHandler, ExecuteAccountCommandHandler, SubmitApplicationHandler } from './commands/account-command.handlers';
import { createLedgerEventStore, type LedgerConfig } from './config/ledger-config';
import { BusinessDayGate } from './end-of-day/business-day-gate';
import { EndOfDayScheduler } from './end-of-day/end-of-day.scheduler';
import { EndOfDaySchedule, EndOfDayService } from './end-of-day/end-of-day.service';
import { IdHashKeyGuard } from './identity/id-hash-key-guard';
import { PersonalDataProtector } from './identity/personal-data';
import { AccountRepository } from './repository/account-repository';

/** The validated configuration, injectable by class. */
export class LedgerSettings {
  constructor(readonly config: LedgerConfig) {}
}

/**
 * Callbacks the event store makes for metrics. The store is built before anything that counts, so it
 * is handed this holder and the app's instrumentation fills it in afterwards.
 */
export class EventStoreHooks {
  onGroupCommitted?: (appends: number) => void;
  onCheckpoint?: (run: CheckpointRun) => void;
  onCheckpointerError?: (error: Error) => void;
}

/**
 * What the app does at the end of a stop. Nest ends a stop by a signal by sending the signal again once
 * the shutdown hooks are done: the process then ends without an 'exit' event, which is where an
 * asynchronous logger writes out what it still holds, so the app gives a way to write it out first.
 */
export class ShutdownHooks {
  flushLogs?: () => Promise<void>;
}

@Injectable()
export class LedgerShutdown implements BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    private readonly store: EventStore,
    private readonly repository: AccountRepository,
    private readonly hooks: ShutdownHooks,
    private readonly clock: BusinessClock,
  ) {}

  private readonly logger = new Logger('Ledger');
  private stopAsked = 0;

  /**
   * A stop by a signal is logged as it begins (before the HTTP server stops taking requests and waits for
   * those in flight) and once the store is closed, so an operator can tell a clean stop from a crash.
   */
  beforeApplicationShutdown(signal?: string): void {
    this.stopAsked = Date.now();
    if (signal) this.logger.log(`${signal}: stopping: no new requests; finishing the requests and commands in flight, then closing the event store`);
  }

  /** Lets in-flight commands finish, then closes the store (subscriptions stop with it). */
  async onApplicationShutdown(signal?: string): Promise<void> {
    await this.repository.drain();
    if (this.clock instanceof ManualClock) this.clock.close();
    await this.store.close();
    if (signal) this.logger.log(`stopped cleanly in ${Date.now() - (this.stopAsked || Date.now())} ms: every command taken was answered, the event store is closed`);
    await this.hooks.flushLogs?.();
  }
}

@Module({})
export class LedgerModule {
  /**
   * `schedule` is the end-of-day schedule implementation (the projections adapter in the API); it is a
   * provider class so the module stays free of the read-model technology.
   */
  static forRoot(config: LedgerConfig, extra: { providers?: DynamicModule['providers']; exports?: DynamicModule['exports'] } = {}): DynamicModule {
    return {
      module: LedgerModule,
      global: true,
      // The same validated object through @nestjs/config, for code that reads `ConfigService.get('ledger')`;
      // the environment was read and checked once by loadConfig, so no .env file is read here.
      imports: [CqrsModule.forRoot(), ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [registerAs('ledger', () => config)] })],
      providers: [
        { provide: LedgerSettings, useValue: new LedgerSettings(config) },
        { provide: TermsCatalogue, useValue: DEFAULT_TERMS_CATALOGUE },
        { provide: EventStoreHooks, useValue: new EventStoreHooks() },
        { provide: ShutdownHooks, useValue: new ShutdownHooks() },
        { provide: PersonalDataProtector, useValue: new PersonalDataProtector(config.idHashKey) },
        { provide: IdHashKeyGuard, useFactory: (store: EventStore) => new IdHashKeyGuard(store, config.idHashKey), inject: [EventStore] },
        {
          provide: EventStore,
          useFactory: (hooks: EventStoreHooks) => {
            const options: SqliteEventStoreOptions = {
              onGroupCommitted: (appends) => hooks.onGroupCommitted?.(appends),
              onCheckpoint: (run) => hooks.onCheckpoint?.(run),
              onCheckpointerError: (error) => hooks.onCheckpointerError?.(error),
            };
            return createLedgerEventStore(config, options);
          },
          inject: [EventStoreHooks],
        },
        {
          provide: SnapshotStore,
          // Snapshots are a cache: beside the log in the sqlite file, or in memory for the other stores.
          useFactory: (store: EventStore) => (store instanceof SqliteEventStore ? store.snapshotStore() : new MemorySnapshotStore()),
          inject: [EventStore],
        },
        {
          provide: BusinessClock,
          useFactory: (store: EventStore) => (config.clock === 'manual' ? ManualClock.open(store, config.clockStart) : new SystemClock()),
          inject: [EventStore],
        },
        {
          provide: AccountRepository,
          useFactory: (store: EventStore, snapshots: SnapshotStore, terms: TermsCatalogue) =>
            new AccountRepository(store, snapshots, terms, { cacheSize: config.aggregateCacheSize, cacheBytes: config.aggregateCacheBytes }),
          inject: [EventStore, SnapshotStore, TermsCatalogue],
        },
        { provide: BusinessDayGate, useFactory: (store: EventStore) => new BusinessDayGate(store), inject: [EventStore] },
        {
          provide: EndOfDayService,
          useFactory: (store: EventStore, repository: AccountRepository, schedule: EndOfDaySchedule, clock: BusinessClock, gate: BusinessDayGate) =>
            new EndOfDayService(store, repository, schedule, clock, config.endOfDayConcurrency, gate),
          inject: [EventStore, AccountRepository, EndOfDaySchedule, BusinessClock, BusinessDayGate],
        },
        LedgerShutdown,
        EndOfDayScheduler,
        ExecuteAccountCommandHandler,
        SubmitApplicationHandler,
        CloseBusinessDayHandler,
        ...(extra.providers ?? []),
      ],
      exports: [LedgerSettings, EventStoreHooks, ShutdownHooks, TermsCatalogue, PersonalDataProtector, EventStore, SnapshotStore, BusinessClock, AccountRepository, EndOfDayService, CqrsModule, ...(extra.exports ?? [])],
    };
  }
}
