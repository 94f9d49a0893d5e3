// Counter parsing without regexes: digit runs to bigint, `[p:b]`, and the K/M/G/T abbreviations
// of `iptables -L` without -x.

import type {Counters} from './types.js';

/**
 * Kernel counters are 64-bit: at most 20 decimal digits. Longer digit runs are malformed, and
 * refusing them also keeps BigInt() (superlinear in the number of digits) off megabyte inputs.
 */
export const MAX_COUNTER_DIGITS = 20;

/** Digits only (no sign, no spaces); at least one. */
export function isDigits(s: string, from = 0, to = s.length): boolean {
  if (to <= from) return false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** An iptables-save rule line without its leading `[packets:bytes]` counters (evidence, keys, fixes). */
export function withoutCounters(line: string): string {
  return line.replace(/^\[\d+:\d+\]\s*/, '');
}

/** `[0:0]` is the most common counter of all: one shared, frozen object for it. */
const ZERO_COUNTERS: Counters = Object.freeze({packets: 0n, bytes: 0n});

/** Parses `[packets:bytes]` occupying s[from, to) including the brackets; null if malformed. */
export function parseBracketCounters(s: string, from: number, to: number): Counters | null {
  if (!isBracketCounters(s, from, to)) return null;
  const colon = s.indexOf(':', from + 1);
  if (colon === from + 2 && to === colon + 3 && s.charCodeAt(from + 1) === 48 && s.charCodeAt(colon + 1) === 48) return ZERO_COUNTERS;
  return {packets: digitsToBigInt(s, from + 1, colon), bytes: digitsToBigInt(s, colon + 1, to - 1)};
}

/** Whether s[from, to) is `[packets:bytes]` (what parseBracketCounters reads), without reading the numbers. */
export function isBracketCounters(s: string, from: number, to: number): boolean {
  if (s.charCodeAt(from) !== 91 /* [ */ || s.charCodeAt(to - 1) !== 93 /* ] */) return false;
  const colon = s.indexOf(':', from + 1);
  if (colon === -1 || colon >= to - 1) return false;
  return isCount(s, from + 1, colon) && isCount(s, colon + 1, to - 1);
}

/** A counter value: 1 to MAX_COUNTER_DIGITS digits. */
export function isCount(s: string, from = 0, to = s.length): boolean {
  return to - from <= MAX_COUNTER_DIGITS && isDigits(s, from, to);
}

/** s[from, to) (digits only) as a bigint; below 2^53 without an intermediate string. */
function digitsToBigInt(s: string, from: number, to: number): bigint {
  if (to - from > 15) return BigInt(s.slice(from, to));
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + (s.charCodeAt(i) - 48);
  return BigInt(n);
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
  if (isCount(s)) return {value: BigInt(s), exact: true};
  const factor = SUFFIX_FACTORS[s.charAt(s.length - 1)];
  if (factor === undefined || !isCount(s, 0, s.length - 1)) return null;
  return {value: BigInt(s.slice(0, -1)) * factor, exact: false};
}
