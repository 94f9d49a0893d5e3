// nftables adapter: one nft ruleset (JSON or text) -> NAT rules and FORWARD paths of the model.
import {isNftWildcard, nftChainKey, type NftIfaceMatch, type NftRule, type NftRuleset} from '../../parsers/nft/index.js';
import type {ForwardPath, ForwardRule, IfMatch, InputPath, InputRule, NatRule, PacketConditions} from './model.js';
import {andMatches, keyedReacher, type JumpEdge} from './paths.js';

function fromNftIface(ms: NftIfaceMatch[]): IfMatch[][] {
  return ms.map((m) => {
    const names = m.set !== undefined && m.values.length === 0 ? [`@${m.set}`] : m.values;
    return names.map((name) => ({name, negated: m.negated, wildcard: isNftWildcard(name)}));
  });
}

// --- nftables ----------------------------------------------------------------------------------

const NFT_NAT_HOOKS: Record<NatRule['action'], string[]> = {
  masquerade: ['postrouting'],
  snat: ['postrouting', 'input'],
  dnat: ['prerouting', 'output'],
  redirect: ['prerouting', 'output'],
};

function nftVerdict(rule: NftRule): string {
  const v = rule.verdict;
  if (!v) return 'none';
  return v.target !== undefined ? `${v.kind} ${v.target}` : v.kind;
}

function nftStateful(rule: NftRule): boolean {
  if (rule.ctState && !rule.ctState.negated && rule.ctState.states.some((s) => s === 'established' || s === 'related')) return true;
  return rule.compat.some((c) => c.type === 'match' && (c.name === 'conntrack' || c.name === 'state'));
}

function nftConditions(rule: NftRule): PacketConditions {
  const when: PacketConditions = {opaque: [...rule.opaque]};
  if (rule.nfproto) when.family = rule.nfproto;
  if (rule.l4proto) when.protocols = {values: rule.l4proto.values, negated: rule.l4proto.negated};
  if (rule.sources) when.sources = {values: rule.sources.values, negated: rule.sources.negated};
  if (rule.dports) when.dports = {values: rule.dports.values, negated: rule.dports.negated};
  if (rule.ctState) when.ctStates = {values: rule.ctState.states, negated: rule.ctState.negated};
  // A packet to the host itself that no DNAT rewrote: `ct status dnat` does not hold for it.
  if (rule.ctStatus) {
    if (rule.ctStatus.negated) when.opaque.push(`ct status != ${rule.ctStatus.values.join(',')}`);
    else if (!rule.ctStatus.values.every((v) => v === 'dnat' || v === 'snat')) when.opaque.push(`ct status ${rule.ctStatus.values.join(',')}`);
    else when.never = `ct status ${rule.ctStatus.values.join(',')}`;
  }
  // iptables-nft compat matches show without their options
  for (const c of rule.compat) if (c.type === 'match' && !when.opaque.includes(`xt match ${c.name}`)) when.opaque.push(`xt match ${c.name}`);
  return when;
}

/** The input hook base chains of an nft ruleset, each with its table's other chains; `skip` drops chains another source shows. */
export function nftInput(rs: NftRuleset, origin: string, skip: (chainKey: string) => boolean = () => false): InputPath[] {
  const byChain = new Map<string, InputRule[]>();
  for (const rule of rs.rules) {
    const key = nftChainKey(rule.family, rule.table, rule.chain);
    if (skip(key)) continue;
    const r: InputRule = {backend: 'nftables', origin, text: rule.text, chain: rule.chain, verdict: nftVerdict(rule), when: nftConditions(rule)};
    if (rule.line !== undefined) r.line = rule.line;
    const i = andMatches(fromNftIface(rule.iif));
    if (i && i.length > 0) r.in = i;
    const list = byChain.get(key) ?? [];
    list.push(r);
    byChain.set(key, list);
  }
  const out: InputPath[] = [];
  for (const c of rs.chains) {
    const key = nftChainKey(c.family, c.table, c.name);
    if (c.hook !== 'input' || (c.type ?? 'filter') !== 'filter' || !['ip', 'ip6', 'inet'].includes(c.family) || skip(key)) continue;
    const chains: Record<string, InputRule[]> = {};
    for (const other of rs.chains) if (other.family === c.family && other.table === c.table && other.hook === undefined) chains[other.name] = byChain.get(nftChainKey(other.family, other.table, other.name)) ?? [];
    const path: InputPath = {backend: 'nftables', family: c.family, table: c.table, chain: c.name, policy: c.policy ?? 'accept', origin, rules: byChain.get(key) ?? [], chains};
    if (c.line !== undefined) path.policyLine = c.line;
    out.push(path);
  }
  return out;
}

