import type { FastifyInstance } from 'fastify';
import { pathOf, PROBE_PATHS } from '../observability/logging';

/** How many requests the API works on at once (LEDGER_MAX_IN_FLIGHT). */
export class InFlightLimit {
  inFlight = 0;
  constructor(readonly limit: number) {}
}

/**
 * Refuses a request with 503 OVERLOADED and `Retry-After: 1` while the API already works on its limit
 * of requests. The per-key rate limit bounds one caller, not the sum of them: without this, a spike
 * beyond what the ledger commits queues without bound, every queued command holding its account state,
 * until the heap is exhausted. A request counts once its body has arrived (Fastify's preHandler), not
 * from its first line: a client trickling bodies, with no key, held every place for up to the request
 * timeout while the key check and the rate limit waited for those bodies. A refusal is logged and
 * counted like any other answer (the logging and metrics hooks ran before, `observeRequests`); nothing of a refused
 * request has reached the ledger.
 */
export function limitRequestsInFlight(fastify: FastifyInstance, limit: InFlightLimit): void {
  fastify.addHook('preHandler', (request, reply, done) => {
    // Probes and scrapes are answered whatever the load: an orchestrator must see an overloaded API as alive.
    if (PROBE_PATHS.test(pathOf(request.raw))) return done();
    if (limit.inFlight >= limit.limit) {
      void reply
        .code(503)
        .header('retry-after', '1')
        .send({ error: 'OVERLOADED', message: `the ledger is already working on ${limit.limit} requests; retry after a second`, details: [{ limit: limit.limit }] });
      return;
    }
    limit.inFlight++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      limit.inFlight--;
    };
    reply.raw.once('finish', release);
    reply.raw.once('close', release);
    done();
  });
}
