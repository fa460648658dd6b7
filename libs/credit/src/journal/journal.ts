/**
 * The double-entry view (PRODUCT.md §11): every money event is also a balanced journal entry over a
 * small chart of accounts. Receivables are debit-normal assets; income and the two clearing accounts
 * (merchant settlement owed to merchants, repayment clearing holding customer money) take the credits.
 */
import { Money } from '../money/money';
import type { AllocationLine, CreditAccountEvent, StatementComponent } from '../account/credit-account.events';

export type LedgerAccount =
  | 'REVOLVING_PRINCIPAL_RECEIVABLE'
  | 'INSTALLMENT_PRINCIPAL_RECEIVABLE'
  | 'INTEREST_RECEIVABLE'
  | 'FEE_RECEIVABLE'
  | 'PENALTY_RECEIVABLE'
  | 'INTEREST_INCOME'
  | 'FEE_INCOME'
  | 'PENALTY_INCOME'
  | 'MERCHANT_SETTLEMENT'
  | 'REPAYMENT_CLEARING';

export const CHART_OF_ACCOUNTS: readonly LedgerAccount[] = [
  'REVOLVING_PRINCIPAL_RECEIVABLE',
  'INSTALLMENT_PRINCIPAL_RECEIVABLE',
  'INTEREST_RECEIVABLE',
  'FEE_RECEIVABLE',
  'PENALTY_RECEIVABLE',
  'INTEREST_INCOME',
  'FEE_INCOME',
  'PENALTY_INCOME',
  'MERCHANT_SETTLEMENT',
  'REPAYMENT_CLEARING',
];

export interface Posting {
  account: LedgerAccount;
  side: 'DEBIT' | 'CREDIT';
  amount: Money;
}

const COMPONENT_ACCOUNT: Record<StatementComponent, LedgerAccount> = {
  PENALTY_INTEREST: 'PENALTY_RECEIVABLE',
  INTEREST: 'INTEREST_RECEIVABLE',
  FEES: 'FEE_RECEIVABLE',
  INSTALLMENT_PRINCIPAL: 'INSTALLMENT_PRINCIPAL_RECEIVABLE',
  REVOLVING_PRINCIPAL: 'REVOLVING_PRINCIPAL_RECEIVABLE',
};

function lineAccount(line: AllocationLine): LedgerAccount {
  if (line.target === 'UNBILLED_REVOLVING') return 'REVOLVING_PRINCIPAL_RECEIVABLE';
  if (line.target === 'UNBILLED_INSTALLMENT') return 'INSTALLMENT_PRINCIPAL_RECEIVABLE';
  return COMPONENT_ACCOUNT[line.component];
}

function pair(debit: LedgerAccount, credit: LedgerAccount, amount: Money): Posting[] {
  if (amount.isZero()) return [];
  return [
    { account: debit, side: 'DEBIT', amount },
    { account: credit, side: 'CREDIT', amount },
  ];
}

function credits(lines: AllocationLine[]): Posting[] {
  return lines.map((l) => ({ account: lineAccount(l), side: 'CREDIT' as const, amount: Money.of(l.amount) }));
}

