/// <reference lib="dom" />
/** The header's status line: business date, last closed day, projection lag, health. */
import type { PortfolioView } from '@ledger/projections';
import { el, replace } from './dom';
import { formatCount } from './format';

export interface HealthView {
  status: 'ok' | 'degraded';
  projections: { running: boolean; error: string | null; lag: { projection: string; position: string; lag: string }[] };
  clock: { mode: string; businessDate: string };
}

export interface ClockView {
  mode: string;
  now: string;
  businessDate: string;
  lastClosedBusinessDate: string | null;
}

export function renderStatus(health: HealthView, clock: ClockView, portfolio: PortfolioView, refreshSeconds: number): void {
  // Lag is reported per projection as a count of events; the slowest projection is what a reader waits on.
  const lag = health.projections.lag.reduce((max, l) => Math.max(max, Number(l.lag)), 0);
  const time = new Date().toLocaleTimeString('zh-CN', { hour12: false });
  replace(
    'status',
    item('Business date 业务日', clock.businessDate, 'business-date'),
    item('Last closed 已日终', portfolio.lastClosedBusinessDay ?? 'none', 'last-closed'),
    item('Projection lag 投影延迟', `${formatCount(lag)} events`, 'lag', lag > 0 ? 'warn' : 'ok'),
    item('Health 状态', health.status, 'health', health.status === 'ok' ? 'ok' : 'error'),
    item('Refreshed 刷新', `${time} · every ${refreshSeconds}s`, 'refreshed'),
  );
}

function item(title: string, value: string, name: string, tone?: 'ok' | 'warn' | 'error'): HTMLElement {
  return el('span', { class: `status-item${tone ? ` ${tone}` : ''}`, 'data-status': name }, el('span', { class: 'status-title' }, title), ' ', el('strong', {}, value));
}
