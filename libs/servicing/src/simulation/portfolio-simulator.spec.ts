import { PortfolioSimulator } from './portfolio-simulator';

describe('the days a simulation of so many months closes', () => {
  it('ends with the last day of its last month, so a run of n months bills n statements', () => {
    expect(PortfolioSimulator.lastDay('2026-01-01', 1)).toBe('2026-01-31');
    expect(PortfolioSimulator.lastDay('2026-01-01', 2)).toBe('2026-02-28');
    expect(PortfolioSimulator.lastDay('2026-01-01', 12)).toBe('2026-12-31');
    expect(PortfolioSimulator.lastDay('2026-01-01', 13)).toBe('2027-01-31');
    expect(PortfolioSimulator.lastDay('2026-01-01', 60)).toBe('2030-12-31');
    expect(PortfolioSimulator.lastDay('2027-12-01', 3)).toBe('2028-02-29');
  });

  it('counts a start after the 1st as the first month, short', () => {
    expect(PortfolioSimulator.lastDay('2026-03-15', 1)).toBe('2026-03-31');
    expect(PortfolioSimulator.lastDay('2026-01-31', 2)).toBe('2026-02-28');
  });
});
