/**
 * Crash safety: the API runs as a child process under a steady load of draws, repayments and end of day,
 * and is killed with SIGKILL at random moments, several times. After each restart every command that was
 * answered 2xx before the kill is in the log exactly once, nothing unanswered is half-applied, an
 * interrupted end of day resumes and completes, and at the end the whole ledger verifies (chains,
 * postings, trial balance, read models against a replay).
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { addDays } from '@ledger/credit';
import { SqliteEventStore } from '@ledger/event-store';
import { BUSINESS_DAYS_STREAM } from '@ledger/projections';
import { verifyLedger } from '@ledger/servicing/audit';
import { application } from '../support/ledger-app';
import { call, type ChildLedger, compileLedger, startChild } from './support/child-ledger';
import { printFigures } from './support/figures';
import { auditLog, type SentCommand } from './support/log-audit';

jest.setTimeout(150_000);

const ROUNDS = 6;
const ACCOUNTS = 24;
const WORKERS = 6;
/** End of day two accounts at a time, so a kill can land between accounts of one close. */
const CHILD_ENV = { LEDGER_EOD_CONCURRENCY: '2', LEDGER_CLOCK_START: '2026-01-27T09:00:00+08:00' };
const KILL_MODES = ['steady load', 'end of day', 'projection batch'] as const;

interface EndOfDayHooks {
  /** The business day whose end of day is running, if any. */
  inFlight: string | null;
}

interface Outcome {
  key: string;
  kind: 'draw' | 'repayment';
  status: number | null;
}

/** A deterministic generator, so a failing round can be replayed from its seed. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32;
}

/** Copies a database and its WAL aside and opens the copy, so inspecting it never recovers the original. */
function inspectCopy(path: string, scratch: string): Database.Database {
  const copy = join(scratch, `copy-${Date.now()}-${Math.random()}.sqlite`);
  copyFileSync(path, copy);
  for (const suffix of ['-wal', '-shm'])
    if (existsSync(path + suffix)) copyFileSync(path + suffix, copy + suffix);
  return new Database(copy);
}

/** Where the projections run: the default (the main thread) and LEDGER_PROJECTIONS=worker (npm start, the image). */
const PROJECTIONS: [string, Record<string, string>][] = [
  ['projections on the main thread', {}],
  ['projections in a worker thread', { LEDGER_PROJECTIONS: 'worker' }],
];

