/// <reference lib="dom" />
/**
 * Account drill-down (账户详情): why an application was rejected, balances, the next statement so far,
 * installment plans, statements with their explanation, the daily accrual table, limit history and the
 * event timeline. Every figure is the API's own string.
 */
import type { AccountView, AccrualsView, LimitReviewView, StatementView } from '@ledger/projections';
import type { StatementExplanation } from '@ledger/servicing/audit/statement-explanation';
import type { InstallmentPlansView } from '../src/read-side/installment-plans.query';
import type { NextStatementView } from '../src/read-side/next-statement.query';
import { ApiRequestError, get, readModel, settle } from './api';
import { byId, el, figure, notice, replace, table } from './dom';
import { addDays, formatMoney, formatRate } from './format';
import { bucketLabel, DECISION_LABELS, label, REASON_LABELS, STATUS_LABELS, TERMS } from './labels';
import { explanationView } from './explanation';
import { installmentPlansView } from './installment-plans';
import { nextStatementView } from './next-statement';
import { offerTimeline } from './timeline';

const path = (accountId: string, rest = '') => `/accounts/${encodeURIComponent(accountId)}${rest}`;

/** PRODUCT.md §1: a new application is refused as REAPPLY_TOO_SOON for 30 days after a rejection that counts. */
const REAPPLY_AFTER_DAYS = 30;

/** The latest account asked for: an answer for an account since left (a slow one, overtaken) is dropped. */
let latestRequest = 0;

/**
 * Draws an account. `refreshing` re-draws the one on screen in place, its balances, statements and limit
 * history, and leaves what the reader is working in as it is: the accrual range typed, the explanation
 * and the replay opened.
 */
export async function renderAccount(accountId: string, refreshing = false): Promise<void> {
  const request = ++latestRequest;
  const detail = byId('account-detail');
  if (refreshing && detail.dataset.account === accountId) return refreshAccount(accountId, request);
  delete detail.dataset.account;
  replace(detail, notice(`Loading ${accountId} …`));
  let account: AccountView;
  try {
    account = await get<AccountView>(readModel(path(accountId)));
  } catch (error) {
    if (request !== latestRequest) return;
    const missing = error instanceof ApiRequestError && error.status === 404;
    replace(detail, notice(missing ? `No account ${accountId}.` : `Could not load ${accountId}: ${(error as Error).message}`, missing ? 'warn' : 'error'));
    return;
  }
  const [statements, reviews, [next, plans]] = await Promise.all([
    get<{ statements: StatementView[] }>(readModel(path(accountId, '/statements'))),
    get<{ reviews: LimitReviewView[] }>(readModel(path(accountId, '/limit-reviews'))),
    readNextStatementAndPlans(accountId, account.status),
  ]);
  if (request !== latestRequest) return;
  replace(
    detail,
    el('h3', { id: 'account-heading' }, ...heading(accountId, account)),
    el('div', { id: 'account-rejection' }, rejectionNotice(account)),
    balances(account),
    el('section', { class: 'card' }, el('h4', {}, 'Next statement so far 本期账单预览'), el('div', { id: 'account-next-statement' }, ...nextStatementView(account.status, next))),
    el('section', { class: 'card' }, el('h4', {}, 'Installment plans 分期计划'), el('div', { id: 'account-installments' }, installmentPlansView(plans))),
    el('section', { class: 'card' }, el('h4', {}, 'Statements 账单'), el('div', { id: 'account-statements' }, statementsTable(accountId, statements.statements)), el('div', { id: 'statement-explanation' })),
    el('section', { class: 'card' }, el('h4', {}, TERMS.accrual), accrualForm(accountId, account), el('div', { id: 'account-accruals' })),
    el('section', { class: 'card' }, el('h4', {}, `${TERMS.limitReview} history`), el('div', { id: 'account-reviews' }, reviewsTable(reviews.reviews))),
    el('section', { class: 'card' }, el('h4', {}, 'Event timeline 事件时间线 (audit replay 审计回放)'), el('div', { id: 'account-timeline' }), el('div', { id: 'account-replay' })),
  );
  detail.dataset.account = accountId;
  const lastClosed = account.asOf ? addDays(account.asOf, -1) : null;
  await Promise.all([lastClosed ? renderAccruals(accountId, addDays(lastClosed, -30), lastClosed) : Promise.resolve(replace('account-accruals', notice('No closed business day yet.'))), Promise.resolve(offerTimeline(accountId))]);
}

