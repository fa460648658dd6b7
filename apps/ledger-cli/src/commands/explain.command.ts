/**
 * `ledger explain --account <id> --statement <yyyy-mm>`: the daily interest table behind a statement's
 * interest, the installment periods it billed, the allocation of each repayment to each bucket, what
 * upheld disputes took off the period, and the rounding residual. CSV is one long table (`section` says which part a row belongs to).
 */
import { Command, CommandRunner, Option } from 'nest-commander';
import { AccountNotFoundError, explainStatement, StatementNotFoundError, type StatementExplanation } from '@ledger/servicing/audit';
import { LedgerFiles } from '../ledger-files';
import { CliError, csv, type Format, json, out, parseFormat, table } from '../output';

interface ExplainOptions {
  account: string;
  statement: string;
  format: Format;
}

function allocationTarget(line: StatementExplanation['payments'][number]['allocation'][number]): string {
  if (line.target === 'STATEMENT') return `${line.statementId} ${line.component}`;
  if (line.target === 'UNBILLED_INSTALLMENT') return `unbilled installment ${line.planId}#${line.period}`;
  return 'unbilled revolving';
}

export function explanationText(x: StatementExplanation): string {
  const days = table(
    ['day', 'principal', 'daily rate', 'interest', 'penalty principal', 'penalty rate', 'penalty interest'],
    x.days.map((d) => [d.date, d.normalPrincipal, d.dailyRate, d.interest, d.penaltyPrincipal, d.penaltyDailyRate, d.penaltyInterest]),
  );
  const accrual = (name: string, a: StatementExplanation['interest']) =>
    `${name}: sum of days ${a.sum}; statement exact ${a.statement.exact}${a.statement.reversed === '0' ? '' : `, reversed by disputes ${a.statement.reversed}`}, charged ${a.statement.charged}, residual ${a.statement.residual} ${a.matches ? '(matches)' : '(DOES NOT MATCH)'}`;
  const periods = x.installmentPeriods.length
    ? table(['plan', 'period', 'principal', 'fee'], x.installmentPeriods.map((p) => [p.planId, p.period, p.principal, p.fee]))
    : '(no installment periods billed)';
  const draws = x.draws.length
    ? table(['on', 'draw', 'merchant', 'amount', 'converted to'], x.draws.map((d) => [d.on, d.drawId, d.merchant, d.amount, d.convertedTo ?? '']))
    : '(no draws in the period)';
  const payments = x.payments.length
    ? table(['on', 'event', 'reference', 'amount', 'to', 'allocated'], x.payments.flatMap((p) => [[p.on, p.type, p.reference, p.chargesReversed === '0.00' ? p.amount : `${p.amount} + charges ${p.chargesReversed}`, '', ''], ...p.allocation.map((l) => ['', '', '', '', allocationTarget(l), l.amount]), ...(p.returnedToCustomer !== '0.00' ? [['', '', '', '', 'returned to customer', p.returnedToCustomer]] : [])]))
    : '(no repayments or refunds)';
  return [
    `statement ${x.statementId} of account ${x.accountId}: ${x.periodFrom} to ${x.periodTo}, due ${x.dueDate}`,
    '',
    'daily interest',
    days,
    '',
    accrual('interest', x.interest),
    accrual('penalty interest', x.penaltyInterest),
    '',
    `installment periods billed ${x.installmentPeriodsMatch ? '(as the plans scheduled)' : '(DIFFER FROM THE PLANS)'}`,
    periods,
    '',
    'draws',
    draws,
    '',
    'repayments and refunds',
    payments,
    '',
    table(
      ['figure', 'amount'],
      [
        ['revolving principal', x.revolvingPrincipal],
        ['fees', x.fees],
        ['previous balance', x.previousBalance],
        ['statement balance', x.statementBalance],
        ['minimum repayment', x.minimumRepayment],
        ...x.minimumsLowered.map((l) => [`minimum lowered by dispute ${l.disputeId} on ${l.on}`, l.to]),
        ['rounding residual (interest)', x.roundingResidual.interest],
        ['rounding residual (penalty)', x.roundingResidual.penaltyInterest],
      ],
    ),
  ].join('\n');
}

export function explanationCsv(x: StatementExplanation): string {
  const rows: unknown[][] = [];
  for (const d of x.days) {
    rows.push(['interest', d.date, '', 'INTEREST', d.normalPrincipal, d.dailyRate, d.interest]);
    rows.push(['penalty_interest', d.date, '', 'PENALTY_INTEREST', d.penaltyPrincipal, d.penaltyDailyRate, d.penaltyInterest]);
  }
  for (const p of x.installmentPeriods) {
    rows.push(['installment', x.periodTo, `${p.planId}#${p.period}`, 'INSTALLMENT_PRINCIPAL', '', '', p.principal]);
    rows.push(['installment', x.periodTo, `${p.planId}#${p.period}`, 'FEES', '', '', p.fee]);
  }
  for (const d of x.draws) rows.push(['draw', d.on, d.drawId, d.convertedTo === null ? 'REVOLVING' : `INSTALLMENT ${d.convertedTo}`, '', '', d.amount]);
  for (const p of x.payments) for (const l of p.allocation) rows.push(['allocation', p.on, p.reference, allocationTarget(l), '', '', l.amount]);
  // What upheld disputes took off the period before it was charged: the days add up to reversed + total + residual.
  if (x.interest.statement.reversed !== '0') rows.push(['reversed', x.periodTo, '', 'INTEREST', '', '', x.interest.statement.reversed]);
  if (x.penaltyInterest.statement.reversed !== '0') rows.push(['reversed', x.periodTo, '', 'PENALTY_INTEREST', '', '', x.penaltyInterest.statement.reversed]);
  rows.push(['total', x.periodTo, '', 'INTEREST', '', '', x.interest.statement.charged]);
  rows.push(['total', x.periodTo, '', 'PENALTY_INTEREST', '', '', x.penaltyInterest.statement.charged]);
  rows.push(['residual', x.periodTo, '', 'INTEREST', '', '', x.roundingResidual.interest]);
  rows.push(['residual', x.periodTo, '', 'PENALTY_INTEREST', '', '', x.roundingResidual.penaltyInterest]);
  return csv(['section', 'date', 'reference', 'bucket', 'principal', 'rate', 'amount'], rows);
}

@Command({ name: 'explain', description: 'explain a statement: daily interest, installment periods, allocations, rounding' })
export class ExplainCommand extends CommandRunner {
  constructor(private readonly files: LedgerFiles) {
    super();
  }

  async run(_params: string[], options: ExplainOptions): Promise<void> {
    if (!options.account || !options.statement) throw new CliError('--account and --statement are required');
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(options.statement)) throw new CliError(`--statement must be a month (YYYY-MM), got ${options.statement}`);
    const explanation = await this.files.withStore(async (store) => {
      try {
        return await explainStatement(store, options.account, options.statement);
      } catch (error) {
        if (error instanceof AccountNotFoundError || error instanceof StatementNotFoundError) throw new CliError(error.message);
        throw error;
      }
    });
    const format = options.format ?? 'text';
    out(format === 'json' ? json(explanation) : format === 'csv' ? explanationCsv(explanation) : explanationText(explanation));
  }

  @Option({ flags: '--account <id>', description: 'the account id' })
  parseAccount(value: string): string {
    return value;
  }

  @Option({ flags: '--statement <month>', description: 'the billed month, YYYY-MM' })
  parseStatement(value: string): string {
    return value;
  }

  @Option({ flags: '--format <format>', description: 'text, json or csv', defaultValue: 'text' })
  parseFormat(value: string): Format {
    return parseFormat(value);
  }
}
