/**
 * English labels with the Chinese product terms staff use (分期, 逾期, 账单, 额度 ...), in one place so
 * every panel names a thing the same way.
 */
export const TERMS = {
  installment: 'Installments 分期',
  overdue: 'Overdue 逾期',
  statement: 'Statement 账单',
  limit: 'Credit limit 额度',
  available: 'Available 可用额度',
  interest: 'Interest 利息',
  penalty: 'Penalty interest 罚息',
  fees: 'Installment fees 分期手续费',
  repayment: 'Repayment 还款',
  accrual: 'Daily accrual 按日计息',
  limitReview: 'Limit review 额度调整',
} as const;

export const STATUS_LABELS: Record<string, string> = {
  ACTIVE: 'Active 已开通',
  APPROVED: 'Approved, not activated 已批未激活',
  REJECTED: 'Rejected 已拒绝',
  CLOSED: 'Closed 已销户',
};

export const BUCKET_LABELS: Record<string, string> = {
  CURRENT: 'Current 未逾期',
  M1: 'M1 逾期1-30天',
  M2: 'M2 逾期31-60天',
  M3: 'M3 逾期61-90天',
  'M3+': 'M3+ 逾期90天以上',
};

/** The chart's ledger accounts, as the trial balance card names them. */
export const LEDGER_ACCOUNT_LABELS: Record<string, string> = {
  REVOLVING_PRINCIPAL_RECEIVABLE: 'Revolving principal receivable 应收循环本金',
  INSTALLMENT_PRINCIPAL_RECEIVABLE: 'Installment principal receivable 应收分期本金',
  INTEREST_RECEIVABLE: 'Interest receivable 应收利息',
  FEE_RECEIVABLE: 'Fee receivable 应收手续费',
  PENALTY_RECEIVABLE: 'Penalty receivable 应收罚息',
  INTEREST_INCOME: 'Interest income 利息收入',
  FEE_INCOME: 'Fee income 手续费收入',
  PENALTY_INCOME: 'Penalty income 罚息收入',
  MERCHANT_SETTLEMENT: 'Merchant settlement 商户结算',
  REPAYMENT_CLEARING: 'Repayment clearing 还款清算',
};

export const OUTSTANDING_LABELS: Record<string, string> = {
  revolvingUnbilled: 'Unbilled spending 未出账',
  revolvingBilled: 'Billed spending 已出账',
  installment: 'Installment principal 分期本金',
  interest: 'Interest 利息',
  fees: 'Installment fees 分期手续费',
  penalty: 'Penalty interest 罚息',
};

export const DECISION_LABELS: Record<string, string> = {
  INCREASED: 'Increased 提额',
  DECREASED: 'Decreased 降额',
  UNCHANGED: 'Unchanged 维持',
};

export const CHANNEL_LABELS: Record<string, string> = {
  INVITED: 'Invited 邀请',
  CUSTOMER_SERVICE: 'Customer service 客服开通',
  UNKNOWN: 'Unknown 未知',
};

export const REASON_LABELS: Record<string, string> = {
  IDENTITY_NOT_VERIFIED: 'Identity not verified 实名未认证',
  NOT_PRC_NATIONAL: 'Not a PRC national 非中国大陆居民',
  AGE_OUT_OF_RANGE: 'Age out of range 年龄不符',
  PAY_SCORE_TOO_LOW: 'Pay score too low 支付分不足',
  INSUFFICIENT_ACTIVITY: 'Too few payments 支付活跃度不足',
  NO_DEBIT_CARD: 'No debit card 未绑定借记卡',
  CREDIT_RECORD_DELINQUENT: 'Delinquent credit record 征信逾期',
  REAPPLY_TOO_SOON: 'Reapplied too soon 重复申请过频',
  OVERDUE_IN_QUARTER: 'Overdue in the quarter 季度内逾期',
  AT_FLOOR: 'Already at the floor 已是最低额度',
  UTILIZATION_AND_PAYMENTS_MET: 'Usage and on-time payments 使用率与按时还款达标',
  CAPPED_BY_PAY_SCORE: 'Capped by pay score 受支付分上限',
  MINIMUM_NOT_MET_BY_DUE_DATE: 'Minimum not paid by due date 未按时还最低',
  NO_STATEMENT_DUE: 'No statement due yet 尚无到期账单',
  LOW_UTILIZATION: 'Low utilization 使用率低',
  PREMIUM_RATE: 'Premium rate 优惠利率',
};

export const PLAN_STATUS_LABELS: Record<string, string> = {
  ACTIVE: 'Active 还款中',
  ENDED: 'Ended 已结束',
};

export const PLAN_END_LABELS: Record<string, string> = {
  PAID_OFF_EARLY: 'Paid off early 提前结清',
  BILLED_IN_FULL: 'Billed in full 已全部出账',
  REFUNDED: 'Refunded 退款',
  REVERSED_BY_DISPUTE: 'Reversed by a dispute 争议撤销',
  PREPAID: 'Repaid ahead 提前还款',
};

export function label(map: Record<string, string>, key: string): string {
  return map[key] ?? key;
}

/**
 * Overdue buckets describe opened accounts (as the portfolio counts them): an application approved but
 * never activated, or rejected, owes nothing and is in no bucket, so it shows a dash, not "Current".
 */
const BUCKETED_STATUSES = ['ACTIVE', 'CLOSED'];

export function bucketLabel(status: string, bucket: string): string {
  return BUCKETED_STATUSES.includes(status) ? label(BUCKET_LABELS, bucket) : '—';
}
