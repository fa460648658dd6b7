/**
 * Who may call what. A route may name its roles with `@AllowRoles(...)` or open itself with `@Public()`;
 * every other route falls under the default policy below, so a new endpoint is never left open by
 * forgetting a decorator:
 *
 * - operator: commands, end of day and the clock, and every read (an operator answers customers);
 * - auditor: every read, including history, replay and verification, and no command;
 * - viewer: the portfolio, the dashboard and the reads the dashboard needs (accounts, the clock);
 * - open: health, metrics, the OpenAPI page and the dashboard's static page. Metrics take a key of any
 *   role with LEDGER_METRICS_ACCESS=key: they count commands and rejections by kind, business volumes
 *   an anonymous caller has no need of.
 */
import { SetMetadata } from '@nestjs/common';
import type { Role } from './api-keys';

export const ROLES_KEY = 'ledger:roles';
export const PUBLIC_KEY = 'ledger:public';

/** Limits a route or controller to these roles, overriding the default policy. */
export const AllowRoles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** Opens a route or controller to callers without a key. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** Whether `/metrics` asks for a key (LEDGER_METRICS_ACCESS=key). */
export class AccessSettings {
  constructor(readonly metricsNeedKey: boolean) {}
}

const EVERY_ROLE: Role[] = ['operator', 'auditor', 'viewer'];
/**
 * `/metrics`, the one open route that costs: a scrape renders every series. Open, it counts against the
 * caller's address in the rate limit; the other open routes (the probes, which a load balancer behind the
 * same address must get answered, the dashboard's page, the OpenAPI page) do not.
 */
export const METRICS = /^\/metrics\/?$/i;

/** The default policy, with `/metrics` for any key where the settings ask for one. */
export function accessOf(method: string, path: string, settings: AccessSettings): Role[] | 'open' {
  if (settings.metricsNeedKey && METRICS.test(path)) return EVERY_ROLE;
  return defaultAccess(method, path);
}

// Case-insensitive, like the router: /accounts/x/HISTORY reaches the history route, so it must meet
// the history route's policy, not fall through to the viewer's reads.
// The OpenAPI document is also served as /docs-json and /docs-yaml; no other name beside these is open.
const OPEN = /^\/(health|metrics|docs|dashboard)(\/|$)|^\/docs-(json|yaml)$/i;
const AUDIT = /\/(history|replay|verify|verification|audit)(\/|$)/i;
const VIEWER_READS = /^\/(accounts|portfolio)(\/|$)|^\/operations\/clock\/?$/i;
const READ_METHODS = new Set(['GET', 'HEAD']);

/** The roles allowed by the default policy, or 'open' for routes any caller may use. */
export function defaultAccess(method: string, path: string): Role[] | 'open' {
  if (OPEN.test(path)) return 'open';
  if (AUDIT.test(path)) return ['auditor', 'operator'];
  if (!READ_METHODS.has(method.toUpperCase())) return ['operator'];
  if (VIEWER_READS.test(path)) return EVERY_ROLE;
  return ['operator', 'auditor'];
}
