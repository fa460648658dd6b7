/**
 * `ledger verify`: a pass over the whole log in position order, then one account at a time, that checks
 * - the log is intact: each account event's chain hash, revisions without gaps, every anchor's hash;
 * - the postings of every event balance, and the trial balance over the whole ledger is zero;
 * - each account's receivables in the journal (its postings summed) equal what its replayed state owes, by kind;
 * - no posted amount has more than 2 decimals;
 * - each statement's interest equals the sum of its daily accruals (replayed, and in the read model);
 * - each read-model row (balances, statements, limit reviews, closed business days, the open month's
 *   daily accruals) equals the log: a statement's row every figure of its event, the amounts allocated to
 *   it, the repayments counted toward its minimum, and its status, outstanding amount and overdue date as
 *   the account's state gives them;
 * - the portfolio figures equal their sum over the replayed accounts, the roll rates' working table the
 *   accounts whose bucket moved since the last month end, and the journal read model's debits, credits
 *   and lines per posting date, business day and ledger account the replayed postings', when the read
 *   models stand where the log does (`notChecked` says when they do not);
 * - each account's snapshot (the cache a command's load starts from) equals the replay at its revision;
 * - each account's row in the end-of-day schedule names the next date the replayed state needs a close,
 *   after the last day both the log and the read models closed: end of day visits only the accounts it
 *   names, so a row lost or moved would skip the account's statement, due date and review without a word;
 * - days closed after the last anchor: at most the last may still wait for its anchor.
 * Every finding names the account, the event and the difference. Nothing is written.
 *
 * The first pass checks what needs the log's order (the anchors) or only the event and its stream's last
 * hash (chains, revisions, precision); it keeps a few dozen bytes a stream. The second reads each account's
 * stream, up to the position the first reached, and replays it (postings, statement interest, the read
 * models), holding one account at a time: a replay of every account in the log's order held every state
 * at once, about 200 KB an account a year old (519 MB for 1,500 accounts), which no ledger of 100,000
 * accounts could afford.
 */
import {
  accrualBreakdown,
  addDays,
  accrualRows,
  CHART_OF_ACCOUNTS,
  type CreditAccountState,
  DEFAULT_TERMS_CATALOGUE,
  disputedDrawCharges,
  disputedDrawMinimums,
  type DrawReversedData,
  fold,
  initialState,
  isBalanced,
  type LedgerAccount,
  Money,
  postingsFor,
  serializeState,
  type CreditAccountEvent,
  type StatementIssuedData,
  zeroPerAccount,
} from '@ledger/credit';
import { EventStore, SnapshotStore } from '@ledger/event-store';
import {
  addContribution,
  addMonthEndBuckets,
  addMonthEndRoll,
  type BalanceRow,
  balanceRow,
  businessDateOf,
  BUSINESS_DAYS_STREAM,
  type Db,
  eventFigures,
  type Figures,
  isMonthEnd,
  monthEndBuckets,
  PORTFOLIO_KEY_SEPARATOR,
  ROLL_NEW,
  rollStanding,
  accrualDayView,
  getAccruals,
  getLimitReviews,
  getStatements,
  lastClosedBusinessDay,
  type LimitReviewView,
  nextActionFor,
  projectionsAppliedPosition,
  statementView,
  type StatementView,
} from '@ledger/projections';
import type { BusinessDayClosedData } from '../end-of-day/end-of-day.service';
import { ACCOUNT_STREAM_PREFIX, readAccountSnapshot } from '../repository/account-repository';
import { toDomain } from './account-history';
import { AnchorHasher, AUDIT_ANCHOR_STREAM, AuditAnchors, type AuditAnchorData } from './audit-anchors';
import { canonicalJson } from './canonical-json';
import { JournalDaysCheck } from './journal-days-check';
import { CHAIN_GENESIS, chainHashOf } from './chain-hash';
import { readLog, type LogRow, streamRowsReader } from './log-rows';
import { balanceRowDifferences, CHECK_NAMES, type CheckName, differingPart, finding, type Finding, overPreciseAmounts } from './verify-checks';

export interface VerifyOptions {
  /** The read-model database; without it the read-model checks are skipped. */
  readModels?: Db;
  /** The snapshots commands load accounts from; without them the snapshot check is skipped. */
  snapshots?: SnapshotStore;
  /** Positions of the log checked (first pass), then accounts replayed (second). */
  onProgress?(done: bigint, total: bigint, unit: 'positions' | 'accounts'): void;
  /**
   * Anchors recorded outside the ledger (a `lastAnchor` an earlier verify printed): each must still be in the
   * log with its hash. Anchors live in the log they cover, so a log cut back with its anchors, or rewritten
   * with anchors made anew, verifies clean without them.
   */
  expectAnchors?: ExpectedAnchor[];
}

export interface ExpectedAnchor {
  /** The anchor event's own position. */
  position: bigint;
  hash: string;
}

export interface VerifyReport {
  ok: boolean;
  events: number;
  accounts: number;
  anchorsChecked: number;
  /** Events after the last anchor: covered by their stream chains only. */
  unanchoredEvents: number;
  /** The last anchor (its event's position and its hash): to record outside the ledger, for `expectAnchors` later. */
  lastAnchor: { position: string; hash: string; toPosition: string } | null;
  trialBalance: Record<LedgerAccount, string>;
  counts: Record<CheckName, number>;
  findings: Finding[];
  /**
   * The read-model checks of sums over every account (the portfolio's figures, the journal's rows) run
   * only where the read models stand where the replay read the log to: on a ledger taking commands
   * meanwhile they are left out, and this says where each stood. Null when they ran, or no read models
   * were given.
   */
  notChecked: { checks: string[]; readModelsAt: string; logReadTo: string } | null;
}

interface AccountReplay {
  state: CreditAccountState;
  position: bigint;
  failed: boolean;
  statements: StatementIssuedData[];
  /** By statement: the daily and penalty rates of the cycle it billed (the state's before its event). */
  rates: Map<string, { dailyRate: string; penaltyDailyRate: string }>;
  /** By statement: the repayments and refunds allocated to it, and the repayments received while the account listed it. */
  paid: Map<string, StatementPaid>;
  /** The account's receivables as its postings sum them (debits less credits). */
  receivables: Record<Receivable, Money>;
  /** The account's events replayed so far: an upheld dispute's charges are decided on them again. */
  history: CreditAccountEvent[];
  /** Where the account stood at the last month end the replay passed (`rollStanding`), for its roll at the next. */
  standing: string;
  /** Whether its standing moved since that month end: the roll rates' working table then holds it, with `standing`. */
  moved: boolean;
}

