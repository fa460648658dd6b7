/**
 * Personal data never reaches the event store in clear (PRODUCT.md §1): the ID number becomes a keyed
 * hash (HMAC-SHA-256 under LEDGER_ID_HASH_KEY, for matching) and a masked form (for display); the name
 * is masked. The account id is derived from the same keyed hash, so one person has one credit line and a
 * reapplication lands on the same stream, where the 30-day rule can see the earlier rejection.
 */
import { createHmac } from 'node:crypto';
import { isValidDate } from '@ledger/credit';

const PRC_ID = /^\d{17}[\dX]$/;
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

/**
 * Whether an 18-character PRC resident ID number is well formed on business date `on`: a valid ISO 7064
 * check character, and a birth date (characters 7 to 14) that is a real calendar date from 1900 on and
 * not after `on`. A number whose check character holds but whose date cannot exist (1990-02-30) or has
 * not come yet (2030-01-01) is refused here, as malformed input, rather than reaching the age rule.
 */
export function isValidPrcIdNumber(id: string, on: string): boolean {
  if (!PRC_ID.test(id)) return false;
  const sum = WEIGHTS.reduce((acc, w, i) => acc + w * Number(id[i]), 0);
  if (CHECK_CHARS[sum % 11] !== id[17]) return false;
  const birthDate = birthDateFromIdNumber(id);
  return birthDate >= '1900-01-01' && birthDate <= on && isValidDate(birthDate);
}

/** The birth date embedded in a PRC ID number (characters 7 to 14). */
export function birthDateFromIdNumber(id: string): string {
  return `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
}

export function maskIdNumber(id: string): string {
  return `${id.slice(0, 3)}${'*'.repeat(id.length - 7)}${id.slice(-4)}`;
}

export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return '*';
  return chars[0] + '*'.repeat(chars.length - 1);
}

export class PersonalDataProtector {
  constructor(private readonly key: string) {
    if (key.length < 16) throw new Error('LEDGER_ID_HASH_KEY must be at least 16 characters');
  }

  hashIdNumber(id: string): string {
    return `hmac-sha256:${createHmac('sha256', this.key).update(`id:${id}`).digest('hex')}`;
  }

  accountIdFor(id: string): string {
    return `acc_${createHmac('sha256', this.key).update(`account:${id}`).digest('hex').slice(0, 20)}`;
  }
}
