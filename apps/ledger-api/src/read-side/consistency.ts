import type { FastifyRequest } from 'fastify';
import { ApiError } from '../http/errors';
import type { Consistency } from './account.queries';

/** A request whose query string Fastify parsed (a repeated key gives an array): what a read's consistency is taken from. */
export type QueryRequest = FastifyRequest<{ Querystring: Record<string, unknown> }>;

/** Reads `?after=<position>` and `?consistency=eventual` from a query string. */
export function consistencyOf(query: Record<string, unknown>): Consistency {
  const after = query.after;
  const consistency = query.consistency;
  if (after !== undefined && (typeof after !== 'string' || !/^\d{1,19}$/.test(after))) {
    throw new ApiError(400, { error: 'VALIDATION_FAILED', message: 'after must be a global position (digits)', details: [{ field: 'after' }] });
  }
  if (consistency !== undefined && consistency !== 'eventual' && consistency !== 'strong') {
    throw new ApiError(400, { error: 'VALIDATION_FAILED', message: 'consistency must be strong or eventual', details: [{ field: 'consistency' }] });
  }
  return { after: typeof after === 'string' ? BigInt(after) : undefined, eventual: consistency === 'eventual' };
}