type Receivable = (typeof RECEIVABLES)[number];

/** The figures of a day's accrual the open month's check compares. */
const ACCRUAL_FIELDS = ['date', 'normalPrincipal', 'interest', 'penaltyPrincipal', 'penaltyInterest'] as const;
const RECEIVABLES = ['REVOLVING_PRINCIPAL_RECEIVABLE', 'INSTALLMENT_PRINCIPAL_RECEIVABLE', 'INTEREST_RECEIVABLE', 'FEE_RECEIVABLE', 'PENALTY_RECEIVABLE'] as const satisfies readonly LedgerAccount[];

/** What the state owes under each receivable, from the balances row a replay gives (its owed columns). */
function owedByReceivable(row: BalanceRow): Record<Receivable, Money> {
  return {
    REVOLVING_PRINCIPAL_RECEIVABLE: Money.of(row.revolving_unbilled).plus(Money.of(row.revolving_billed)),
    INSTALLMENT_PRINCIPAL_RECEIVABLE: Money.of(row.installment_unbilled).plus(Money.of(row.installment_billed)),
    INTEREST_RECEIVABLE: Money.of(row.interest_owed),
    FEE_RECEIVABLE: Money.of(row.fees_owed),
    PENALTY_RECEIVABLE: Money.of(row.penalty_owed),
  };
}

interface StatementPaid {
  repayments: Money;
  refunds: Money;
  sinceIssue: Money;
  /** The minimum the last upheld dispute set again, null while none has. */
  minimumLoweredTo: string | null;
}

export class LedgerVerifier {
  private readonly findings: Finding[] = [];
  /** Each account stream's last revision and hash, in the order of its first event. */
  private readonly chains = new Map<string, { revision: bigint; hash: string }>();
  /** The last position the first pass read: the second replays each stream up to it. */
  private lastPosition = 0n;
  private readonly balances = zeroPerAccount();
  private anchors: { position: bigint; data: AuditAnchorData }[] = [];
  private anchorIndex = 0;
  private notChecked: VerifyReport['notChecked'] = null;
  /** By account whose standing moved since the last month end: where it stood then (`AccountReplay.moved`). */
  private readonly rollFrom = new Map<string, string>();
  private hasher = new AnchorHasher('');
  private events = 0;
  /** The business days the log closed (first pass), a few thousand in ten years; the last is where the end-of-day schedule looks ahead from. */
  private closes: { date: string; position: bigint; data: BusinessDayClosedData }[] = [];
  /** The portfolio figures the replayed accounts add up to (second pass); none if an account failed to replay. */
  private portfolio: Figures | null = new Map();
  /** The journal read model's rows as the replayed postings add them up (second pass); none if an account failed to replay. */
  private journal: JournalDaysCheck | null = new JournalDaysCheck();
  private scheduleRow: ReturnType<Db['prepare']> | undefined;

  constructor(private readonly store: EventStore, private readonly options: VerifyOptions = {}) {}

  async run(): Promise<VerifyReport> {
    this.anchors = (await new AuditAnchors(this.store).list()).sort((a, b) => Number(BigInt(a.data.toPosition) - BigInt(b.data.toPosition)));
    const head = await this.store.headPosition();
    for await (const rows of readLog(this.store, { tolerateUnreadable: true })) {
      for (const row of rows) this.visit(row);
      this.lastPosition = rows[rows.length - 1].position;
      this.options.onProgress?.(this.lastPosition, head, 'positions');
    }
    while (this.anchorIndex < this.anchors.length) this.closeAnchor();
    this.checkExpectedAnchors();
    this.checkAnchorsWritten();
    await this.replayAccounts();
    this.checkTrialBalance();
    const last = this.anchors.at(-1);
    const counts = Object.fromEntries(CHECK_NAMES.map((c) => [c, this.findings.filter((f) => f.check === c).length])) as Record<CheckName, number>;
    return {
      ok: this.findings.length === 0,
      events: this.events,
      accounts: this.chains.size,
      anchorsChecked: this.anchors.length,
      unanchoredEvents: this.hasher.count,
      lastAnchor: last === undefined ? null : { position: last.position.toString(), hash: last.data.hash, toPosition: last.data.toPosition },
      trialBalance: Object.fromEntries(CHART_OF_ACCOUNTS.map((a) => [a, this.balances[a].toJSON()])) as Record<LedgerAccount, string>,
      counts,
      findings: this.findings,
      notChecked: this.notChecked,
    };
  }

  private visit(row: LogRow): void {
    this.events++;
    while (this.anchorIndex < this.anchors.length && row.position > BigInt(this.anchors[this.anchorIndex].data.toPosition)) this.closeAnchor();
    if (row.unreadable) {
      this.hasher.add(row);
      this.unreadable(row, row.unreadable);
      return;
    }
    // The data's canonical JSON goes into both the anchor's digest and the chain hash: made once.
    const dataJson = canonicalJson(row.data);
    this.hasher.add(row, dataJson);
    this.checkRecordedAt(row);
    if (row.stream === BUSINESS_DAYS_STREAM && row.type === 'BusinessDayClosed') {
      const data = row.data as BusinessDayClosedData;
      this.closes.push({ date: String(data.businessDate), position: row.position, data });
    }
    if (!row.stream.startsWith(ACCOUNT_STREAM_PREFIX)) return;
    const where = eventWhere(row);
    this.checkDatedAfterClose(row, where);
    this.checkChain(row, where, dataJson);
    for (const [path, value] of overPreciseAmounts(row.data)) {
      this.findings.push(finding('AMOUNT_PRECISION', `${path} = ${value} has more than 2 decimals`, { ...where, field: path, actual: value }));
    }
  }

