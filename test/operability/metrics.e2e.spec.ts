import { AccountRepository } from '@ledger/servicing';
import { EventStore, SnapshotStore } from '@ledger/event-store';
import { TermsCatalogue } from '@ledger/credit';
import { draw, openAccount, startLedger, type TestLedger } from '../support/ledger-app';
import { parseMetrics, valueOf } from './prometheus-text';

describe('the /metrics endpoint after a few days of business', () => {
  let ledger: TestLedger;
  let text: string;
  let metrics: Map<string, number>;
  let contentType: string;

  beforeAll(async () => {
    ledger = await startLedger();
    const account = await openAccount(ledger, '1990-05-17', 11);
    expect((await ledger.http.post(`/accounts/${account}/draws`).send(draw('m-1', '120.00'))).status).toBe(201);
    expect((await ledger.http.post(`/accounts/${account}/draws`).send(draw('m-2', '35.50'))).status).toBe(201);
    // The same order again is an idempotent replay, not a second draw.
    expect((await ledger.http.post(`/accounts/${account}/draws`).send(draw('m-2', '35.50'))).status).toBe(201);
    // A draw far over the limit is declined: recorded as DrawDeclined and answered 200.
    expect((await ledger.http.post(`/accounts/${account}/draws`).send(draw('m-3', '999999.00'))).status).toBe(200);

    // A second writer (another API instance) changes the account behind this instance's cache, so its
    // next command meets a concurrency conflict and is decided again.
    const app = ledger.app;
    const otherInstance = new AccountRepository(app.get(EventStore), app.get(SnapshotStore), app.get(TermsCatalogue));
    await otherInstance.execute(account, { type: 'UpdatePayScore', payScore: 700 }, { actor: 'test:other-instance', now: '2026-01-02T10:00:00+08:00' });
    expect((await ledger.http.post(`/accounts/${account}/draws`).send(draw('m-4', '10.00'))).status).toBe(201);

    await ledger.closeDays('2026-01-02', '2026-01-03');
    await ledger.http.get(`/accounts/${account}`).expect(200);
    const res = await ledger.http.get('/metrics').expect(200);
    text = res.text;
    contentType = res.headers['content-type'];
    metrics = parseMetrics(text);
  });

  afterAll(() => ledger.close());

  it('answers in the Prometheus text format', () => {
    expect(contentType).toMatch(/^text\/plain/);
    expect(contentType).toContain('version=0.0.4');
    expect(text).toContain('# TYPE ledger_commands_total counter');
    expect(text).toContain('# TYPE ledger_command_duration_seconds histogram');
  });

  it('counts commands by type and outcome', () => {
    expect(valueOf(metrics, 'ledger_commands_total', { command: 'SubmitApplication', outcome: 'accepted' })).toBe(1);
    expect(valueOf(metrics, 'ledger_commands_total', { command: 'ActivateAccount', outcome: 'accepted' })).toBe(1);
    expect(valueOf(metrics, 'ledger_commands_total', { command: 'RequestDraw', outcome: 'accepted' })).toBe(3);
    expect(valueOf(metrics, 'ledger_commands_total', { command: 'RequestDraw', outcome: 'replayed' })).toBe(1);
    expect(valueOf(metrics, 'ledger_commands_total', { command: 'RequestDraw', outcome: 'declined' })).toBe(1);
  });

  it('times every command in a latency histogram per command type', () => {
    expect(valueOf(metrics, 'ledger_command_duration_seconds_count', { command: 'RequestDraw' })).toBe(5);
    expect(valueOf(metrics, 'ledger_command_duration_seconds_bucket', { le: '+Inf', command: 'RequestDraw' })).toBe(5);
    expect(valueOf(metrics, 'ledger_command_duration_seconds_sum', { command: 'RequestDraw' })).toBeGreaterThan(0);
  });

  it('counts idempotent replays and concurrency retries', () => {
    expect(valueOf(metrics, 'ledger_idempotent_replays_total')).toBe(1);
    expect(valueOf(metrics, 'ledger_concurrency_retries_total')).toBe(1);
  });

  it('counts the hits and misses of the account cache, and reports what it holds against its bounds', () => {
    // The account's first load (its application) and its reload after the other instance's write miss;
    // every other command on it finds it in the cache.
    expect(valueOf(metrics, 'ledger_account_cache_lookups_total', { result: 'miss' })).toBe(2);
    expect(valueOf(metrics, 'ledger_account_cache_lookups_total', { result: 'hit' })).toBeGreaterThanOrEqual(5);
    expect(valueOf(metrics, 'ledger_account_cache_accounts')).toBe(1);
    expect(valueOf(metrics, 'ledger_account_cache_bytes')).toBeGreaterThan(0);
    expect(valueOf(metrics, 'ledger_account_cache_max_accounts')).toBe(20_000);
    expect(valueOf(metrics, 'ledger_account_cache_max_bytes')).toBe(128 * 2 ** 20);
  });

  it('counts appended events and the size of each group commit', () => {
    expect(valueOf(metrics, 'ledger_events_appended_total')).toBeGreaterThanOrEqual(6);
    const commits = valueOf(metrics, 'ledger_store_group_commit_appends_count') ?? 0;
    const appends = valueOf(metrics, 'ledger_store_group_commit_appends_sum') ?? 0;
    expect(commits).toBeGreaterThan(0);
    expect(appends).toBeGreaterThanOrEqual(commits);
  });

  it('times the checkpointer thread\'s runs and reports the write-ahead log it found', async () => {
    // The thread runs every 100 ms, so its first runs may come after the snapshot above.
    let latest = metrics;
    for (let tries = 0; tries < 50 && !valueOf(latest, 'ledger_store_wal_checkpoint_duration_seconds_count'); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      latest = parseMetrics((await ledger.http.get('/metrics').expect(200)).text);
    }
    expect(valueOf(latest, 'ledger_store_wal_checkpoint_duration_seconds_count')).toBeGreaterThan(0);
    expect(valueOf(latest, 'ledger_store_wal_frames', { state: 'in_log' })).toBeGreaterThan(0);
    expect(valueOf(latest, 'ledger_store_wal_frames', { state: 'behind' })).toBeGreaterThanOrEqual(0);
    expect(valueOf(latest, 'ledger_store_checkpointer_errors_total')).toBe(0);
    // A few commands never fill the 10,000 frames after which the log starts over.
    expect(valueOf(latest, 'ledger_store_wal_restarts_total')).toBe(0);
  });

  it('reports the lag and position of every projection', () => {
    for (const name of ['balances', 'accruals', 'statements', 'limit_reviews', 'portfolio', 'eod_schedule', 'business_days']) {
      expect(valueOf(metrics, 'ledger_projection_lag_events', { projection: name })).toBe(0);
      expect(valueOf(metrics, 'ledger_projection_position', { projection: name })).toBeGreaterThan(0);
    }
    expect(valueOf(metrics, 'ledger_projections_running')).toBe(1);
    expect(valueOf(metrics, 'ledger_projections_enabled')).toBe(1);
  });

  it('reports end-of-day runs, their duration and the last day closed', () => {
    expect(valueOf(metrics, 'ledger_end_of_day_duration_seconds_count', { outcome: 'closed' })).toBe(2);
    expect(valueOf(metrics, 'ledger_business_day_last_closed')).toBe(20260103);
    expect(valueOf(metrics, 'ledger_end_of_day_running')).toBe(0);
    expect(valueOf(metrics, 'ledger_end_of_day_accounts_processed')).toBeGreaterThanOrEqual(0);
  });

  it('counts HTTP requests by route template, never by the account id in the path', () => {
    expect(valueOf(metrics, 'http_requests_total', { method: 'POST', route: '/accounts/:id/draws', status: '201' })).toBe(4);
    expect(valueOf(metrics, 'http_request_duration_seconds_count', { method: 'POST', route: '/applications', status: '201' })).toBe(1);
    expect(text).not.toMatch(/route="\/accounts\/[0-9a-f-]{8,}/);
  });

  it('counts the seconds the main thread was busy, and no projections worker where there is none', async () => {
    const busy = valueOf(metrics, 'ledger_event_loop_active_seconds_total', { thread: 'main' });
    expect(busy).toBeGreaterThan(0);
    expect(text).toContain('# TYPE ledger_event_loop_active_seconds_total counter');
    expect(text).not.toContain('thread="projections"');
    // A counter: what the requests since cost the thread adds to it.
    for (let i = 0; i < 20; i++) await ledger.http.get('/portfolio').expect(200);
    const later = parseMetrics((await ledger.http.get('/metrics').expect(200)).text);
    expect(valueOf(later, 'ledger_event_loop_active_seconds_total', { thread: 'main' })).toBeGreaterThan(busy!);
  });

  it('includes the process metrics', () => {
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_heap_size_used_bytes');
  });
});
