/**
 * What every command request carries besides its body: who sent it, its correlation id, and its
 * idempotency: a natural key (order id, refund id, payment reference) or the Idempotency-Key header,
 * plus a hash of the request so a key reused with another payload is caught.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Request } from 'express';
import type { RequestMetadata } from '@ledger/servicing';

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

export function requestHash(route: string, body: unknown): string {
  return createHash('sha256').update(`${route}\n${canonical(body)}`).digest('hex');
}

export function actorOf(request: Request): string {
  const principal = (request as Request & { principal?: { name: string; role: string } }).principal;
  return principal ? `${principal.role}:${principal.name}` : 'anonymous';
}

export function commandMetadata(request: Request, route: string, body: unknown, naturalKey?: string): RequestMetadata {
  const header = request.header('idempotency-key');
  const commandId = naturalKey ?? (header ? `key:${route}:${header}` : undefined);
  return {
    commandId,
    requestHash: requestHash(route, body),
    actor: actorOf(request),
    correlationId: request.header('x-request-id') ?? randomUUID(),
  };
}