  /**
   * An account's event dated a business day already closed when it was recorded: that day's end of day
   * (its statement, its due date) was decided without it. End of day waits for the commands of its day
   * and refuses later ones (`BusinessDayGate`), so none should be.
   */
  private checkDatedAfterClose(row: LogRow, where: ReturnType<typeof eventWhere>): void {
    const lastClosed = this.closes.at(-1)?.date;
    const date = row.metadata.businessDate;
    if (lastClosed === undefined || typeof date !== 'string' || date > lastClosed) return;
    this.findings.push(
      finding('DATED_AFTER_CLOSE', `the event is dated ${date} and was recorded after business day ${lastClosed} closed: that day's end of day was decided without it`, { ...where, field: 'metadata.businessDate', expected: `after ${lastClosed}`, actual: date }),
    );
  }

  /**
   * A row whose data or metadata is not JSON: a finding of its own. The anchor over it fails too; an account
   * stream's chain goes on from the hash its metadata holds, when that is readable, and its replay stops.
   */
  private unreadable(row: LogRow, unreadable: NonNullable<LogRow['unreadable']>): void {
    const where = eventWhere(row);
    this.findings.push(finding('ROW_UNREADABLE', `the stored ${unreadable.column} is not JSON (${unreadable.reason})`, { ...where, field: unreadable.column, actual: unreadable[unreadable.column].slice(0, 80) }));
    if (!row.stream.startsWith(ACCOUNT_STREAM_PREFIX)) return;
    this.checkRevision(row, where);
    let stored = '';
    try {
      const chainHash = (JSON.parse(unreadable.metadata) as { chainHash?: unknown }).chainHash;
      if (typeof chainHash === 'string') stored = chainHash;
    } catch {
      // The metadata is the column that is not JSON: the next event's chain cannot be checked from here.
    }
    this.chains.set(row.stream, { revision: row.revision, hash: stored });
  }

  /**
   * On SQLite, a point-in-time read (an audit replay as of a moment) compares the `recorded_at` column, which
   * no hash covers: it must say what the metadata, which the anchors cover, says.
   */
  private checkRecordedAt(row: LogRow): void {
    if (row.recordedAtMs === undefined) return;
    const recordedAt = String(row.metadata.recordedAt);
    if (Date.parse(recordedAt) === row.recordedAtMs) return;
    const column = Number.isFinite(row.recordedAtMs) && Math.abs(row.recordedAtMs) <= 8.64e15 ? new Date(row.recordedAtMs).toISOString() : String(row.recordedAtMs);
    this.findings.push(
      finding('RECORDED_AT_MISMATCH', `the recorded_at column says ${column}, the event's metadata ${recordedAt}: a replay as of a moment between them would be wrong`, { ...eventWhere(row), field: 'recorded_at', expected: recordedAt, actual: column }),
    );
  }

  /** The second pass: each account's stream replayed alone, then its read-model rows checked against the replay. */
  private async replayAccounts(): Promise<void> {
    const db = this.options.readModels;
    const storedBalances = db?.prepare('SELECT * FROM balances WHERE account_id = ?');
    const readStream = streamRowsReader(this.store, { tolerateUnreadable: true });
    const total = BigInt(this.chains.size);
    let done = 0n;
    const monthEnds = this.closes.filter((close) => isMonthEnd(close.date));
    for (const stream of this.chains.keys()) {
      const accountId = stream.slice(ACCOUNT_STREAM_PREFIX.length);
      const receivables = Object.fromEntries(RECEIVABLES.map((r) => [r, Money.ZERO])) as Record<Receivable, Money>;
      const account: AccountReplay = { state: initialState(accountId), position: 0n, failed: false, statements: [], rates: new Map(), paid: new Map(), receivables, history: [], standing: ROLL_NEW, moved: false };
      const snapshot = this.options.snapshots && (await readAccountSnapshot(this.options.snapshots, accountId));
      let last: LogRow | undefined;
      let monthEnd = 0;
      for (const row of await readStream(stream)) {
        if (row.position > this.lastPosition) break;
        last = row;
        monthEnd = this.passMonthEnds(account, monthEnds, monthEnd, row.position);
        this.replay(account, row, eventWhere(row));
        if (snapshot && row.revision === snapshot.revision && !account.failed) this.checkSnapshot(account, snapshot.state, eventWhere(row));
      }
      // Read alone, the stream must hold what the log held for it (a store may drop a stream's events from one and not the other).
      const inLog = this.chains.get(stream)!.revision;
      if (last?.revision !== inLog) {
        this.findings.push(finding('REVISION_GAP', `read alone, the stream ends at revision ${last?.revision ?? 'none'}; the log holds it to revision ${inLog}`, { accountId, stream, expected: inLog.toString(), actual: last?.revision.toString() ?? null }));
      }
      this.passMonthEnds(account, monthEnds, monthEnd, this.lastPosition + 1n);
      if (account.failed) {
        this.portfolio = null;
        this.journal = null;
      } else {
        this.checkJournal(accountId, account);
        if (this.portfolio) addContribution(this.portfolio, account.state);
        if (account.moved) this.rollFrom.set(accountId, account.standing);
      }
      const row = storedBalances?.get(accountId) as BalanceRow | undefined;
      if (db !== undefined && !account.failed && (row === undefined || !(await this.movedOn(accountId, row)))) this.checkReadModels(db, accountId, account, row);
      done++;
      if (done % 1_000n === 0n || done === total) this.options.onProgress?.(done, total, 'accounts');
    }
    if (db === undefined) return;
    // An account the log held no event of by the first pass may have begun since (an API serving): its
    // balances row then sits between that position and the head. A row past the head no projection wrote.
    const head = await this.store.headPosition();
    const withoutEvents = (table: 'balances' | 'statements' | 'eod_schedule' | 'limit_reviews') =>
      (db.prepare(`SELECT DISTINCT account_id FROM ${table} WHERE account_id NOT IN (SELECT account_id FROM balances WHERE updated_position > ? AND updated_position <= ?)`).pluck().all(this.lastPosition, head) as string[]).filter(
        (accountId) => !this.chains.has(`${ACCOUNT_STREAM_PREFIX}${accountId}`),
      );
    for (const accountId of withoutEvents('balances')) this.findings.push(finding('READ_MODEL_MISMATCH', 'a balances row for an account without events', { accountId, field: 'balances' }));
    for (const accountId of withoutEvents('statements')) this.findings.push(finding('READ_MODEL_MISMATCH', 'statements for an account without events', { accountId, field: 'statements' }));
    for (const accountId of withoutEvents('eod_schedule')) this.findings.push(finding('READ_MODEL_MISMATCH', 'an end-of-day schedule row for an account without events', { accountId, field: 'eod_schedule' }));
    for (const accountId of withoutEvents('limit_reviews')) this.findings.push(finding('READ_MODEL_MISMATCH', 'limit reviews for an account without events', { accountId, field: 'limit_reviews' }));
    // Where the slowest projection stands: the business days are checked up to it, the portfolio only there.
    const applied = projectionsAppliedPosition(db)() ?? 0n;
    this.checkBusinessDays(db, applied);
    if (applied !== this.lastPosition) {
      const checks = [...(this.portfolio !== null ? ['portfolio figures', "roll rates' working table"] : []), ...(this.journal !== null ? ['journal rows'] : [])];
      if (checks.length > 0) this.notChecked = { checks, readModelsAt: applied.toString(), logReadTo: this.lastPosition.toString() };
      return;
    }
    this.checkPortfolio(db);
    if (this.journal !== null) this.findings.push(...this.journal.findings(db));
  }

