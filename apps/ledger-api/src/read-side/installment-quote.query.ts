import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { accountNotFound, accountTerms, contextAt, formatPercent, Money, quoteInstallments, TermsCatalogue } from '@ledger/credit';
import { AccountRepository, BusinessClock } from '@ledger/servicing';

export interface InstallmentQuoteView {
  accountId: string;
  amount: string;
  periods: number;
  monthlyFeeRate: string;
  feePerPeriod: string;
  totalFee: string;
  totalRepayable: string;
  /** APR as the IRR of the cash flows, annualized as 12 x the monthly IRR. */
  apr: string;
  aprPercent: string;
  schedule: { period: number; principal: string; fee: string; total: string }[];
  termsVersion: string;
}

export class GetInstallmentQuoteQuery extends Query<InstallmentQuoteView> {
  constructor(
    readonly accountId: string,
    readonly amount: string,
    readonly periods: number,
  ) {
    super();
  }
}

/** Quotes with the account's own terms version, so the quote matches what conversion will record. */
@QueryHandler(GetInstallmentQuoteQuery)
export class GetInstallmentQuoteHandler implements IQueryHandler<GetInstallmentQuoteQuery, InstallmentQuoteView> {
  constructor(
    private readonly repository: AccountRepository,
    private readonly terms: TermsCatalogue,
    private readonly clock: BusinessClock,
  ) {}

  async execute({ accountId, amount, periods }: GetInstallmentQuoteQuery): Promise<InstallmentQuoteView> {
    const { state } = await this.repository.load(accountId);
    if (state.status === 'NONE') throw accountNotFound(accountId);
    const terms = accountTerms(state, contextAt(this.clock.now(), this.terms));
    const quote = quoteInstallments(Money.of(amount), periods, terms);
    return {
      accountId,
      amount: quote.principal.toString(),
      periods: quote.periods,
      monthlyFeeRate: quote.monthlyFeeRate.toFixed(),
      feePerPeriod: quote.schedule[0].fee.toString(),
      totalFee: quote.totalFee.toString(),
      totalRepayable: quote.totalRepayable.toString(),
      apr: quote.apr.toFixed(4),
      aprPercent: formatPercent(quote.apr, 2),
      schedule: quote.schedule.map((p) => ({ period: p.index, principal: p.principal.toString(), fee: p.fee.toString(), total: p.total.toString() })),
      termsVersion: terms.version,
    };
  }
}
