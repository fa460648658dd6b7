import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '@ledger/servicing';
import { createApp, listenOnEveryInterface } from './bootstrap';

describe('the API server', () => {
  let app: INestApplication | undefined;
  afterEach(async () => app?.close());

  it('listens on every interface, as Node does given no host, not on localhost alone', async () => {
    app = await createApp(loadConfig({ LEDGER_STORE: 'memory', LEDGER_API_KEYS: 'operator:op:operator-key-0123456789' }), { logger: false });
    await listenOnEveryInterface(app, 0);
    const address = app.getHttpServer().address() as AddressInfo;
    expect(['::', '0.0.0.0']).toContain(address.address);
    const live = await fetch(`http://127.0.0.1:${address.port}/health/live`);
    expect(live.status).toBe(200);
  });
});