/** The journal postings of one event; events that move no money post nothing. */
export function postingsFor(event: CreditAccountEvent): Posting[] {
  switch (event.type) {
    case 'DrawPosted':
      return pair('REVOLVING_PRINCIPAL_RECEIVABLE', 'MERCHANT_SETTLEMENT', Money.of(event.data.amount));
    case 'InstallmentPlanCreated':
      return pair('INSTALLMENT_PRINCIPAL_RECEIVABLE', 'REVOLVING_PRINCIPAL_RECEIVABLE', Money.of(event.data.principal));
    case 'StatementIssued':
      return [
        ...pair('INTEREST_RECEIVABLE', 'INTEREST_INCOME', Money.of(event.data.interest.charged)),
        ...pair('PENALTY_RECEIVABLE', 'PENALTY_INCOME', Money.of(event.data.penaltyInterest.charged)),
        ...pair('FEE_RECEIVABLE', 'FEE_INCOME', Money.of(event.data.fees)),
      ];
    case 'RepaymentReceived': {
      // The whole amount came in, and what was returned to the card went out again, as a refund's or a
      // reversal's return goes out: the clearing account shows both, so the bank's debit and its return to
      // the card each have a line to match (an auto-debit above what was owed, returned whole, had none).
      const amount = Money.of(event.data.amount);
      const returned = Money.of(event.data.returnedToCustomer);
      if (amount.isZero()) return [];
      const postings: Posting[] = [{ account: 'REPAYMENT_CLEARING', side: 'DEBIT', amount }, ...credits(event.data.allocation)];
      if (returned.isPositive()) postings.push({ account: 'REPAYMENT_CLEARING', side: 'CREDIT', amount: returned });
      return postings;
    }
    case 'DrawRefunded':
    case 'DrawReversed': {
      const returned = Money.of(event.data.returnedToCustomer);
      const postings: Posting[] = [];
      const principal = Money.of(event.data.amount);
      if (principal.isPositive()) postings.push({ account: 'MERCHANT_SETTLEMENT', side: 'DEBIT', amount: principal });
      // An upheld dispute's charges come back out of the income they were booked to.
      const charges = event.type === 'DrawReversed' ? event.data.charges : undefined;
      if (charges) {
        for (const [account, text] of [['INTEREST_INCOME', charges.interest], ['PENALTY_INCOME', charges.penaltyInterest], ['FEE_INCOME', charges.fees]] as const) {
          const amount = Money.of(text);
          if (amount.isPositive()) postings.push({ account, side: 'DEBIT', amount });
        }
      }
      postings.push(...credits(event.data.appliedTo));
      if (returned.isPositive()) postings.push({ account: 'REPAYMENT_CLEARING', side: 'CREDIT', amount: returned });
      return postings;
    }
    default:
      return [];
  }
}

export function isBalanced(postings: Posting[]): boolean {
  const debits = Money.sum(postings.filter((p) => p.side === 'DEBIT').map((p) => p.amount));
  const creditTotal = Money.sum(postings.filter((p) => p.side === 'CREDIT').map((p) => p.amount));
  return debits.equals(creditTotal);
}

/** Zero for every ledger account of the chart. */
export function zeroPerAccount(): Record<LedgerAccount, Money> {
  return Object.fromEntries(CHART_OF_ACCOUNTS.map((a) => [a, Money.ZERO])) as Record<LedgerAccount, Money>;
}

/** Signed balance per account (debits positive, credits negative); the sum over all accounts is zero. */
export function trialBalance(postings: Iterable<Posting>): Record<LedgerAccount, Money> {
  const balances = zeroPerAccount();
  for (const p of postings) balances[p.account] = balances[p.account].plus(p.side === 'DEBIT' ? p.amount : p.amount.negated());
  return balances;
}

/** Which date a journal line belongs to: its posting date (`ledger gl`'s default), or the business day that decided it (`gl --by business-day`). */
export type JournalDating = 'posting' | 'businessDay';

/** A ledger account's line of a trial balance over a range; signed balances are debits positive. */
export interface TrialBalanceLine {
  ledgerAccount: LedgerAccount;
  /** Everything before the range. */
  opening: string;
  debits: string;
  credits: string;
  closing: string;
}

/**
 * A range's trial balance from its sums per ledger account (the opening balance signed, the debits and
 * credits of the range): a line per account in the chart's order, and their totals, whose closing is zero.
 */
export function trialBalanceLines(
  opening: Record<LedgerAccount, Money>,
  debits: Record<LedgerAccount, Money>,
  credits: Record<LedgerAccount, Money>,
): { trialBalance: TrialBalanceLine[]; totals: { debits: string; credits: string; closing: string } } {
  const closing = (a: LedgerAccount) => opening[a].plus(debits[a]).minus(credits[a]);
  const total = (of: (a: LedgerAccount) => Money) => Money.sum(CHART_OF_ACCOUNTS.map(of)).toString();
  return {
    trialBalance: CHART_OF_ACCOUNTS.map((a) => ({ ledgerAccount: a, opening: opening[a].toString(), debits: debits[a].toString(), credits: credits[a].toString(), closing: closing(a).toString() })),
    totals: { debits: total((a) => debits[a]), credits: total((a) => credits[a]), closing: total(closing) },
  };
}
