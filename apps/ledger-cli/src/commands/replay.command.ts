/**
 * `ledger replay --account <id> [--as-of <time> | --revision <n> | --business-date <date> | --position <p>]
 * [--statements]`: the account's events recorded up to that moment (or up to that revision of its stream,
 * that event included, the close of that business day, or that log position), the state after each, and
 * the final balances, folded from the stream (never read from a read model); with `--statements`, its
 * statements as they stood then.
 */
import { Command, CommandRunner, Option } from 'nest-commander';
import { isValidDate } from '@ledger/credit';
import { accountHistoryTo, accountStatementsTo, asOfMoment, AccountNotFoundError, BusinessDayOpenError, type AccountHistory, POSITION_TEXT, PositionNotFoundError, type ReplayTo, REVISION_TEXT, RevisionNotFoundError, type StatementsAt } from '@ledger/servicing/audit';
import { LedgerFiles } from '../ledger-files';
import { CliError, csv, type Format, json, out, parseFormat, table } from '../output';

interface ReplayOptions {
  account: string;
  asOf?: string;
  revision?: string;
  businessDate?: string;
  position?: string;
  statements?: boolean;
  format: Format;
}

/** What the answer was replayed to, as its first line says it. */
function replayedTo(h: Pick<AccountHistory, 'revision' | 'businessDate' | 'position' | 'asOf'>): string {
  if (h.revision !== null) return `to revision ${h.revision}`;
  if (h.businessDate !== null) return `at the close of business day ${h.businessDate}`;
  if (h.position !== null) return `at log position ${h.position}`;
  return `as of ${h.asOf ?? 'now'}`;
}

/** The status with what stops the account drawing: `ACTIVE frozen`, `ACTIVE suspended locked`. */
function statusOf(view: AccountHistory['events'][number]['after']): string {
  const { frozen, suspended, paymentLocked } = view.flags;
  return [view.status, frozen && 'frozen', suspended && 'suspended', paymentLocked && 'locked'].filter(Boolean).join(' ');
}

export function historyText(h: AccountHistory): string {
  const rows = h.events.map((e) => [e.revision, e.recordedAt, e.businessDate, e.type, statusOf(e.after), e.after.owed.total, e.after.available, e.after.overdue.amount]);
  const b = h.balances;
  const balances = b
    ? table(
        ['figure', 'value'],
        [
          ['status', statusOf(b)],
          ['limit', b.limit],
          ['daily rate', `${b.dailyRate} (annual ${b.annualRate})`],
          ['penalty daily rate', `${b.penaltyDailyRate} (annual ${b.penaltyAnnualRate})`],
          ['pay score', b.payScore],
          ['available', b.available],
          ['revolving unbilled', b.owed.revolvingUnbilled],
          ['revolving billed', b.owed.revolvingBilled],
          ['installment principal', b.owed.installmentPrincipal],
          ['interest', b.owed.interest],
          ['fees', b.owed.fees],
          ['penalty interest', b.owed.penaltyInterest],
          ['total owed', b.owed.total],
          ['overdue amount', b.overdue.amount],
          ['overdue since', b.overdue.since],
          ['overdue kind', b.overdue.kind],
          ['days past due', b.overdue.daysPastDue],
          ['bucket', b.overdue.bucket],
          ['last statement', b.lastStatementId],
        ],
      )
    : '(no events recorded by then)';
  return [
    `account ${h.accountId} ${replayedTo(h)} (last closed business day ${h.lastClosedBusinessDay ?? 'none'})`,
    '',
    table(['rev', 'recorded at', 'business date', 'event', 'status', 'owed', 'available', 'overdue'], rows),
    '',
    balances,
  ].join('\n');
}

export function historyCsv(h: AccountHistory): string {
  return csv(
    ['revision', 'position', 'eventId', 'commandId', 'correlationId', 'recordedAt', 'businessDate', 'type', 'status', 'limit', 'available', 'owedTotal', 'interestOwed', 'penaltyOwed', 'overdueAmount', 'bucket', 'data'],
    h.events.map((e) => [e.revision, e.position, e.eventId, e.commandId, e.correlationId, e.recordedAt, e.businessDate, e.type, e.after.status, e.after.limit, e.after.available, e.after.owed.total, e.after.owed.interest, e.after.owed.penaltyInterest, e.after.overdue.amount, e.after.overdue.bucket, e.data]),
  );
}

const STATEMENT_COLUMNS = ['statement', 'due', 'balance', 'minimum', 'paid', 'refunded', 'outstanding', 'status', 'overdue since'];

