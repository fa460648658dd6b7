/**
 * Application and eligibility (PRODUCT.md §1-2). The rules are small named functions in one ordered
 * list; a rejection lists every failed rule's code, in this order.
 */
import { Dec, Money } from '../../money/money';
import type { ProductTerms } from '../../terms/product-terms';
import { ageOn, daysBetween } from '../../time/local-date';
import { penaltyDailyRate } from '../../interest/accrual';
import type { CreditAccountCommand } from '../credit-account.commands';
import type { ApplicantSnapshot, CreditAccountEvent, RecordedApplicant, RejectionReason } from '../credit-account.events';
import { type CreditAccountState, RULE_REVISION } from '../credit-account.state';
import { DomainError } from '../domain-error';

type Submit = Extract<CreditAccountCommand, { type: 'SubmitApplication' }>;

interface EligibilityInput {
  applicant: ApplicantSnapshot;
  on: string;
  terms: ProductTerms;
  state: CreditAccountState;
}

type EligibilityRule = [RejectionReason, (input: EligibilityInput) => boolean];

/** Each rule: the reason code and the condition that must hold to pass it. */
export const ELIGIBILITY_RULES: EligibilityRule[] = [
  ['IDENTITY_NOT_VERIFIED', ({ applicant: a }) => a.identityVerified.idCard && a.identityVerified.bankCard && a.identityVerified.phone],
  ['NOT_PRC_NATIONAL', ({ applicant: a }) => a.nationality === 'CN'],
  ['AGE_OUT_OF_RANGE', ({ applicant: a, on, terms }) => {
    const age = ageOn(a.birthDate, on);
    return age >= terms.eligibility.minAge && age <= terms.eligibility.maxAge;
  }],
  ['PAY_SCORE_TOO_LOW', ({ applicant: a, terms }) => a.payScore >= terms.eligibility.minPayScore],
  ['INSUFFICIENT_ACTIVITY', ({ applicant: a, terms }) => a.paymentsLast6Months >= terms.eligibility.minPaymentsLast6Months],
  ['NO_DEBIT_CARD', ({ applicant: a }) => a.debitCard !== null && a.debitCard.kind === 'DEBIT'],
  ['CREDIT_RECORD_DELINQUENT', ({ applicant: a }) => !a.creditRecord.currentOverdue && !a.creditRecord.severeDelinquency],
  ['REAPPLY_TOO_SOON', ({ state, on, terms }) =>
    state.lastCountedRejectionOn === null || daysBetween(state.lastCountedRejectionOn, on) >= terms.eligibility.reapplyAfterDays],
];

export function approvalTerms(payScore: number, terms: ProductTerms): { limit: string; dailyRate: string } {
  const tier = [...terms.limitTiers].reverse().find((t) => payScore >= t.minPayScore);
  if (!tier) throw new Error(`no limit tier for pay score ${payScore}`);
  return { limit: tier.initialLimit, dailyRate: tier.dailyRate };
}

export function annualRate(dailyRate: string, terms: ProductTerms): string {
  return new Dec(dailyRate).times(terms.daysPerYear).toFixed();
}

/** What the event keeps of the applicant: the age on `on` in place of the birth date (see `RecordedApplicant`). */
export function recordedApplicant({ birthDate, ...rest }: ApplicantSnapshot, on: string): RecordedApplicant {
  return { ...rest, age: ageOn(birthDate, on) };
}

export function decideApplication(command: Submit, state: CreditAccountState, on: string, terms: ProductTerms): CreditAccountEvent[] {
  if (state.status === 'APPROVED' || state.status === 'ACTIVE' || state.status === 'CLOSED') {
    throw new DomainError('APPLICATION_ALREADY_APPROVED', `account ${state.accountId} was already approved`, { status: state.status });
  }
  if (!Number.isInteger(command.applicant.payScore) || command.applicant.payScore < 0 || command.applicant.payScore > 1000) {
    throw new DomainError('INVALID_PAY_SCORE', 'pay score must be an integer from 0 to 1000', { field: 'payScore' });
  }
  const submitted: CreditAccountEvent = {
    type: 'ApplicationSubmitted',
    data: { accountId: command.accountId, on, channel: command.channel, applicant: recordedApplicant(command.applicant, on), termsVersion: terms.version },
  };
  const input = { applicant: command.applicant, on, terms, state };
  const reasons = ELIGIBILITY_RULES.filter(([, holds]) => !holds(input)).map(([code]) => code);
  if (reasons.length > 0) {
    return [submitted, { type: 'ApplicationRejected', data: { on, reasons, countsForReapply: !reasons.includes('REAPPLY_TOO_SOON'), termsVersion: terms.version } }];
  }
  const { limit, dailyRate } = approvalTerms(command.applicant.payScore, terms);
  return [
    submitted,
    {
      type: 'ApplicationApproved',
      data: {
        on,
        limit: Money.of(limit).toString(),
        dailyRate,
        annualRate: annualRate(dailyRate, terms),
        penaltyDailyRate: penaltyDailyRate(dailyRate, terms.penalty.multiplier, terms.penalty.dailyRateCap),
        payScore: command.applicant.payScore,
        termsVersion: terms.version,
        ruleRevision: RULE_REVISION,
      },
    },
  ];
}
