/**
 * Limit reviews: every CreditLimitReviewed, with its inputs, decision and reasons, including the reviews
 * that changed nothing (PRODUCT.md §9 wants each one on record).
 */
import type { Db, Projection, ProjectionEvent, Statement } from '../runner/projection';

export class LimitReviewsProjection implements Projection {
  readonly name = 'limit_reviews';
  readonly version = 2;
  readonly tables = ['limit_reviews'];
  /** Rows per account, from its own events. */
  readonly byAccount = {};
  readonly ddl = [
    `CREATE TABLE IF NOT EXISTS limit_reviews (
      account_id TEXT NOT NULL,
      quarter TEXT NOT NULL,
      reviewed_on TEXT NOT NULL,
      average_utilization TEXT NOT NULL,
      overdue_days INTEGER NOT NULL,
      overdue_episodes INTEGER NOT NULL,
      statements_due INTEGER NOT NULL,
      statements_paid_on_time INTEGER NOT NULL,
      pay_score INTEGER NOT NULL,
      owed TEXT NOT NULL,
      decision TEXT NOT NULL,
      reasons_json TEXT NOT NULL,
      old_limit TEXT NOT NULL,
      new_limit TEXT NOT NULL,
      old_daily_rate TEXT NOT NULL,
      new_daily_rate TEXT NOT NULL,
      new_penalty_daily_rate TEXT NOT NULL,
      terms_version TEXT NOT NULL,
      position INTEGER NOT NULL,
      PRIMARY KEY (account_id, quarter)
    ) STRICT`,
  ];
  private insert!: Statement;

  prepare(db: Db): void {
    this.insert = db.prepare(
      `INSERT OR REPLACE INTO limit_reviews VALUES (${new Array(19).fill('?').join(', ')})`,
    );
  }

  apply(event: ProjectionEvent): void {
    if (event.kind !== 'account' || event.event.type !== 'CreditLimitReviewed') return;
    const d = event.event.data;
    this.insert.run(
      event.accountId,
      d.quarter,
      d.on,
      d.inputs.averageUtilization,
      d.inputs.overdueDays,
      d.inputs.overdueEpisodes ?? 0,
      d.inputs.statementsDue,
      d.inputs.statementsPaidOnTime,
      d.inputs.payScore,
      d.inputs.owed,
      d.decision,
      JSON.stringify(d.reasons),
      d.oldLimit,
      d.newLimit,
      d.oldDailyRate,
      d.newDailyRate,
      d.newPenaltyDailyRate,
      d.termsVersion,
      Number(event.stored.position),
    );
  }
}
