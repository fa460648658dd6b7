/**
 * Statements: each StatementIssued with its lines, what has been paid against it since (repayment,
 * refund and reversal allocation lines naming it, a reversal's given-back charges included), the repayments received since it was issued whatever they paid
 * (what counts toward its minimum: a repayment goes to earlier statements first, yet meets this one's
 * minimum, which includes them) and its status from the domain state: OVERDUE while the state marks
 * it overdue, PAID once nothing is owed on it (or the state has dropped it as settled), MINIMUM_PAID once
 * the minimum is met, OPEN before that.
 *
 * A batch's changes are kept until it is flushed, and each row is written once a batch: a statement
 * issued in the batch is inserted as the batch leaves it, one already stored has its amounts paid added
 * once, and its status rewritten only if the account's last state in the batch shows it otherwise than
 * its first. Written as each event came, a replay by account (each account's whole history in one batch)
 * inserted every statement and then rewrote it for most of the events after it.
 */
import {
  type AllocationLine,
  bucketsTotal,
  statementsHoldEarlierBalances,
  type CreditAccountState,
  Money,
  type StatementIssuedData,
} from '@ledger/credit';
import type { AccountChange, Db, Projection, ProjectionEvent, Statement } from '../runner/projection';

export type StatementStatus = 'OPEN' | 'MINIMUM_PAID' | 'PAID' | 'OVERDUE';

interface StatementView {
  status: StatementStatus;
  outstanding: string;
  overdueSince: string | null;
}

/** The view of a statement a state does not list: settled and dropped, or not issued yet. */
const NOT_LISTED: Readonly<StatementView> = Object.freeze({ status: 'PAID', outstanding: '0.00', overdueSince: null });

/**
 * A listed statement's view: `outstanding` is what is still owed of its own charges (what it carries from
 * earlier statements is owed on those); PAID when nothing billed up to it is owed, its statement balance
 * paid off, as settlement counts it: a statement with nothing of its own left while earlier ones still
 * owe is OPEN (or MINIMUM_PAID, or OVERDUE) until they are paid. That is rule revision 3's
 * (`statementsHoldEarlierBalances`); an account approved under an earlier one, whose statements go at
 * their due date once their own charges are paid, shows them PAID then, as it always did.
 */
export function statementView(state: CreditAccountState, statementId: string): StatementView {
  const index = state.statements.findIndex((st) => st.id === statementId);
  if (index < 0) return NOT_LISTED;
  const s = state.statements[index];
  const outstanding = bucketsTotal(s.owed);
  let owedUpTo = outstanding;
  if (statementsHoldEarlierBalances(state)) for (let i = 0; i < index && owedUpTo.isZero(); i++) owedUpTo = owedUpTo.plus(bucketsTotal(state.statements[i].owed));
  const status: StatementStatus = s.overdue
    ? 'OVERDUE'
    : owedUpTo.isZero()
      ? 'PAID'
      : s.minimumMet
        ? 'MINIMUM_PAID'
        : 'OPEN';
  return { status, outstanding: outstanding.toJSON(), overdueSince: s.overdue?.since ?? null };
}

function sameView(a: StatementView, b: StatementView): boolean {
  return a.status === b.status && a.outstanding === b.outstanding && a.overdueSince === b.overdueSince;
}

export class StatementsProjection implements Projection {
  readonly name = 'statements';
  /**
   * 2: `repaid_since_issue`. 3: the cycle's daily and penalty rates. 4: PAID only once nothing billed up to
   * the statement is owed. 5: `minimum_lowered_to`, the minimum an upheld dispute set again.
   */
  readonly version = 5;
  readonly tables = ['statements'];
  /** Rows per account, from its own events. */
  readonly byAccount = {};
  readonly ddl = [
    `CREATE TABLE IF NOT EXISTS statements (
      account_id TEXT NOT NULL,
      statement_id TEXT NOT NULL,
      statement_date TEXT NOT NULL,
      period_from TEXT NOT NULL,
      period_to TEXT NOT NULL,
      due_date TEXT NOT NULL,
      new_draws TEXT NOT NULL,
      refunds TEXT NOT NULL,
      revolving_principal TEXT NOT NULL,
      installment_periods_json TEXT NOT NULL,
      interest_exact TEXT NOT NULL,
      interest_charged TEXT NOT NULL,
      interest_residual TEXT NOT NULL,
      penalty_exact TEXT NOT NULL,
      penalty_charged TEXT NOT NULL,
      penalty_residual TEXT NOT NULL,
      fees TEXT NOT NULL,
      previous_balance TEXT NOT NULL,
      statement_balance TEXT NOT NULL,
      overdue_included TEXT NOT NULL,
      minimum_repayment TEXT NOT NULL,
      minimum_lowered_to TEXT,
      repaid TEXT NOT NULL,
      refunded TEXT NOT NULL,
      repaid_since_issue TEXT NOT NULL,
      outstanding TEXT NOT NULL,
      status TEXT NOT NULL,
      overdue_since TEXT,
      terms_version TEXT NOT NULL,
      daily_rate TEXT NOT NULL,
      penalty_daily_rate TEXT NOT NULL,
      issued_position INTEGER NOT NULL,
      PRIMARY KEY (account_id, statement_id)
    ) STRICT`,
  ];
  private insert!: Statement;
  private updateView!: Statement;
  private selectPaid!: Statement;
  private updatePaid!: Statement;
  private updateMinimum!: Statement;
  /** Statements issued in this batch, by `key`: their rows, inserted at the flush with the views and amounts paid the batch leaves them with. */
  private readonly issued = new Map<string, StatementRow>();
  /** Amounts paid in this batch against each statement, by `key`. */
  private readonly paid = new Map<string, Paid>();
  /**
   * Each account the batch moved: the views of the statements its state listed before its first event in
   * the batch, its last state, and every statement any of its states listed. A statement's view follows
   * from the state, so only the first and the last count: the last worked out once, at the flush (`settle`).
   */
  private readonly moved = new Map<string, Moved>();

