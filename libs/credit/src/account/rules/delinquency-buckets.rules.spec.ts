import { AccountScenario } from '../../testing/account-scenario';
import { TERMS_2026_01 } from '../../terms/product-terms';
import { bucketFor } from './overdue';

/**
 * PRODUCT.md §8: days past due count from the day after the due date (day 1). Buckets: M1 days 1-30,
 * M2 31-60, M3 61-90, M3+ over 90.
 * Pay score 650: 1,000.00 drawn on 2 Jan; January's statement due 10 Feb, never paid. Day 1 is 11 Feb;
 * day n is 11 Feb + (n - 1) days: day 60 = 11 Apr (18 days to 28 Feb, 31 in March, 11 in April = 60),
 * day 61 = 12 Apr, day 90 = 11 May (11 Apr + 30), day 91 = 12 May.
 */
describe('delinquency buckets at their boundaries', () => {
  it('is M2 on day 60, M3 from day 61 through day 90, M3+ from day 91', () => {
    const s = new AccountScenario('acc-1', '2026-01-02T09:00:00+08:00').open({ payScore: 650 });
    s.draw('o-1', '1000.00');
    // Closing day D decides as of D + 1.
    s.closeDaysThrough('2026-04-10');
    expect(s.state.bucket).toBe('M2');
    expect(s.lastOf('DelinquencyBucketChanged').data).toMatchObject({ to: 'M2', daysPastDue: 31 });

    const day61 = s.closeDaysThrough('2026-04-11');
    expect(day61.filter((e) => e.type === 'DelinquencyBucketChanged').map((e) => e.data)).toEqual([{ on: '2026-04-12', from: 'M2', to: 'M3', daysPastDue: 61 }]);

    s.closeDaysThrough('2026-05-10');
    expect(s.state.bucket).toBe('M3');

    const day91 = s.closeDaysThrough('2026-05-11');
    expect(day91.filter((e) => e.type === 'DelinquencyBucketChanged').map((e) => e.data)).toEqual([{ on: '2026-05-12', from: 'M3', to: 'M3+', daysPastDue: 91 }]);
  });

  it('maps days past due to buckets under the current terms', () => {
    const cases: [number, string][] = [[0, 'CURRENT'], [1, 'M1'], [30, 'M1'], [31, 'M2'], [60, 'M2'], [61, 'M3'], [90, 'M3'], [91, 'M3+']];
    expect(cases.map(([dpd]) => [dpd, bucketFor(dpd, TERMS_2026_01)])).toEqual(cases);
  });
});
