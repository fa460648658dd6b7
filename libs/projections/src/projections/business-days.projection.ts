/**
 * Business days closed, from BusinessDayClosed on the system stream, so queries know the last closed date
 * (days past due, accrual rows up to that day).
 */
import type { ByAccountReplay, Db, Projection, ProjectionEvent, Statement } from '../runner/projection';

export class BusinessDaysProjection implements Projection {
  readonly name = 'business_days';
  readonly version = 1;
  readonly tables = ['business_days'];
  /** Closed days alone, applied whole (alike in every share of a split rebuild). */
  readonly byAccount: ByAccountReplay = { shares: { whole: ['business_days'] } };
  readonly ddl = [
    `CREATE TABLE IF NOT EXISTS business_days (
      business_date TEXT PRIMARY KEY,
      closed_at TEXT NOT NULL,
      accounts INTEGER NOT NULL,
      counts_json TEXT NOT NULL,
      position INTEGER NOT NULL
    ) STRICT`,
  ];
  private insert!: Statement;

  prepare(db: Db): void {
    this.insert = db.prepare('INSERT OR REPLACE INTO business_days VALUES (?, ?, ?, ?, ?)');
  }

  apply(event: ProjectionEvent): void {
    if (event.kind !== 'businessDayClosed') return;
    const d = event.data;
    this.insert.run(
      d.businessDate,
      d.closedAt,
      d.accounts,
      JSON.stringify(d.counts ?? {}),
      Number(event.stored.position),
    );
  }
}
