/**
 * The answers of the health probes, for the OpenAPI document: the same shape whether ready (200) or not
 * (503), so a probe or a dashboard reads one schema.
 */
import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';

const PROJECTION_STATES = ['live', 'rebuilding', 'failed', 'behind', 'external', 'stalled', 'ahead'];

/** Terminus's indicators by name (`store`, `projections`, `process`), each with its `status` and what it reports. */
const INDICATORS = {
  type: 'object',
  description: 'By indicator name (store, projections, files, stopping; process for liveness): its status, up or down, and what it reports (store: kind, head; projections: state, maxLag, error, lag per projection; files, down once a request met a damaged file: message; stopping, down once a stop signal is received: signal, drainLeftMs, message)',
  additionalProperties: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['up', 'down'] } }, additionalProperties: true },
} as ApiPropertyOptions;

export class HealthCheckSchema {
  @ApiProperty({ enum: ['ok', 'error', 'shutting_down'], example: 'ok' }) status!: string;
  @ApiProperty({ ...INDICATORS, required: false, description: 'The indicators that are up' } as ApiPropertyOptions) info?: Record<string, unknown>;
  @ApiProperty({ ...INDICATORS, required: false, description: 'The indicators that are down' } as ApiPropertyOptions) error?: Record<string, unknown>;
  @ApiProperty(INDICATORS) details!: Record<string, unknown>;
}

export class HealthStoreSchema {
  @ApiProperty({ enum: ['sqlite', 'eventstoredb', 'memory'], example: 'sqlite' }) kind!: string;
  @ApiProperty({ example: true }) reachable!: boolean;
  @ApiProperty({ type: String, nullable: true, pattern: '^\\d+$', example: '1520733', description: 'The global position of the last event; null when the store did not answer' }) head!: string | null;
  @ApiProperty({ type: String, nullable: true, example: null, description: 'Why the store did not answer' }) error!: string | null;
}

export class HealthLagSchema {
  @ApiProperty({ example: 'accounts' }) projection!: string;
  @ApiProperty({ pattern: '^\\d+$', example: '1520733', description: 'The global position it has applied' }) position!: string;
  @ApiProperty({ pattern: '^\\d+$', example: '0', description: 'Events behind the head' }) lag!: string;
}

export class HealthProjectionsSchema {
  @ApiProperty({ enum: PROJECTION_STATES, example: 'live' }) state!: string;
  @ApiProperty({ example: true, description: 'Whether this process follows the log (false for an API beside a projector)' }) running!: boolean;
  @ApiProperty({ type: String, nullable: true, example: null }) error!: string | null;
  @ApiProperty({ type: [HealthLagSchema] }) lag!: HealthLagSchema[];
}

export class HealthClockSchema {
  @ApiProperty({ enum: ['system', 'manual'], example: 'system' }) mode!: string;
  @ApiProperty({ example: '2026-03-01T00:10:00+08:00' }) now!: string;
  @ApiProperty({ type: String, format: 'date', example: '2026-03-01' }) businessDate!: string;
}

export class HealthStoppingSchema {
  @ApiProperty({ example: 'SIGTERM' }) signal!: string;
  @ApiProperty({ type: 'integer', example: 4200, description: 'Milliseconds left before the API stops taking connections (LEDGER_SHUTDOWN_DRAIN_MS)' }) drainLeftMs!: number;
}

export class HealthSummarySchema {
  @ApiProperty({ enum: ['ok', 'degraded'], example: 'ok' }) status!: string;
  @ApiProperty({ type: String, nullable: true, example: null, description: "Once a request met a damaged file of the ledger (SQLite found a page of the log or the read models malformed): SQLite's code, and that the ledger's log names the files and what to do; unready (503) until the process is restarted after the repair. null otherwise" }) damagedFiles!: string | null;
  @ApiProperty({ type: HealthStoppingSchema, nullable: true, description: 'A stop signal was received and the API is draining (503): null while running' }) stopping!: HealthStoppingSchema | null;
  @ApiProperty({ type: HealthStoreSchema }) store!: HealthStoreSchema;
  @ApiProperty({ type: HealthProjectionsSchema }) projections!: HealthProjectionsSchema;
  @ApiProperty({ type: HealthClockSchema }) clock!: HealthClockSchema;
}
