/**
 * What operators, upstream systems and the end-of-day job ask of an account. Commands are imperative;
 * amounts are decimal strings, validated again by the decider (the HTTP layer validates first).
 */
import type {
  Amount,
  ApplicantSnapshot,
  ApplicationChannel,
  AuthMethod,
  RepaymentChannel,
  RiskReason,
} from './credit-account.events';
import type { IsoDate } from '../time/local-date';

export type CreditAccountCommand =
  | { type: 'SubmitApplication'; accountId: string; channel: ApplicationChannel; applicant: ApplicantSnapshot }
  | { type: 'ActivateAccount'; agreementVersion: string; autoRepayCardLast4: string }
  | { type: 'RequestDraw'; orderId: string; merchant: string; amount: Amount; authentication: { method: AuthMethod; passed: boolean } }
  | { type: 'RefundDraw'; drawId: string; refundId: string; amount: Amount }
  | { type: 'ConvertToInstallments'; drawId: string; periods: number }
  | { type: 'PayOffInstallmentEarly'; planId: string }
  | { type: 'ReceiveRepayment'; reference: string; amount: Amount; channel: RepaymentChannel }
  | { type: 'RecordAutoRepaymentFailure'; statementId: string; reason: string }
  | { type: 'SetTransactionControls'; singleTransactionLimit: Amount | null; nightLock: boolean }
  | { type: 'UpdatePayScore'; payScore: number }
  | { type: 'SuspendForRisk'; reason: RiskReason; note: string }
  | { type: 'ClearRiskSuspension'; operator: string }
  | { type: 'UnlockPayment'; operator: string; faceVerified: boolean }
  | { type: 'OpenDispute'; disputeId: string; drawId: string; reason: string }
  | { type: 'ResolveDispute'; disputeId: string; upheld: boolean; note: string }
  /** Runs what falls due when business day `businessDate` closes (statements, due dates, overdue, reviews). */
  | { type: 'CloseBusinessDay'; businessDate: IsoDate };
