import { Controller, Get, HttpStatus, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { type HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { BusinessClock, LedgerSettings } from '@ledger/servicing';
import { LedgerHealth } from '../observability/ledger-health';
import { LedgerLogger } from '../observability/command-instrumentation';
import { HealthCheckSchema, HealthSummarySchema } from '../http/health-schemas';
import { probeText } from '../observability/probe-text';

/**
 * Liveness says the process should be left running; readiness says it should get traffic. They differ
 * on purpose: a store outage or a projection rebuild makes the instance unready but not dead, because
 * restarting it would not help and would throw away a rebuild in progress.
 */
@ApiTags('operations')
@Controller('health')
export class HealthController {
  private ready: boolean | undefined;

  constructor(
    private readonly health: HealthCheckService,
    private readonly ledger: LedgerHealth,
    private readonly clock: BusinessClock,
    private readonly settings: LedgerSettings,
    private readonly logger: LedgerLogger,
  ) {}

  @Get('live')
  @ApiOkResponse({ type: HealthCheckSchema, description: 'The process answers: details.process.uptimeSeconds' })
  @ApiOperation({ summary: 'Liveness: the process answers (restart it if not)' })
  live(): Promise<HealthCheckResult> {
    return this.health.check([() => this.ledger.liveIndicator()]);
  }

  @Get('ready')
  @ApiOkResponse({ type: HealthCheckSchema, description: 'Ready: the store answers and the read models are live and close to the head' })
  @ApiServiceUnavailableResponse({ type: HealthCheckSchema, description: 'Not ready: status error, and the indicator that is down in error (the projections rebuilding, failed or behind; the store unreachable)' })
  @ApiOperation({ summary: 'Readiness: the store answers and the read models are live and close to the head (503 otherwise)' })
  async readiness(@Res({ passthrough: true }) res: FastifyReply): Promise<HealthCheckResult> {
    let result: HealthCheckResult;
    try {
      const store = this.ledger.probeStore();
      result = await this.health.check([() => this.ledger.storeIndicator(store), () => this.ledger.projectionsIndicator(store), () => this.ledger.filesIndicator(), () => this.ledger.stoppingIndicator()]);
    } catch (error) {
      // Terminus reports a failed check as a 503 exception; answer with its body, not the generic error format.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      result = error.getResponse() as HealthCheckResult;
      res.status(HttpStatus.SERVICE_UNAVAILABLE);
    }
    this.logTransition(result);
    return withoutWhereabouts(result);
  }

  @Get()
  @ApiOkResponse({ type: HealthSummarySchema, description: 'Ready' })
  @ApiServiceUnavailableResponse({ type: HealthSummarySchema, description: 'Not ready: status degraded' })
  @ApiOperation({ summary: 'Store reachability, projection lag per projection, the business clock (503 when not ready)' })
  async summary(@Res({ passthrough: true }) res: FastifyReply) {
    const store = await this.ledger.probeStore();
    const projections = await this.ledger.probeProjections(store);
    const stopping = this.ledger.stopState();
    const damaged = this.ledger.damagedFiles();
    const ok = store.reachable && projections.ok && !stopping && damaged === undefined;
    res.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return {
      status: ok ? 'ok' : 'degraded',
      stopping: stopping ?? null,
      damagedFiles: damaged ?? null,
      store: { kind: this.settings.config.store, reachable: store.reachable, head: store.head?.toString() ?? null, error: probeText(store.error) },
      projections: {
        state: projections.state,
        running: projections.running,
        error: probeText(projections.error),
        lag: projections.lag.map((l) => ({ projection: l.projection, position: l.position.toString(), lag: l.lag.toString() })),
      },
      clock: { mode: this.clock.mode, now: this.clock.now(), businessDate: this.clock.businessDate() },
    };
  }

  /** Probes come every few seconds: log when readiness changes, not on every probe. */
  private logTransition(result: HealthCheckResult): void {
    const ready = result.status === 'ok';
    if (ready === this.ready) return;
    if (ready) this.logger.pino.info({ health: result.details }, 'ready');
    else this.logger.pino.warn({ health: result.details }, 'not ready');
    this.ready = ready;
  }
}

/** A readiness result as the open probe answers it: each indicator's error without hosts, addresses or paths (`probeText`). */
function withoutWhereabouts(result: HealthCheckResult): HealthCheckResult {
  return JSON.parse(JSON.stringify(result, (key, value: unknown) => (key === 'error' && typeof value === 'string' ? probeText(value) : value))) as HealthCheckResult;
}
