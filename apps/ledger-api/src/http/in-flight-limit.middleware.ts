import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
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
 * until the heap is exhausted. Applied after request logging and metrics, so a refusal is logged and
 * counted like any other answer; nothing of a refused request has reached the ledger.
 */
@Injectable()
export class InFlightLimitMiddleware implements NestMiddleware {
  constructor(private readonly limit: InFlightLimit) {}

  use(req: IncomingMessage & { originalUrl?: string }, res: ServerResponse, next: () => void): void {
    // Probes and scrapes are answered whatever the load: an orchestrator must see an overloaded API as alive.
    if (PROBE_PATHS.test(pathOf(req))) return next();
    const limit = this.limit;
    if (limit.inFlight >= limit.limit) {
      // The Node response itself: this runs before Fastify's reply exists.
      res.writeHead(503, { 'Retry-After': '1', 'Content-Type': 'application/json; charset=utf-8' }).end(
        JSON.stringify({
          error: 'OVERLOADED',
          message: `the ledger is already working on ${limit.limit} requests; retry after a second`,
          details: [{ limit: limit.limit }],
        }),
      );
      return;
    }
    limit.inFlight++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      limit.inFlight--;
    };
    res.once('finish', release);
    res.once('close', release);
    next();
  }
}
