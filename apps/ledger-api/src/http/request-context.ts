/**
 * What every command request carries besides its body: who sent it, its correlation id, and its
 * idempotency: a natural key (order id, refund id, payment reference) or the Idempotency-Key header,
 * plus a hash of the request so a key reused with another payload is caught.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HttpStatus } from '@nestjs/common';
import type { RequestMetadata } from '@ledger/servicing';
import { Money } from '@ledger/credit';
import { AMOUNT_PATTERN } from '../dto/validators';
import { ApiError } from './errors';

/** The body's fields that are amounts: hashed in their canonical form, so "100" and "100.00" are one request. */
const AMOUNT_FIELDS = new Set(['amount', 'singleTransactionLimit']);

/** An amount of the body in its canonical form, or undefined when `value` is none or already is. */
function recast(key: string, value: unknown): string | undefined {
  if (typeof value !== 'string' || !AMOUNT_FIELDS.has(key) || !AMOUNT_PATTERN.test(value)) return undefined;
  const amount = Money.of(value).toString();
  return amount === value ? undefined : amount;
}

/** The body as text with its keys sorted, and with `amounts` its amounts canonical; `recast` notes whether one was not. */
function canonical(value: unknown, amounts: boolean, seen: { recast: boolean }, key = ''): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v, amounts, seen)).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k], amounts, seen, k)}`)
      .join(',')}}`;
  }
  const amount = recast(key, value);
  if (amount !== undefined) {
    seen.recast = true;
    if (amounts) return JSON.stringify(amount);
  }
  return JSON.stringify(value) ?? 'null';
}

/** A header's value as Express's `req.header` gave it: the first of a repeated header. */
function headerOf(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The hash a command records with its events: of the route and the body, keys sorted and amounts
 * canonical; with `asSent`, also the hash of the amounts as sent where one was not canonical.
 */
export function requestHashes(route: string, body: unknown): { hash: string; asSent?: string } {
  const seen = { recast: false };
  const hash = createHash('sha256').update(`${route}\n${canonical(body, true, seen)}`).digest('hex');
  if (!seen.recast) return { hash };
  return { hash, asSent: createHash('sha256').update(`${route}\n${canonical(body, false, seen)}`).digest('hex') };
}

export function actorOf(request: FastifyRequest): string {
  const principal = (request as FastifyRequest & { principal?: { name: string; role: string } }).principal;
  return principal ? `${principal.role}:${principal.name}` : 'anonymous';
}

/** What an Idempotency-Key may be: 1 to 128 visible ASCII characters (it is stored in every event the command writes). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;

export function commandMetadata(request: FastifyRequest, route: string, body: unknown, naturalKey?: string): RequestMetadata {
  // A natural key names the command; the header is then not used, and not checked.
  const header = naturalKey === undefined ? headerOf(request, 'idempotency-key') : undefined;
  if (header !== undefined && !IDEMPOTENCY_KEY.test(header)) {
    throw new ApiError(HttpStatus.BAD_REQUEST, {
      error: 'VALIDATION_FAILED',
      message: 'Idempotency-Key must be 1 to 128 visible ASCII characters (no spaces)',
      details: [{ field: 'Idempotency-Key', problems: ['must be 1 to 128 visible ASCII characters (no spaces)'] }],
    });
  }
  const commandId = naturalKey ?? (header ? `key:${route}:${header}` : undefined);
  // Builds before amounts were hashed canonically recorded the hash of the amounts as sent.
  const { hash, asSent } = requestHashes(route, body);
  return {
    commandId,
    ...(naturalKey === undefined && header ? { clientKey: true } : {}),
    requestHash: hash,
    ...(asSent !== undefined ? { sameRequestHashes: [asSent] } : {}),
    actor: actorOf(request),
    correlationId: headerOf(request, 'x-request-id') ?? randomUUID(),
  };
}