async function refreshAccount(accountId: string, request: number): Promise<void> {
  const accountRead = get<AccountView>(readModel(path(accountId)));
  const [account, statements, reviews, [next, plans]] = await Promise.all([
    accountRead,
    get<{ statements: StatementView[] }>(readModel(path(accountId, '/statements'))),
    get<{ reviews: LimitReviewView[] }>(readModel(path(accountId, '/limit-reviews'))),
    accountRead.then((a) => readNextStatementAndPlans(accountId, a.status)),
  ]);
  if (request !== latestRequest) return;
  replace('account-heading', ...heading(accountId, account));
  replace('account-rejection', rejectionNotice(account));
  byId('account-balances').replaceWith(balances(account));
  replace('account-next-statement', ...nextStatementView(account.status, next));
  replace('account-installments', installmentPlansView(plans));
  replace('account-statements', statementsTable(accountId, statements.statements));
  replace('account-reviews', reviewsTable(reviews.reviews));
}

/**
 * The two cards read from the log rather than the read models, each settled so that a failure shows in
 * its own card. Only an active account has a statement to come (any other is answered 422), so no other
 * is asked for one.
 */
function readNextStatementAndPlans(accountId: string, status: string) {
  return Promise.all([
    status === 'ACTIVE' ? settle(get<NextStatementView>(path(accountId, '/next-statement'))) : Promise.resolve(null),
    settle(get<InstallmentPlansView>(path(accountId, '/installments'))),
  ]);
}

/** Why the application was refused and when the applicant may apply again: what support is asked first. */
function rejectionNotice(a: AccountView): HTMLElement | null {
  if (a.rejection === null) return null;
  const { reasons, reapplyWaitFrom } = a.rejection;
  const reasonsShown = reasons.flatMap((r, i) => [i > 0 ? '; ' : '', el('span', { 'data-reason': r }, label(REASON_LABELS, r))]);
  let reapply: (HTMLElement | string)[];
  if (reapplyWaitFrom === null) {
    reapply = ['No reapply wait counts from this rejection: a new application is not refused as too soon.'];
  } else {
    const from = addDays(reapplyWaitFrom, REAPPLY_AFTER_DAYS);
    // A rejection for reapplying too soon leaves the wait counting from the earlier rejection.
    const restart = reasons.includes('REAPPLY_TOO_SOON') ? ' (this one, for reapplying too soon, does not restart them)' : '';
    reapply = ['May reapply from 可重新申请 ', el('strong', { 'data-reapply-from': from }, from), `: ${REAPPLY_AFTER_DAYS} days counted from the rejection of ${reapplyWaitFrom}${restart}.`];
  }
  return el('div', { class: 'notice warn', 'data-section': 'rejection' }, el('div', {}, 'Application rejected 申请被拒: ', ...reasonsShown, '.'), el('div', {}, ...reapply));
}

function heading(accountId: string, account: AccountView): (HTMLElement | string | null)[] {
  return [
    `${accountId} `,
    el('span', { class: `badge status-${account.status.toLowerCase()}` }, label(STATUS_LABELS, account.status)),
    ...flagBadges(account),
    account.holder ? el('span', { class: 'muted' }, ` ${account.holder.nameMasked} · ${account.holder.idNumberMasked}`) : null,
  ];
}

/** What stops the account drawing, beside its status: each restriction a badge of its own. */
function flagBadges(a: AccountView): HTMLElement[] {
  const flags: [boolean, string, string][] = [
    [a.flags.frozen, 'frozen', 'Frozen for overdue 逾期冻结'],
    [a.flags.suspended, 'suspended', 'Risk suspended 风控暂停'],
    [a.flags.paymentLocked, 'locked', 'Payments locked 支付锁定'],
  ];
  return flags.filter(([on]) => on).map(([, name, text]) => el('span', { class: 'badge st-overdue', 'data-flag': name }, text));
}

