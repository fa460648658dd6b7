/// <reference lib="dom" />
/**
 * The dashboard page: four views (portfolio, interest and fees, limit reviews, accounts) over the query
 * API, refreshed on an interval with the business date and the projection lag in the header. The view is
 * in the URL hash so a drill-down can be linked to (#account/<id>, #accounts?status=ACTIVE&bucket=M3%2B).
 */
import type { PortfolioAccrualDay, PortfolioView } from '@ledger/projections';
import type { InstallmentQuoteView } from '../src/read-side/installment-quote.query';
import { renderAccount } from './account';
import { listFilter, listHash, renderAccountList } from './accounts-list';
import { apiKey, ApiRequestError, get, onUnauthorized, readEventually, readingEventually, readModel, setApiKey } from './api';
import { resizeCharts } from './charts';
import { byId, notice, replace } from './dom';
import { addDays } from './format';
import { renderAccrual, renderApr, renderBilled } from './interest';
import { renderOverview } from './overview';
import { renderReviews } from './reviews';
import { renderRisk } from './risk';
import { renderTrialBalance } from './trial-balance';
import { projectionsFollowing, renderRefreshFailed, renderStatus, type ClockView, type HealthView, type PortfolioRead } from './status';

const REFRESH_SECONDS = 15;
const VIEWS = ['overview', 'interest', 'reviews', 'accounts'] as const;
type View = (typeof VIEWS)[number];

const page = {
  portfolio: null as PortfolioView | null,
  lastClosed: null as string | null,
  quotes: null as InstallmentQuoteView[] | null,
  refreshes: 0,
};

/**
 * The view in the hash. Only the account id is percent-decoded here; the query is left to URLSearchParams,
 * which decodes it once and reads '+' as a space, as it encoded it: decoding the whole hash first would
 * turn the bucket 'M3%2B' into 'M3+' and then into 'M3 '.
 */
function route(): { view: View; accountId?: string; params: URLSearchParams } {
  const hash = location.hash.slice(1);
  if (hash.startsWith('account/')) return { view: 'accounts', accountId: decodeOr(hash.slice('account/'.length)), params: new URLSearchParams() };
  const separator = hash.indexOf('?');
  const name = separator < 0 ? hash : hash.slice(0, separator);
  const view = (VIEWS as readonly string[]).includes(name) ? (name as View) : 'overview';
  return { view, params: new URLSearchParams(separator < 0 ? '' : hash.slice(separator + 1)) };
}

/** An id as typed or linked; a malformed escape (a lone '%') is kept as it is rather than break the page. */
function decodeOr(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function showView(view: View): void {
  for (const v of VIEWS) {
    byId(`view-${v}`).hidden = v !== view;
    const tab = byId(`tab-${v}`);
    tab.classList.toggle('active', v === view);
    if (v === view) tab.setAttribute('aria-current', 'page');
    else tab.removeAttribute('aria-current');
  }
}

function openAccount(accountId: string): void {
  location.hash = `account/${encodeURIComponent(accountId)}`;
}

function openBucket(bucket: string): void {
  location.hash = listHash({ status: 'ACTIVE', bucket });
}

async function sampleQuotes(): Promise<void> {
  const active = await get<{ items: { accountId: string }[] }>(readModel('/accounts?status=ACTIVE&limit=1'));
  const sample = active.items[0];
  if (!sample) return renderApr(null);
  page.quotes = await Promise.all([3, 6, 12].map((n) => get<InstallmentQuoteView>(`/accounts/${encodeURIComponent(sample.accountId)}/installment-quote?amount=1000.00&periods=${n}`)));
  renderApr(page.quotes);
}

/**
 * Draws the current view from the latest figures; views fetch what only they need. `refreshing` is the
 * interval's re-draw of what is on screen: the same list page, the same account, in place.
 */
async function renderView(refreshing = false): Promise<void> {
  const { view, accountId, params } = route();
  showView(view);
  const p = page.portfolio;
  if (view === 'accounts') {
    if (accountId) {
      const search = byId<HTMLInputElement>('search-id');
      if (document.activeElement !== search) search.value = accountId;
      await renderAccount(accountId, refreshing);
    } else {
      replace('account-detail');
      delete byId('account-detail').dataset.account;
      await renderAccountList(listFilter(params), openAccount);
    }
    return;
  }
  if (!p) return;
  if (view === 'overview') {
    renderOverview(p, openBucket);
    await Promise.all([renderTrialBalance(page.lastClosed), renderRisk(page.lastClosed)]);
  }
  if (view === 'interest') {
    renderBilled(p);
    const days = page.lastClosed ? await get<PortfolioAccrualDay[]>(readModel(`/portfolio/accruals?from=${addDays(page.lastClosed, -364)}&to=${page.lastClosed}`)) : [];
    renderAccrual(days);
    if (page.quotes) renderApr(page.quotes);
    else await sampleQuotes();
  }
  if (view === 'reviews') renderReviews(p);
  resizeCharts();
}

/** Draws the view, and says in it what went wrong when it could not be drawn. */
async function drawView(refreshing = false): Promise<void> {
  try {
    await renderView(refreshing);
    replace('view-error');
  } catch (error) {
    replace('view-error', notice(`Could not show this view: ${(error as Error).message}`, 'error'));
  }
}

/**
 * The portfolio, waiting for the head of the log unless the page reads eventually already. A wait that
 * times out (503) is read again as the read models stand, so the page shows figures labelled as behind
 * rather than none.
 */
async function readPortfolio(): Promise<PortfolioView> {
  try {
    return await get<PortfolioView>(readModel('/portfolio'));
  } catch (error) {
    if (!(error instanceof ApiRequestError && error.status === 503) || readingEventually()) throw error;
    readEventually(true);
    return get<PortfolioView>(readModel('/portfolio'));
  }
}

/** The header's figures, then the view on screen, whichever it is, so nothing shown is older than the header says. */
async function refresh(): Promise<void> {
  try {
    // /health answers 503 with a body when the instance is not ready: that body is what the header shows.
    const [health, clock] = await Promise.all([get<HealthView>('/health', [503]), get<ClockView>('/operations/clock')]);
    readEventually(!projectionsFollowing(health));
    const read: PortfolioRead = { portfolio: null, eventual: false, error: null };
    try {
      read.portfolio = await readPortfolio();
      page.portfolio = read.portfolio;
      page.lastClosed = read.portfolio.lastClosedBusinessDay;
    } catch (error) {
      if (error instanceof ApiRequestError && error.status === 401) throw error;
      read.error = error as Error;
    }
    read.eventual = readingEventually();
    renderStatus(health, clock, read, REFRESH_SECONDS);
    await drawView(true);
  } catch (error) {
    renderRefreshFailed(error as Error);
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
    void refresh();
  });
  byId('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const id = byId<HTMLInputElement>('search-id').value.trim();
    if (id) openAccount(id);
  });
  byId('filter-form').addEventListener('change', () => {
    // A new filter starts at its first page.
    location.hash = listHash({ status: byId<HTMLSelectElement>('filter-status').value, bucket: byId<HTMLSelectElement>('filter-bucket').value });
  });
  window.addEventListener('hashchange', () => void drawView());
  window.addEventListener('resize', resizeCharts);
}

async function start(): Promise<void> {
  wireControls();
  await refresh();
  // The accounts view fetches its own figures, so it can show them even when the header's could not be read.
  if (page.portfolio === null && route().view === 'accounts') await drawView();
  document.body.dataset.ready = 'true';
  setInterval(() => void refresh(), REFRESH_SECONDS * 1000);
}

void start();
