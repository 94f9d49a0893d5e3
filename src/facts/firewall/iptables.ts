// iptables adapter: one iptables-save dump -> NAT rules and FORWARD paths of the model.
import {
  chainRules,
  isBuiltinChain,
  isNatTarget,
  natTargetsOutsideNat,
  type IfaceMatch,
  type IptablesDump,
  type IptOption,
  type IptRule,
  type IptTable,
} from '../../parsers/iptables/index.js';
import {nftChainKey} from '../../parsers/nft/index.js';
import type {ForwardPath, ForwardRule, IfMatch, InputPath, InputRule, NatRule, PacketConditions} from './model.js';
import {reachOf, toCounters, type JumpEdge} from './paths.js';

function fromIptIface(m: IfaceMatch | undefined): IfMatch[] | undefined {
  return m ? [{name: m.name, negated: m.negated, wildcard: m.name.endsWith('+')}] : undefined;
}

// --- iptables ----------------------------------------------------------------------------------

const STANDARD_TARGETS = new Set(['ACCEPT', 'DROP', 'REJECT', 'RETURN', 'QUEUE', 'NFQUEUE']);

function iptVerdict(table: IptTable, rule: IptRule): string {
  const t = rule.target;
  if (!t) return 'none';
  if (STANDARD_TARGETS.has(t.name)) return t.name.toLowerCase();
  if (table.chains.has(t.name) && !isBuiltinChain(table.name, t.name)) return `${t.kind} ${t.name}`;
  return t.name;
}

function iptStateful(rule: IptRule): boolean {
  return rule.modules.some((m) =>
    m.options.some(
      (o) => !o.negated && (o.name === '--state' || o.name === '--ctstate') && o.values.some((v) => /(^|,)(RELATED|ESTABLISHED)(,|$)/i.test(v)),
    ),
  );
}

function iptEdges(table: IptTable): Map<string, JumpEdge[]> {
  const incoming = new Map<string, JumpEdge[]>();
  for (const rule of table.rules) {
    const to = rule.target?.name;
    if (to === undefined || !table.chains.has(to) || isBuiltinChain(table.name, to)) continue;
    const list = incoming.get(to) ?? [];
    list.push({from: rule.chain, in: ownList(fromIptIface(rule.inInterface)), out: ownList(fromIptIface(rule.outInterface))});
    incoming.set(to, list);
  }
  return incoming;
}

function ownList(m: IfMatch[] | undefined): IfMatch[][] {
  return m ? [m] : [];
}

function isIptBase(table: IptTable, chain: string): boolean {
  if (isBuiltinChain(table.name, chain)) return true;
  const c = table.chains.get(chain);
  return c !== undefined && c.policy !== null && !['filter', 'nat', 'mangle', 'raw', 'security'].includes(table.name);
}

/** What a rule asks of a packet beyond interfaces (protocol, source, ports, conntrack state). */
function iptConditions(rule: IptRule, family: 'ipv4' | 'ipv6'): PacketConditions {
  const when: PacketConditions = {family, opaque: []};
  const p = rule.protocol;
  if (p && !(['all', '0'].includes(p.name.toLowerCase()) && !p.negated)) when.protocols = {values: [p.name.toLowerCase()], negated: p.negated};
  if (rule.source) when.sources = {values: rule.source.addr.split(','), negated: rule.source.negated};
  if (rule.destination) when.opaque.push(`-d ${rule.destination.negated ? '! ' : ''}${rule.destination.addr}`);
  const ports = (o: IptOption) => ({values: o.values.join(',').split(',').map((v) => v.replace(':', '-')), negated: o.negated});
  for (const m of rule.modules) {
    for (const o of m.options) {
      if ((m.name === 'conntrack' && o.name === '--ctstate') || (m.name === 'state' && o.name === '--state')) {
        when.ctStates = {values: o.values.join(',').split(',').map((v) => v.toLowerCase()), negated: o.negated};
      } else if (['tcp', 'udp', 'udplite', 'sctp', 'dccp', 'multiport'].includes(m.name) && ['--dport', '--dports', '--destination-port', '--destination-ports'].includes(o.name)) {
        when.dports = ports(o);
      } else if (m.name !== 'comment' && !(['tcp', 'udp', 'icmp', 'sctp', 'udplite', 'dccp'].includes(m.name) && m.name === p?.name.toLowerCase() && !o.name.includes('sport'))) {
        when.opaque.push(`-m ${m.name} ${o.negated ? '! ' : ''}${o.name}`);
      }
    }
    if (m.options.length === 0 && !['comment', 'tcp', 'udp', 'icmp', 'conntrack', 'state'].includes(m.name)) when.opaque.push(`-m ${m.name}`);
  }
  for (const o of rule.otherOptions) {
    if (['--dport', '--destination-port'].includes(o.name)) when.dports = ports(o);
    else when.opaque.push(o.name);
  }
  return when;
}

