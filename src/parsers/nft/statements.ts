// The statements of one nft text rule: interface matches, saddr, ct state, counter, NAT, verdict.
// Unknown statements are skipped, never an error: nft grows new syntax every release and an unknown
// statement must not hide the masquerade beside it.
import {addIfaceMatch, applyCompat, applyPacketMatch, IFACE_KEYS, NAT_KINDS, PORT_PROTOCOLS, SIMPLE_VERDICTS, toNumber, valueMatch} from './ruleset.js';
import type {Tok} from './tokenize.js';
import type {NftIfaceMatch, NftNat, NftRule, NftVerdict} from './types.js';

/** Values of a match: one word/string, or a `{ a, b }` group. Returns the index after the value. */
function readValues(toks: Tok[], i: number): {values: string[]; next: number} {
  const t = toks[i];
  if (!t) return {values: [], next: i};
  if (t.kind === '{') {
    const values: string[] = [];
    let depth = 0;
    let j = i;
    for (; j < toks.length; j++) {
      const u = toks[j]!;
      if (u.kind === '{') depth++;
      else if (u.kind === '}') {
        depth--;
        if (depth === 0) break;
      } else if (depth === 1 && (u.kind === 'word' || u.kind === 'string')) values.push(u.value);
    }
    return {values, next: j + 1};
  }
  if (t.kind === 'word' || t.kind === 'string') {
    // `established,related`: comma-separated words
    const values = [t.value];
    let j = i + 1;
    while (toks[j]?.kind === ',' && (toks[j + 1]?.kind === 'word' || toks[j + 1]?.kind === 'string')) {
      values.push(toks[j + 1]!.value);
      j += 2;
    }
    return {values, next: j};
  }
  return {values: [], next: i};
}

/** Payload protocols whose `<proto> <field> [op] value` matches are packet conditions. */
const PAYLOADS = new Set(['ip', 'ip6', 'th', 'icmp', 'icmpv6', ...PORT_PROTOCOLS]);
/** Statements that are no condition (and their argument words). */
const LOG_ARGS = new Set(['prefix', 'level', 'group', 'snaplen', 'queue-threshold', 'flags']);
const NO_CONDITION = new Set(['notrack', 'log']);

const OPS = new Map([
  ['==', false],
  ['eq', false],
  ['!=', true],
  ['ne', true],
]);

export function interpretRule(rule: NftRule, toks: Tok[]): void {
  let i = 0;
  const word = (k: number) => (toks[k]?.kind === 'word' ? toks[k]!.value : undefined);
  const op = (k: number): {negated: boolean; next: number} => {
    const w = word(k);
    return w !== undefined && OPS.has(w) ? {negated: OPS.get(w)!, next: k + 1} : {negated: false, next: k};
  };
  while (i < toks.length) {
    const t = toks[i]!;
    if (t.kind === '{') {
      i = readValues(toks, i).next; // an anonymous set or verdict map we do not model
      continue;
    }
    const w = t.kind === 'word' ? t.value : undefined;
    if (w === undefined) {
      i++;
      continue;
    }
    if (w === 'meta' && IFACE_KEYS.has(word(i + 1) ?? '')) {
      i++;
      continue;
    }
    if (IFACE_KEYS.has(w)) {
      const o = op(i + 1);
      const {values, next} = readValues(toks, o.next);
      addIfaceMatch(rule, w as NftIfaceMatch['key'], values, o.negated);
      i = next;
    } else if ((rule.verdict !== undefined || rule.nat !== undefined) && w !== 'counter' && w !== 'comment') {
      // after the verdict (`reject with icmpx admin-prohibited`) nothing is a condition
      i++;
    } else if (word(i + 1) === 'set' || word(i + 2) === 'set') {
      i += word(i + 1) === 'set' ? 3 : 4; // `meta mark set 1`, `ct mark set 2`: statements, no conditions
    } else if (w === 'ct' && word(i + 1) === 'state') {
      const o = op(i + 2);
      const {values, next} = readValues(toks, o.next);
      rule.ctState = {states: values.map((s) => s.toLowerCase()), negated: o.negated};
      i = next;
    } else if (w === 'ct' && word(i + 1) === 'status') {
      // Values that spell NAT words without being NAT statements: `ct status dnat accept` (firewalld's filter_INPUT).
      const o = op(i + 2);
      const {values, next} = readValues(toks, o.next);
      rule.ctStatus = valueMatch(values.map((v) => v.toLowerCase()), o.negated);
      i = next;
    } else if ((PAYLOADS.has(w) || w === 'meta') && word(i + 1) !== undefined) {
      // `ip saddr 192.0.2.1`, `ip protocol gre`, `udp dport 4789`, `icmp type redirect` (a value, not NAT), `meta l4proto gre`
      const field = word(i + 1)!;
      const o = op(i + 2);
      const {values, next} = readValues(toks, o.next);
      if (!applyPacketMatch(rule, w, field, values, o.negated)) rule.opaque.push(`${w} ${field}`);
      i = next;
    } else if (w === 'log') {
      i++;
      while (LOG_ARGS.has(word(i) ?? '')) i += 2;
    } else if (w === 'counter') {
      if (word(i + 1) === 'packets' && word(i + 3) === 'bytes') {
        rule.counter = {packets: toNumber(word(i + 2) ?? '') ?? 0, bytes: toNumber(word(i + 4) ?? '') ?? 0};
        i += 5;
      } else if (word(i + 1) === 'name' && toks[i + 2]) {
        rule.counterName = toks[i + 2]!.value;
        i += 3;
      } else {
        rule.counter = {packets: 0, bytes: 0};
        i++;
      }
    } else if (NAT_KINDS.has(w)) {
      const nat: NftNat = {kind: w as NftNat['kind']};
      let j = i + 1;
      if (word(j) === 'ip' || word(j) === 'ip6') j++;
      if (word(j) === 'to' && toks[j + 1]) {
        nat.to = toks[j + 1]!.value;
        j += 2;
      }
      rule.nat = nat;
      i = j;
    } else if (w === 'jump' || w === 'goto') {
      rule.verdict = {kind: w, target: toks[i + 1]?.value ?? ''};
      i += 2;
    } else if (SIMPLE_VERDICTS.has(w)) {
      rule.verdict = {kind: w as NftVerdict['kind']};
      i++;
    } else if (w === 'comment' && toks[i + 1]) {
      rule.comment = toks[i + 1]!.value;
      i += 2;
    } else if (w === 'xt' && toks[i + 2]) {
      applyCompat(rule, toks[i + 1]!.value, toks[i + 2]!.value);
      i += 3;
    } else {
      // A match the model does not judge (`fib ...`, `mark 0x1`, `limit rate ...`): the rule is conditional.
      if (!NO_CONDITION.has(w) && !rule.opaque.includes(w)) rule.opaque.push(w);
      i++;
    }
  }
}
