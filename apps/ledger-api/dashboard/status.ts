/// <reference lib="dom" />
/**
 * The header's status line: business date, last closed day, days left unclosed, projection lag, health.
 * When a refresh fails, the line says the server could not be read and the figures are stale, rather
 * than keep showing the last health as if it were current.
 */
import type { PortfolioView } from '@ledger/projections';
import { ApiRequestError } from './api';
import { el, replace } from './dom';
import { addDays, daysBetween, formatCount } from './format';

/** GET /health, answered with 503 and the same body when the instance is not ready. */
export interface HealthView {
  status: 'ok' | 'degraded';
  store?: { reachable: boolean; error: string | null };
  /** `state`: live or external when the read models follow the log; stalled, failed, rebuilding, behind or ahead when not. */
  projections: { state?: string; running: boolean; error: string | null; lag: { projection: string; position: string; lag: string }[] };
  clock: { mode: string; businessDate: string };
}

/** What the refresh could read of the portfolio: waiting for the head of the log, or as the read models stand (eventual). */
export interface PortfolioRead {
  portfolio: PortfolioView | null;
  eventual: boolean;
  error: Error | null;
}

/** Projection states in which the read models follow the log; in any other a read that waits for its head would time out. */
const FOLLOWING = ['live', 'external'];

export function projectionsFollowing(health: HealthView): boolean {
  return health.projections.state === undefined || FOLLOWING.includes(health.projections.state);
}

/** Lag is reported per projection as a count of events; the slowest projection is what a reader waits on. */
export function projectionLag(health: HealthView): number {
  return health.projections.lag.reduce((max, l) => Math.max(max, Number(l.lag)), 0);
}

const events = (n: number) => `${formatCount(n)} ${n === 1 ? 'event' : 'events'}`;

/** GET /operations/clock: the business clock, the last business day end of day closed, and what is left to close. */
export interface ClockView {
  mode: string;
  now: string;
  businessDate: string;
  lastClosedBusinessDate: string | null;
  /** Business days over and not closed; absent from servers older than it, null before the first end of day. */
  daysNotClosed?: number | null;
  /** A business day whose end of day has begun and not finished (running, or interrupted by a crash). */
  closeBegun?: string | null;
}

/** What the last successful refresh showed, kept to label it as stale when a refresh fails. */
let lastGood: { businessDate: string; lastClosed: string | null; time: string } | null = null;

function timeNow(): string {
  return new Date().toLocaleTimeString('zh-CN', { hour12: false });
}

/**
 * Business days behind the clock that end of day has not closed, as the clock counts them, or counted
 * here for a server that does not. The clock's own business date is still open, so one day between it
 * and the last closed day is normal; more is a missed or failed end of day.
 */
function unclosedDays(clock: ClockView, lastClosed: string | null): number {
  if (typeof clock.daysNotClosed === 'number') return clock.daysNotClosed;
  return lastClosed ? Math.max(0, daysBetween(lastClosed, clock.businessDate) - 1) : 0;
}

/**
 * The header from /health and the clock, whatever /health answered: a 503's body says what is wrong (the
 * projector stalled, the store unreachable) in words, and that is shown rather than the bare status. The
 * portfolio's figures, when they could only be read as the read models stand, say how far behind they are.
 */
export function renderStatus(health: HealthView, clock: ClockView, read: PortfolioRead, refreshSeconds: number): void {
  const lag = projectionLag(health);
  const following = projectionsFollowing(health);
  // The clock's last closed day is end of day's own record; the portfolio's can trail it by the projection lag.
  const lastClosed = clock.lastClosedBusinessDate ?? read.portfolio?.lastClosedBusinessDay ?? null;
  const unclosed = unclosedDays(clock, lastClosed);
  // Figures read as the read models stand are as of the last close they hold, which can be before the clock's.
  const figuresClosed = read.eventual ? (read.portfolio?.lastClosedBusinessDay ?? null) : lastClosed;
  lastGood = { businessDate: clock.businessDate, lastClosed, time: timeNow() };
  const state = health.projections.state && !following ? ` · ${health.projections.state}` : '';
  const why = [health.store && !health.store.reachable ? `store: ${health.store.error ?? 'unreachable'}` : null, health.projections.error ? `projections: ${health.projections.error}` : null].filter((w): w is string => w !== null);
  replace(
    'status',
    item('Business date 业务日', clock.businessDate, 'business-date'),
    item('Last closed 已日终', lastClosed ?? 'none', 'last-closed', unclosed > 0 ? 'warn' : undefined),
    // A close writes what takes effect the next day (the month's statements, dated the 1st): the figures are as of that day's start.
    figuresClosed !== null && item('Figures as of 数据截至', `start of ${addDays(figuresClosed, 1)}, with ${figuresClosed}'s close`, 'figures-as-of', figuresClosed !== lastClosed ? 'warn' : undefined),
    unclosed > 0 && item('Not closed 未日终', `${formatCount(unclosed)} business ${unclosed === 1 ? 'day' : 'days'} not closed (last closed ${lastClosed ?? 'none'})`, 'unclosed', 'warn'),
    clock.closeBegun && item('End of day 日终', `${clock.closeBegun} begun, not finished`, 'close-begun', 'warn'),
    item('Projection lag 投影延迟', `${events(lag)}${state}`, 'lag', !following ? 'error' : lag > 0 ? 'warn' : 'ok'),
    item('Health 状态', health.status, 'health', health.status === 'ok' ? 'ok' : 'error'),
    why.length > 0 && item('Why 原因', why.join('; '), 'health-reason', 'error'),
    read.eventual && item('Figures 数据', lag > 0 ? `as the read models hold them, ${events(lag)} behind the ledger` : 'as the read models hold them, behind the ledger', 'figures-behind', 'warn'),
    item('Refreshed 刷新', `${lastGood.time} · every ${refreshSeconds}s`, 'refreshed'),
  );
  replace('refresh-error', read.error ? `Portfolio figures could not be read at ${lastGood.time} (${read.error.message}); any shown are the last ones read.` : null);
}

/** A failed refresh: health and lag are unknown, and every figure on the page is the last refresh's. */
export function renderRefreshFailed(error: Error): void {
  const health = !(error instanceof ApiRequestError) ? 'unreachable' : error.status === 401 ? 'no access (API key)' : `error (HTTP ${error.status})`;
  replace(
    'status',
    lastGood && item('Business date 业务日', lastGood.businessDate, 'business-date'),
    lastGood && item('Last closed 已日终', lastGood.lastClosed ?? 'none', 'last-closed'),
    item('Projection lag 投影延迟', 'unknown', 'lag', 'warn'),
    item('Health 状态', health, 'health', 'error'),
    item('Last refreshed 上次刷新', lastGood ? `${lastGood.time} · figures stale` : 'never', 'refreshed', 'warn'),
  );
  const shown = lastGood ? `The figures shown are from ${lastGood.time} and may be stale.` : 'No figures could be loaded.';
  replace('refresh-error', `Refresh failed at ${timeNow()}: ${health === 'unreachable' ? 'the server is unreachable' : health} (${error.message}). ${shown}`);
}

function item(title: string, value: string, name: string, tone?: 'ok' | 'warn' | 'error'): HTMLElement {
  return el('span', { class: `status-item${tone ? ` ${tone}` : ''}`, 'data-status': name }, el('span', { class: 'status-title' }, title), ' ', el('strong', {}, value));
}
