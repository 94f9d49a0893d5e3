// What the JSON and the text reader share: building rules and rulesets, statement vocabularies.
import type {NftCounter, NftIfaceMatch, NftNat, NftRule, NftRuleset, NftValueMatch} from './types.js';

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

/** Transport protocols that have ports (`th dport` matches any of them). */
export const PORT_PROTOCOLS = ['tcp', 'udp', 'udplite', 'sctp', 'dccp'];

/** A value match; a lone `@name` is a set reference, resolved later. */
export function valueMatch(values: string[], negated: boolean): NftValueMatch {
  if (values.length === 1 && values[0]!.startsWith('@')) return {values: [], negated, set: values[0]!.slice(1)};
  return {values, negated};
}

/**
 * The packet conditions of one match, from its left-hand side (`ip protocol`, `tcp dport`, `meta
 * l4proto`, ...). Returns false when the left side is none the model judges (the caller records it as opaque).
 */
export function applyPacketMatch(rule: NftRule, proto: string, field: string, values: string[], negated: boolean): boolean {
  if (proto === 'ip' || proto === 'ip6') rule.nfproto = proto === 'ip' ? 'ipv4' : 'ipv6';
  if ((proto === 'ip' && field === 'protocol') || (proto === 'ip6' && field === 'nexthdr') || (proto === 'meta' && field === 'l4proto')) {
    rule.l4proto = valueMatch(values, negated);
    return true;
  }
  if (proto === 'meta' && field === 'nfproto') {
    if (!negated && values.length === 1 && (values[0] === 'ipv4' || values[0] === 'ipv6')) rule.nfproto = values[0];
    return !negated && values.length === 1;
  }
  if ((proto === 'ip' || proto === 'ip6') && field === 'saddr') {
    rule.sources = valueMatch(values, negated);
    // One address or net: the NAT rule's source (NatRule.sourceNet).
    if (values.length === 1) rule.saddr = {addr: values[0]!, negated};
    return true;
  }
  if (proto === 'ip6') return true; // an IPv4 packet never matches it, whatever the field
  if (PORT_PROTOCOLS.includes(proto) || proto === 'th' || proto === 'icmp' || proto === 'icmpv6') {
    if (rule.l4proto === undefined) rule.l4proto = {values: proto === 'th' ? [...PORT_PROTOCOLS] : [proto === 'icmpv6' ? 'ipv6-icmp' : proto], negated: false};
    if (proto === 'icmpv6') rule.nfproto = 'ipv6';
    if (field === 'dport') {
      rule.dports = valueMatch(values, negated);
      return true;
    }
    // Other header fields (flags, sport, icmp type) only narrow a protocol the model already judges.
    return field !== 'sport';
  }
  return false;
}

export function emptyRuleset(format: 'json' | 'text'): NftRuleset {
  return {format, tables: [], chains: [], rules: [], sets: [], includes: [], problems: []};
}

export function newRule(family: string, table: string, chain: string): NftRule {
  return {family, table, chain, text: '', iif: [], oif: [], compat: [], counter: null, opaque: []};
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
    for (const m of [rule.sources, rule.l4proto, rule.dports]) {
      if (m?.set === undefined) continue;
      const set = sets.get(`${rule.family} ${rule.table} ${m.set}`);
      if (set) m.values = [...set.elements];
      else rule.opaque.push(`@${m.set}`);
    }
    if (rule.counterName !== undefined) {
      rule.counter = namedCounters.get(`${rule.family} ${rule.table} ${rule.counterName}`) ?? rule.counter;
    }
  }
}

export function toNumber(s: string): number | undefined {
  return /^\d{1,20}$/.test(s) ? Number(s) : undefined;
}
