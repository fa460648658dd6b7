/**
 * The projector: a process that only follows the event log and keeps the read models, for deployments
 * that run it apart from the API (the API then starts with LEDGER_PROJECTIONS=0 and reads the same
 * read-model file). Run one projector per read-model file; two would race for the same checkpoints.
 *
 * It answers on PORT with `/health/live`, `/health/ready` (following the log, no failed batch, within
 * LEDGER_READY_MAX_LAG of the head) and `/metrics` (projection lag, how busy its thread is, and process metrics), so the same
 * image, probes and scrape configuration serve both processes.
 */
import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import { Registry, collectDefaultMetrics } from 'prom-client';
import type { ProjectionRunner } from '@ledger/projections';
import { assertLedgerFiles, ConfigError, type LedgerConfig, loadConfig } from '@ledger/servicing';
import { exitOnConfigError } from './exit-on-config-error';
import { probeText } from './observability/probe-text';
import { mainThreadActiveSeconds, registerEventLoopCounter, registerProjectionGauges } from './observability/ledger-metrics';
import { projectionState } from './observability/projection-state';
import { createLedgerLogger } from './observability/logging';
import { openProjectorRunner, rebuildPlanLine } from './read-side/projector-runner';

export interface Projector {
  runner: ProjectionRunner;
  server: Server;
  close(): Promise<void>;
}

async function readiness(runner: ProjectionRunner, maxLag: number): Promise<{ ready: boolean; body: Record<string, unknown> }> {
  try {
    const lag = await runner.lag();
    const { state, ok: ready } = projectionState(runner, lag, maxLag, 'live');
    return { ready, body: { status: ready ? 'ok' : 'error', state, error: probeText(runner.lastError?.message ?? null), lag: Object.fromEntries(lag.map((l) => [l.projection, Number(l.lag)])) } };
  } catch (error) {
    return { ready: false, body: { status: 'error', state: 'store-unreachable', error: probeText((error as Error).message) } };
  }
}

export async function startProjector(config: LedgerConfig): Promise<Projector> {
  if (config.store === 'memory') throw new ConfigError('LEDGER_STORE', 'the projector needs a shared store (sqlite or eventstoredb), not memory');
  const logger = createLedgerLogger(config.logLevel).child({ process: 'projector' });
  const { store, runner } = await openProjectorRunner(config, {
    onError: (error) => logger.error({ err: { type: error.name, message: error.message } }, 'projection batch failed; restarting from the checkpoint'),
    // A failed batch stops the subscription; the runner tries again from the checkpoint rather than stay stopped.
    retryAfterMs: 5_000,
    onRebuildProgress: (position, head, unit) => logger.info({ position: Number(position), head: Number(head), unit }, 'rebuilding projections'),
    onRebuildPlan: (reasons) => logger.info({ reasons }, rebuildPlanLine(reasons)),
  });
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerProjectionGauges(registry, runner, true);
  // This process's main thread is the one that keeps the read models.
  registerEventLoopCounter(registry, { projections: mainThreadActiveSeconds });

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type }).end(body);
    };
    if (path === '/health/live') return send(200, JSON.stringify({ status: 'ok', process: 'projector' }));
    if (path === '/health/ready' || path === '/health') {
      void readiness(runner, config.readyMaxLag).then(({ ready, body }) => send(ready ? 200 : 503, JSON.stringify(body)));
      return;
    }
    if (path === '/metrics') {
      void registry.metrics().then((text) => send(200, text, registry.contentType));
      return;
    }
    send(404, JSON.stringify({ error: 'NOT_FOUND', message: `no route ${path}`, details: [] }));
  });
  await new Promise<void>((resolve) => server.listen(config.port, resolve));
  logger.info({ port: config.port, store: config.store, readModels: config.readModelPath }, 'projector listening');
  await runner.start();
  logger.info(runner.replaying ? 'projector rebuilding its read models, then following the log' : 'projector following the log');

  return {
    runner,
    server,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await runner.close();
      await store.close();
      logger.info('projector stopped');
    },
  };
}

async function main(): Promise<void> {
  let config: LedgerConfig;
  try {
    config = loadConfig();
    assertLedgerFiles(config, { projector: true });
  } catch (error) {
    exitOnConfigError(error);
  }
  const projector = await startProjector(config);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void projector.close().then(() => process.exit(0));
    });
  }
}

if (require.main === module) void main();
