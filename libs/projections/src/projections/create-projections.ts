/**
 * The ledger's read models, in the order the runner applies them within a batch. The order does not
 * matter for correctness (no projection reads another's tables while applying), only for readability.
 */
import type { Projection } from '../runner/projection';
import { AccrualsProjection } from './accruals.projection';
import { BalancesProjection } from './balances.projection';
import { BusinessDaysProjection } from './business-days.projection';
import { EodScheduleProjection } from './eod-schedule.projection';
import { JournalProjection } from './journal.projection';
import { LimitReviewsProjection } from './limit-reviews.projection';
import { PortfolioProjection } from './portfolio.projection';
import { StatementsProjection } from './statements.projection';

export function createProjections(): Projection[] {
  return [
    new BusinessDaysProjection(),
    new BalancesProjection(),
    new AccrualsProjection(),
    new StatementsProjection(),
    new LimitReviewsProjection(),
    new PortfolioProjection(),
    new EodScheduleProjection(),
    new JournalProjection(),
  ];
}