  prepare(db: Db): void {
    this.insert = db.prepare(
      `INSERT INTO statements VALUES (@account_id, @statement_id, @statement_date, @period_from, @period_to, @due_date,
        @new_draws, @refunds, @revolving_principal, @installment_periods_json, @interest_exact, @interest_charged,
        @interest_residual, @penalty_exact, @penalty_charged, @penalty_residual, @fees, @previous_balance,
        @statement_balance, @overdue_included, @minimum_repayment, @minimum_lowered_to, @repaid, @refunded, @repaid_since_issue, @outstanding, @status,
        @overdue_since, @terms_version, @daily_rate, @penalty_daily_rate, @issued_position)`,
    );
    this.updateView = db.prepare(
      'UPDATE statements SET status = ?, outstanding = ?, overdue_since = ? WHERE account_id = ? AND statement_id = ?',
    );
    this.selectPaid = db.prepare(
      'SELECT repaid, refunded, repaid_since_issue FROM statements WHERE account_id = ? AND statement_id = ?',
    );
    this.updatePaid = db.prepare(
      'UPDATE statements SET repaid = ?, refunded = ?, repaid_since_issue = ? WHERE account_id = ? AND statement_id = ?',
    );
    this.updateMinimum = db.prepare('UPDATE statements SET minimum_lowered_to = ? WHERE account_id = ? AND statement_id = ?');
  }

  apply(event: ProjectionEvent): void {
    if (event.kind !== 'account') return;
    const { event: e } = event;
    this.track(event);
    if (e.type === 'StatementIssued') this.issue(event, e.data);
    if (e.type === 'RepaymentReceived') {
      this.addPaid(event.accountId, e.data.allocation, 'repaid');
      // As the domain counts it: what was kept of the repayment, on every statement listed when it came.
      const kept = Money.of(e.data.amount).minus(Money.of(e.data.returnedToCustomer));
      for (const s of event.before.statements) {
        const paid = this.paidOn(event.accountId, s.id);
        paid.sinceIssue = paid.sinceIssue.plus(kept);
      }
    }
    if (e.type === 'DrawRefunded' || e.type === 'DrawReversed')
      this.addPaid(event.accountId, e.data.appliedTo, 'refunded');
    if (e.type === 'DrawReversed') {
      for (const { statementId, to } of e.data.minimums?.lowered ?? []) this.paidOn(event.accountId, statementId).minimumLoweredTo = to;
    }
  }

  flush(): void {
    for (const [accountId, moved] of this.moved) this.settle(accountId, moved);
    this.moved.clear();
    for (const [k, row] of this.issued) {
      const paid = this.paid.get(k);
      if (paid !== undefined) {
        row.repaid = Money.of(row.repaid).plus(paid.repaid).toString();
        row.refunded = Money.of(row.refunded).plus(paid.refunded).toString();
        row.repaid_since_issue = Money.of(row.repaid_since_issue).plus(paid.sinceIssue).toString();
        row.minimum_lowered_to = paid.minimumLoweredTo ?? row.minimum_lowered_to;
        this.paid.delete(k);
      }
      this.insert.run(row);
    }
    this.issued.clear();
    for (const { accountId, statementId, repaid, refunded, sinceIssue, minimumLoweredTo } of this.paid.values()) {
      if (minimumLoweredTo !== undefined) this.updateMinimum.run(minimumLoweredTo, accountId, statementId);
      const row = this.selectPaid.get(accountId, statementId) as { repaid: string; refunded: string; repaid_since_issue: string } | undefined;
      if (!row) continue;
      this.updatePaid.run(
        Money.of(row.repaid).plus(repaid).toString(),
        Money.of(row.refunded).plus(refunded).toString(),
        Money.of(row.repaid_since_issue).plus(sinceIssue).toString(),
        accountId,
        statementId,
      );
    }
    this.paid.clear();
  }

  discard(): void {
    this.issued.clear();
    this.paid.clear();
    this.moved.clear();
  }

