/// <reference lib="dom" />
/**
 * The dashboard page: four views (portfolio, interest and fees, limit reviews, accounts) over the query
 * API, refreshed on an interval with the business date and the projection lag in the header. The view is
 * in the URL hash so a drill-down can be linked to (#account/<id>).
 */
import type { PortfolioAccrualDay, PortfolioView } from '@ledger/projections';
import type { InstallmentQuoteView } from '../src/read-side/installment-quote.query';
import { renderAccount } from './account';
import { renderAccountList } from './accounts-list';
import { apiKey, get, onUnauthorized, setApiKey } from './api';
import { resizeCharts } from './charts';
import { byId, replace } from './dom';
import { addDays } from './format';
import { renderAccrual, renderApr, renderBilled } from './interest';
import { renderOverview } from './overview';
import { renderReviews } from './reviews';
import { renderStatus, type ClockView, type HealthView } from './status';

const REFRESH_SECONDS = 15;
const VIEWS = ['overview', 'interest', 'reviews', 'accounts'] as const;
type View = (typeof VIEWS)[number];

const page = {
  portfolio: null as PortfolioView | null,
  lastClosed: null as string | null,
  quotes: null as InstallmentQuoteView[] | null,
  refreshes: 0,
};

function route(): { view: View; accountId?: string; params: URLSearchParams } {
  const hash = decodeURIComponent(location.hash.slice(1));
  if (hash.startsWith('account/')) return { view: 'accounts', accountId: hash.slice('account/'.length), params: new URLSearchParams() };
  const [name, query] = hash.split('?');
  const view = (VIEWS as readonly string[]).includes(name) ? (name as View) : 'overview';
  return { view, params: new URLSearchParams(query ?? '') };
}

function showView(view: View): void {
  for (const v of VIEWS) {
    byId(`view-${v}`).hidden = v !== view;
    byId(`tab-${v}`).classList.toggle('active', v === view);
  }
}

function openAccount(accountId: string): void {
  location.hash = `account/${encodeURIComponent(accountId)}`;
}

function openBucket(bucket: string): void {
  location.hash = `accounts?status=ACTIVE&bucket=${encodeURIComponent(bucket)}`;
}

async function sampleQuotes(): Promise<void> {
  const active = await get<{ items: { accountId: string }[] }>('/accounts?status=ACTIVE&limit=1');
  const sample = active.items[0];
  if (!sample) return renderApr(null);
  page.quotes = await Promise.all([3, 6, 12].map((n) => get<InstallmentQuoteView>(`/accounts/${encodeURIComponent(sample.accountId)}/installment-quote?amount=1000.00&periods=${n}`)));
  renderApr(page.quotes);
}

/** Draws the current view from the latest figures; views fetch what only they need. */
async function renderView(): Promise<void> {
  const { view, accountId, params } = route();
  showView(view);
  const p = page.portfolio;
  if (view === 'accounts') {
    if (accountId) {
      byId<HTMLInputElement>('search-id').value = accountId;
      await renderAccount(accountId);
    } else {
      replace('account-detail');
      await renderAccountList({ status: params.get('status') ?? '', bucket: params.get('bucket') ?? '', offset: 0 }, openAccount);
    }
    return;
  }
  if (!p) return;
  if (view === 'overview') renderOverview(p, openBucket);
  if (view === 'interest') {
    renderBilled(p);
    const days = page.lastClosed ? await get<PortfolioAccrualDay[]>(`/portfolio/accruals?from=${addDays(page.lastClosed, -364)}&to=${page.lastClosed}`) : [];
    renderAccrual(days);
    if (page.quotes) renderApr(page.quotes);
    else await sampleQuotes();
  }
  if (view === 'reviews') renderReviews(p);
  resizeCharts();
}

async function refresh(): Promise<void> {
  try {
    const [health, clock, portfolio] = await Promise.all([get<HealthView>('/health', [503]), get<ClockView>('/operations/clock'), get<PortfolioView>('/portfolio')]);
    page.portfolio = portfolio;
    page.lastClosed = portfolio.lastClosedBusinessDay;
    renderStatus(health, clock, portfolio, REFRESH_SECONDS);
    if (route().view !== 'accounts') await renderView();
    replace('refresh-error');
  } catch (error) {
    replace('refresh-error', `Refresh failed: ${(error as Error).message}`);
  } finally {
    page.refreshes++;
    document.body.dataset.refreshes = String(page.refreshes);
  }
}

function wireControls(): void {
  onUnauthorized(() => {
    byId('key-form').hidden = false;
  });
  byId<HTMLInputElement>('key-input').value = apiKey() ?? '';
  byId('key-form').addEventListener('submit', (event) => {
    event.preventDefault();
    setApiKey(byId<HTMLInputElement>('key-input').value.trim());
    byId('key-form').hidden = true;
    void refresh().then(renderView);
  });
  byId('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const id = byId<HTMLInputElement>('search-id').value.trim();
    if (id) openAccount(id);
  });
  byId('filter-form').addEventListener('change', () => {
    const params = new URLSearchParams();
    for (const name of ['status', 'bucket']) {
      const value = byId<HTMLSelectElement>(`filter-${name}`).value;
      if (value) params.set(name, value);
    }
    location.hash = `accounts?${params}`;
  });
  window.addEventListener('hashchange', () => void renderView());
  window.addEventListener('resize', resizeCharts);
}

async function start(): Promise<void> {
  wireControls();
  await refresh();
  if (route().view === 'accounts') await renderView();
  document.body.dataset.ready = 'true';
  setInterval(() => void refresh(), REFRESH_SECONDS * 1000);
}

void start();