  /**
   * The account's share of the delinquency trend and of the roll rates at each month-end close the
   * replay passes before `before` (its state as that close found it); answers the index of the next
   * month end. Its roll is from where it stood at the month end before, which the replay carries along:
   * a check apart from the projection's, which reads the accounts that moved from a table of its own.
   */
  private passMonthEnds(account: AccountReplay, monthEnds: typeof this.closes, from: number, before: bigint): number {
    let next = from;
    for (; next < monthEnds.length && monthEnds[next].position < before; next++) {
      if (this.portfolio && !account.failed && account.state.status !== 'NONE') {
        const buckets = monthEndBuckets(account.state);
        const month = monthEnds[next].date.slice(0, 7);
        addMonthEndBuckets(this.portfolio, buckets, month);
        addMonthEndRoll(this.portfolio, buckets, account.standing, month);
      }
      account.standing = rollStanding(account.state);
      account.moved = false;
    }
    return next;
  }

  /**
   * The dashboard's portfolio figures against the sum over the replayed accounts: each account's
   * contribution as it stands, its flows (funnel, billed and reversed charges, limit decisions) and its
   * buckets at each month end. They are sums over the whole ledger, so they are compared only when the
   * read models stand exactly where the first pass stopped (no API writing meanwhile).
   */
  private checkPortfolio(db: Db): void {
    if (this.portfolio === null) return;
    // The accounts whose standing moved since the last month end, with where they stood then: the roll
    // rates' working table, which the next month end's rolls are read from.
    const moved = db.prepare('SELECT account_id AS accountId, standing FROM portfolio_roll_from').all() as { accountId: string; standing: string }[];
    const held = new Map(moved.map((r) => [r.accountId, r.standing]));
    for (const accountId of new Set([...this.rollFrom.keys(), ...held.keys()])) {
      const [want, have] = [this.rollFrom.get(accountId), held.get(accountId)];
      if (want === have) continue;
      this.findings.push(
        finding('READ_MODEL_MISMATCH', `the roll rates' working table holds ${have ?? 'no row'} for the account, where the replay has ${want === undefined ? 'no move since the last month end' : `${want} at the last month end`}`, { accountId, field: 'portfolio_roll_from.standing', expected: want ?? null, actual: have ?? null }),
      );
    }
    const expected = new Map([...this.portfolio].filter(([, f]) => f.count !== 0 || !f.amount.isZero()));
    const rows = db.prepare('SELECT section, key, count, amount FROM portfolio_figures').all() as { section: string; key: string; count: number; amount: string }[];
    const stored = new Map(rows.map((r) => [`${r.section}${PORTFOLIO_KEY_SEPARATOR}${r.key}`, r]));
    for (const id of new Set([...expected.keys(), ...stored.keys()])) {
      const want = expected.get(id);
      const have = stored.get(id);
      const [wantText, haveText] = [want && `${want.count} / ${want.amount.toExactString()}`, have && `${have.count} / ${Money.exact(have.amount).toExactString()}`];
      if (wantText === haveText) continue;
      const name = id.split(PORTFOLIO_KEY_SEPARATOR).join('/');
      this.findings.push(
        finding('READ_MODEL_MISMATCH', `portfolio figure ${name} (count / amount) is ${haveText ?? 'missing'} in the read model, ${wantText ?? 'none'} over the replayed accounts`, { field: `portfolio_figures.${name}`, expected: wantText ?? null, actual: haveText ?? null }),
      );
    }
  }

  /**
   * The closed business days the read models hold (each day's report, and the last closed day that the
   * accruals read to) against the log's BusinessDayClosed events, up to where the read models have
   * applied the log; a day closed after the first pass is left alone.
   */
  private checkBusinessDays(db: Db, applied: bigint): void {
    const rows = new Map(
      (db.prepare('SELECT business_date AS date, closed_at AS closedAt, accounts, counts_json AS counts, position FROM business_days').all() as { date: string; closedAt: string; accounts: number; counts: string; position: number }[]).map((r) => [r.date, r]),
    );
    const where = { stream: BUSINESS_DAYS_STREAM };
    const countsOf = (json: string) => {
      try {
        return canonicalJson(JSON.parse(json) as unknown);
      } catch {
        return json;
      }
    };
    for (const close of this.closes) {
      const row = rows.get(close.date);
      rows.delete(close.date);
      if (close.position > applied) continue;
      const at = { ...where, position: close.position.toString() };
      if (row === undefined) {
        this.findings.push(finding('READ_MODEL_MISMATCH', `business day ${close.date} is in the log and not in the read model`, { ...at, field: `business_days.${close.date}`, expected: 'present', actual: null }));
        continue;
      }
      const figures: [string, string, string][] = [
        ['position', close.position.toString(), String(row.position)],
        ['closedAt', close.data.closedAt, row.closedAt],
        ['accounts', String(close.data.accounts), String(row.accounts)],
        ['counts', canonicalJson(close.data.counts ?? {}), countsOf(row.counts)],
      ];
      for (const [name, expected, actual] of figures) {
        if (expected === actual) continue;
        this.findings.push(finding('READ_MODEL_MISMATCH', `business day ${close.date} ${name} is ${actual} in the read model, ${expected} in the log`, { ...at, field: `business_days.${close.date}.${name}`, expected, actual }));
      }
    }
    for (const row of rows.values()) {
      if (BigInt(row.position) > this.lastPosition) continue;
      this.findings.push(finding('READ_MODEL_MISMATCH', `business day ${row.date} is in the read model and not in the log`, { ...where, field: `business_days.${row.date}`, expected: null, actual: 'present' }));
    }
  }

