/**
 * Builds a portfolio's history as fast as the real code allows: every account is driven by the domain's
 * own `decide` and `fold` (so every event is one the ledger would have written), events carry the same
 * metadata and chain hashes as the repository's, and each business day's events go to the real
 * SqliteEventStore as one group commit (one durable transaction per day). What is skipped is the command
 * bus and the per-command fsync, which the commands benchmark measures separately.
 *
 * End of day visits an account only on the dates the domain's `nextActionDate` names, exactly as the
 * end-of-day service does through its schedule, and each day ends with `BusinessDayClosed`.
 */
import { v5 as uuidv5 } from 'uuid';
import {
  addDays,
  applicant,
  bucketsTotal,
  contextAt,
  type CreditAccountCommand,
  type CreditAccountEvent,
  type CreditAccountState,
  decide,
  DEFAULT_TERMS_CATALOGUE,
  DomainError,
  emptySharded,
  fold,
  initialState,
  Money,
  totalOwed,
  withEntries,
} from '@ledger/credit';
import { join } from 'node:path';
import { type NewEvent, SqliteEventStore } from '@ledger/event-store';
import { SeededRandom } from '../../libs/servicing/src/simulation/seeded-random';
import { AuditAnchors } from '@ledger/servicing/audit';
import { type AppliedCommand, encodeSnapshot, SNAPSHOT_SCHEMA_VERSION, snapshotKey } from '@ledger/servicing';
import { nextActionFor } from '@ledger/projections';
import { withChainHashes } from '../../libs/servicing/src/audit/chain-hash';
import { progress } from './child';
import { msSince } from './stats';

const EVENT_ID_NAMESPACE = '4f1c6d2e-8b7a-4e5f-9a3b-2c1d0e9f8a7b';
const BUSINESS_DAY_NAMESPACE = '0b6f7c2a-3d4e-4f8a-9b1c-5e6d7f8a9b0c';
const TERMS = DEFAULT_TERMS_CATALOGUE;
type Persona = 'FULL' | 'MINIMUM' | 'LATE' | 'NEVER';

export interface FixtureOptions {
  accounts: number;
  /** Days of history: the first business day is `start`, the last closed one `start + days - 1`. */
  days: number;
  start: string;
  seed: number;
  onDay?(date: string, index: number, events: number): void;
}

export interface FixtureReport {
  accounts: number;
  days: number;
  events: number;
  lastClosed: string;
  /** The account with the most events, for the audit replay benchmark. */
  busiestAccount: string;
  busiestAccountEvents: number;
}

interface Account {
  id: string;
  stream: string;
  persona: Persona;
  payDelay: number;
  state: CreditAccountState;
  revision: number;
  chainHash: string;
  events: number;
  opened: boolean;
  position: bigint;
  /** The command ids applied, as the repository's snapshots record them for idempotency. */
  /** Kept as a Map while building, and written to the snapshot as the repository writes its command ids. */
  commands: Map<string, AppliedCommand>;
  pending: NewEvent[];
}

export const fixtureAccountId = (i: number) => `acc-${String(i).padStart(7, '0')}`;

class Calendar {
  private readonly days = new Map<string, Set<number>>();
  add(date: string, account: number): void {
    let set = this.days.get(date);
    if (!set) this.days.set(date, (set = new Set()));
    set.add(account);
  }
  take(date: string): number[] {
    const set = this.days.get(date);
    this.days.delete(date);
    return set ? [...set].sort((a, b) => a - b) : [];
  }
}