function balances(a: AccountView): HTMLElement {
  return el(
    'div',
    { class: 'figures', id: 'account-balances', 'data-section': 'balances' },
    figure('account.limit', TERMS.limit, formatMoney(a.limit), a.limit),
    figure('account.available', TERMS.available, formatMoney(a.available), a.available),
    figure('account.owed', 'Owed 欠款合计', formatMoney(a.owed.total), a.owed.total, `spending ${formatMoney(a.owed.revolvingBilled)} billed + ${formatMoney(a.owed.revolvingUnbilled)} unbilled`),
    figure('account.installment', TERMS.installment, formatMoney(a.owed.installmentPrincipal), a.owed.installmentPrincipal, `fees ${formatMoney(a.owed.fees)}`),
    figure('account.interest', TERMS.interest, formatMoney(a.owed.interest), a.owed.interest, `${TERMS.penalty} ${formatMoney(a.owed.penaltyInterest)}`),
    figure('account.overdue', TERMS.overdue, formatMoney(a.overdue.amount), a.overdue.amount, `${a.overdue.daysPastDue} days · ${bucketLabel(a.status, a.overdue.bucket)}`),
    figure('account.rate', 'Daily rate 日利率', formatRate(a.dailyRate), a.dailyRate, `annual ${formatRate(a.annualRate, 2)} · penalty ${formatRate(a.penaltyDailyRate)} a day (annual ${formatRate(a.penaltyAnnualRate, 2)}) · pay score ${a.payScore}`),
  );
}

function statementsTable(accountId: string, statements: StatementView[]): HTMLElement {
  if (statements.length === 0) return notice('No statement yet: statements are issued on the 1st of each month.');
  const explain = (s: StatementView) => {
    const button = el('button', { type: 'button', class: 'link', 'data-explain': s.statementId }, 'Explain 账单解释');
    button.addEventListener('click', () => void renderExplanation(accountId, s.statementId));
    return button;
  };
  return table(
    [
      { header: 'Month 账单月', cell: (s: StatementView) => s.statementId },
      { header: 'Period 账期', cell: (s) => el('span', { class: 'wraps' }, `${s.periodFrom} – ${s.periodTo}`) },
      { header: 'Due 到期日', cell: (s) => s.dueDate },
      // The cycle's rate with its annualized rate beside it (PRODUCT.md §2).
      { header: 'Rate 日利率 (年化)', cell: (s) => `${formatRate(s.dailyRate)} (${formatRate(s.annualRate, 2)})`, numeric: true },
      { header: 'New spending 新增消费', cell: (s) => formatMoney(s.newDraws), numeric: true },
      { header: TERMS.interest, cell: (s) => formatMoney(s.interest.charged), numeric: true },
      { header: TERMS.penalty, cell: (s) => formatMoney(s.penaltyInterest.charged), numeric: true },
      { header: 'Fees 手续费', cell: (s) => formatMoney(s.fees), numeric: true },
      { header: 'Balance 账单金额', cell: (s) => formatMoney(s.statementBalance), numeric: true },
      // An upheld dispute sets the minimum again without the disputed draw: the one asked now, the issued one beside it.
      {
        header: 'Minimum 最低还款',
        cell: (s) =>
          s.minimumLoweredTo === null
            ? formatMoney(s.minimumRepayment)
            : el('span', { title: `lowered by an upheld dispute from ${formatMoney(s.minimumRepayment)}` }, `${formatMoney(s.minimumLoweredTo)} (was ${formatMoney(s.minimumRepayment)})`),
        numeric: true,
      },
      { header: `${TERMS.repayment}`, cell: (s) => formatMoney(s.paid.repayments), numeric: true },
      // Repayments go to earlier statements first, yet count toward this one's minimum, which includes them.
      { header: 'Toward minimum 计入最低还款', cell: (s) => formatMoney(s.repaidSinceIssue), numeric: true },
      { header: 'Outstanding 未还', cell: (s) => formatMoney(s.outstanding), numeric: true },
      { header: 'Status 状态', cell: (s) => el('span', { class: `badge st-${s.status.toLowerCase()}` }, s.status) },
      { header: '', cell: explain },
    ],
    [...statements].reverse(),
    { 'data-table': 'statements' },
  );
}

