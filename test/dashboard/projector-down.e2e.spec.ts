/**
 * The dashboard beside a projector that has stopped (LEDGER_PROJECTIONS=0, the spec playing the projector):
 * the header shows what /health answers with its 503, in its words, and the portfolio read as the read
 * models stand, labelled as behind, instead of waiting 5 s for a head they will not reach.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { addDays } from '@ledger/credit';
import { EventStore } from '@ledger/event-store';
import type { AccountPage, PortfolioView } from '@ledger/projections';
import { formatMoney } from '../../apps/ledger-api/dashboard/format';
import { LedgerHealth, PROJECTOR_STALL_MS } from '../../apps/ledger-api/src/observability/ledger-health';
import { ReadModels } from '../../apps/ledger-api/src/read-side/read-models';
import { draw } from '../support/ledger-app';
import { type DashboardFixture, startDashboard } from './dashboard-fixture';

const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');

function statusOf(page: Page, name: string): Promise<string> {
  return page.locator(`[data-status="${name}"] strong`).innerText();
}

describe('the dashboard while the projector is down', () => {
  let dashboard: DashboardFixture;

  beforeAll(async () => {
    dashboard = await startDashboard({
      env: { LEDGER_PROJECTIONS: '0' },
      accounts: 12,
      months: 2,
      // The spec is the projector while the portfolio is simulated.
      beforeSimulation: (ledger) => ledger.app.get(ReadModels).runner.start(),
    });
    const { app } = dashboard.ledger;
    await app.get(ReadModels).runner.waitFor(await app.get(EventStore).headPosition(), 30_000);
  }, 180_000);

  afterAll(async () => {
    await dashboard?.close();
  });

  it('shows the health answer, stalled with its lag and message, and the portfolio as the read models hold it', async () => {
    const { ledger } = dashboard;
    const { page: before } = await dashboard.open('/dashboard');
    await expect(statusOf(before, 'lag')).resolves.toBe('0 events');
    await expect(statusOf(before, 'health')).resolves.toBe('ok');
    await before.context().close();

    // The projector stops, a draw is appended, and 30 s pass on the health check's clock with the read models where they were.
    await ledger.app.get(ReadModels).runner.stop();
    const portfolio = await dashboard.api<PortfolioView>('/portfolio?consistency=eventual');
    const { items } = await dashboard.api<AccountPage>('/accounts?status=ACTIVE&limit=1&consistency=eventual');
    await ledger.http.post(`/accounts/${items[0].accountId}/draws`).send(draw('projector-down-1', '1.00')).expect(201);
    const health = ledger.app.get(LedgerHealth);
    let now = Date.now();
    health.now = () => now;
    await ledger.as('viewer').get('/health').expect(200);
    now += PROJECTOR_STALL_MS;
    const stalled = await ledger.as('viewer').get('/health').expect(503);
    expect(stalled.body.projections.state).toBe('stalled');

    const { page, errors } = await dashboard.open('/dashboard', { clock: true });
    await expect(statusOf(page, 'lag')).resolves.toBe('1 event · stalled');
    await expect(page.locator('[data-status="lag"]').getAttribute('class')).resolves.toContain('error');
    await expect(statusOf(page, 'health')).resolves.toBe('degraded');
    await expect(statusOf(page, 'health-reason')).resolves.toBe(`projections: ${stalled.body.projections.error}`);
    expect(stalled.body.projections.error).toContain('is it running?');
    await expect(statusOf(page, 'figures-behind')).resolves.toBe('as the read models hold them, 1 event behind the ledger');
    // "Figures as of" is the last close the read models hold, not the clock's.
    const held = portfolio.lastClosedBusinessDay!;
    await expect(statusOf(page, 'figures-as-of')).resolves.toBe(`start of ${addDays(held, 1)}, with ${held}'s close`);
    await expect(page.locator('#refresh-error').innerText()).resolves.toBe('');
    // The figures are the read models' as they stand: the draw is not in them yet.
    const outstanding = page.locator('[data-figure="outstanding.total"]');
    await expect(outstanding.getAttribute('data-value')).resolves.toBe(portfolio.outstanding.total);
    await expect(outstanding.locator('.figure-value').innerText()).resolves.toBe(formatMoney(portfolio.outstanding.total));

    // Every refresh asks for the read models as they stand, and never waits for the head.
    const reads: string[] = [];
    page.on('request', (request) => {
      if (/\/(portfolio|accounts)/.test(request.url())) reads.push(request.url());
    });
    const refreshes = Number(await page.locator('body').getAttribute('data-refreshes'));
    await page.clock.fastForward(15_000);
    await page.waitForSelector(`body[data-refreshes="${refreshes + 1}"]`);
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.filter((url) => !url.includes('consistency=eventual'))).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-projector-down.png'), clip: { x: 0, y: 0, width: 1440, height: 300 } });
    // Chromium logs /health's 503 as a failed resource; the page itself logs nothing.
    expect(errors.filter((m) => !(m.text().includes('status of 503') && m.location().url.endsWith('/health'))).map((m) => m.text())).toEqual([]);
  });
});
