/**
 * Balances: one row per account with what a servicing screen shows, derived from the folded state with
 * the domain's own functions (total owed, available, overdue amount), so the row cannot disagree with a
 * replay. Days past due are not stored: they grow every day for every overdue account, so the query
 * computes them from `overdue_since` and the last closed business day instead of a daily write.
 * States are buffered per batch, so an account touched by many events in a batch is made into a row and
 * written once.
 */
import {
  availableCredit,
  type CreditAccountState,
  Money,
  oldestOverdue,
  overdueOrigin,
  overdueAmount,
  unbilledInstallmentPrincipal,
} from '@ledger/credit';
import type { AccountChange, Db, Projection, ProjectionEvent, Statement } from '../runner/projection';

/** A balances row; every field ending in an amount is a decimal string of CNY. */
export interface BalanceRow {
  account_id: string;
  status: string;
  id_number_masked: string | null;
  name_masked: string | null;
  channel: string | null;
  credit_limit: string;
  available: string;
  daily_rate: string;
  penalty_daily_rate: string;
  revolving_unbilled: string;
  revolving_billed: string;
  installment_billed: string;
  installment_unbilled: string;
  interest_owed: string;
  fees_owed: string;
  penalty_owed: string;
  total_owed: string;
  overdue_amount: string;
  overdue_since: string | null;
  /** Why the oldest overdue episode began: MINIMUM_NOT_PAID, or DEFERRAL_LIMIT_REACHED (carried past 90 days); null when current. */
  overdue_kind: string | null;
  bucket: string;
  frozen: number;
  suspended: number;
  locked: number;
  last_statement_id: string | null;
  pay_score: number;
  last_on: string | null;
  /** A rejected application's reasons, comma separated; null unless the account stands rejected. */
  rejection_reasons: string | null;
  /** The rejection a new application's 30-day wait counts from (REAPPLY_TOO_SOON ones do not restart it); null unless rejected. */
  reapply_wait_from: string | null;
  updated_position: number;
}

const COLUMNS: (keyof BalanceRow)[] = [
  'account_id',
  'status',
  'id_number_masked',
  'name_masked',
  'channel',
  'credit_limit',
  'available',
  'daily_rate',
  'penalty_daily_rate',
  'revolving_unbilled',
  'revolving_billed',
  'installment_billed',
  'installment_unbilled',
  'interest_owed',
  'fees_owed',
  'penalty_owed',
  'total_owed',
  'overdue_amount',
  'overdue_since',
  'overdue_kind',
  'bucket',
  'frozen',
  'suspended',
  'locked',
  'last_statement_id',
  'pay_score',
  'last_on',
  'rejection_reasons',
  'reapply_wait_from',
  'updated_position',
];

/** Every column but the key and the two indexed ones, status and bucket. */
const IN_PLACE_COLUMNS = COLUMNS.filter((c) => c !== 'account_id' && c !== 'status' && c !== 'bucket' && c !== 'overdue_since');

/** Owed amounts by kind; they sum to `totalOwed(state)`. */
export function owedByKind(state: CreditAccountState) {
  let revolvingBilled = Money.ZERO;
  let installmentBilled = Money.ZERO;
  let interest = Money.ZERO;
  let fees = Money.ZERO;
  let penalty = Money.ZERO;
  for (const { owed } of state.statements) {
    revolvingBilled = revolvingBilled.plus(owed.REVOLVING_PRINCIPAL);
    installmentBilled = installmentBilled.plus(owed.INSTALLMENT_PRINCIPAL);
    interest = interest.plus(owed.INTEREST);
    fees = fees.plus(owed.FEES);
    penalty = penalty.plus(owed.PENALTY_INTEREST);
  }
  return {
    revolvingUnbilled: state.unbilledRevolving,
    revolvingBilled,
    installmentBilled,
    installmentUnbilled: unbilledInstallmentPrincipal(state),
    interest,
    fees,
    penalty,
  };
}

/** The owed amounts' sum: `totalOwed(state)` of the state they were taken from. */
export function sumOfKinds(owed: ReturnType<typeof owedByKind>): Money {
  return owed.revolvingUnbilled.plus(owed.revolvingBilled).plus(owed.installmentBilled).plus(owed.installmentUnbilled).plus(owed.interest).plus(owed.fees).plus(owed.penalty);
}

export function balanceRow(state: CreditAccountState, position: bigint): BalanceRow {
  const owed = owedByKind(state);
  // The kinds sum to `totalOwed(state)`; adding them here spares a second pass over statements and plans.
  const total = sumOfKinds(owed);
  const overdue = oldestOverdue(state);
  return {
    account_id: state.accountId,
    status: state.status,
    id_number_masked: state.holder?.idNumberMasked ?? null,
    name_masked: state.holder?.nameMasked ?? null,
    channel: state.channel,
    credit_limit: state.limit.toJSON(),
    available: availableCredit(state, total).toJSON(),
    daily_rate: state.dailyRate,
    penalty_daily_rate: state.penaltyDailyRate,
    revolving_unbilled: owed.revolvingUnbilled.toJSON(),
    revolving_billed: owed.revolvingBilled.toJSON(),
    installment_billed: owed.installmentBilled.toJSON(),
    installment_unbilled: owed.installmentUnbilled.toJSON(),
    interest_owed: owed.interest.toJSON(),
    fees_owed: owed.fees.toJSON(),
    penalty_owed: owed.penalty.toJSON(),
    total_owed: total.toJSON(),
    overdue_amount: overdueAmount(state).toJSON(),
    overdue_since: overdue?.since ?? null,
    overdue_kind: overdueOrigin(state),
    bucket: state.bucket,
    frozen: state.frozenForOverdue ? 1 : 0,
    suspended: state.riskSuspended ? 1 : 0,
    locked: state.paymentLocked ? 1 : 0,
    last_statement_id: state.lastStatementId,
    pay_score: state.payScore,
    last_on: state.lastOn,
    rejection_reasons: state.status === 'REJECTED' ? state.lastRejectionReasons.join(',') : null,
    reapply_wait_from: state.status === 'REJECTED' ? state.lastCountedRejectionOn : null,
    updated_position: Number(position),
  };
}

