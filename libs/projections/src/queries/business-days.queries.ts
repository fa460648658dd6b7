import type { Db } from '../runner/projection';

/** The latest closed business day, or null before the first end of day. */
export function lastClosedBusinessDay(db: Db): string | null {
  const row = db.prepare('SELECT MAX(business_date) AS last FROM business_days').get() as {
    last: string | null;
  };
  return row.last;
}
