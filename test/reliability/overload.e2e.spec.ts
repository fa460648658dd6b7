import type { Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { EventStore } from '@ledger/event-store';
import { InFlightLimit } from '../../apps/ledger-api/src/http/in-flight-limit';
import { startLedger, type TestLedger } from '../support/ledger-app';

const draw = { orderId: 'o-1', merchant: 'JD.com', amount: '10.00', authentication: { method: 'PASSWORD', passed: true } };

async function until(what: string, done: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('an API at its limit of requests in flight', () => {
  let ledger: TestLedger;
  afterEach(() => ledger.close());

  it('refuses more with 503 OVERLOADED and Retry-After, still answers its probes, and takes requests again once one ends', async () => {
    ledger = await startLedger({ LEDGER_MAX_IN_FLIGHT: '1' });
    // Hold one request inside the ledger: its read of the log waits until the gate opens.
    const store = ledger.app.get(EventStore);
    const read = store.readStream.bind(store);
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    store.readStream = async (...args) => {
      await gate;
      return read(...args);
    };
    const limit = ledger.app.get(InFlightLimit);
    const held = ledger.http.post('/accounts/acc_held/draws').send(draw).then((res) => res);
    await until('the held request to be in flight', () => limit.inFlight === 1);

    const refused = await ledger.http.post('/accounts/acc_other/draws').send({ ...draw, orderId: 'o-2' });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.body).toEqual({ error: 'OVERLOADED', message: expect.any(String), details: [{ limit: 1 }] });
    await ledger.http.get('/health/live').expect(200);

    open();
    expect((await held).status).toBe(404);
    await until('the held request to end', () => limit.inFlight === 0);
    const after = await ledger.http.post('/accounts/acc_other/draws').send({ ...draw, orderId: 'o-3' });
    expect(after.status).toBe(404);
    expect(after.body.error).toBe('ACCOUNT_NOT_FOUND');
  });

  it('counts a request once its body has arrived: clients trickling bodies, with no key, take no place', async () => {
    ledger = await startLedger({ LEDGER_MAX_IN_FLIGHT: '2' });
    const server = ledger.app.getHttpServer() as Server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const slow = await Promise.all(
      [1, 2, 3].map(
        () =>
          new Promise<Socket>((resolve) => {
            const socket = connect(port, '127.0.0.1', () => {
              socket.write('POST /applications HTTP/1.1\r\nHost: ledger\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n{"a":');
              resolve(socket);
            });
          }),
      ),
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(ledger.app.get(InFlightLimit).inFlight).toBe(0);
      // A caller with a key is served while the three bodies are still arriving.
      await ledger.http.get('/operations/clock').expect(200);
      await ledger.http.post('/accounts/acc_other/draws').send(draw).expect(404);
    } finally {
      for (const socket of slow) socket.destroy();
    }
  });
});