/** INPUT of the filter table with every user chain it can jump to. */
function iptInput(table: IptTable, backend: string, family: 'ip' | 'ip6', origin: string): InputPath {
  const toRule = (rule: IptRule): InputRule => {
    const r: InputRule = {backend: backend as InputRule['backend'], origin, line: rule.line, text: rule.text, chain: rule.chain, verdict: iptVerdict(table, rule), when: iptConditions(rule, family === 'ip' ? 'ipv4' : 'ipv6')};
    const i = fromIptIface(rule.inInterface);
    if (i) r.in = i;
    return r;
  };
  const chains: Record<string, InputRule[]> = {};
  for (const name of table.chains.keys()) if (!isBuiltinChain(table.name, name)) chains[name] = chainRules(table, name).map(toRule);
  const input = table.chains.get('INPUT');
  const path: InputPath = {backend, family, table: table.name, chain: 'INPUT', policy: (input?.policy ?? 'ACCEPT').toLowerCase(), origin, rules: chainRules(table, 'INPUT').map(toRule), chains};
  if (input) path.policyLine = input.line;
  return path;
}

/** NAT, FORWARD and INPUT view of one iptables-save dump. */
export function iptablesView(dump: IptablesDump, backend: 'iptables' | 'ip6tables' | 'iptables-legacy', origin: string): {nat: NatRule[]; forward: ForwardPath[]; input: InputPath[]} {
  const family = dump.family === 'ipv6' || backend === 'ip6tables' ? 'ip6' : 'ip';
  const misplaced = new Map(natTargetsOutsideNat(dump).map((m) => [m.rule, m]));
  const nat: NatRule[] = [];
  const forward: ForwardPath[] = [];
  const input: InputPath[] = [];
  for (const table of dump.tables) {
    if (table.name === 'filter' && (table.chains.has('INPUT') || table.rules.some((r) => r.chain === 'INPUT'))) input.push(iptInput(table, backend, family, origin));
    const incoming = iptEdges(table);
    for (const rule of table.rules) {
      const target = rule.target?.name;
      if (target === undefined || !isNatTarget(target)) continue;
      const own = {in: ownList(fromIptIface(rule.inInterface)), out: ownList(fromIptIface(rule.outInterface))};
      const reach = reachOf(rule.chain, own, (c) => isIptBase(table, c), incoming);
      const n: NatRule = {
        backend,
        origin,
        line: rule.line,
        text: rule.text,
        family,
        table: table.name,
        chain: rule.chain,
        action: target.toLowerCase() as NatRule['action'],
        legal: true,
        counters: toCounters(rule.counters),
      };
      if (reach.out) n.out = reach.out;
      if (reach.in) n.in = reach.in;
      if (rule.source && !rule.source.negated) n.sourceNet = rule.source.addr;
      const bad = misplaced.get(rule);
      if (bad) {
        n.legal = false;
        n.refusedByKernel = true;
        n.illegalReason = `${bad.message}; the kernel refuses it, so the ruleset does not load`;
      } else if (reach.paths.length === 0) {
        n.legal = false;
        n.illegalReason = `chain ${rule.chain} is not reached from any built-in ${table.name} chain: the rule never applies`;
      } else if (reach.impossible) {
        n.legal = false;
        n.illegalReason = `the jumps to chain ${rule.chain} and the rule's own interface matches exclude each other: the rule never applies`;
      }
      nat.push(n);
    }
    if (table.name === 'filter' && (table.chains.has('FORWARD') || table.rules.some((r) => r.chain === 'FORWARD'))) {
      forward.push({
        backend,
        family,
        table: table.name,
        chain: 'FORWARD',
        policy: (table.chains.get('FORWARD')?.policy ?? 'ACCEPT').toLowerCase(),
        rules: chainRules(table, 'FORWARD').map((rule) => {
          const fr: ForwardRule = {
            backend,
            origin,
            line: rule.line,
            text: rule.text,
            chain: 'FORWARD',
            verdict: iptVerdict(table, rule),
            stateful: iptStateful(rule),
            counters: toCounters(rule.counters),
          };
          const i = fromIptIface(rule.inInterface);
          const o = fromIptIface(rule.outInterface);
          if (i) fr.in = i;
          if (o) fr.out = o;
          return fr;
        }),
      });
    }
  }
  return {nat, forward, input};
}

/**
 * Whether a dump holds anything that acts: a rule, a user chain or a non-ACCEPT policy. iptables-save
 * prints empty built-in chains for an nft table that merely shares the name (`ip nat` of SUSE's file).
 */
export function iptablesInEffect(dump: IptablesDump): boolean {
  return dump.tables.some((t) => t.rules.length > 0 || [...t.chains.values()].some((c) => !c.builtin || (c.policy !== null && c.policy !== 'ACCEPT')));
}

/** Chains an iptables-save dump shows, as nft chain keys (`ip filter FORWARD`), for the dedupe with nft. */
export function iptablesChainKeys(dump: IptablesDump, family: 'ip' | 'ip6'): Set<string> {
  const keys = new Set<string>();
  for (const table of dump.tables) {
    for (const chain of table.chains.keys()) keys.add(nftChainKey(family, table.name, chain));
    for (const rule of table.rules) keys.add(nftChainKey(family, table.name, rule.chain));
  }
  return keys;
}
