/**
 * Calendar dates (YYYY-MM-DD, Asia/Shanghai business dates) as pure integer arithmetic on day numbers.
 * The domain never reads a clock; it is handed dates and date-times by its caller.
 */

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

export type IsoDate = string;

/** Days since 1970-01-01 for a civil date (Howard Hinnant's algorithm). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = (m + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(z: number): [number, number, number] {
  const zz = z + 719468;
  const era = Math.floor(zz / 146097);
  const doe = zz - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

export function isValidDate(value: string): boolean {
  const match = DATE_PATTERN.exec(value);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= daysInMonth(y, m);
}

/**
 * Day numbers of the dates seen lately. Folding an account asks for the same few hundred dates again and
 * again, and parsing and validating each was a tenth of a replay; the map is emptied when it grows past
 * its bound, so it holds at most a few thousand dates.
 */
const dayNumbers = new Map<string, number>();
const DAY_NUMBERS_BOUND = 4096;

export function dayNumber(date: IsoDate): number {
  const known = dayNumbers.get(date);
  if (known !== undefined) return known;
  const match = DATE_PATTERN.exec(date);
  if (!match || !isValidDate(date)) throw new Error(`not a calendar date: ${JSON.stringify(date)}`);
  const day = daysFromCivil(Number(match[1]), Number(match[2]), Number(match[3]));
  if (dayNumbers.size >= DAY_NUMBERS_BOUND) dayNumbers.clear();
  dayNumbers.set(date, day);
  return day;
}

export function fromDayNumber(day: number): IsoDate {
  const [y, m, d] = civilFromDays(day);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromDayNumber(dayNumber(date) + days);
}

/** Whole days from `from` to `to` (positive when `to` is later). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return dayNumber(to) - dayNumber(from);
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function parts(date: IsoDate): { year: number; month: number; day: number } {
  dayNumber(date);
  return { year: Number(date.slice(0, 4)), month: Number(date.slice(5, 7)), day: Number(date.slice(8, 10)) };
}

/** The month a date falls in, as YYYY-MM. */
export function monthOf(date: IsoDate): string {
  return date.slice(0, 7);
}

export function firstOfMonth(month: string): IsoDate {
  return `${month}-01`;
}

export function lastOfMonth(month: string): IsoDate {
  const year = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return `${month}-${String(daysInMonth(year, m)).padStart(2, '0')}`;
}

/** The month after a YYYY-MM month. */
export function nextMonth(month: string): string {
  const year = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return m === 12 ? `${year + 1}-01` : `${year}-${String(m + 1).padStart(2, '0')}`;
}

/** The given day of a month, clamped to the month's last day. */
export function dayOfMonth(month: string, day: number): IsoDate {
  const year = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  return `${month}-${String(Math.min(day, daysInMonth(year, m))).padStart(2, '0')}`;
}

/** Quarter label of a date: 2026-Q1. */
export function quarterOf(date: IsoDate): string {
  const { year, month } = parts(date);
  return `${year}-Q${Math.floor((month - 1) / 3) + 1}`;
}

export function lastOfQuarter(quarter: string): IsoDate {
  const year = Number(quarter.slice(0, 4));
  const q = Number(quarter.slice(6));
  return lastOfMonth(`${year}-${String(q * 3).padStart(2, '0')}`);
}

/** Whole years of age on `on` for someone born on `birthDate`. */
export function ageOn(birthDate: IsoDate, on: IsoDate): number {
  const b = parts(birthDate);
  const o = parts(on);
  let age = o.year - b.year;
  if (o.month < b.month || (o.month === b.month && o.day < b.day)) age -= 1;
  return age;
}

const DATE_TIME_PATTERN = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const SHANGHAI_OFFSET_MINUTES = 8 * 60;

/**
 * A business instant: the Asia/Shanghai local date and minute of day of an ISO-8601 date-time with an
 * explicit offset. China has had no daylight saving time since 1991, so UTC+8 is exact.
 */
export interface LocalDateTime {
  date: IsoDate;
  minuteOfDay: number;
}

export function toShanghai(isoDateTime: string): LocalDateTime {
  const match = DATE_TIME_PATTERN.exec(isoDateTime);
  if (!match || !isValidDate(match[1])) throw new Error(`not an ISO date-time with an offset: ${JSON.stringify(isoDateTime)}`);
  const [, date, hh, mm, ss, zone] = match;
  if (Number(hh) > 23 || Number(mm) > 59 || Number(ss ?? 0) > 59 || (zone !== 'Z' && (Number(zone.slice(1, 3)) > 14 || Number(zone.slice(4, 6)) > 59))) {
    throw new Error(`not an ISO date-time with an offset: ${JSON.stringify(isoDateTime)}`);
  }
  const offset = zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  const utcMinutes = dayNumber(date) * 1440 + Number(hh) * 60 + Number(mm) - offset;
  const local = utcMinutes + SHANGHAI_OFFSET_MINUTES;
  const day = Math.floor(local / 1440);
  return { date: fromDayNumber(day), minuteOfDay: local - day * 1440 };
}

export function isValidDateTime(value: string): boolean {
  try {
    toShanghai(value);
    return true;
  } catch {
    return false;
  }
}
