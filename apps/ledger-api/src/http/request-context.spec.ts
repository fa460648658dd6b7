import { createHash } from 'node:crypto';
import { requestHashes } from './request-context';

/** The hash every build before this one recorded: of the route and the body as sent, keys sorted. */
const recordedBefore = (route: string, text: string) => createHash('sha256').update(`${route}\n${text}`).digest('hex');

describe('a command request\'s hash', () => {
  it('is what earlier builds recorded for a body whose amounts are canonical, so their retries still match', () => {
    const body = { reference: 'P-1', channel: 'MANUAL', amount: '100.00' };
    expect(requestHashes('POST repayments', body)).toEqual({ hash: recordedBefore('POST repayments', '{"amount":"100.00","channel":"MANUAL","reference":"P-1"}') });
  });

  it('takes an amount written another way as the same request, and names the hash an earlier build recorded for it', () => {
    const sent = { reference: 'P-1', channel: 'MANUAL', amount: '100' };
    const canonical = requestHashes('POST repayments', { ...sent, amount: '100.00' });
    expect(requestHashes('POST repayments', sent)).toEqual({ hash: canonical.hash, asSent: recordedBefore('POST repayments', '{"amount":"100","channel":"MANUAL","reference":"P-1"}') });
    expect(requestHashes('PUT controls', { singleTransactionLimit: '500.5', nightLock: true }).hash).toBe(requestHashes('PUT controls', { nightLock: true, singleTransactionLimit: '500.50' }).hash);
  });

  it('tells apart what is not an amount, and another amount', () => {
    const hash = (body: object) => requestHashes('POST draws', body).hash;
    expect(hash({ orderId: '100', amount: '1.00' })).not.toBe(hash({ orderId: '100.00', amount: '1.00' }));
    expect(hash({ orderId: 'O-1', amount: '1.00' })).not.toBe(hash({ orderId: 'O-1', amount: '1.01' }));
  });
});
