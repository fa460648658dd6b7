/**
 * What every request gets before anything else reads it, as Fastify hooks on the root instance: one log
 * line (`logRequest`, see logging.ts) and its count and time by route template. They were Nest
 * middlewares, which on Fastify run inside @fastify/middie: with helmet and the limit of requests in
 * flight, four of them matched every path against `*path` and wrapped each request for Express-style
 * handlers, about a sixth of the commands per second over HTTP (bench/HISTORY.md, forty-second round).
 *
 * The log line is applied here rather than by nestjs-pino: nestjs-pino would also run every request
 * inside an AsyncLocalStorage so that Nest's logger finds the request's logger; on Node 20 that turns on
 * a promise hook for every promise the process creates, which cost more CPU per request than the logging
 * itself. The one Nest log line written during a request, the error filter's, takes the request's logger
 * from `req.log` instead.
 */
import type { FastifyInstance } from 'fastify';
import type { LedgerLogger } from './command-instrumentation';
import type { LedgerMetrics } from './ledger-metrics';
import { logRequest, routeOf, type RoutedRequest } from './logging';

export function observeRequests(fastify: FastifyInstance, logger: LedgerLogger, metrics: LedgerMetrics): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const req = request.raw as RoutedRequest;
    const res = reply.raw;
    logRequest(logger.pino, req, res, () => request.ip);
    // Counted by route template: a request that matched no route is `unmatched`, as labelling it by its
    // path would let any caller create series without bound.
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const labels = { method: req.method ?? 'GET', route: routeOf(req) ?? 'unmatched', status: String(res.statusCode) };
      metrics.httpRequests.inc(labels);
      metrics.httpSeconds.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    done();
  });
}
