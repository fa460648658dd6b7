/**
 * Logs, metrics and health for the API. `AppModule` imports `ObservabilityModule.forRoot(config)`;
 * the tests pass a destination to read the log lines, or `silent` to keep their output clean.
 */
import { type DynamicModule, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { type LedgerConfig, LedgerSettings } from '@ledger/servicing';
import { ReadModels } from '../read-side/read-models';
import { CommandInstrumentation, LedgerLogger, LogFlushing } from './command-instrumentation';
import { LedgerHealth } from './ledger-health';
import { LedgerMetrics } from './ledger-metrics';
import { createLedgerLogger } from './logging';
import { MetricsController } from './metrics.controller';
import { InFlightLimit } from '../http/in-flight-limit';
import { Stopping } from './stopping';
import { LedgerFileDamage } from '../http/errors';

export interface ObservabilityOptions {
  /** Where log lines go; standard output when absent. */
  logDestination?: DestinationStream;
  /** No log lines at all, whatever LOG_LEVEL says. */
  silent?: boolean;
}

/** Projection lag, and how busy the main thread and the projections worker are, read when Prometheus scrapes. */
@Injectable()
class ProjectionInstrumentation implements OnModuleInit {
  constructor(
    private readonly metrics: LedgerMetrics,
    private readonly readModels: ReadModels,
    private readonly settings: LedgerSettings,
  ) {}

  onModuleInit(): void {
    const worker = this.readModels.worker;
    this.metrics.watchProjections(this.readModels.runner, this.settings.config.projections, worker);
    this.metrics.watchEventLoops(worker ? { projections: () => worker.activeSeconds() } : {});
    if (worker) this.metrics.watchWorkerHeap(() => worker.heap);
  }
}

@Module({})
export class ObservabilityModule {
  static forRoot(config: LedgerConfig, options: ObservabilityOptions = {}): DynamicModule {
    const logger = createLedgerLogger(options.silent ? 'silent' : config.logLevel, options.logDestination);
    return {
      module: ObservabilityModule,
      imports: [
        // nestjs-pino only as Nest's logger: no middleware of its own (see request-hooks.ts).
        LoggerModule.forRoot({ pinoHttp: { logger }, useExisting: true, forRoutes: [] }),
        TerminusModule.forRoot({ logger: false }),
      ],
      providers: [
        { provide: LedgerMetrics, useValue: new LedgerMetrics() },
        { provide: LedgerLogger, useValue: new LedgerLogger(logger) },
        { provide: InFlightLimit, useValue: new InFlightLimit(config.maxRequestsInFlight) },
        CommandInstrumentation,
        LogFlushing,
        ProjectionInstrumentation,
        LedgerHealth,
        Stopping,
        { provide: LedgerFileDamage, useValue: new LedgerFileDamage() },
      ],
      controllers: [MetricsController],
      exports: [LedgerMetrics, LedgerLogger, LedgerHealth, Stopping, LedgerFileDamage, TerminusModule],
    };
  }
}
