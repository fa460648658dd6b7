import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { EventStore } from '@ledger/event-store';
import { BusinessClock, LedgerSettings } from '@ledger/servicing';
import { ReadModels } from '../read-side/read-models';

/** How far behind a projection may be (in events) before the service reports itself degraded. */
const MAX_HEALTHY_LAG = 10_000n;

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly store: EventStore,
    private readonly readModels: ReadModels,
    private readonly clock: BusinessClock,
    private readonly settings: LedgerSettings,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Store reachability, projection lag per projection, the business clock' })
  async health(@Res({ passthrough: true }) res: Response) {
    let head: bigint | null = null;
    let storeError: string | null = null;
    try {
      head = await this.store.headPosition();
    } catch (error) {
      storeError = (error as Error).message;
    }
    const lag = head === null ? [] : await this.readModels.runner.lag();
    const projectionsRunning = this.readModels.runner.running;
    const projectionError = this.readModels.runner.lastError?.message ?? null;
    const behind = lag.some((l) => l.lag > MAX_HEALTHY_LAG);
    const ok = storeError === null && projectionError === null && (projectionsRunning || !this.settings.config.projections) && !behind;
    res.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return {
      status: ok ? 'ok' : 'degraded',
      store: { kind: this.settings.config.store, reachable: storeError === null, head: head?.toString() ?? null, error: storeError },
      projections: { running: projectionsRunning, error: projectionError, lag: lag.map((l) => ({ projection: l.projection, position: l.position.toString(), lag: l.lag.toString() })) },
      clock: { mode: this.clock.mode, now: this.clock.now(), businessDate: this.clock.businessDate() },
    };
  }
}