describe.each(PROJECTIONS)(
  'a ledger killed with SIGKILL at random moments under load, %s',
  (placement, projectionsEnv) => {
    const childEnv = { ...CHILD_ENV, ...projectionsEnv };
    const dir = mkdtempSync(join(tmpdir(), 'ledger-crash-'));
    const dbPath = join(dir, 'ledger.sqlite');
    const readModelPath = join(dir, 'ledger.read-models.sqlite');
    const sent = new Map<string, SentCommand>();
    const outcomes: Outcome[] = [];
    const trusted = new Set<string>();
    const random = seeded(Number(process.env.RELIABILITY_SEED ?? 20260102));
    const figures = {
      requests: 0,
      answered2xx: 0,
      kills: 0,
      killsMidEndOfDay: 0,
      killsWithProjectionsBehind: 0,
      endOfDayResumed: 0,
      daysClosed: 0,
      lost: 0,
      duplicated: 0,
      halfApplied: 0,
    };
    let accounts: string[] = [];
    // Near a month end, so the rounds pass statement days, due dates and overdue days.
    let day = '2026-01-27';
    let child: ChildLedger | undefined;

    beforeAll(() => compileLedger());
    afterAll(async () => {
      if (child && child.process.exitCode === null) child.process.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });

    /** Fires draws and repayments from several workers and closes days back to back, until `stop` says so. */
    async function drive(
      url: string,
      round: number,
      stop: { now: boolean },
      hooks: EndOfDayHooks,
    ): Promise<string | null> {
      let sequence = 0;
      let eodInFlight: string | null = null;
      const worker = async () => {
        while (!stop.now) {
          const accountId = accounts[Math.floor(random() * accounts.length)];
          const n = `${round}-${sequence++}`;
          const amount = `${1 + Math.floor(random() * 80)}.${String(Math.floor(random() * 100)).padStart(2, '0')}`;
          const repay = random() < 0.3;
          const body = repay
            ? { reference: `P-${n}`, amount, channel: 'MANUAL' }
            : {
                orderId: `O-${n}`,
                merchant: 'JD.com',
                amount,
                authentication: { method: 'PASSWORD', passed: true },
              };
          const key = `${accountId}|${repay ? `repayment:P-${n}` : `draw:O-${n}`}`;
          const command = repay
            ? { type: 'ReceiveRepayment' as const, reference: `P-${n}`, amount, channel: 'MANUAL' as const }
            : {
                type: 'RequestDraw' as const,
                orderId: `O-${n}`,
                merchant: 'JD.com',
                amount,
                authentication: { method: 'PASSWORD' as const, passed: true },
              };
          sent.set(key, { command, now: (date) => `${date}T10:00:00+08:00` });
          const outcome: Outcome = { key, kind: repay ? 'repayment' : 'draw', status: null };
          outcomes.push(outcome);
          figures.requests++;
          try {
            outcome.status = (
              await call(url, 'POST', `/accounts/${accountId}/${repay ? 'repayments' : 'draws'}`, body)
            ).status;
          } catch {
            return; // the connection dropped: the process is gone
          }
        }
      };
      const endOfDay = async () => {
        while (!stop.now) {
          const next = addDays(day, 1);
          try {
            await call(url, 'PUT', '/operations/clock', { now: `${next}T10:00:00+08:00` });
            eodInFlight = hooks.inFlight = day;
            const res = await call(url, 'POST', '/operations/end-of-day', { businessDate: day });
            if (res.status !== 200)
              throw new Error(`end of day ${day}: ${res.status} ${JSON.stringify(res.body)}`);
            eodInFlight = hooks.inFlight = null;
            figures.daysClosed++;
            day = next;
          } catch (error) {
            if (error instanceof Error && error.message.startsWith('end of day')) throw error;
            return;
          }
        }
      };
      await Promise.all([...Array.from({ length: WORKERS }, worker), endOfDay()]);
      return eodInFlight;
    }

    it('opens the accounts it will load', async () => {
      child = await startChild(dir, childEnv);
      await call(child.url, 'PUT', '/operations/clock', { now: `${day}T10:00:00+08:00` });
      accounts = [];
      for (let i = 0; i < ACCOUNTS; i++) {
        const res = await call(child.url, 'POST', '/applications', application('1989-04-12', 500 + i));
        expect(res.body.decision).toBe('APPROVED');
        const accountId = String(res.body.accountId);
        expect(
          (
            await call(child.url, 'POST', `/accounts/${accountId}/activation`, {
              agreementVersion: 'fenfu-2026.1',
              autoRepayCardLast4: '6222',
            })
          ).status,
        ).toBe(201);
        accounts.push(accountId);
      }
      for (const key of auditLog(dbPath, sent, trusted).found.keys()) trusted.add(key);
    });

    it(`survives ${ROUNDS} kills: answered commands exactly once, nothing half-applied, end of day resumed`, async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const mode = KILL_MODES[round % KILL_MODES.length];
        const running = child!;
        const stop = { now: false };
        let kill: () => void = () => undefined;
        const killed = new Promise<void>((done) => {
          kill = () => {
            if (stop.now) return;
            stop.now = true;
            running.process.kill('SIGKILL');
            done();
          };
        });
        const timers: NodeJS.Timeout[] = [];
        const hooks: EndOfDayHooks = { inFlight: null };
        if (mode === 'steady load') timers.push(setTimeout(kill, 300 + Math.floor(random() * 700)));
        else {
          // Watch the files from outside: kill once an end of day has done some accounts but not closed the
          // day, or once the log is ahead of the projections' checkpoint (a batch is being applied).
          const events = new Database(dbPath, { readonly: true });
          const readModels = new Database(readModelPath, { readonly: true });
          const eodDone = events.prepare(
            "SELECT COUNT(*) AS n FROM events WHERE stream LIKE 'credit-account-%' AND json_extract(metadata, '$.commandId') = ?",
          );
          const headOf = events.prepare('SELECT MAX(position) AS head FROM events');
          // Where the projections stand (the log mark's row holds the position before an event, not theirs).
          const checkpointOf = readModels.prepare(
            "SELECT MIN(position) AS position FROM projection_checkpoints WHERE name <> '$log_mark'",
          );
          const watch = setInterval(() => {
            const due =
              mode === 'end of day'
                ? hooks.inFlight !== null && (eodDone.get(`eod:${hooks.inFlight}`) as { n: number }).n > 0
                : Number((checkpointOf.get() as { position: number | null }).position ?? 0) <
                    (headOf.get() as { head: number }).head && random() < 0.2;
            if (due) kill();
          }, 1);
          timers.push(watch);
          void killed.then(() => {
            clearInterval(watch);
            events.close();
            readModels.close();
          });
        }
        timers.push(setTimeout(kill, 15_000));
        const [eodInFlight] = await Promise.all([drive(running.url, round, stop, hooks), killed]);
        for (const timer of timers) clearTimeout(timer);
        await running.exited;
        figures.kills++;

        const events = inspectCopy(dbPath, dir);
        const head = (events.prepare('SELECT MAX(position) AS head FROM events').get() as { head: number })
          .head;
        let midEndOfDay = false;
        if (eodInFlight) {
          const partial = events
            .prepare(
              "SELECT COUNT(*) AS n FROM events WHERE stream LIKE 'credit-account-%' AND json_extract(metadata, '$.commandId') = ?",
            )
            .get(`eod:${eodInFlight}`) as { n: number };
          // Half done: some accounts stepped, and the day's close not recorded (the kill can land after it,
          // before the answer went out).
          const closed = events
            .prepare('SELECT COUNT(*) AS n FROM events WHERE stream = ? AND json_extract(data, \'$.businessDate\') = ?')
            .get(BUSINESS_DAYS_STREAM, eodInFlight) as { n: number };
          midEndOfDay = partial.n > 0 && closed.n === 0;
          if (midEndOfDay) figures.killsMidEndOfDay++;
        }
        events.close();
        const readModels = inspectCopy(readModelPath, dir);
        const checkpoint =
          (
            readModels.prepare("SELECT MIN(position) AS position FROM projection_checkpoints WHERE name <> '$log_mark'").get() as {
              position: number | null;
            }
          ).position ?? 0;
        readModels.close();
        if (Number(checkpoint) < head) figures.killsWithProjectionsBehind++;

        child = await startChild(dir, childEnv);
        if (midEndOfDay) {
          // The clock tells the operator a close was interrupted and which day to close again.
          const clock = await call(child.url, 'GET', '/operations/clock');
          expect(clock.body).toMatchObject({ lastClosedBusinessDate: addDays(eodInFlight!, -1), closeBegun: eodInFlight });
        }
        if (eodInFlight) {
          const resumed = await call(child.url, 'POST', '/operations/end-of-day', {
            businessDate: eodInFlight,
          });
          expect(resumed.status).toBe(200);
          figures.endOfDayResumed++;
          figures.daysClosed++;
          day = addDays(eodInFlight, 1);
        }

        const audit = auditLog(dbPath, sent, trusted);
        const answered = outcomes.filter((o) => o.status !== null && o.status >= 200 && o.status < 300);
        const lost = answered.filter((o) => !audit.found.has(o.key));
        const wrong = answered.filter(
          (o) =>
            o.kind === 'draw' &&
            audit.found.get(o.key)?.[0] !== (o.status === 201 ? 'DrawPosted' : 'DrawDeclined'),
        );
        const refusedButStored = outcomes.filter(
          (o) => o.status !== null && o.status >= 400 && audit.found.has(o.key),
        );
        expect({
          round,
          mode,
          lost: lost.map((o) => o.key),
          wrong: wrong.map((o) => o.key),
          refusedButStored: refusedButStored.map((o) => o.key),
        }).toEqual({ round, mode, lost: [], wrong: [], refusedButStored: [] });
        expect({
          round,
          duplicated: audit.duplicated,
          mismatched: audit.mismatched,
          unexplained: audit.unexplained,
        }).toEqual({ round, duplicated: [], mismatched: [], unexplained: [] });
        figures.answered2xx = answered.length;
        figures.lost += lost.length;
        figures.duplicated += audit.duplicated.length;
        figures.halfApplied += audit.mismatched.length;
      }
      const closed = await call(child!.url, 'GET', '/operations/clock');
      expect(closed.body).toMatchObject({ lastClosedBusinessDate: addDays(day, -1), closeBegun: null });
    });

    it('verifies the whole ledger after the last restart: chains, postings, trial balance, read models', async () => {
      await call(child!.url, 'GET', `/accounts/${accounts[0]}?consistency=strong`);
      child!.process.kill('SIGTERM');
      await child!.exited;
      const store = new SqliteEventStore(dbPath);
      const readModels = new Database(readModelPath, { readonly: true });
      try {
        const report = await verifyLedger(store, { readModels });
        expect(report.findings).toEqual([]);
        expect(report.ok).toBe(true);
        printFigures(`crash safety, ${placement}`, {
          'kill rounds (SIGKILL) survived': figures.kills,
          'kills that left an end of day half done': figures.killsMidEndOfDay,
          'kills with projections behind the log': figures.killsWithProjectionsBehind,
          'end-of-day runs resumed after a kill': figures.endOfDayResumed,
          'business days closed': figures.daysClosed,
          'commands sent under load': figures.requests,
          'commands answered 2xx before a kill': figures.answered2xx,
          'events verified': report.events,
          'answered commands lost': figures.lost,
          'commands duplicated': figures.duplicated,
          'commands half-applied': figures.halfApplied,
        });
      } finally {
        readModels.close();
        await store.close();
      }
    });
  },
);
