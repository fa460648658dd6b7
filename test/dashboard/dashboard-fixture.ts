/**
 * A small simulated portfolio behind the real API on a loopback port, and headless Chromium to look at
 * its dashboard. The page gets a viewer key through localStorage, the way a staff member would paste it.
 */
import type { AddressInfo } from 'node:net';
import { CommandBus } from '@nestjs/cqrs';
import { type Browser, chromium, type ConsoleMessage, type Page } from 'playwright-core';
import request from 'supertest';
import { addDays } from '@ledger/credit';
import { AccountRepository, BusinessClock, PortfolioSimulator } from '@ledger/servicing';
import { startLedger, TEST_API_KEYS, type TestLedger } from '../support/ledger-app';

/** A viewer key of the dashboard specs' own, so the specs show the page needs no more than that role. */
export const VIEWER_KEY = 'dashboard-viewer-key-0000000007';
/** The event timeline is audit data, which a viewer may not read. */
export const AUDITOR_KEY = 'dashboard-auditor-key-000000007';

export interface DashboardFixture {
  ledger: TestLedger;
  browser: Browser;
  baseUrl: string;
  /** GET from the API with the viewer key, as the page does. */
  api<T>(path: string): Promise<T>;
  /**
   * A page whose console errors are collected into `errors`. With `clock`, the page runs on Playwright's
   * clock, so a spec fires the 15 s refresh with `page.clock.fastForward` instead of waiting for it.
   */
  open(path: string, options?: { key?: string | null; clock?: boolean }): Promise<{ page: Page; errors: ConsoleMessage[] }>;
  close(): Promise<void>;
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/**
 * `env` is added to the ledger's settings (LEDGER_PROJECTIONS=0, say, for an API beside a projector);
 * `beforeSimulation` runs on the started ledger before the portfolio is simulated (the spec's projector).
 */
export async function startDashboard(options: { env?: Record<string, string>; accounts?: number; months?: number; beforeSimulation?: (ledger: TestLedger) => Promise<void> } = {}): Promise<DashboardFixture> {
  // The operator key is the spec's own, for `ledger.setClock` and `ledger.closeDays`; the page never gets it.
  const ledger = await startLedger({ LEDGER_API_KEYS: `viewer:dashboard-viewer:${VIEWER_KEY},auditor:dashboard-auditor:${AUDITOR_KEY},operator:test-operator:${TEST_API_KEYS.operator}`, ...options.env });
  const { app } = ledger;
  await options.beforeSimulation?.(ledger);
  const clock = app.get(BusinessClock);
  const simulator = new PortfolioSimulator(app.get(CommandBus), app.get(AccountRepository), clock);
  const start = clock.businessDate();
  // By default 122 days, to 3 May, as four months ran until runs ended on a month end: the main spec's
  // figures are of that portfolio (its one M3 account passes 90 days in the 8 days its last test closes).
  const lastDay = options.months === undefined ? addDays(start, 121) : undefined;
  await simulator.run({ accounts: options.accounts ?? 40, months: options.months ?? 4, lastDay, seed: 7, start });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  return {
    ledger,
    browser,
    baseUrl,
    async api<T>(path: string): Promise<T> {
      const res = await request(baseUrl).get(path).set('Authorization', `Bearer ${VIEWER_KEY}`);
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as T;
    },
    async open(path, options = {}) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
      const key = options.key === undefined ? VIEWER_KEY : options.key;
      if (key) await context.addInitScript((k) => localStorage.setItem('ledger.apiKey', k), key);
      const page = await context.newPage();
      if (options.clock) await page.clock.install();
      const errors: ConsoleMessage[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message);
      });
      page.on('pageerror', (error) => {
        errors.push({ type: () => 'error', text: () => `uncaught: ${error.message}`, location: () => ({ url: '', lineNumber: 0, columnNumber: 0 }) } as unknown as ConsoleMessage);
      });
      await page.goto(`${baseUrl}${path}`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
      return { page, errors };
    },
    async close() {
      await browser.close();
      await ledger.close();
    },
  };
}

/**
 * The audit endpoints are the one thing a viewer may be refused (403, auditor data) or a server may not
 * have yet (404); the page says so in place. Chromium logs such an answer as a failed resource, which is
 * expected there and only there.
 */
export function unexpectedErrors(errors: ConsoleMessage[]): string[] {
  const auditRefusal = (m: ConsoleMessage) =>
    /Failed to load resource: the server responded with a status of 40[34]/.test(m.text()) && /\/accounts\/[^/]+\/(history|statements\/[^/]+\/explanation)/.test(m.location().url);
  return errors.filter((m) => !auditRefusal(m)).map((m) => `${m.text()} (${m.location().url})`);
}
