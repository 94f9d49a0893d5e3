// Counter parsing without regexes: digit runs to bigint, `[p:b]`, and the K/M/G/T abbreviations
// of `iptables -L` without -x.

import type {Counters} from './types.js';

/** Digits only (no sign, no spaces); at least one. */
export function isDigits(s: string, from = 0, to = s.length): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** Parses `[packets:bytes]` occupying s[from, to) including the brackets; null if malformed. */
export function parseBracketCounters(s: string, from: number, to: number): Counters | null {
  if (s.charCodeAt(from) !== 91 /* [ */ || s.charCodeAt(to - 1) !== 93 /* ] */) return null;
  const colon = s.indexOf(':', from + 1);
  if (colon === -1 || colon >= to - 1) return null;
  if (!isDigits(s, from + 1, colon) || !isDigits(s, colon + 1, to - 1)) return null;
  return {packets: BigInt(s.slice(from + 1, colon)), bytes: BigInt(s.slice(colon + 1, to - 1))};
}

const SUFFIX_FACTORS: Record<string, bigint> = {
  K: 1000n,
  M: 1000n ** 2n,
  G: 1000n ** 3n,
  T: 1000n ** 4n,
  P: 1000n ** 5n,
};

/**
 * A count as `iptables -L` prints it: `12345`, or without -x `12K`, `390G` (iptables divides by
 * 1000 with rounding, so `12K` is 11500..12499). Null if malformed.
 */
export function parseListedCount(s: string): {value: bigint; exact: boolean} | null {
  if (isDigits(s)) return {value: BigInt(s), exact: true};
  const factor = SUFFIX_FACTORS[s.charAt(s.length - 1)];
  if (factor === undefined || !isDigits(s, 0, s.length - 1)) return null;
  return {value: BigInt(s.slice(0, -1)) * factor, exact: false};
}
