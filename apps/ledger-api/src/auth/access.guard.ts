/**
 * The one global guard: authenticates the API key, counts the request against that key's rate limit,
 * then checks the role. Rate limiting comes before the 401, so guessing keys is throttled per address
 * like any other traffic; a caller with a valid key is counted under the key, wherever it calls from.
 */
import { type ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerModuleOptions,
  ThrottlerStorage,
} from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../http/errors';
import { pathOf, type RoutedRequest, routeOf } from '../observability/logging';
import { accessOf, AccessSettings, METRICS, PUBLIC_KEY, ROLES_KEY } from './access-policy';
import { ApiKeyRing, type Principal, type Role } from './api-keys';

type AuthenticatedRequest = FastifyRequest & { principal?: Principal };

const BEARER = /^Bearer\s+(\S+)\s*$/i;

@Injectable()
export class AccessGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly keys: ApiKeyRing,
    private readonly settings: AccessSettings,
  ) {
    super(options, storage, reflector);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const targets = [context.getHandler(), context.getClass()];
    // The default policy reads the route the request matched (`/accounts/:accountId/history`), not the
    // path it spelled: the router decodes a path's percent-escapes before it matches, so `/%68ealth` is
    // the health route and `/accounts/x/%68istory` the history route, and the policy must see them so.
    const path = routeOf(request.raw as RoutedRequest) ?? pathOf(request.raw);
    const access = this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)
      ? 'open'
      : (this.reflector.getAllAndOverride<Role[]>(ROLES_KEY, targets) ?? accessOf(request.method, path, this.settings));
    if (access === 'open') {
      // An open /metrics counts against the address's budget like a keyless request (`METRICS`).
      if (METRICS.test(path)) await super.canActivate(context);
      return true;
    }

    const presented = BEARER.exec(request.headers.authorization ?? '')?.[1];
    const principal = presented ? this.keys.authenticate(presented) : null;
    if (principal) request.principal = principal;
    await super.canActivate(context);

    if (!principal) {
      void context.switchToHttp().getResponse<FastifyReply>().header('WWW-Authenticate', 'Bearer realm="ledger"');
      throw new ApiError(HttpStatus.UNAUTHORIZED, {
        error: presented ? 'INVALID_API_KEY' : 'MISSING_API_KEY',
        message: presented ? 'the API key is not valid' : 'send an API key as Authorization: Bearer <key>',
        details: [],
      });
    }
    if (!access.includes(principal.role)) {
      throw new ApiError(HttpStatus.FORBIDDEN, {
        error: 'ROLE_NOT_ALLOWED',
        message: `the ${principal.role} role may not ${request.method} ${pathOf(request.raw)}`,
        details: [{ role: principal.role, allowed: access }],
      });
    }
    return true;
  }

  /** One budget per key (or address) across every route, rather than one per route. */
  protected override generateKey(_context: ExecutionContext, tracker: string, throttler: string): string {
    return `${throttler}:${tracker}`;
  }

  protected override async getTracker(request: { principal?: Principal; ip?: string }): Promise<string> {
    return request.principal
      ? `key:${request.principal.role}:${request.principal.name}`
      : `address:${String(request.ip)}`;
  }
}