  /**
   * Whether the account's read-model row shows events after the first pass's last position: written by an
   * API serving meanwhile, it is not compared with a replay that stops before them. A row past the log's
   * head, which no projection can write, is a finding.
   */
  private async movedOn(accountId: string, row: BalanceRow): Promise<boolean> {
    const at = BigInt(row.updated_position);
    if (at <= this.lastPosition) return false;
    const head = await this.store.headPosition();
    if (at > head) this.findings.push(finding('READ_MODEL_MISMATCH', `the balances row is at position ${at}, past the log's head ${head}`, { accountId, field: 'balances.updated_position', expected: head.toString(), actual: at.toString() }));
    return true;
  }

  /** The event's revision against its stream's last one; answers the stream's chain so far. */
  private checkRevision(row: LogRow, where: Partial<Finding>): { revision: bigint; hash: string } {
    const chain = this.chains.get(row.stream) ?? { revision: -1n, hash: CHAIN_GENESIS };
    if (row.revision !== chain.revision + 1n) {
      const message = row.revision > chain.revision + 1n ? `revision ${row.revision} follows ${chain.revision}: event(s) missing` : `revision ${row.revision} follows ${chain.revision}: out of order`;
      this.findings.push(finding('REVISION_GAP', message, { ...where, expected: (chain.revision + 1n).toString(), actual: row.revision.toString() }));
    }
    return chain;
  }

  private checkChain(row: LogRow, where: Partial<Finding>, dataJson: string): void {
    const chain = this.checkRevision(row, where);
    const stored = typeof row.metadata.chainHash === 'string' ? row.metadata.chainHash : '';
    const recomputed = chainHashOf(chain.hash, row, dataJson);
    if (stored !== recomputed) {
      this.findings.push(finding('CHAIN_BROKEN', 'the stored event does not hash to its chain hash: it, or the event before it, was edited, deleted or moved', { ...where, field: 'metadata.chainHash', expected: recomputed, actual: stored || 'null' }));
    }
    // Continue from the stored hash, so one tampered event is reported once, not at every later event.
    this.chains.set(row.stream, { revision: row.revision, hash: stored });
  }

  private replay(account: AccountReplay, row: LogRow, where: Partial<Finding>): void {
    account.position = row.position;
    if (account.failed) return;
    // Named by the first pass (ROW_UNREADABLE): nothing after it can be replayed.
    if (row.unreadable) {
      account.failed = true;
      return;
    }
    const event = toDomain({ ...row, schemaVersion: 1 });
    try {
      const postings = postingsFor(event);
      if (!isBalanced(postings)) {
        const side = (s: 'DEBIT' | 'CREDIT') => Money.sum(postings.filter((p) => p.side === s).map((p) => p.amount)).toString();
        this.findings.push(finding('POSTINGS_UNBALANCED', `debits ${side('DEBIT')} and credits ${side('CREDIT')} differ`, { ...where, expected: side('DEBIT'), actual: side('CREDIT') }));
      }
      // The business day the log recorded for the event, which the read model works out from the event
      // alone (`businessDateOf`): a check of that too. An event recorded without one is taken as the read model takes it.
      const recorded = row.metadata.businessDate;
      this.journal?.add(event.data.on, typeof recorded === 'string' ? recorded : businessDateOf(event), postings);
      for (const p of postings) {
        const signed = p.side === 'DEBIT' ? p.amount : p.amount.negated();
        this.balances[p.account] = this.balances[p.account].plus(signed);
        if (p.account in account.receivables) account.receivables[p.account as Receivable] = account.receivables[p.account as Receivable].plus(signed);
      }
      if (event.type === 'StatementIssued') this.checkStatementInterest(account, event.data, where);
      if (event.type === 'DrawReversed') this.checkDisputeCharges(account, event.data, where);
      notePaid(account, event);
      const standing = rollStanding(account.state);
      account.state = fold(account.state, [event]);
      if (rollStanding(account.state) !== standing) account.moved = true;
      account.history.push(event);
      if (this.portfolio) eventFigures(event, account.state, this.portfolio);
    } catch (error) {
      account.failed = true;
      this.findings.push(finding('REPLAY_FAILED', `the event cannot be replayed: ${(error as Error).message}`, where));
    }
  }

  /**
   * The account's snapshot against the replay at its revision: a command on the account is decided on the
   * snapshot's state and the events after it, so an edited snapshot (a limit raised in the file, say)
   * would decide what the log cannot explain. Named by the first top-level field of the state that differs.
   */
  private checkSnapshot(account: AccountReplay, snapshotState: CreditAccountState, where: Partial<Finding>): void {
    let storedText: string;
    try {
      storedText = serializeState(snapshotState);
    } catch {
      return; // A part that does not parse: the load replays from the first event instead (a cache miss).
    }
    const replayedText = serializeState(account.state);
    if (storedText === replayedText) return;
    const stored = JSON.parse(storedText) as Record<string, unknown>;
    const replayed = JSON.parse(replayedText) as Record<string, unknown>;
    const json = (value: unknown) => (value === undefined ? 'missing' : JSON.stringify(value));
    const field = Object.keys({ ...replayed, ...stored }).find((key) => json(stored[key]) !== json(replayed[key]));
    if (field === undefined) return;
    const text = (value: unknown) => json(value).slice(0, 200);
    this.findings.push(
      finding('SNAPSHOT_MISMATCH', `the snapshot at revision ${where.revision} differs from the replay there in ${field}: a command would be decided on it`, {
        ...where,
        field: `snapshot.${field}`,
        expected: text(replayed[field]),
        actual: text(stored[field]),
      }),
    );
  }

  /** The account's receivables in the journal against what its replayed state owes, kind by kind. */
  private checkJournal(accountId: string, account: AccountReplay): void {
    const owed = owedByReceivable(balanceRow(account.state, account.position));
    for (const receivable of RECEIVABLES) {
      const inJournal = account.receivables[receivable];
      if (inJournal.equals(owed[receivable])) continue;
      this.findings.push(
        finding('JOURNAL_MISMATCH', `the journal holds ${inJournal.toJSON()} receivable under ${receivable}, the replayed account owes ${owed[receivable].toJSON()}`, { accountId, stream: `${ACCOUNT_STREAM_PREFIX}${accountId}`, field: receivable, expected: owed[receivable].toJSON(), actual: inJournal.toJSON() }),
      );
    }
  }

