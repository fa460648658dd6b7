/**
 * The real ledger app on a fresh SQLite directory, driven over HTTP with supertest: the same wiring as
 * `npm start`, with a manual business clock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { DestinationStream } from 'pino';
import { addDays } from '@ledger/credit';
import { loadConfig } from '@ledger/servicing';
import { createApp, initApp } from '../../apps/ledger-api/src/bootstrap';
import { idNumber } from './id-numbers';

/** The API keys every test ledger accepts, one per role; `http` sends the operator's. */
export const TEST_API_KEYS = {
  operator: 'test-operator-key-0000000000000001',
  auditor: 'test-auditor-key-00000000000000002',
  viewer: 'test-viewer-key-000000000000000003',
} as const;
export type TestRole = keyof typeof TEST_API_KEYS;

export interface TestLedger {
  app: INestApplication;
  /** Sends the operator key with every request. */
  http: ReturnType<typeof request>;
  /** A client sending another role's key, or no key at all with 'anonymous'. */
  as(role: TestRole | 'anonymous'): ReturnType<typeof request>;
  dir: string;
  setClock(now: string): Promise<void>;
  /** Closes each business day from `from` to `to`, moving the clock past each first. */
  closeDays(from: string, to: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts the real app on SQLite in a temp folder; with `logDestination`, its JSON logs go there instead of nowhere. */
export async function startLedger(env: Record<string, string> = {}, options: { logDestination?: DestinationStream } = {}): Promise<TestLedger> {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-e2e-'));
  const config = loadConfig({
    LEDGER_STORE: 'sqlite',
    LEDGER_SQLITE_PATH: join(dir, 'ledger.sqlite'),
    LEDGER_CLOCK: 'manual',
    LEDGER_CLOCK_START: '2026-01-02T09:00:00+08:00',
    LEDGER_SQLITE_SYNCHRONOUS: 'NORMAL',
    LEDGER_API_KEYS: Object.entries(TEST_API_KEYS)
      .map(([role, key]) => `${role}:test-${role}:${key}`)
      .join(','),
    ...env,
  });
  const app = await createApp(config, options.logDestination ? { logDestination: options.logDestination } : { logger: false });
  await initApp(app);
  const as = (role: TestRole | 'anonymous') => (role === 'anonymous' ? request(app.getHttpServer()) : request.agent(app.getHttpServer()).set('Authorization', `Bearer ${TEST_API_KEYS[role]}`));
  const http = as('operator');
  const ledger: TestLedger = {
    app,
    http,
    as,
    dir,
    async setClock(now) {
      const res = await http.put('/operations/clock').send({ now });
      if (res.status !== 200) throw new Error(`clock: ${res.status} ${JSON.stringify(res.body)}`);
    },
    async closeDays(from, to) {
      for (let day = from; day <= to; day = addDays(day, 1)) {
        const clock = await http.get('/operations/clock');
        if (clock.body.businessDate <= day) await ledger.setClock(`${addDays(day, 1)}T00:05:00+08:00`);
        const res = await http.post('/operations/end-of-day').send({ businessDate: day });
        if (res.status !== 200) throw new Error(`end of day ${day}: ${res.status} ${JSON.stringify(res.body)}`);
      }
    },
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return ledger;
}

export function application(birthDate: string, sequence: number, overrides: Record<string, unknown> = {}) {
  return {
    idNumber: idNumber(birthDate, sequence),
    name: '王小明',
    nationality: 'CN',
    channel: 'INVITED',
    payScore: 650,
    paymentsLast6Months: 40,
    identityVerified: { idCard: true, bankCard: true, phone: true },
    debitCard: { kind: 'DEBIT', last4: '6222' },
    creditRecord: { currentOverdue: false, severeDelinquency: false },
    ...overrides,
  };
}

export async function openAccount(ledger: TestLedger, birthDate: string, sequence: number, overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await ledger.http.post('/applications').send(application(birthDate, sequence, overrides));
  if (res.status !== 201 || res.body.decision !== 'APPROVED') throw new Error(`application: ${res.status} ${JSON.stringify(res.body)}`);
  const activation = await ledger.http.post(`/accounts/${res.body.accountId}/activation`).send({ agreementVersion: 'fenfu-2026.1', autoRepayCardLast4: '6222' });
  if (activation.status !== 201) throw new Error(`activation: ${activation.status} ${JSON.stringify(activation.body)}`);
  return res.body.accountId as string;
}

export function draw(orderId: string, amount: string, method: 'PASSWORD' | 'FACE' = 'PASSWORD', passed = true) {
  return { orderId, merchant: 'JD.com', amount, authentication: { method, passed } };
}