export class BalancesProjection implements Projection {
  readonly name = 'balances';
  /**
   * 2: the oldest overdue episode's kind (`overdue_kind`). 3: that kind is why the episode began
   * (`overdueOrigin`), not what the statement's overdue covers now, which turned every M3+ account to
   * DEFERRAL_LIMIT_REACHED on the day it reached 91 days past due. 4: a rejected application's reasons and
   * the day its reapply wait counts from, so support can say why and when without the audit history.
   */
  readonly version = 4;
  readonly tables = ['balances'];
  /** One row per account, from its own latest state. */
  readonly byAccount = {};
  readonly ddl = [
    `CREATE TABLE IF NOT EXISTS balances (
      account_id TEXT PRIMARY KEY,
      status TEXT NOT NULL,
      id_number_masked TEXT,
      name_masked TEXT,
      channel TEXT,
      credit_limit TEXT NOT NULL,
      available TEXT NOT NULL,
      daily_rate TEXT NOT NULL,
      penalty_daily_rate TEXT NOT NULL,
      revolving_unbilled TEXT NOT NULL,
      revolving_billed TEXT NOT NULL,
      installment_billed TEXT NOT NULL,
      installment_unbilled TEXT NOT NULL,
      interest_owed TEXT NOT NULL,
      fees_owed TEXT NOT NULL,
      penalty_owed TEXT NOT NULL,
      total_owed TEXT NOT NULL,
      overdue_amount TEXT NOT NULL,
      overdue_since TEXT,
      overdue_kind TEXT,
      bucket TEXT NOT NULL,
      frozen INTEGER NOT NULL,
      suspended INTEGER NOT NULL,
      locked INTEGER NOT NULL,
      last_statement_id TEXT,
      pay_score INTEGER NOT NULL,
      last_on TEXT,
      rejection_reasons TEXT,
      reapply_wait_from TEXT,
      updated_position INTEGER NOT NULL
    ) STRICT`,
    'CREATE INDEX IF NOT EXISTS balances_by_status ON balances (status, account_id)',
    'CREATE INDEX IF NOT EXISTS balances_by_bucket ON balances (bucket, account_id)',
    // The overdue accounts, oldest overdue first, for the list by days past due; partial, so an account
    // that is not overdue has no entry to keep (created at a start on a file made before it).
    'CREATE INDEX IF NOT EXISTS balances_by_overdue ON balances (overdue_since, account_id) WHERE overdue_since IS NOT NULL',
  ];
  /**
   * Each account's latest state in the batch, and the position it is as of: the row is made at the flush,
   * once per account however many of the batch's events touched it.
   */
  private readonly pending = new Map<string, { state: CreditAccountState; position: bigint }>();
  private upsert!: Statement;
  private updateInPlace!: Statement;

  prepare(db: Db): void {
    this.upsert = db.prepare(
      // Bound by position: binding 27 named parameters cost a fifth of each row's insert. Updated in place:
      // `INSERT OR REPLACE` deleted the row and inserted it again under a new rowid, at the table's end,
      // which dirtied two table pages and the key's index page at every account's every batch (the
      // projections worker wrote 7% more a command; bench/HISTORY.md, twenty-eighth round).
      `INSERT INTO balances (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})
       ON CONFLICT (account_id) DO UPDATE SET ${COLUMNS.filter((c) => c !== 'account_id').map((c) => `${c} = excluded.${c}`).join(', ')}`,
    );
    // Most rows keep their status, bucket and overdue start from batch to batch. SQLite rewrites an
    // index's entry whenever an update sets one of its columns, equal or not, so an update that leaves them
    // out spares the indexes by status, by bucket and of the overdue: 1.3 of the 6.6 pages the projections
    // wrote an event at 10,000 accounts (bench/HISTORY.md, twenty-ninth round). It changes no row where
    // they differ, or where there is no row yet; the upsert then writes it.
    this.updateInPlace = db.prepare(
      `UPDATE balances SET ${IN_PLACE_COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE account_id = ? AND status = ? AND bucket = ? AND overdue_since IS ?`,
    );
  }

  apply(event: ProjectionEvent): void {
    if (event.kind !== 'account') return;
    this.pending.set(event.accountId, { state: (event as AccountChange).after, position: event.stored.position });
  }

  flush(): void {
    for (const { state, position } of this.pending.values()) {
      const row = balanceRow(state, position);
      const values = IN_PLACE_COLUMNS.map((column) => row[column]);
      values.push(row.account_id, row.status, row.bucket, row.overdue_since);
      if (this.updateInPlace.run(values).changes === 0) this.upsert.run(COLUMNS.map((column) => row[column]));
    }
    this.pending.clear();
  }

  discard(): void {
    this.pending.clear();
  }
}
