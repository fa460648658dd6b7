/**
 * Statements: each StatementIssued with its lines, what has been paid against it since (repayment and
 * refund allocation lines naming it) and its status from the domain state: OVERDUE while the state marks
 * it overdue, PAID once nothing is owed on it (or the state has dropped it as settled), MINIMUM_PAID once
 * the minimum is met, OPEN before that. Only statements whose status or outstanding amount moved are
 * rewritten, so an event costs a write per open statement at most.
 */
import {
  type AllocationLine,
  bucketsTotal,
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

export function statementView(state: CreditAccountState, statementId: string): StatementView {
  const s = state.statements.find((st) => st.id === statementId);
  if (!s) return { status: 'PAID', outstanding: '0.00', overdueSince: null };
  const outstanding = bucketsTotal(s.owed);
  const status: StatementStatus = s.overdue
    ? 'OVERDUE'
    : outstanding.isZero()
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
  readonly version = 1;
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
      repaid TEXT NOT NULL,
      refunded TEXT NOT NULL,
      outstanding TEXT NOT NULL,
      status TEXT NOT NULL,
      overdue_since TEXT,
      terms_version TEXT NOT NULL,
      issued_position INTEGER NOT NULL,
      PRIMARY KEY (account_id, statement_id)
    ) STRICT`,
  ];
  private insert!: Statement;
  private updateView!: Statement;
  private selectPaid!: Statement;
  private updatePaid!: Statement;

  prepare(db: Db): void {
    this.insert = db.prepare(
      `INSERT INTO statements VALUES (@account_id, @statement_id, @statement_date, @period_from, @period_to, @due_date,
        @new_draws, @refunds, @revolving_principal, @installment_periods_json, @interest_exact, @interest_charged,
        @interest_residual, @penalty_exact, @penalty_charged, @penalty_residual, @fees, @previous_balance,
        @statement_balance, @overdue_included, @minimum_repayment, '0.00', '0.00', @outstanding, @status,
        @overdue_since, @terms_version, @issued_position)`,
    );
    this.updateView = db.prepare(
      'UPDATE statements SET status = ?, outstanding = ?, overdue_since = ? WHERE account_id = ? AND statement_id = ?',
    );
    this.selectPaid = db.prepare(
      'SELECT repaid, refunded FROM statements WHERE account_id = ? AND statement_id = ?',
    );
    this.updatePaid = db.prepare(
      'UPDATE statements SET repaid = ?, refunded = ? WHERE account_id = ? AND statement_id = ?',
    );
  }

  apply(event: ProjectionEvent): void {
    if (event.kind !== 'account') return;
    const { event: e } = event;
    if (e.type === 'StatementIssued') this.issue(event, e.data);
    if (e.type === 'RepaymentReceived') this.addPaid(event.accountId, e.data.allocation, 'repaid');
    if (e.type === 'DrawRefunded' || e.type === 'DrawReversed')
      this.addPaid(event.accountId, e.data.appliedTo, 'refunded');
    this.refreshViews(event);
  }

  private issue(change: AccountChange, d: StatementIssuedData): void {
    const view = statementView(change.after, d.statementId);
    this.insert.run({
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
      outstanding: view.outstanding,
      status: view.status,
      overdue_since: view.overdueSince,
      terms_version: d.termsVersion,
      issued_position: Number(change.stored.position),
    });
  }

  private addPaid(accountId: string, lines: AllocationLine[], column: 'repaid' | 'refunded'): void {
    const byStatement = new Map<string, Money>();
    for (const line of lines) {
      if (line.target !== 'STATEMENT') continue;
      byStatement.set(
        line.statementId,
        (byStatement.get(line.statementId) ?? Money.ZERO).plus(Money.of(line.amount)),
      );
    }
    for (const [statementId, amount] of byStatement) {
      const row = this.selectPaid.get(accountId, statementId) as
        { repaid: string; refunded: string } | undefined;
      if (!row) continue;
      const repaid = column === 'repaid' ? Money.of(row.repaid).plus(amount) : Money.of(row.repaid);
      const refunded = column === 'refunded' ? Money.of(row.refunded).plus(amount) : Money.of(row.refunded);
      this.updatePaid.run(repaid.toString(), refunded.toString(), accountId, statementId);
    }
  }

  /** Rewrites the status of every statement the event may have moved (those in the state before or after). */
  private refreshViews(change: AccountChange): void {
    const ids = new Set([
      ...change.before.statements.map((s) => s.id),
      ...change.after.statements.map((s) => s.id),
    ]);
    for (const id of ids) {
      const after = statementView(change.after, id);
      if (sameView(statementView(change.before, id), after)) continue;
      this.updateView.run(after.status, after.outstanding, after.overdueSince, change.accountId, id);
    }
  }
}
