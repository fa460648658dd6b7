/**
 * `ledger replay --account <id> [--as-of <time> | --revision <n> | --business-date <date>]`: the account's
 * events recorded up to that moment (or up to that revision of its stream, that event included, or to the
 * close of that business day), the state after each, and the final balances, folded from the stream
 * (never read from a read model).
 */
import { Command, CommandRunner, Option } from 'nest-commander';
import { isValidDate } from '@ledger/credit';
import { accountHistory, accountHistoryAtClose, asOfMoment, accountHistoryToRevision, AccountNotFoundError, BusinessDayOpenError, type AccountHistory, REVISION_TEXT, RevisionNotFoundError } from '@ledger/servicing/audit';
import { LedgerFiles } from '../ledger-files';
import { CliError, csv, type Format, json, out, parseFormat, table } from '../output';

interface ReplayOptions {
  account: string;
  asOf?: string;
  revision?: string;
  businessDate?: string;
  format: Format;
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
          ['available', b.available],
          ['revolving unbilled', b.owed.revolvingUnbilled],
          ['revolving billed', b.owed.revolvingBilled],
          ['installment principal', b.owed.installmentPrincipal],
          ['interest', b.owed.interest],
          ['fees', b.owed.fees],
          ['penalty interest', b.owed.penaltyInterest],
          ['total owed', b.owed.total],
          ['overdue amount', b.overdue.amount],
          ['days past due', b.overdue.daysPastDue],
          ['bucket', b.overdue.bucket],
          ['last statement', b.lastStatementId],
        ],
      )
    : '(no events recorded by then)';
  return [
    `account ${h.accountId} ${h.revision !== null ? `to revision ${h.revision}` : h.businessDate !== null ? `at the close of business day ${h.businessDate}` : `as of ${h.asOf ?? 'now'}`} (last closed business day ${h.lastClosedBusinessDay ?? 'none'})`,
    '',
    table(['rev', 'recorded at', 'business date', 'event', 'status', 'owed', 'available', 'overdue'], rows),
    '',
    balances,
  ].join('\n');
}

export function historyCsv(h: AccountHistory): string {
  return csv(
    ['revision', 'position', 'eventId', 'recordedAt', 'businessDate', 'type', 'status', 'limit', 'available', 'owedTotal', 'interestOwed', 'penaltyOwed', 'overdueAmount', 'bucket', 'data'],
    h.events.map((e) => [e.revision, e.position, e.eventId, e.recordedAt, e.businessDate, e.type, e.after.status, e.after.limit, e.after.available, e.after.owed.total, e.after.owed.interest, e.after.owed.penaltyInterest, e.after.overdue.amount, e.after.overdue.bucket, e.data]),
  );
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
    if ([options.asOf, options.revision, options.businessDate].filter((o) => o !== undefined).length > 1) throw new CliError('give one of --as-of, --revision or --business-date');
    const history = await this.files.withStore(async (store) => {
      try {
        if (options.revision !== undefined) return await accountHistoryToRevision(store, options.account, BigInt(options.revision));
        if (options.businessDate !== undefined) return await accountHistoryAtClose(store, options.account, options.businessDate);
        return await accountHistory(store, options.account, asOf);
      } catch (error) {
        if (error instanceof AccountNotFoundError || error instanceof RevisionNotFoundError || error instanceof BusinessDayOpenError) throw new CliError(error.message);
        throw error;
      }
    });
    const format = options.format ?? 'text';
    out(format === 'json' ? json(history) : format === 'csv' ? historyCsv(history) : historyText(history));
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

  @Option({ flags: '--format <format>', description: 'text, json or csv', defaultValue: 'text' })
  parseFormat(value: string): Format {
    return parseFormat(value);
  }
}