  private checkStatementInterest(account: AccountReplay, data: StatementIssuedData, where: Partial<Finding>): void {
    account.statements.push(data);
    account.rates.set(data.statementId, { dailyRate: account.state.dailyRate, penaltyDailyRate: account.state.penaltyDailyRate });
    const rows = accrualRows(account.state.accrual.segments, data.periodFrom, data.periodTo);
    const sums = { interest: Money.sum(rows.map((r) => r.interest)), penaltyInterest: Money.sum(rows.map((r) => r.penaltyInterest)) };
    for (const kind of ['interest', 'penaltyInterest'] as const) {
      // The sum of the daily accruals, less what upheld disputes took off the period as the replayed account holds it.
      const part = differingPart(data[kind], accrualBreakdown(sums[kind], account.state.accrual.reversed?.[kind]));
      if (part) {
        this.findings.push(
          finding('STATEMENT_INTEREST', `statement ${data.statementId} ${kind} records ${part.name} ${part.actual}; its daily accruals (${sums[kind].toExactString()}) give ${part.expected}`, { ...where, field: `data.${kind}.${part.name}`, expected: part.expected, actual: part.actual }),
        );
      }
    }
  }

  /**
   * An upheld dispute's charges, decided again on the account's history up to it: the statements after
   * it charge less by what it recorded (`checkStatementInterest` reads that back), so a reversal that
   * recorded more than the draw's share would otherwise pass. Reversals recorded before charges were
   * reversed carry none, and are not checked.
   */
  private checkDisputeCharges(account: AccountReplay, data: DrawReversedData, where: Partial<Finding>): void {
    if (!data.charges) return;
    const charges = disputedDrawCharges(account.history, data.drawId, data.on, account.state);
    const expected = canonicalJson(charges);
    const actual = canonicalJson(data.charges);
    if (expected !== actual) this.findings.push(finding('DISPUTE_CHARGES', `the reversal of draw ${data.drawId} records other charges than its history gives`, { ...where, field: 'data.charges', expected, actual }));
    if (!data.minimums) return;
    const minimums = canonicalJson(disputedDrawMinimums(account.history, data.drawId, charges, account.state, DEFAULT_TERMS_CATALOGUE));
    const recorded = canonicalJson(data.minimums);
    if (minimums !== recorded) this.findings.push(finding('DISPUTE_CHARGES', `the reversal of draw ${data.drawId} sets other minimums than its history gives`, { ...where, field: 'data.minimums', expected: minimums, actual: recorded }));
  }

  private closeAnchor(): void {
    const anchor = this.anchors[this.anchorIndex];
    const previous = this.anchorIndex > 0 ? this.anchors[this.anchorIndex - 1].data : null;
    const recomputed = this.hasher.digest();
    const where = { stream: 'system-audit-anchors', position: anchor.position.toString() };
    if (recomputed !== anchor.data.hash) {
      this.findings.push(finding('ANCHOR_MISMATCH', `the log from position ${anchor.data.fromPosition} (exclusive) to ${anchor.data.toPosition} no longer hashes to its anchor (anchored ${anchor.data.events} events, now ${this.hasher.count})`, { ...where, field: 'hash', expected: anchor.data.hash, actual: recomputed }));
    } else if (anchor.data.events !== this.hasher.count) {
      // The next anchor covers this one's event, but nothing covers the last one's: its count is checked here.
      this.findings.push(finding('ANCHOR_MISMATCH', `anchor at position ${anchor.position} says it covers ${anchor.data.events} events; the log it hashes holds ${this.hasher.count}`, { ...where, field: 'events', expected: String(this.hasher.count), actual: String(anchor.data.events) }));
    }
    if (anchor.data.previousHash !== (previous?.hash ?? '') || anchor.data.fromPosition !== (previous?.toPosition ?? '0')) {
      this.findings.push(finding('ANCHOR_MISMATCH', `anchor at position ${anchor.position} does not follow the anchor before it: an anchor is missing or edited`, { ...where, field: 'previousHash', expected: previous?.hash ?? '', actual: anchor.data.previousHash }));
    }
    this.hasher = new AnchorHasher(anchor.data.hash);
    this.anchorIndex++;
  }

  /**
   * An anchor is written after each closed business day: the last close may still be waiting for its
   * anchor, but days closed before it with no anchor covering them mean the anchors were removed (a
   * rewritten log whose anchors were not made anew) or the writer has stopped. Only anchors kept outside
   * the ledger (`--expect-anchor`) show a log rewritten with anchors made anew.
   */
  private checkAnchorsWritten(): void {
    const last = this.anchors.at(-1);
    const covered = last === undefined ? -1n : BigInt(last.data.toPosition);
    const unanchored = this.closes.filter((c) => c.position > covered);
    if (unanchored.length < 2) return;
    const [first, latest] = [unanchored[0], unanchored[unanchored.length - 1]];
    this.findings.push(
      finding('ANCHOR_MISSING', `${unanchored.length} business days closed after the last anchor (${first.date} to ${latest.date}): an anchor is written after each close, so the anchors were removed, or their writer stopped`, {
        stream: AUDIT_ANCHOR_STREAM,
        position: first.position.toString(),
        field: 'anchors',
        expected: `an anchor after ${first.date}`,
        actual: last === undefined ? 'no anchor' : `the last anchor covers the log to position ${last.data.toPosition}`,
      }),
    );
  }

  private checkExpectedAnchors(): void {
    for (const expected of this.options.expectAnchors ?? []) {
      const anchor = this.anchors.find((a) => a.position === expected.position);
      const where = { stream: 'system-audit-anchors', position: expected.position.toString(), field: 'hash', expected: expected.hash };
      if (anchor === undefined) {
        this.findings.push(finding('ANCHOR_MISMATCH', `the anchor recorded at position ${expected.position} is not in the log: the log was cut back before it, or rewritten`, { ...where, actual: null }));
      } else if (anchor.data.hash !== expected.hash) {
        this.findings.push(finding('ANCHOR_MISMATCH', `the anchor at position ${expected.position} has another hash than the one recorded: the log up to it was rewritten`, { ...where, actual: anchor.data.hash }));
      }
    }
  }

