/// <reference lib="dom" />
/**
 * The event timeline from the audit endpoint (GET /accounts/:id/history), with a replay of the account to
 * any event (?revision=: exactly the events up to that one, even where two commands were recorded in the
 * same millisecond). The endpoint's answer is read loosely, field by field, so the page shows what the
 * audit side provides and explains plainly when the endpoint is not there.
 */
import { ApiRequestError, get } from './api';
import { el, notice, replace, table } from './dom';

interface TimelineEvent {
  type: string;
  revision?: number | string;
  position?: number | string;
  recordedAt?: string;
  businessDate?: string;
  metadata?: { recordedAt?: string; businessDate?: string; actor?: string };
  actor?: string;
  data?: Record<string, unknown>;
}

interface HistoryAnswer {
  events?: TimelineEvent[];
  state?: unknown;
  /** The account after the last event replayed, as GET /accounts/:id shows it. */
  balances?: unknown;
  asOf?: string;
  revision?: string;
}

const historyPath = (accountId: string, revision?: string) => `/accounts/${encodeURIComponent(accountId)}/history${revision === undefined ? '' : `?revision=${encodeURIComponent(revision)}`}`;

function explainFailure(error: unknown): string {
  if (error instanceof ApiRequestError && error.status === 404 && error.code === 'NOT_FOUND') {
    return 'The audit history endpoint (GET /accounts/:id/history) is not available on this server yet, so the event timeline and replays cannot be shown.';
  }
  if (error instanceof ApiRequestError && error.status === 403) {
    return 'The event timeline is audit data: it needs an auditor or operator key (a viewer key sees everything else).';
  }
  return `Could not load the event timeline: ${(error as Error).message}`;
}

const recordedAt = (e: TimelineEvent) => e.recordedAt ?? e.metadata?.recordedAt;

/**
 * The timeline is audit data, which a viewer key may not read: it is asked for when the reader asks, so
 * a viewer opening an account sends no request the API would refuse (and Chromium would log).
 */
export function offerTimeline(accountId: string): void {
  const button = el('button', { type: 'button', 'data-show-timeline': accountId }, 'Show the event timeline 显示事件时间线');
  button.addEventListener('click', () => void renderTimeline(accountId));
  replace('account-timeline', el('p', { class: 'inline' }, button, el('span', { class: 'muted' }, 'Audit data: needs an auditor or operator key.')));
}

export async function renderTimeline(accountId: string): Promise<void> {
  let history: HistoryAnswer;
  try {
    history = await get<HistoryAnswer>(historyPath(accountId));
  } catch (error) {
    replace('account-timeline', notice(explainFailure(error), 'warn'));
    return;
  }
  const events = history.events ?? [];
  if (events.length === 0) {
    replace('account-timeline', notice('The audit history returned no events.'));
    return;
  }
  const replayLink = (e: TimelineEvent) => {
    if (e.revision === undefined) return '—';
    const revision = String(e.revision);
    const anchor = el('a', { href: historyPath(accountId, revision), 'data-replay': revision }, 'Replay to here 回放');
    anchor.addEventListener('click', (event) => {
      event.preventDefault();
      void renderReplay(accountId, revision, e);
    });
    return anchor;
  };
  replace(
    'account-timeline',
    // An end of day's events carry the day it closed: the month's statement, dated the 1st, shows the last day of the month.
    el('p', { class: 'muted' }, "Business day: the day a command ran in, or for end of day's events (interest, statements, reviews) the day whose close wrote them. Recorded: when the event was written, in UTC."),
    el(
      'div',
      { class: 'scroll' },
      table(
        [
          { header: '#', cell: (e: TimelineEvent) => String(e.revision ?? e.position ?? ''), numeric: true },
          { header: 'Business day (or day closed) 业务日', cell: (e) => e.businessDate ?? e.metadata?.businessDate ?? '' },
          { header: 'Recorded (UTC) 记录时间', cell: (e) => recordedAt(e) ?? '' },
          { header: 'Event 事件', cell: (e) => el('code', {}, e.type) },
          { header: 'Actor 操作人', cell: (e) => e.actor ?? e.metadata?.actor ?? '' },
          { header: '', cell: replayLink },
        ],
        [...events].reverse(),
        { 'data-table': 'timeline' },
      ),
    ),
  );
}

async function renderReplay(accountId: string, revision: string, event: TimelineEvent): Promise<void> {
  const what = `event #${revision} (${event.type}${recordedAt(event) ? `, recorded ${recordedAt(event)}` : ''})`;
  replace('account-replay', notice(`Replaying ${accountId} to ${what} …`));
  try {
    const replay = await get<HistoryAnswer>(historyPath(accountId, revision));
    replace('account-replay', el('h5', {}, `State after ${what} 回放状态`), el('pre', { class: 'json', 'data-replay-result': revision }, JSON.stringify(replay.balances ?? replay.state ?? replay, null, 2)));
  } catch (error) {
    replace('account-replay', notice(`Could not replay to ${what}: ${(error as Error).message}`, 'error'));
  }
}