/** NAT and FORWARD view of an nft ruleset; `skip` drops chains another source already shows. */
export function nftView(rs: NftRuleset, origin: string, skip: (chainKey: string) => boolean = () => false): {nat: NatRule[]; forward: ForwardPath[]} {
  const chains = new Map(rs.chains.map((c) => [nftChainKey(c.family, c.table, c.name), c]));
  const incoming = new Map<string, JumpEdge[]>();
  for (const rule of rs.rules) {
    const v = rule.verdict;
    if (!v || (v.kind !== 'jump' && v.kind !== 'goto') || v.target === undefined) continue;
    const to = nftChainKey(rule.family, rule.table, v.target);
    const list = incoming.get(to) ?? [];
    list.push({from: nftChainKey(rule.family, rule.table, rule.chain), in: fromNftIface(rule.iif), out: fromNftIface(rule.oif)});
    incoming.set(to, list);
  }
  const isBase = (key: string) => chains.get(key)?.hook !== undefined;
  const nat: NatRule[] = [];
  const forwardByChain = new Map<string, ForwardPath>();
  for (const c of rs.chains) {
    const key = nftChainKey(c.family, c.table, c.name);
    // bridge/netdev forward hooks see bridged frames, not routed SUT traffic
    if (c.hook === 'forward' && (c.type ?? 'filter') === 'filter' && ['ip', 'ip6', 'inet'].includes(c.family) && !skip(key)) {
      forwardByChain.set(key, {backend: 'nftables', family: c.family, table: c.table, chain: c.name, policy: c.policy ?? 'accept', rules: []});
    }
  }
  const reachInto = keyedReacher(isBase, incoming);
  for (const rule of rs.rules) {
    const key = nftChainKey(rule.family, rule.table, rule.chain);
    if (skip(key)) continue;
    const ref = {backend: 'nftables' as const, origin, text: rule.text, ...(rule.line !== undefined ? {line: rule.line} : {})};
    if (rule.nat) {
      const action = rule.nat.kind;
      const reach = reachInto(key, {in: fromNftIface(rule.iif), out: fromNftIface(rule.oif)});
      const n: NatRule = {...ref, family: rule.family, table: rule.table, chain: rule.chain, action, legal: true, counters: rule.counter ? {...rule.counter} : null};
      if (reach.out) n.out = reach.out;
      if (reach.in) n.in = reach.in;
      if (rule.saddr && !rule.saddr.negated) n.sourceNet = rule.saddr.addr;
      const wrong = reach.paths.map((p) => chains.get(p.base)!).filter((b) => b.type !== 'nat' || !NFT_NAT_HOOKS[action].includes(b.hook ?? ''));
      if (wrong.length > 0) {
        const b = wrong[0]!;
        const via = b.name === rule.chain ? '' : ` (reached from ${b.family} ${b.table} ${b.name})`;
        n.legal = false;
        n.refusedByKernel = true;
        n.illegalReason = `${action} in chain ${key}${via} of type ${b.type ?? '?'} hook ${b.hook ?? '?'}: only valid in a chain of type nat hook ${NFT_NAT_HOOKS[action].join(' or ')}; nft refuses the whole ruleset (Error: Could not process rule: Operation not supported)`;
      } else if (reach.paths.length === 0) {
        n.legal = false;
        n.illegalReason = `chain ${key} is no base chain and no nat chain jumps to it: the rule never applies`;
      } else if (reach.impossible) {
        n.legal = false;
        n.illegalReason = `the jumps to chain ${key} and the rule's own interface matches exclude each other: the rule never applies`;
      }
      nat.push(n);
    }
    const path = forwardByChain.get(key);
    if (path) {
      const fr: ForwardRule = {...ref, chain: rule.chain, verdict: nftVerdict(rule), stateful: nftStateful(rule), counters: rule.counter ? {...rule.counter} : null};
      const i = andMatches(fromNftIface(rule.iif));
      const o = andMatches(fromNftIface(rule.oif));
      if (i && i.length > 0) fr.in = i;
      if (o && o.length > 0) fr.out = o;
      path.rules.push(fr);
    }
  }
  return {nat, forward: [...forwardByChain.values()]};
}
