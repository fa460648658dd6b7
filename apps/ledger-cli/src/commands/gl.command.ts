/**
 * `ledger gl --from <date> --to <date>`: the trial balance (opening, debits, credits, closing per ledger
 * account) over a range of business dates; JSON adds every journal line, CSV is the journal lines.
 */
import { Command, CommandRunner, Option } from 'nest-commander';
import { isValidDate } from '@ledger/credit';
import { generalLedger, type GeneralLedger } from '@ledger/servicing/audit';
import { LedgerFiles } from '../ledger-files';
import { CliError, csv, type Format, json, out, parseFormat, progress, table } from '../output';

interface GlOptions {
  from: string;
  to: string;
  format: Format;
}

export function glText(gl: GeneralLedger): string {
  return [
    `trial balance ${gl.from} to ${gl.to} (${gl.lines.length} journal lines; debits positive)`,
    '',
    table(
      ['ledger account', 'opening', 'debits', 'credits', 'closing'],
      [...gl.trialBalance.map((r) => [r.ledgerAccount, r.opening, r.debits, r.credits, r.closing]), ['TOTAL', '', gl.totals.debits, gl.totals.credits, gl.totals.closing]],
    ),
  ].join('\n');
}

@Command({ name: 'gl', description: 'trial balance and general-ledger export over a date range' })
export class GlCommand extends CommandRunner {
  constructor(private readonly files: LedgerFiles) {
    super();
  }

  async run(_params: string[], options: GlOptions): Promise<void> {
    const { from, to } = options;
    if (!from || !to || !isValidDate(from) || !isValidDate(to) || from > to) throw new CliError('--from and --to must be dates (YYYY-MM-DD), from on or before to');
    const bar = progress('gl');
    const gl = await this.files.withStore((store) => generalLedger(store, from, to, (p, head) => bar.update(p, head)));
    bar.stop();
    const format = options.format ?? 'text';
    if (format === 'json') out(json(gl));
    else if (format === 'csv') out(csv(['date', 'position', 'eventId', 'accountId', 'eventType', 'ledgerAccount', 'side', 'amount'], gl.lines.map((l) => [l.date, l.position, l.eventId, l.accountId, l.eventType, l.ledgerAccount, l.side, l.amount])));
    else out(glText(gl));
  }

  @Option({ flags: '--from <date>', description: 'first business date, YYYY-MM-DD' })
  parseFrom(value: string): string {
    return value;
  }

  @Option({ flags: '--to <date>', description: 'last business date, YYYY-MM-DD' })
  parseTo(value: string): string {
    return value;
  }

  @Option({ flags: '--format <format>', description: 'text, json or csv', defaultValue: 'text' })
  parseFormat(value: string): Format {
    return parseFormat(value);
  }
}
