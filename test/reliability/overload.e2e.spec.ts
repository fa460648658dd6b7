import { EventStore } from '@ledger/event-store';
import { InFlightLimit } from '../../apps/ledger-api/src/http/in-flight-limit.middleware';
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
});
