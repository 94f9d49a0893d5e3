// nftables adapter: one nft ruleset (JSON or text) -> NAT rules and FORWARD paths of the model.
import {isNftWildcard, nftChainKey, type NftIfaceMatch, type NftRule, type NftRuleset} from '../../parsers/nft/index.js';
import type {ForwardPath, ForwardRule, IfMatch, NatRule} from './model.js';
import {andMatches, reacher, type JumpEdge} from './paths.js';

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
  const reachInto = reacher(isBase, incoming);
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