  private checkTrialBalance(): void {
    const total = Money.sum(Object.values(this.balances));
    if (!total.isZero()) this.findings.push(finding('TRIAL_BALANCE', `the trial balance over the whole ledger sums to ${total.toJSON()}, not zero`, { expected: '0.00', actual: total.toJSON() }));
  }

  private checkReadModels(db: Db, accountId: string, account: AccountReplay, row: BalanceRow | undefined): void {
    if (!row) {
      this.findings.push(finding('READ_MODEL_MISMATCH', 'no balances row for an account with events', { accountId, field: 'balances' }));
      return;
    }
    for (const [column, expected, actual] of balanceRowDifferences(account.state, account.position, row)) {
      this.findings.push(finding('READ_MODEL_MISMATCH', `balances.${column} is ${actual}, the replay gives ${expected}`, { accountId, field: `balances.${column}`, expected, actual }));
    }
    this.checkStatementRows(db, accountId, account);
    this.checkLimitReviews(db, accountId, account);
    // The accruals and the schedule as of the last close both the log (to the first pass) and the read
    // models hold: an API serving meanwhile commits a close to the log before its projections apply it.
    // One read transaction, so a close the projections commit meanwhile is seen by both reads or neither.
    db.transaction(() => {
      const [projected, logged] = [lastClosedBusinessDay(db), this.closes.at(-1)?.date ?? null];
      const closed = logged === null || projected === null ? null : projected < logged ? projected : logged;
      this.checkOpenAccruals(db, accountId, account, closed);
      this.checkSchedule(db, accountId, account, closed);
    })();
  }

  /**
   * The daily accruals of the period not yet billed, as `/accruals` serves them, against the replayed
   * state's, day by day up to the last closed day (the billed periods' sums are checked at each statement).
   * The first day that differs is named.
   */
  private checkOpenAccruals(db: Db, accountId: string, account: AccountReplay, closed: string | null): void {
    const start = account.state.accrual.periodStart;
    if (start === null || closed === null || closed < start) return;
    const earliest = addDays(closed, -700); // within the read side's range limit; a period is a month
    const from = start > earliest ? start : earliest;
    const stored = getAccruals(db, accountId, from, closed).days;
    const replayed = accrualRows(account.state.accrual.segments, from, closed).map(accrualDayView);
    for (let i = 0; i < Math.max(stored.length, replayed.length); i++) {
      const [want, have] = [replayed[i], stored[i]];
      const field = want && have ? ACCRUAL_FIELDS.find((key) => want[key] !== have[key]) : 'date';
      if (field === undefined) continue;
      const date = want?.date ?? have?.date;
      this.findings.push(
        finding('READ_MODEL_MISMATCH', `the accrual of ${date} has ${field} ${have?.[field] ?? 'missing'} in the read model, ${want?.[field] ?? 'none'} in the replay`, { accountId, field: `accruals.${date}.${field}`, expected: want?.[field] ?? null, actual: have?.[field] ?? null }),
      );
      return;
    }
  }

  /** Each quarterly review in the read model against its event, field by field, and no review either lacks. */
  private checkLimitReviews(db: Db, accountId: string, account: AccountReplay): void {
    const expected = new Map<string, LimitReviewView>();
    for (const event of account.history) {
      if (event.type !== 'CreditLimitReviewed') continue;
      const d = event.data;
      expected.set(d.quarter, {
        accountId,
        quarter: d.quarter,
        reviewedOn: d.on,
        // In the view's order (reviews recorded before overdue episodes were counted carry none: 0).
        inputs: {
          averageUtilization: d.inputs.averageUtilization,
          overdueDays: d.inputs.overdueDays,
          overdueEpisodes: d.inputs.overdueEpisodes ?? 0,
          statementsDue: d.inputs.statementsDue,
          statementsPaidOnTime: d.inputs.statementsPaidOnTime,
          payScore: d.inputs.payScore,
          owed: d.inputs.owed,
        },
        decision: d.decision,
        reasons: d.reasons,
        oldLimit: d.oldLimit,
        newLimit: d.newLimit,
        oldDailyRate: d.oldDailyRate,
        newDailyRate: d.newDailyRate,
        newPenaltyDailyRate: d.newPenaltyDailyRate,
        termsVersion: d.termsVersion,
      });
    }
    const stored = new Map(getLimitReviews(db, accountId).map((view) => [view.quarter, view]));
    for (const quarter of new Set([...expected.keys(), ...stored.keys()])) {
      const [want, have] = [expected.get(quarter), stored.get(quarter)];
      const fields = want && have ? (Object.keys(want) as (keyof LimitReviewView)[]).filter((key) => JSON.stringify(want[key]) !== JSON.stringify(have[key])) : ['row' as const];
      for (const field of fields) {
        const shown = (view: LimitReviewView | undefined) => (view === undefined ? null : field === 'row' ? 'present' : JSON.stringify(view[field]));
        this.findings.push(
          finding('READ_MODEL_MISMATCH', `limit review ${quarter} ${field} is ${shown(have) ?? 'missing'} in the read model, ${shown(want) ?? 'absent'} in the log`, { accountId, field: `limit_reviews.${quarter}.${field}`, expected: shown(want), actual: shown(have) }),
        );
      }
    }
  }

  /**
   * The account's end-of-day schedule row against the replay: the next date a close needs the account
   * (`nextActionFor`) from its last event, or, where that day has closed since, from the day after
   * `closed`, as the projection's sweeps move it. A row a close after the first pass wrote is left alone.
   */
  private checkSchedule(db: Db, accountId: string, account: AccountReplay, closed: string | null): void {
    this.scheduleRow ??= db.prepare('SELECT next_action_date AS date, position FROM eod_schedule WHERE account_id = ?');
    const row = this.scheduleRow.get(accountId) as { date: string; position: number } | undefined;
    if (row !== undefined && BigInt(row.position) > this.lastPosition) return;
    const lastOn = account.state.lastOn ?? '0000-01-01';
    let expected = nextActionFor(account.state, lastOn, DEFAULT_TERMS_CATALOGUE);
    if (expected !== null && closed !== null && expected <= closed) expected = nextActionFor(account.state, addDays(closed, 1), DEFAULT_TERMS_CATALOGUE);
    const actual = row?.date ?? null;
    if (actual === expected) return;
    const message = `the end-of-day schedule has ${actual === null ? 'no row' : `its next close on ${actual}`}, the replay needs ${expected === null ? 'none' : expected}: end of day visits only the accounts it names`;
    this.findings.push(finding('READ_MODEL_MISMATCH', message, { accountId, field: 'eod_schedule.next_action_date', expected, actual }));
  }

