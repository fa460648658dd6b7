/** Valid 18-character PRC resident ID numbers for tests (ISO 7064 MOD 11-2 check character). */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export function idNumber(birthDate: string, sequence: number, region = '110105'): string {
  const body = `${region}${birthDate.replace(/-/g, '')}${String(sequence % 1000).padStart(3, '0')}`;
  const sum = WEIGHTS.reduce((acc, w, i) => acc + w * Number(body[i]), 0);
  return body + CHECK[sum % 11];
}
