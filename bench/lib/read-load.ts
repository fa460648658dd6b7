/**
 * The reads benchmark's workload: the routes the ledger's readers call most, each on its own: a servicing
 * desk's account view, statements and next-statement preview, an auditor's replay of an account's whole
 * history, the dashboard's portfolio overview and its list of the accounts longest overdue, the finance
 * month's trial balance and the risk views, the roll rates both whole and as the dashboard asks for them.
 * Account routes ask for random accounts of the fixture.
 */
import autocannon from 'autocannon';
import { addDays, firstOfMonth, lastOfMonth, monthOf } from '@ledger/credit';
import { fixtureAccountId } from './portfolio-fixture';

export interface ReadRoute {
  /** The route as the bench's table names it. */
  name: string;
  /** The next request's path, for a ledger of `accounts` accounts whose statement month is `month` (YYYY-MM). */
  path(accounts: number, month: string): string;
}

const anyAccount = (accounts: number) => fixtureAccountId(Math.floor(Math.random() * accounts));

export const READ_ROUTES: readonly ReadRoute[] = [
  { name: 'GET /accounts/:id', path: (accounts) => `/accounts/${anyAccount(accounts)}` },
  { name: 'GET /accounts/:id/statements', path: (accounts) => `/accounts/${anyAccount(accounts)}/statements` },
  { name: 'GET /accounts/:id/next-statement', path: (accounts) => `/accounts/${anyAccount(accounts)}/next-statement` },
  // No limit: every event in one page, as the forty-seventh round measured it (it was named "first page").
  { name: 'GET /accounts/:id/history (every event)', path: (accounts) => `/accounts/${anyAccount(accounts)}/history` },
  { name: 'GET /portfolio', path: () => '/portfolio' },
  { name: 'GET /accounts?sort=daysPastDue (the first 50)', path: () => '/accounts?sort=daysPastDue&limit=50' },
  { name: "GET /portfolio/trial-balance (the statement day's month)", path: (_, month) => `/portfolio/trial-balance?from=${firstOfMonth(month)}&to=${lastOfMonth(month)}` },
  { name: 'GET /portfolio/vintages?last=12', path: () => '/portfolio/vintages?last=12' },
  { name: 'GET /portfolio/roll-rates', path: () => '/portfolio/roll-rates' },
  // The dashboard's risk card: the month ends from the one before the last closed day's month (the statement day's).
  { name: 'GET /portfolio/roll-rates?from= (the last two month ends, as the dashboard asks)', path: (_, month) => `/portfolio/roll-rates?from=${monthOf(addDays(firstOfMonth(month), -1))}` },
];

/** One route for `seconds`: autocannon with `connections` connections, each request a new path, with an operator's key. */
export function httpReadLoad(options: { url: string; apiKey: string; route: ReadRoute; accounts: number; month: string; seconds: number; connections: number }): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.seconds,
        headers: { authorization: `Bearer ${options.apiKey}` },
        requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: options.route.path(options.accounts, options.month) }) }],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}
