/**
 * The logs of a simulated business day, read line by line as pino wrote them: the same JSON a log
 * shipper would collect. Applicants' ID numbers and names go into the API all day; none may come out.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type INestApplication, Logger } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { EventStore } from '@ledger/event-store';
import { ProjectionLagTimeoutError } from '@ledger/projections';
import request from 'supertest';
import { AccountRepository, BusinessClock, loadConfig, PortfolioSimulator } from '@ledger/servicing';
import { createApp, initApp } from '../../apps/ledger-api/src/bootstrap';
import { demoLeftShort, generateDemoPortfolio } from '../../apps/ledger-api/src/demo/demo-portfolio';
import { ReadModels } from '../../apps/ledger-api/src/read-side/read-models';
import { idNumber } from '../support/id-numbers';
import { application, draw } from '../support/ledger-app';

const OPERATOR_KEY = 'logs-test-operator-key-000000000001';

interface LogLine {
  level: string;
  msg: string;
  reqId?: string;
  [key: string]: unknown;
}

class CapturedLogs extends Writable {
  readonly raw: string[] = [];
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.raw.push(chunk.toString());
    done();
  }
  get text(): string {
    return this.raw.join('');
  }
  get lines(): LogLine[] {
    return this.text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as LogLine);
  }
}

async function startObserved(logs: CapturedLogs, env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-logs-'));
  const config = loadConfig({
    LEDGER_SQLITE_PATH: join(dir, 'ledger.sqlite'),
    LEDGER_CLOCK: 'manual',
    LEDGER_CLOCK_START: '2026-01-02T09:00:00+08:00',
    LEDGER_SQLITE_SYNCHRONOUS: 'NORMAL',
    LEDGER_API_KEYS: `operator:night-shift:${OPERATOR_KEY}`,
    ...env,
  });
  const app: INestApplication = await createApp(config, { logDestination: logs });
  await initApp(app);
  const http = () => request.agent(app.getHttpServer()).set('Authorization', `Bearer ${OPERATOR_KEY}`);
  return {
    app,
    http,
    async close() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const NAMES = ['王小明', '欧阳娜娜', '李华'];
const ID_NUMBERS = [idNumber('1990-01-15', 101), idNumber('1985-07-04', 202), idNumber('1979-12-31', 303)];

describe('the logs of a simulated business day', () => {
  const logs = new CapturedLogs();
  let drawRequestId: string;
  let account: string;

  beforeAll(async () => {
    const ledger = await startObserved(logs);
    try {
      // A few simulated customers through the command bus, two business days closed by end of day.
      const simulator = new PortfolioSimulator(ledger.app.get(CommandBus), ledger.app.get(AccountRepository), ledger.app.get(BusinessClock));
      await simulator.run({ accounts: 12, months: 1, lastDay: '2026-01-03', seed: 7, start: '2026-01-02' });

      // Then customers over HTTP, including refusals that echo the request back in an error.
      for (let i = 0; i < NAMES.length; i++) {
        const res = await ledger.http().post('/applications').send({ ...application('1990-01-15', 0), idNumber: ID_NUMBERS[i], name: NAMES[i] });
        expect(res.status).toBe(201);
        if (i === 0) account = res.body.accountId;
      }
      await ledger.http().post('/applications').send({ ...application('1990-01-15', 0), idNumber: '11010519900115101X', name: '张伟' }).expect(400);
      await ledger.http().post('/applications').send({ ...application('1990-01-15', 0), idNumber: ID_NUMBERS[0], name: 42 }).expect(400);
      await ledger.http().post(`/accounts/${account}/activation`).send({ agreementVersion: 'fenfu-2026.1', autoRepayCardLast4: '6222' }).expect(201);
      const drawn = await ledger.http().post(`/accounts/${account}/draws`).set('X-Request-Id', 'req-draw-0001').send(draw('log-1', '88.00')).expect(201);
      drawRequestId = drawn.headers['x-request-id'];
      await ledger.http().put('/operations/clock').send({ now: '2026-01-05T00:10:00+08:00' }).expect(200);
      await ledger.http().post('/operations/end-of-day').send({ businessDate: '2026-01-04' }).expect(200);
    } finally {
      await ledger.close();
    }
  }, 60_000);

  it('writes one JSON object per line', () => {
    expect(logs.lines.length).toBeGreaterThan(10);
    for (const line of logs.lines) expect(typeof line.level).toBe('string');
  });

  it('contains no ID number, no name and no API key', () => {
    for (const id of ID_NUMBERS) expect(logs.text).not.toContain(id);
    expect(logs.text).not.toMatch(/\d{17}[\dXx]/);
    // Every applicant's name is Chinese; so the logs must hold no CJK character at all.
    expect(logs.text).not.toMatch(/[\u4e00-\u9fff]/);
    expect(logs.text).not.toContain(OPERATOR_KEY);
  });

  it('logs each command with its request id, type, account, business date and outcome', () => {
    const line = logs.lines.find((l) => l.command === 'RequestDraw' && l.reqId === 'req-draw-0001');
    expect(drawRequestId).toBe('req-draw-0001');
    expect(line).toMatchObject({ level: 'info', command: 'RequestDraw', accountId: account, businessDate: '2026-01-04', outcome: 'accepted', actor: 'operator:night-shift' });
    const applications = logs.lines.filter((l) => l.command === 'SubmitApplication');
    expect(applications).toHaveLength(NAMES.length);
    for (const a of applications) expect(Object.keys(a)).not.toEqual(expect.arrayContaining(['applicant']));
  });

  it("keeps the simulator's commands at debug: a demo sends 140,000 of them", () => {
    expect(logs.lines.filter((l) => l.actor === 'system:simulator' && l.command !== undefined)).toEqual([]);
    // Its days' end-of-day summaries stay at info, as anyone's do.
    expect(logs.lines.filter((l) => l.actor === 'system:simulator' && l.msg.startsWith('end of day')).length).toBeGreaterThan(0);
  });

  it('logs each request once, with the same request id as its commands and without body or headers', () => {
    const requestLine = logs.lines.find((l) => l.reqId === 'req-draw-0001' && l.res !== undefined);
    expect(requestLine).toMatchObject({ level: 'info', route: '/accounts/:id/draws', req: { method: 'POST', path: `/accounts/${account}/draws` }, res: { statusCode: 201 } });
    expect(JSON.stringify(requestLine)).not.toMatch(/headers|authorization|body/i);
    const refused = logs.lines.filter((l) => l.route === '/applications' && (l.res as { statusCode: number }).statusCode === 400);
    expect(refused).toHaveLength(2);
    expect(refused.every((l) => l.level === 'warn')).toBe(true);
  });

  it('summarises each end of day at info and keeps the per-account work at debug', () => {
    const closed = logs.lines.filter((l) => l.msg?.startsWith('end of day'));
    expect(closed.map((l) => l.businessDate)).toEqual(['2026-01-02', '2026-01-03', '2026-01-04']);
    expect(closed[2]).toMatchObject({ level: 'info', outcome: 'closed' });
    expect(logs.lines.some((l) => l.command === 'CloseBusinessDay')).toBe(false);
  });
});

describe('the demo', () => {
  it('names this run\'s keys at the start and again when its portfolio is ready, and keeps its commands out of the info log', async () => {
    const logs = new CapturedLogs();
    // Nest's own logger writes these lines (through pino once main.ts has set it up): watched here as they are written.
    const said: string[] = [];
    for (const level of ['log', 'warn'] as const) jest.spyOn(Logger.prototype, level).mockImplementation((...args: unknown[]) => void said.push(String(args[0])));
    // No keys configured outside production: the API generates demo keys for the run.
    const ledger = await startObserved(logs, { LEDGER_API_KEYS: '', LEDGER_DEMO: '1', LEDGER_DEMO_ACCOUNTS: '6', LEDGER_DEMO_MONTHS: '1' });
    try {
      await generateDemoPortfolio(ledger.app);
      // Started again on the same ledger: the demo is whole, and kept.
      await generateDemoPortfolio(ledger.app);
    } finally {
      await ledger.close();
      jest.restoreAllMocks();
    }
    const atStart = said.filter((m) => /^demo \w+ key: /.test(m)).map((m) => m.split(' ')).map((w) => `${w[1]} ${w[3]}`);
    expect(atStart.map((k) => k.split(' ')[0]).sort()).toEqual(['auditor', 'operator', 'viewer']);
    const ready = said.findIndex((m) => m.startsWith('demo portfolio ready'));
    expect(ready).toBeGreaterThan(0);
    expect(said[ready + 1]).toBe(`demo keys for this run: ${atStart.join(', ')}`);
    expect(logs.lines.some((l) => l.actor === 'system:simulator' && l.command !== undefined)).toBe(false);
    expect(said).toContain('the ledger already holds events: keeping them (delete the data directory for a fresh demo)');
    expect(said.filter((m) => m.includes('short of the'))).toEqual([]);
  }, 60_000);

  it('says when the demo it keeps was left short by an interrupted first start', () => {
    // 12 months from 1 January 2026 close to 2026-12-31 (365 days).
    expect(demoLeftShort('2026-01-01', '2026-12-31', 12)).toBeNull();
    expect(demoLeftShort('2026-01-01', '2027-03-01', 12)).toBeNull(); // closed on since, by hand
    expect(demoLeftShort('2026-01-01', '2026-03-10', 12)).toBe('its days closed only to 2026-03-10, short of the 2026-12-31 a 12-month demo closes');
    expect(demoLeftShort('2026-01-01', null, 12)).toContain('closed only to none');
    expect(demoLeftShort(undefined, null, 12)).toBeNull();
  });
});

describe('the log level', () => {
  it('follows LOG_LEVEL: at warn, a normal day writes no info lines', async () => {
    const logs = new CapturedLogs();
    const ledger = await startObserved(logs, { LOG_LEVEL: 'warn' });
    try {
      await ledger.http().post('/applications').send({ ...application('1990-01-15', 0), idNumber: ID_NUMBERS[1], name: NAMES[1] }).expect(201);
      await ledger.http().post('/applications').send({ idNumber: 'nonsense' }).expect(400);
    } finally {
      await ledger.close();
    }
    expect(logs.lines.length).toBeGreaterThan(0);
    expect(logs.lines.every((l) => l.level === 'warn' || l.level === 'error')).toBe(true);
  });
});

describe('an unexpected failure', () => {
  it('is logged at error with its stack, under the request id the caller can quote', async () => {
    const logs = new CapturedLogs();
    const ledger = await startObserved(logs);
    try {
      const store = ledger.app.get(EventStore);
      store.readStream = () => Promise.reject(new TypeError('boom'));
      await ledger.http().post('/accounts/acc_never_loaded/draws').set('X-Request-Id', 'req-boom-0001').send(draw('boom-1', '10.00')).expect(500);
    } finally {
      await ledger.close();
    }
    const line = logs.lines.find((l) => l.context === 'Errors');
    expect(line).toMatchObject({ level: 'error', reqId: 'req-boom-0001' });
    expect(line?.msg).toMatch(/^TypeError: boom\n\s+at /);
    const requestLines = logs.lines.filter((l) => l.reqId === 'req-boom-0001' && l.res !== undefined);
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({
      level: 'error',
      msg: 'POST /accounts/:id/draws 500',
      route: '/accounts/:id/draws',
      res: { statusCode: 500 },
      err: { type: 'Error', message: 'failed with status code 500' },
    });
    expect((requestLines[0].err as { stack?: unknown }).stack).toEqual(expect.stringContaining('failed with status code 500'));
    expect(typeof requestLines[0].responseTime).toBe('number');
  });
});

describe('a 503 that reports a state of the ledger, not a failure', () => {
  it('is logged at warn with its code and message, no stack (a read waiting on read models that are behind)', async () => {
    const logs = new CapturedLogs();
    const ledger = await startObserved(logs);
    try {
      ledger.app.get(ReadModels).consistent = () => Promise.reject(new ProjectionLagTimeoutError(10n, 5n, 5_000));
      await ledger.http().get('/portfolio').set('X-Request-Id', 'req-behind-0001').expect(503);
    } finally {
      await ledger.close();
    }
    const line = logs.lines.find((l) => l.context === 'Errors');
    expect(line).toMatchObject({ level: 'warn', reqId: 'req-behind-0001', msg: 'READ_MODELS_BEHIND: the read models did not catch up in time; retry, or read with consistency=eventual' });
  });
});

describe('a request whose caller hangs up before the answer', () => {
  it('is logged once, with no status, since none was sent', async () => {
    const logs = new CapturedLogs();
    const ledger = await startObserved(logs);
    let answered: Promise<void> = Promise.resolve();
    try {
      const store = ledger.app.get(EventStore);
      const readStream = store.readStream.bind(store);
      // The command waits 400 ms for its account; the caller gives up after 100.
      store.readStream = (...args) => {
        const read = new Promise<void>((resolve) => setTimeout(resolve, 400)).then(() => readStream(...args));
        answered = read.then(() => undefined, () => undefined);
        return read;
      };
      await expect(ledger.http().post('/accounts/acc_slow/draws').set('X-Request-Id', 'req-gone-0001').send(draw('gone-1', '10.00')).timeout(100)).rejects.toThrow(/Timeout/);
      await new Promise((resolve) => setTimeout(resolve, 50));
      await answered;
    } finally {
      await ledger.close();
    }
    const lines = logs.lines.filter((l) => l.reqId === 'req-gone-0001' && l.res !== undefined);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ route: '/accounts/:id/draws', res: { statusCode: null } });
  });
});

describe('probes', () => {
  it('get a request id but no log line', async () => {
    const logs = new CapturedLogs();
    const ledger = await startObserved(logs);
    try {
      const res = await ledger.http().get('/health/live').set('X-Request-Id', 'req-probe-0001').expect(200);
      expect(res.headers['x-request-id']).toBe('req-probe-0001');
      await ledger.http().get('/accounts?limit=1').set('X-Request-Id', 'req-after-probe').expect(200);
    } finally {
      await ledger.close();
    }
    expect(logs.lines.filter((l) => l.reqId === 'req-probe-0001')).toHaveLength(0);
    expect(logs.lines.filter((l) => l.reqId === 'req-after-probe')).toHaveLength(1);
  });
});

describe('a request to the root path', () => {
  it('is logged once and answered with its request id, as every other path', async () => {
    const logs = new CapturedLogs();
    const ledger = await startObserved(logs);
    try {
      const res = await ledger.http().get('/').set('X-Request-Id', 'req-root-0001');
      expect(res.headers['x-request-id']).toBe('req-root-0001');
    } finally {
      await ledger.close();
    }
    expect(logs.lines.filter((l) => l.reqId === 'req-root-0001' && /^GET \/ /.test(String(l.msg)))).toHaveLength(1);
  });
});
