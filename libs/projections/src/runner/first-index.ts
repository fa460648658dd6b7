/**
 * The first index in 0 to `length` - 1 at which `isPast` holds, or `length` if none does, by binary
 * search: `isPast` must be false up to some index and true from there on (a sorted list's "after").
 */
export function firstIndexWhere(length: number, isPast: (index: number) => boolean): number {
  let low = 0;
  let high = length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (isPast(mid)) high = mid;
    else low = mid + 1;
  }
  return low;
}