async function renderExplanation(accountId: string, month: string): Promise<void> {
  const target = byId('statement-explanation');
  replace(target, notice(`Loading the explanation of ${month} …`));
  try {
    replace(target, explanationView(await get<StatementExplanation>(path(accountId, `/statements/${month}/explanation`))));
  } catch (error) {
    const missing = error instanceof ApiRequestError && error.status === 404 && error.code === 'NOT_FOUND';
    replace(target, notice(missing ? 'Statement explanations are not available on this server yet (GET /accounts/:id/statements/:month/explanation).' : `Could not explain ${month}: ${(error as Error).message}`, 'warn'));
  }
}

function accrualForm(accountId: string, account: AccountView): HTMLElement {
  const to = account.asOf ? addDays(account.asOf, -1) : '';
  const fromInput = el('input', { type: 'date', id: 'accrual-from', value: to ? addDays(to, -30) : '' });
  const toInput = el('input', { type: 'date', id: 'accrual-to', value: to });
  const form = el('form', { class: 'inline' }, el('label', {}, 'From 起 ', fromInput), el('label', {}, ' To 止 ', toInput), el('button', { type: 'submit' }, 'Show 查询'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void renderAccruals(accountId, fromInput.value, toInput.value);
  });
  return form;
}

async function renderAccruals(accountId: string, from: string, to: string): Promise<void> {
  try {
    const view = await get<AccrualsView>(readModel(path(accountId, `/accruals?from=${from}&to=${to}`)));
    if (view.days.length === 0) {
      replace('account-accruals', notice('No closed day in this range.'));
      return;
    }
    replace(
      'account-accruals',
      el('p', { class: 'muted' }, `Exact amounts before rounding (精确到分以下); the statement charges the month's sum rounded half-up to the fen. Totals: interest ${formatMoney(view.totals.interest)}, penalty ${formatMoney(view.totals.penaltyInterest)}.`),
      el(
        'div',
        { class: 'scroll' },
        table(
          [
            { header: 'Date 日期', cell: (d: AccrualsView['days'][number]) => d.date },
            { header: 'Principal 计息本金', cell: (d) => formatMoney(d.normalPrincipal), numeric: true },
            { header: 'Daily rate 日利率', cell: (d) => formatRate(d.dailyRate), numeric: true },
            { header: TERMS.interest, cell: (d) => d.interest, numeric: true },
            { header: 'Penalty principal 罚息本金', cell: (d) => formatMoney(d.penaltyPrincipal), numeric: true },
            { header: 'Penalty rate 罚息日利率', cell: (d) => formatRate(d.penaltyDailyRate), numeric: true },
            { header: TERMS.penalty, cell: (d) => d.penaltyInterest, numeric: true },
          ],
          [...view.days].reverse(),
          { 'data-table': 'accruals' },
        ),
      ),
    );
  } catch (error) {
    replace('account-accruals', notice(`Could not load the daily accrual: ${(error as Error).message}`, 'error'));
  }
}

function reviewsTable(reviews: LimitReviewView[]): HTMLElement {
  if (reviews.length === 0) return notice('Not reviewed yet: each quarter is reviewed on the first day of the next, when its limit changes take effect.');
  return table(
    [
      { header: 'Quarter reviewed 考核季度', cell: (r: LimitReviewView) => r.quarter },
      { header: 'Reviewed 日期', cell: (r) => r.reviewedOn },
      { header: 'Decision 结果', cell: (r) => label(DECISION_LABELS, r.decision) },
      { header: 'Limit 额度', cell: (r) => `${formatMoney(r.oldLimit)} → ${formatMoney(r.newLimit)}`, numeric: true },
      { header: 'Daily rate 日利率', cell: (r) => `${formatRate(r.oldDailyRate)} → ${formatRate(r.newDailyRate)}`, numeric: true },
      { header: 'Utilization 使用率', cell: (r) => formatRate(r.inputs.averageUtilization, 1), numeric: true },
      { header: 'Reasons 原因', cell: (r) => r.reasons.map((x) => label(REASON_LABELS, x)).join('; ') || '—' },
    ],
    [...reviews].reverse(),
    { 'data-table': 'limit-reviews' },
  );
}
