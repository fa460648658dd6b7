/**
 * The dashboard served over plain HTTP from a host that is not localhost (a LAN address, an internal
 * network without TLS): the browser must load it as it does from localhost. The host name is mapped to
 * the loopback address inside Chromium, so the origin is an ordinary, untrusted one on any machine.
 */
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, VIEWER_KEY } from './dashboard-fixture';
import { startLedger } from '../support/ledger-app';

it('loads over plain HTTP from a host other than localhost, fetching nothing over HTTPS', async () => {
  const ledger = await startLedger({ LEDGER_API_KEYS: `viewer:dashboard-viewer:${VIEWER_KEY}` });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, '--host-resolver-rules=MAP ledger.test 127.0.0.1'] });
  try {
    await ledger.app.listen(0, '127.0.0.1');
    const { port } = ledger.app.getHttpServer().address() as AddressInfo;
    const context = await browser.newContext();
    await context.addInitScript((key) => localStorage.setItem('ledger.apiKey', key), VIEWER_KEY);
    const page = await context.newPage();
    const requested: string[] = [];
    const failed: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    page.on('requestfailed', (r) => failed.push(`${r.url()} ${r.failure()?.errorText}`));
    await page.goto(`http://ledger.test:${port}/dashboard`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    expect(failed).toEqual([]);
    expect(requested.filter((url) => !url.startsWith(`http://ledger.test:${port}/`))).toEqual([]);
    expect(requested).toEqual(expect.arrayContaining([`http://ledger.test:${port}/dashboard/dashboard.js`, `http://ledger.test:${port}/portfolio`]));
  } finally {
    await browser.close();
    await ledger.close();
  }
}, 60_000);