  /** Notes the account's last state, and the statements it lists. */
  private track(change: AccountChange): void {
    let moved = this.moved.get(change.accountId);
    if (moved !== undefined && moved.state !== change.before) {
      // Not the state the account's last event left (no fold hands one over, but nothing here relies on
      // that): the views up to there are settled, and the account moves on from this event's state before.
      this.settle(change.accountId, moved);
      moved = undefined;
    }
    if (moved === undefined) {
      const before = new Map(change.before.statements.map((s) => [s.id, statementView(change.before, s.id)]));
      moved = { before, state: change.after, ids: new Set(before.keys()) };
      this.moved.set(change.accountId, moved);
    }
    moved.state = change.after;
    for (const s of change.after.statements) moved.ids.add(s.id);
  }

  /** Writes the view of each statement the account's states listed, where its last state shows it otherwise than its first. */
  private settle(accountId: string, { before, state, ids }: Moved): void {
    for (const id of ids) {
      const after = statementView(state, id);
      const row = this.issued.get(key(accountId, id));
      if (row !== undefined) {
        row.status = after.status;
        row.outstanding = after.outstanding;
        row.overdue_since = after.overdueSince;
      } else if (!sameView(before.get(id) ?? NOT_LISTED, after)) {
        this.updateView.run(after.status, after.outstanding, after.overdueSince, accountId, id);
      }
    }
  }

  private issue(change: AccountChange, d: StatementIssuedData): void {
    // Its view (status, outstanding, overdue since) is set again to the one the batch leaves it with (`settle`).
    this.moved.get(change.accountId)!.ids.add(d.statementId);
    const view = statementView(change.after, d.statementId);
    this.issued.set(key(change.accountId, d.statementId), {
      account_id: change.accountId,
      statement_id: d.statementId,
      statement_date: d.on,
      period_from: d.periodFrom,
      period_to: d.periodTo,
      due_date: d.dueDate,
      new_draws: d.newDraws,
      refunds: d.refunds,
      revolving_principal: d.revolvingPrincipal,
      installment_periods_json: JSON.stringify(d.installmentPeriods),
      interest_exact: d.interest.exact,
      interest_charged: d.interest.charged,
      interest_residual: d.interest.residual,
      penalty_exact: d.penaltyInterest.exact,
      penalty_charged: d.penaltyInterest.charged,
      penalty_residual: d.penaltyInterest.residual,
      fees: d.fees,
      previous_balance: d.previousBalance,
      statement_balance: d.statementBalance,
      overdue_included: d.overdueIncluded,
      minimum_repayment: d.minimumRepayment,
      minimum_lowered_to: null,
      repaid: '0.00',
      refunded: '0.00',
      repaid_since_issue: '0.00',
      outstanding: view.outstanding,
      status: view.status,
      overdue_since: view.overdueSince,
      terms_version: d.termsVersion,
      // The rates of the cycle billed: a review's new rates take effect the day after the statement day.
      daily_rate: change.before.dailyRate,
      penalty_daily_rate: change.before.penaltyDailyRate,
      issued_position: Number(change.stored.position),
    });
  }

  private addPaid(accountId: string, lines: AllocationLine[], column: 'repaid' | 'refunded'): void {
    for (const line of lines) {
      if (line.target !== 'STATEMENT') continue;
      const paid = this.paidOn(accountId, line.statementId);
      paid[column] = paid[column].plus(Money.of(line.amount));
    }
  }

  /** The batch's amounts paid against a statement, kept from here on. */
  private paidOn(accountId: string, statementId: string): Paid {
    const k = key(accountId, statementId);
    let paid = this.paid.get(k);
    if (paid === undefined) {
      paid = { accountId, statementId, repaid: Money.ZERO, refunded: Money.ZERO, sinceIssue: Money.ZERO };
      this.paid.set(k, paid);
    }
    return paid;
  }
}

/** A statement's key in the batch's maps. */
const key = (accountId: string, statementId: string) => `${accountId}\u0000${statementId}`;

/** A row of `statements`, its columns by name: what the projection inserts and the queries read. */
export interface StatementRow {
  account_id: string;
  statement_id: string;
  statement_date: string;
  period_from: string;
  period_to: string;
  due_date: string;
  new_draws: string;
  refunds: string;
  revolving_principal: string;
  installment_periods_json: string;
  interest_exact: string;
  interest_charged: string;
  interest_residual: string;
  penalty_exact: string;
  penalty_charged: string;
  penalty_residual: string;
  fees: string;
  previous_balance: string;
  statement_balance: string;
  overdue_included: string;
  minimum_repayment: string;
  minimum_lowered_to: string | null;
  repaid: string;
  refunded: string;
  repaid_since_issue: string;
  outstanding: string;
  status: StatementStatus;
  overdue_since: string | null;
  terms_version: string;
  daily_rate: string;
  penalty_daily_rate: string;
  issued_position: number;
}

interface Paid {
  accountId: string;
  statementId: string;
  repaid: Money;
  refunded: Money;
  /** Repayments received while the statement was listed, whatever they were allocated to. */
  sinceIssue: Money;
  /** The minimum an upheld dispute set again in this batch (`DisputedDrawMinimums.lowered`). */
  minimumLoweredTo?: string;
}

interface Moved {
  /** The views of the statements the account's state listed before its first event in the batch. */
  before: ReadonlyMap<string, StatementView>;
  state: CreditAccountState;
  ids: Set<string>;
}