  private checkStatementRows(db: Db, accountId: string, account: AccountReplay): void {
    const rows = new Map(getStatements(db, accountId).map((view) => [view.statementId, view]));
    for (const s of account.statements) {
      const view = rows.get(s.statementId);
      rows.delete(s.statementId);
      const mismatch = (field: string, expected: string | null, actual: string | null | undefined) => {
        if (actual === expected) return;
        const shown = actual === undefined ? 'missing' : String(actual);
        this.findings.push(finding('READ_MODEL_MISMATCH', `statement ${s.statementId} ${field} is ${shown} in the read model, ${String(expected)} in the log`, { accountId, field: `statements.${s.statementId}.${field}`, expected, actual: actual ?? null }));
      };
      if (view === undefined) {
        mismatch('row', 'present', undefined);
        continue;
      }
      for (const [field, expected, actual] of statementFigures(s, view)) mismatch(field, expected, actual);
      const paid = account.paid.get(s.statementId)!;
      mismatch('paid.repayments', paid.repayments.toString(), view.paid.repayments);
      mismatch('paid.refunds', paid.refunds.toString(), view.paid.refunds);
      mismatch('repaidSinceIssue', paid.sinceIssue.toString(), view.repaidSinceIssue);
      mismatch('minimumLoweredTo', paid.minimumLoweredTo, view.minimumLoweredTo);
      const rates = account.rates.get(s.statementId)!;
      mismatch('dailyRate', rates.dailyRate, view.dailyRate);
      mismatch('penaltyDailyRate', rates.penaltyDailyRate, view.penaltyDailyRate);
      const now = statementView(account.state, s.statementId);
      mismatch('status', now.status, view.status);
      mismatch('outstanding', now.outstanding, view.outstanding);
      mismatch('overdueSince', now.overdueSince, view.overdueSince);
      const accrued = getAccruals(db, accountId, s.periodFrom, s.periodTo).totals;
      if (!Money.exact(accrued.interest).equals(Money.exact(s.interest.exact))) {
        this.findings.push(finding('STATEMENT_INTEREST', `statement ${s.statementId} interest ${s.interest.exact} differs from the accruals read model's sum ${accrued.interest}`, { accountId, field: `accruals.${s.statementId}`, expected: s.interest.exact, actual: accrued.interest }));
      }
    }
    for (const statementId of rows.keys()) {
      this.findings.push(finding('READ_MODEL_MISMATCH', `statement ${statementId} is in the read model and not in the log`, { accountId, field: `statements.${statementId}`, expected: null, actual: 'present' }));
    }
  }
}

/** Where a finding about an event points: its account (for an account's event), stream, position, revision, id and type. */
function eventWhere(row: LogRow): Partial<Finding> {
  return { accountId: row.stream.startsWith(ACCOUNT_STREAM_PREFIX) ? row.stream.slice(ACCOUNT_STREAM_PREFIX.length) : null, stream: row.stream, position: row.position.toString(), revision: row.revision.toString(), eventId: row.id, eventType: row.type };
}

/** The figures a statement's event and its read-model row name alike. */
const SAME_NAMED = ['periodFrom', 'periodTo', 'dueDate', 'newDraws', 'refunds', 'revolvingPrincipal', 'fees', 'previousBalance', 'statementBalance', 'overdueIncluded', 'minimumRepayment', 'termsVersion'] as const;

/** Each figure of a statement's event against the read model's row: [field, in the log, in the row]. */
function statementFigures(s: StatementIssuedData, view: StatementView): [string, string, string][] {
  const figures: [string, string, string][] = [
    ['statementDate', s.on, view.statementDate],
    ['installmentPeriods', JSON.stringify(s.installmentPeriods), JSON.stringify(view.installmentPeriods)],
  ];
  for (const field of SAME_NAMED) figures.push([field, s[field], view[field]]);
  for (const kind of ['interest', 'penaltyInterest'] as const) {
    for (const part of ['exact', 'charged', 'residual'] as const) figures.push([`${kind}.${part}`, s[kind][part], view[kind][part]]);
    figures.push([`${kind}.reversed`, s[kind].reversed ?? '0', view[kind].reversed]);
  }
  return figures;
}

/**
 * What an account event pays toward its statements, noted before it is folded: the allocation lines
 * naming a statement, and for a repayment what was kept of it (its amount less what went back to the
 * customer) on every statement the account listed when it came, which is what counts toward a minimum.
 */
function notePaid(account: AccountReplay, event: CreditAccountEvent): void {
  const paidOn = (statementId: string) => {
    let paid = account.paid.get(statementId);
    if (paid === undefined) {
      paid = { repayments: Money.ZERO, refunds: Money.ZERO, sinceIssue: Money.ZERO, minimumLoweredTo: null };
      account.paid.set(statementId, paid);
    }
    return paid;
  };
  if (event.type === 'StatementIssued') paidOn(event.data.statementId);
  const lines = event.type === 'RepaymentReceived' ? event.data.allocation : event.type === 'DrawRefunded' || event.type === 'DrawReversed' ? event.data.appliedTo : [];
  for (const line of lines) {
    if (line.target !== 'STATEMENT') continue;
    const paid = paidOn(line.statementId);
    if (event.type === 'RepaymentReceived') paid.repayments = paid.repayments.plus(Money.of(line.amount));
    else paid.refunds = paid.refunds.plus(Money.of(line.amount));
  }
  if (event.type === 'DrawReversed') for (const { statementId, to } of event.data.minimums?.lowered ?? []) paidOn(statementId).minimumLoweredTo = to;
  if (event.type === 'RepaymentReceived') {
    const kept = Money.of(event.data.amount).minus(Money.of(event.data.returnedToCustomer));
    for (const s of account.state.statements) {
      const paid = paidOn(s.id);
      paid.sinceIssue = paid.sinceIssue.plus(kept);
    }
  }
}

export function verifyLedger(store: EventStore, options: VerifyOptions = {}): Promise<VerifyReport> {
  return new LedgerVerifier(store, options).run();
}
