// Ordering shared across the tool: code-point order, independent of the locale, so reports are stable.

/** a < b by UTF-16 code units (`sort()`'s order), usable as a comparator. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