function statementCells(s: StatementsAt['statements'][number]): unknown[] {
  return [s.statementId, s.dueDate, s.statementBalance, s.minimumLoweredTo ?? s.minimumRepayment, s.paid.repayments, s.paid.refunds, s.outstanding, s.status, s.overdueSince];
}

export function statementsText(a: StatementsAt): string {
  const rows = a.statements.map(statementCells);
  return [`account ${a.accountId} statements ${replayedTo(a)} (last closed business day ${a.lastClosedBusinessDay ?? 'none'})`, '', rows.length > 0 ? table(STATEMENT_COLUMNS, rows) : '(no statement issued by then)'].join('\n');
}

export function statementsCsv(a: StatementsAt): string {
  return csv(STATEMENT_COLUMNS, a.statements.map(statementCells));
}

@Command({ name: 'replay', description: "replay an account's events to a moment or an event and show the state after each" })
export class ReplayCommand extends CommandRunner {
  constructor(private readonly files: LedgerFiles) {
    super();
  }

  async run(_params: string[], options: ReplayOptions): Promise<void> {
    if (!options.account) throw new CliError('--account is required');
    // A bare date is the end of that day in Asia/Shanghai, as the API takes it.
    const asOf = options.asOf === undefined ? undefined : asOfMoment(options.asOf);
    if (asOf === null) throw new CliError(`--as-of must be a calendar date or an ISO date-time with an offset, got ${options.asOf}`);
    if (options.revision !== undefined && !REVISION_TEXT.test(options.revision)) throw new CliError(`--revision must be a non-negative integer (0 is the first event), got ${options.revision}`);
    if (options.businessDate !== undefined && !isValidDate(options.businessDate)) throw new CliError(`--business-date must be a calendar date (YYYY-MM-DD), got ${options.businessDate}`);
    if (options.position !== undefined && !POSITION_TEXT.test(options.position)) throw new CliError(`--position must be a non-negative integer (a log position), got ${options.position}`);
    if ([options.asOf, options.revision, options.businessDate, options.position].filter((o) => o !== undefined).length > 1) throw new CliError('give one of --as-of, --revision, --business-date or --position');
    const to: ReplayTo =
      options.revision !== undefined
        ? { revision: BigInt(options.revision) }
        : options.businessDate !== undefined
          ? { businessDate: options.businessDate }
          : options.position !== undefined
            ? { position: BigInt(options.position) }
            : { asOf };
    const format = options.format ?? 'text';
    const text = await this.files.withStore(async (store) => {
      try {
        if (options.statements) {
          const statements = await accountStatementsTo(store, options.account, to);
          return format === 'json' ? json(statements) : format === 'csv' ? statementsCsv(statements) : statementsText(statements);
        }
        const history = await accountHistoryTo(store, options.account, to);
        return format === 'json' ? json(history) : format === 'csv' ? historyCsv(history) : historyText(history);
      } catch (error) {
        if (error instanceof AccountNotFoundError || error instanceof RevisionNotFoundError || error instanceof BusinessDayOpenError || error instanceof PositionNotFoundError) throw new CliError(error.message);
        throw error;
      }
    });
    out(text);
  }

  @Option({ flags: '--account <id>', description: 'the account id' })
  parseAccount(value: string): string {
    return value;
  }

  @Option({ flags: '--as-of <time>', description: 'recording time: an ISO date-time with offset, or a date (the end of that day in Asia/Shanghai); default now' })
  parseAsOf(value: string): string {
    return value;
  }

  @Option({ flags: '--revision <n>', description: 'replay to this revision of the stream (0 is the first event), that event included' })
  parseRevision(value: string): string {
    return value;
  }

  @Option({ flags: '--business-date <date>', description: 'replay to the close of this business day (YYYY-MM-DD): its commands and what its end of day decided' })
  parseBusinessDate(value: string): string {
    return value;
  }

  @Option({ flags: '--position <p>', description: "replay to this position of the log (as a command's answer gives it): the account's events at or before it" })
  parsePosition(value: string): string {
    return value;
  }

  @Option({ flags: '--statements', description: "show the account's statements as they stood then (status, paid, outstanding) instead of its events" })
  parseStatements(): boolean {
    return true;
  }

  @Option({ flags: '--format <format>', description: 'text, json or csv', defaultValue: 'text' })
  parseFormat(value: string): Format {
    return parseFormat(value);
  }
}
