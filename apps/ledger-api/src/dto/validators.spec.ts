import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ControlsDto, RepaymentDto } from './account-commands.dto';
import { AMOUNT_PATTERN } from './validators';

/** Whether a repayment of `amount` passes validation, as the API's pipe runs it. */
const takes = (amount: string) => validateSync(plainToInstance(RepaymentDto, { reference: 'P-1', amount, channel: 'MANUAL' })).length === 0;

describe('an amount', () => {
  it.each(['0.01', '0.1', '0.10', '0.5', '1', '100', '100.5', '100.00', '9999999999.99', '1000000000'])('takes %s', (amount) => {
    expect(takes(amount)).toBe(true);
  });

  it.each(['0', '0.0', '0.00', '00.5', '01', '01.00', '00', '10000000000', '12345678901.00', '1.001', '-1.00', '.5', '5.', '1e3', '+5.00', ' 1.00'])('refuses %s', (amount) => {
    expect(takes(amount)).toBe(false);
  });

  it('is published without lookaround or backreferences, which Go\'s RE2 cannot compile', () => {
    expect(AMOUNT_PATTERN.source).not.toMatch(/\(\?<?[=!]|\\[1-9]/);
  });

  it('is the same rule for a single-transaction limit, which may also be null', () => {
    const problems = (singleTransactionLimit: string | null) => validateSync(plainToInstance(ControlsDto, { singleTransactionLimit, nightLock: false })).length;
    expect([null, '0.01', '500', '500.00'].map(problems)).toEqual([0, 0, 0, 0]);
    expect(['0', '0.00', '0500.00', '500.001'].map(problems)).toEqual([1, 1, 1, 1]);
  });
});
