import { addDays, ageOn, daysBetween, isValidDate, isValidDateTime, lastOfQuarter, quarterOf, toShanghai } from './local-date';

describe('calendar dates', () => {
  it('knows leap years and month lengths', () => {
    expect(isValidDate('2028-02-29')).toBe(true);
    expect(isValidDate('2026-02-29')).toBe(false);
    expect(isValidDate('2100-02-29')).toBe(false);
    expect(isValidDate('2026-04-31')).toBe(false);
    expect(isValidDate('2026-13-01')).toBe(false);
  });

  it('adds days across month and year ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(daysBetween('2026-01-02', '2026-02-01')).toBe(30);
  });

  it('counts age in whole years, a birthday counting on the day itself', () => {
    expect(ageOn('2008-01-05', '2026-01-05')).toBe(18);
    expect(ageOn('2008-01-06', '2026-01-05')).toBe(17);
  });

  it('names quarters and their last day', () => {
    expect(quarterOf('2026-05-17')).toBe('2026-Q2');
    expect(lastOfQuarter('2026-Q4')).toBe('2026-12-31');
  });
});

describe('business date-times in Asia/Shanghai', () => {
  it('converts any offset to Shanghai local date and minute', () => {
    expect(toShanghai('2026-01-05T15:30:00Z')).toEqual({ date: '2026-01-05', minuteOfDay: 23 * 60 + 30 });
    expect(toShanghai('2026-01-05T16:30:00Z')).toEqual({ date: '2026-01-06', minuteOfDay: 30 });
    expect(toShanghai('2026-01-05T08:00:00+08:00')).toEqual({ date: '2026-01-05', minuteOfDay: 480 });
  });

  it('refuses impossible times rather than wrapping them', () => {
    for (const bad of ['2026-01-05T25:00:00+08:00', '2026-01-05T10:60:00+08:00', '2026-01-05T10:00:61Z', '2026-01-05T10:00:00+15:00', '2026-02-30T10:00:00Z', '2026-01-05 10:00:00Z']) {
      expect(isValidDateTime(bad)).toBe(false);
    }
  });
});
