// What the JSON and the text reader share: building rules and rulesets, statement vocabularies.
import type {NftCounter, NftIfaceMatch, NftNat, NftRule, NftRuleset} from './types.js';

export const IFACE_KEYS = new Set(['iifname', 'oifname', 'iif', 'oif']);
export const SIMPLE_VERDICTS = new Set(['accept', 'drop', 'reject', 'return', 'continue', 'queue']);
export const NAT_KINDS = new Set(['masquerade', 'snat', 'dnat', 'redirect']);

/** iptables-nft rules that nft cannot translate show as `xt` expressions; their names still tell NAT and verdicts apart. */
export function applyCompat(rule: NftRule, type: string, name: string): void {
  rule.compat.push({type, name});
  if (type !== 'target') return;
  const upper = name.toUpperCase();
  if (upper === 'MASQUERADE' || upper === 'SNAT' || upper === 'DNAT' || upper === 'REDIRECT') {
    rule.nat = {kind: upper.toLowerCase() as NftNat['kind'], compat: true};
  } else if (upper === 'REJECT') {
    rule.verdict = {kind: 'reject'};
  }
}

export function addIfaceMatch(rule: NftRule, key: NftIfaceMatch['key'], values: string[], negated: boolean): void {
  const m: NftIfaceMatch = {key, values, negated};
  if (values.length === 1 && values[0]!.startsWith('@')) {
    m.set = values[0]!.slice(1);
    m.values = [];
  }
  (key === 'iifname' || key === 'iif' ? rule.iif : rule.oif).push(m);
}

export function emptyRuleset(format: 'json' | 'text'): NftRuleset {
  return {format, tables: [], chains: [], rules: [], sets: [], includes: [], problems: []};
}

export function newRule(family: string, table: string, chain: string): NftRule {
  return {family, table, chain, text: '', iif: [], oif: [], compat: [], counter: null};
}

/** Replace `@set` references by the set's elements and named counters by their values. */
export function resolveSetsAndCounters(rs: NftRuleset, namedCounters: Map<string, NftCounter>): void {
  const sets = new Map(rs.sets.map((s) => [`${s.family} ${s.table} ${s.name}`, s]));
  for (const rule of rs.rules) {
    for (const m of [...rule.iif, ...rule.oif]) {
      if (m.set === undefined) continue;
      const set = sets.get(`${rule.family} ${rule.table} ${m.set}`);
      if (set) m.values = [...set.elements];
    }
    if (rule.counterName !== undefined) {
      rule.counter = namedCounters.get(`${rule.family} ${rule.table} ${rule.counterName}`) ?? rule.counter;
    }
  }
}

export function toNumber(s: string): number | undefined {
  return /^\d{1,20}$/.test(s) ? Number(s) : undefined;
}
