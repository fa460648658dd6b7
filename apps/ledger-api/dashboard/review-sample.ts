/// <reference lib="dom" />
/**
 * Reasons for limit decisions live on each account's reviews; the portfolio read model counts decisions
 * per quarter but not reasons. The page reads the reviews of the first accounts (a bounded sample, once
 * per page load) and says how many it looked at.
 */
import type { AccountPage, LimitReviewView } from '@ledger/projections';
import { get, mapLimited } from './api';
import { notice, replace } from './dom';
import { renderReviewReasons } from './reviews';

const SAMPLE = 200;

export async function loadReviewReasons(activeAccounts: number): Promise<void> {
  try {
    const active = await get<AccountPage>(`/accounts?status=ACTIVE&limit=${SAMPLE}`);
    const reviews = await mapLimited(active.items, 6, (a) => get<{ reviews: LimitReviewView[] }>(`/accounts/${encodeURIComponent(a.accountId)}/limit-reviews`));
    renderReviewReasons(
      reviews.flatMap((r) => r.reviews),
      active.items.length,
      activeAccounts,
    );
  } catch (error) {
    replace('table-review-reasons', notice(`Could not load review reasons: ${(error as Error).message}`, 'error'));
  }
}
