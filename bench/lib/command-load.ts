/** The commands benchmark's workload: draws and repayments on random accounts, 70 / 30. */
import autocannon from 'autocannon';
import { fixtureAccountId } from './portfolio-fixture';

export interface CommandRequest {
  accountId: string;
  kind: 'draw' | 'repayment';
  key: string;
  amount: string;
}

export function nextCommand(accounts: number, n: number, runId: string): CommandRequest {
  const accountId = fixtureAccountId(Math.floor(Math.random() * accounts));
  const kind = Math.random() < 0.7 ? 'draw' : 'repayment';
  const fen = 100 + Math.floor(Math.random() * 20_000);
  const amount = `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
  return { accountId, kind, key: `B-${runId}-${n}`, amount: kind === 'draw' ? amount : '1.00' };
}

export function httpRequestFor(c: CommandRequest): { path: string; body: string } {
  return c.kind === 'draw'
    ? { path: `/accounts/${c.accountId}/draws`, body: JSON.stringify({ orderId: c.key, merchant: 'JD.com', amount: c.amount, authentication: { method: 'PASSWORD', passed: true } }) }
    : { path: `/accounts/${c.accountId}/repayments`, body: JSON.stringify({ reference: c.key, amount: c.amount, channel: 'MANUAL' }) };
}

/**
 * The commands over HTTP for `seconds`: autocannon with `connections` connections against the API at
 * `url`, each request the next command of the workload on one of `accounts`, with an operator's key.
 */
export function httpCommandLoad(options: { url: string; apiKey: string; accounts: number; seconds: number; connections: number }): Promise<autocannon.Result> {
  let n = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.seconds,
        headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' },
        requests: [{ method: 'POST', setupRequest: (request) => ({ ...request, ...httpRequestFor(nextCommand(options.accounts, n++, `http${process.pid}`)) }) }],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}
