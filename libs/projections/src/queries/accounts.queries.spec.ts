import fc from 'fast-check';
import { Dec, initialState, Money } from '@ledger/credit';
import { balanceRow } from '../projections/balances.projection';
import { toAccountView } from './accounts.queries';

describe('an account view', () => {
  it('adds billed and unbilled installment principal to 2 decimals, half up, whatever the amounts look like', () => {
    // Amounts as the balances row writes them: whole fen with 2 decimals ("0.00" most of all), and exact
    // amounts with more decimals; the reference adds them as decimals and rounds once.
    const fen = fc.bigInt(-(10n ** 13n), 10n ** 13n).map((f) => Money.fromFen(f).toJSON());
    const exact = fc.tuple(fc.bigInt(-(10n ** 9n), 10n ** 9n), fc.integer({ min: 3, max: 8 })).map(([digits, places]) => new Dec(digits.toString()).div(new Dec(10).pow(places)).toFixed());
    const amount = fc.oneof(fc.constant('0.00'), fen, exact);
    const row = balanceRow(initialState('acc-1'), 1n);
    fc.assert(
      fc.property(amount, amount, (billed, unbilled) => {
        const view = toAccountView({ ...row, installment_billed: billed, installment_unbilled: unbilled }, null);
        expect(view.owed.installmentPrincipal).toBe(new Dec(billed).plus(unbilled).toFixed(2));
      }),
      { numRuns: 2000 },
    );
  });
});
