/**
 * `ledger gl --from <date> --to <date>`: the trial balance (opening, debits, credits, closing per ledger
 * account) over a range of business dates; JSON adds every journal line, CSV is the journal lines.
 */
import { Command, CommandRunner, Option } from 'nest-commander';
import { isValidDate, type JournalDating } from '@ledger/credit';
import { generalLedger, type GeneralLedger, type GlLine, lastClosedAsOf } from '@ledger/servicing/audit';
import { LedgerFiles } from '../ledger-files';
import { CliError, csvRows, type Format, json, out, parseFormat, progress, table } from '../output';

interface GlOptions {
  from: string;
  to: string;
  format: Format;
  by?: JournalDating;
}

export function glText(gl: GeneralLedger): string {
  return [
    `trial balance ${gl.from} to ${gl.to}${gl.dateBy === 'businessDay' ? ' by business day (as of each close)' : ''} (${gl.lineCount} journal lines; debits positive)`,
    '',
    table(
      ['ledger account', 'opening', 'debits', 'credits', 'closing'],
      [...gl.trialBalance.map((r) => [r.ledgerAccount, r.opening, r.debits, r.credits, r.closing]), ['TOTAL', '', gl.totals.debits, gl.totals.credits, gl.totals.closing]],
    ),
  ].join('\n');
}

const GL_COLUMNS = ['date', 'position', 'eventId', 'accountId', 'eventType', 'commandId', 'ledgerAccount', 'side', 'amount'];

const glRow = (l: GlLine) => [l.date, l.position, l.eventId, l.accountId, l.eventType, l.commandId, l.ledgerAccount, l.side, l.amount];

/** Writes to stdout, waiting for it to drain when its buffer is full. */
function write(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.stdout.write(text, (error) => (error ? reject(error) : undefined))) resolve();
    else process.stdout.once('drain', resolve);
  });
}

@Command({ name: 'gl', description: "trial balance and general-ledger export over a date range of posting dates (an event's own date: a statement's interest, penalty and fees post on its statement date, the 1st, though the day that bills them is the month's last)" })
export class GlCommand extends CommandRunner {
  constructor(private readonly files: LedgerFiles) {
    super();
  }

  async run(_params: string[], options: GlOptions): Promise<void> {
    const { from, to } = options;
    for (const [flag, value] of [['--from', from], ['--to', to]] as const) {
      if (value === undefined) throw new CliError(`${flag} is required (a date, YYYY-MM-DD)`);
      if (!isValidDate(value)) throw new CliError(`${flag} must be a calendar date (YYYY-MM-DD), got ${value}`);
    }
    if (from > to) throw new CliError(`--from ${from} is after --to ${to}`);
    const format = options.format ?? 'text';
    const bar = progress('gl');
    // CSV and JSON write the journal lines as the log is read, so that a range of millions of lines is
    // never held at once; the trial balance comes after them (JSON's fields in the order they always had).
    let written = 0;
    const onLines =
      format === 'csv'
        ? (lines: GlLine[]) => write(`${csvRows(lines.map(glRow))}\n`)
        : format === 'json'
          ? (lines: GlLine[]) => write(lines.map((l) => `${written++ === 0 ? '' : ','}\n    ${JSON.stringify(l)}`).join(''))
          : undefined;
    // The store is opened before the first byte is written: a log that cannot be opened leaves no partial output.
    const gl = await this.files.withStore(async (store) => {
      // By business day the balances are as of each close: a day not closed yet has none to be as of.
      if (options.by === 'businessDay') {
        const lastClosed = await lastClosedAsOf(store);
        if (lastClosed === null) throw new CliError('no business day has closed yet: --by business-day reports as of each close; use --by posting (the default) for the journal so far');
        if (to > lastClosed) throw new CliError(`business day ${to} has not closed (the last closed is ${lastClosed}): --by business-day reports as of each close; pass --to ${lastClosed} or earlier`);
      }
      if (format === 'csv') await write(`${csvRows([GL_COLUMNS])}\n`);
      if (format === 'json') await write(`{\n  "from": ${JSON.stringify(from)},\n  "to": ${JSON.stringify(to)},\n  "dateBy": ${JSON.stringify(options.by ?? 'posting')},\n  "lines": [`);
      return generalLedger(store, from, to, { dateBy: options.by, onProgress: (p, head) => bar.update(p, head), onLines });
    });
    bar.stop();
    if (format === 'json') {
      const { lineCount, trialBalance, totals } = gl;
      const rest = json({ lineCount, trialBalance, totals }).replace(/^{\n/, '').replace(/\n}$/, '');
      await write(`${written === 0 ? ']' : '\n  ]'},\n${rest}\n}\n`);
    } else if (format === 'text') out(glText(gl));
  }

  @Option({ flags: '--from <date>', description: 'first posting date, YYYY-MM-DD' })
  parseFrom(value: string): string {
    return value;
  }

  @Option({ flags: '--to <date>', description: 'last posting date, YYYY-MM-DD' })
  parseTo(value: string): string {
    return value;
  }

  @Option({ flags: '--by <dating>', description: "posting (default: each event's own date) or business-day (the day whose commands or close decided it: the trial balance to D is the ledger at D's close, as replay --business-date D shows it)" })
  parseBy(value: string): JournalDating {
    if (value === 'posting') return 'posting';
    if (value === 'business-day') return 'businessDay';
    throw new CliError(`--by must be posting or business-day, got ${value}`);
  }

  @Option({ flags: '--format <format>', description: 'text, json or csv', defaultValue: 'text' })
  parseFormat(value: string): Format {
    return parseFormat(value);
  }
}
