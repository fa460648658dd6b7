import type { Db } from '../runner/projection';

export interface LimitReviewView {
  accountId: string;
  quarter: string;
  reviewedOn: string;
  inputs: {
    averageUtilization: string;
    overdueDays: number;
    overdueEpisodes: number;
    statementsDue: number;
    statementsPaidOnTime: number;
    payScore: number;
    owed: string;
  };
  decision: 'INCREASED' | 'DECREASED' | 'UNCHANGED';
  reasons: string[];
  oldLimit: string;
  newLimit: string;
  oldDailyRate: string;
  newDailyRate: string;
  newPenaltyDailyRate: string;
  termsVersion: string;
}

interface Row {
  account_id: string;
  quarter: string;
  reviewed_on: string;
  average_utilization: string;
  overdue_days: number;
  overdue_episodes: number;
  statements_due: number;
  statements_paid_on_time: number;
  pay_score: number;
  owed: string;
  decision: LimitReviewView['decision'];
  reasons_json: string;
  old_limit: string;
  new_limit: string;
  old_daily_rate: string;
  new_daily_rate: string;
  new_penalty_daily_rate: string;
  terms_version: string;
}

/** Every quarterly review of an account, oldest first, including those that changed nothing. */
export function getLimitReviews(db: Db, accountId: string): LimitReviewView[] {
  const rows = db
    .prepare('SELECT * FROM limit_reviews WHERE account_id = ? ORDER BY quarter')
    .all(accountId) as Row[];
  return rows.map((r) => ({
    accountId: r.account_id,
    quarter: r.quarter,
    reviewedOn: r.reviewed_on,
    inputs: {
      averageUtilization: r.average_utilization,
      overdueDays: r.overdue_days,
      overdueEpisodes: r.overdue_episodes,
      statementsDue: r.statements_due,
      statementsPaidOnTime: r.statements_paid_on_time,
      payScore: r.pay_score,
      owed: r.owed,
    },
    decision: r.decision,
    reasons: JSON.parse(r.reasons_json) as string[],
    oldLimit: r.old_limit,
    newLimit: r.new_limit,
    oldDailyRate: r.old_daily_rate,
    newDailyRate: r.new_daily_rate,
    newPenaltyDailyRate: r.new_penalty_daily_rate,
    termsVersion: r.terms_version,
  }));
}
