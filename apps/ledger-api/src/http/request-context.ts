/**
 * What every command request carries besides its body: who sent it, its correlation id, and its
 * idempotency: a natural key (order id, refund id, payment reference) or the Idempotency-Key header,
 * plus a hash of the request so a key reused with another payload is caught.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HttpStatus } from '@nestjs/common';
import type { RequestMetadata } from '@ledger/servicing';
import { ApiError } from './errors';

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A header's value as Express's `req.header` gave it: the first of a repeated header. */
function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function requestHash(route: string, body: unknown): string {
  return createHash('sha256').update(`${route}\n${canonical(body)}`).digest('hex');
}

export function actorOf(request: FastifyRequest): string {
  const principal = (request as FastifyRequest & { principal?: { name: string; role: string } }).principal;
  return principal ? `${principal.role}:${principal.name}` : 'anonymous';
}

/** What an Idempotency-Key may be: 1 to 128 visible ASCII characters (it is stored in every event the command writes). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;

export function commandMetadata(request: FastifyRequest, route: string, body: unknown, naturalKey?: string): RequestMetadata {
  const header = headerOf(request, 'idempotency-key');
  if (header !== undefined && !IDEMPOTENCY_KEY.test(header)) {
    throw new ApiError(HttpStatus.BAD_REQUEST, {
      error: 'VALIDATION_FAILED',
      message: 'Idempotency-Key must be 1 to 128 visible ASCII characters (no spaces)',
      details: [{ field: 'Idempotency-Key', problems: ['must be 1 to 128 visible ASCII characters (no spaces)'] }],
    });
  }
  const commandId = naturalKey ?? (header ? `key:${route}:${header}` : undefined);
  return {
    commandId,
    naturalKey: naturalKey !== undefined,
    requestHash: requestHash(route, body),
    actor: actorOf(request),
    correlationId: headerOf(request, 'x-request-id') ?? randomUUID(),
  };
}