export async function buildPortfolio(store: SqliteEventStore, options: FixtureOptions): Promise<FixtureReport> {
  // Deterministic (mulberry32), so the same options always build the same ledger.
  const rng = new SeededRandom(options.seed);
  const random = () => rng.next();
  const accounts: Account[] = [];
  const activity = new Calendar();
  const repayments = new Calendar();
  const endOfDay = new Calendar();
  let total = 0;
  const anchors = new AuditAnchors(store);
  let sequence = 0;

  const run = (a: Account, command: CreditAccountCommand, now: string, commandId: string, businessDate: string): CreditAccountEvent[] => {
    let events: CreditAccountEvent[];
    try {
      events = decide(command, a.state, contextAt(now, TERMS));
    } catch (error) {
      if (error instanceof DomainError) return [];
      throw error;
    }
    if (events.length === 0) return events;
    a.state = fold(a.state, events);
    const requestHash = `sha256:${(++sequence).toString(16).padStart(64, '0')}`;
    const chained = withChainHashes(
      a.stream,
      a.chainHash,
      events.map((e, index) => ({
        id: uuidv5(`${a.id}|${commandId}|${index}`, EVENT_ID_NAMESPACE),
        type: e.type,
        schemaVersion: 1,
        data: e.data,
        metadata: { commandId, requestHash, actor: 'system:bench', correlationId: commandId, causationId: commandId, businessDate, recordedAt: now },
      })),
    );
    a.chainHash = chained.last;
    const first = a.revision + 1 + a.pending.length;
    a.commands.set(commandId, { requestHash, firstRevision: String(first), lastRevision: String(first + events.length - 1) });
    a.pending.push(...chained.events);
    return events;
  };

  const schedule = (i: number, after: string) => {
    const next = nextActionFor(accounts[i].state, after, TERMS);
    if (next) endOfDay.add(next, i);
  };

  for (let i = 0; i < options.accounts; i++) {
    const id = fixtureAccountId(i);
    const r = random();
    const persona: Persona = r < 0.6 ? 'FULL' : r < 0.85 ? 'MINIMUM' : r < 0.95 ? 'LATE' : 'NEVER';
    accounts.push({ id, stream: `credit-account-${id}`, persona, payDelay: 1 + Math.floor(random() * 8), state: initialState(id), revision: -1, chainHash: '', events: 0, opened: false, position: 0n, commands: new Map(), pending: [] });
    activity.add(addDays(options.start, Math.floor(random() * Math.min(30, options.days))), i);
  }

  let date = options.start;
  for (let day = 0; day < options.days; day++, date = addDays(date, 1)) {
    const at = `${date}T10:00:00+08:00`;
    for (const i of repayments.take(date)) {
      const a = accounts[i];
      const latest = a.state.statements[a.state.statements.length - 1];
      if (!latest) continue;
      const owed = Money.sum(a.state.statements.map((s) => bucketsTotal(s.owed)));
      const amount = a.persona === 'FULL' ? owed : latest.minimum.minus(latest.repaidSinceIssue);
      const capped = Money.min(amount, totalOwed(a.state));
      if (!capped.isPositive()) continue;
      const reference = `PAY-${a.id}-${date}`;
      run(a, { type: 'ReceiveRepayment', reference, amount: capped.toString(), channel: a.persona === 'FULL' ? 'AUTO_DEBIT' : 'MANUAL' }, at, `repayment:${reference}`, date);
      // As the eod_schedule projection does after every event: a cure can bring the next action forward.
      schedule(i, date);
    }
    for (const i of activity.take(date)) {
      const a = accounts[i];
      if (!a.opened) {
        a.opened = true;
        run(a, { type: 'SubmitApplication', accountId: a.id, channel: 'INVITED', applicant: applicant({ idNumberHash: `hmac-sha256:${a.id}`, payScore: 620 + Math.floor(random() * 200) }) }, at, `application:${a.id}`, date);
        run(a, { type: 'ActivateAccount', agreementVersion: 'fenfu-2026.1', autoRepayCardLast4: '6222' }, at, 'activation', date);
      } else {
        const amount = Money.fromFen(BigInt(500 + Math.floor(random() * 80_000)));
        const orderId = `ORD-${a.id}-${date}`;
        run(a, { type: 'RequestDraw', orderId, merchant: 'JD.com', amount: amount.toString(), authentication: { method: 'PASSWORD', passed: true } }, at, `draw:${orderId}`, date);
      }
      activity.add(addDays(date, 1 + Math.floor(random() * 14)), i);
      schedule(i, date);
    }
    const closing = `${date}T23:59:59+08:00`;
    const counts: Record<string, number> = {};
    const due = endOfDay.take(date);
    for (const i of due) {
      const a = accounts[i];
      const events = run(a, { type: 'CloseBusinessDay', businessDate: date }, closing, `eod:${date}`, date);
      for (const e of events) {
        counts[e.type] = (counts[e.type] ?? 0) + 1;
        if (e.type === 'StatementIssued' && a.persona !== 'NEVER') {
          repayments.add(addDays(date, a.persona === 'LATE' ? 10 + a.payDelay : a.payDelay), i);
        }
      }
      schedule(i, addDays(date, 1));
    }
    const appends: Promise<unknown>[] = [];
    let written = 0;
    for (const a of accounts) {
      if (a.pending.length === 0) continue;
      appends.push(store.append(a.stream, a.revision < 0 ? 'no_stream' : BigInt(a.revision), a.pending).then((r) => (a.position = r.position)));
      a.revision += a.pending.length;
      a.events += a.pending.length;
      written += a.pending.length;
      a.pending = [];
    }
    appends.push(
      store.append('ledger-business-days', day === 0 ? 'no_stream' : BigInt(day - 1), [
        {
          id: uuidv5(`business-day|${date}`, BUSINESS_DAY_NAMESPACE),
          type: 'BusinessDayClosed',
          schemaVersion: 1,
          data: { businessDate: date, closedAt: `${addDays(date, 1)}T00:01:00+08:00`, accounts: due.length, counts },
          metadata: { actor: 'system:bench', businessDate: date, commandId: `eod:${date}`, recordedAt: `${addDays(date, 1)}T00:01:00+08:00` },
        },
      ]),
    );
    await Promise.all(appends);
    total += written + 1;
    // The API anchors the log after each closed day (AuditAnchorScheduler); so does the fixture, or the
    // first anchor the benchmarked API writes would hash the whole year in the middle of a measurement.
    if (await anchors.anchor('system:audit-anchor')) total += 1;
    options.onDay?.(date, day, total);
  }
  // The repository snapshots every 50 events; one snapshot per account at its head stands in for that.
  const snapshots = store.snapshotStore();
  for (const a of accounts) {
    if (a.revision < 0) continue;
    const body = { state: a.state, position: a.position, commands: withEntries(emptySharded<AppliedCommand>(), a.commands), chainHash: a.chainHash };
    const { text, parts } = encodeSnapshot(body, BigInt(a.revision), {});
    await snapshots.saveText(snapshotKey(a.stream), BigInt(a.revision), SNAPSHOT_SCHEMA_VERSION, text, parts);
  }
  const busiest = accounts.reduce((best, a) => (a.events > best.events ? a : best), accounts[0]);
  return { accounts: options.accounts, days: options.days, events: total, lastClosed: addDays(date, -1), busiestAccount: busiest.id, busiestAccountEvents: busiest.events };
}

/** Where and what a benchmark phase builds (`buildLedger`): the fixture phases' parameters. */
export interface LedgerParams {
  dir: string;
  accounts: number;
  days: number;
  start: string;
}

/**
 * Builds a scenario's ledger into `dir/ledger.sqlite` (durable commits, seed 8, as every benchmark
 * builds its fixture), printing its progress every `progressEveryDays` days. The store is left open.
 */
export async function buildLedger(p: LedgerParams, progressEveryDays: number): Promise<{ store: SqliteEventStore; fixture: FixtureReport; buildSeconds: number }> {
  const store = new SqliteEventStore(join(p.dir, 'ledger.sqlite'), { synchronous: 'FULL' });
  const start = process.hrtime.bigint();
  const fixture = await buildPortfolio(store, {
    accounts: p.accounts,
    days: p.days,
    start: p.start,
    seed: 8,
    onDay: (date, index, events) => {
      if (index % progressEveryDays === 0) progress(`fixture ${date}: ${events.toLocaleString()} events, ${Math.round(events / (msSince(start) / 1000)).toLocaleString()}/s`);
    },
  });
  return { store, fixture, buildSeconds: msSince(start) / 1000 };
}
