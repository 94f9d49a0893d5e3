// iptables adapter: one iptables-save dump -> NAT rules, FORWARD paths and INPUT paths of the model.
import {
  chainRules,
  isBuiltinChain,
  isNatTarget,
  natPlacement,
  rulesByChain,
  type IfaceMatch,
  type IndexedTable,
  type MisplacedNatRule,
  type NatTarget,
  type IptablesDump,
  type IptOption,
  type IptRule,
  type IptTable,
} from '../../parsers/iptables/index.js';
import {nftChainKey} from '../../parsers/nft/index.js';
import type {ForwardPath, ForwardRule, IfMatch, InputPath, InputRule, NatRule, PacketConditions} from './model.js';
import {reacher, toCounters, type JumpEdge, type Reach} from './paths.js';

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

/** The dump's family: ip6 for an ip6tables dump (by its header or the command that made it). */
function iptFamily(dump: IptablesDump, backend: 'iptables' | 'ip6tables' | 'iptables-legacy'): 'ip' | 'ip6' {
  return dump.family === 'ipv6' || backend === 'ip6tables' ? 'ip6' : 'ip';
}

/** The table declares the chain or holds a rule in it. */
function holdsChain(table: IptTable, chain: string): boolean {
  return table.chains.has(chain) || table.rules.some((r) => r.chain === chain);
}

function isIptBase(table: IptTable, chain: string): boolean {
  if (isBuiltinChain(table.name, chain)) return true;
  const c = table.chains.get(chain);
  return c !== undefined && c.policy !== null && !['filter', 'nat', 'mangle', 'raw', 'security'].includes(table.name);
}

/**
 * NAT and FORWARD view of one iptables-save dump: a whole parse, or the rules iptablesViewNeeds
 * selects from an index (the same view: it reads no other rule).
 */
export function iptablesView(dump: IptablesDump, backend: 'iptables' | 'ip6tables' | 'iptables-legacy', origin: string): {nat: NatRule[]; forward: ForwardPath[]} {
  const family = iptFamily(dump, backend);
  const nat: NatRule[] = [];
  const forward: ForwardPath[] = [];
  const source = {backend, origin};
  for (const table of dump.tables) {
    let reach: IptReach | undefined;
    let placement: ReturnType<typeof natPlacement> | undefined;
    for (const rule of table.rules) {
      const target = rule.target?.name;
      if (target === undefined || !isNatTarget(target)) continue;
      reach ??= iptReacher(table);
      placement ??= natPlacement(table);
      nat.push(natRuleOf(rule, target, table.name, family, source, reach(rule), placement(rule)));
    }
    if (table.name === 'filter' && holdsChain(table, 'FORWARD')) {
      forward.push({
        backend,
        family,
        table: table.name,
        chain: 'FORWARD',
        policy: (table.chains.get('FORWARD')?.policy ?? 'ACCEPT').toLowerCase(),
        rules: chainRules(table, 'FORWARD').map((rule) => forwardRuleOf(rule, table, source)),
      });
    }
  }
  return {nat, forward};
}

// One function per rule kind, apart from the loops: thousands of NAT rules make the loop hot, and
// the optimizing compiler then compiles a small loop instead of one large function (twice: on the
// loop, then whole).

function natRuleOf(
  rule: IptRule,
  target: NatTarget,
  table: string,
  family: 'ip' | 'ip6',
  source: {backend: NatRule['backend']; origin: string},
  r: Reach,
  bad: MisplacedNatRule | null,
): NatRule {
  const n: NatRule = {
    backend: source.backend,
    origin: source.origin,
    line: rule.line,
    text: rule.text,
    family,
    table,
    chain: rule.chain,
    action: NAT_ACTION[target],
    legal: true,
    counters: toCounters(rule.counters),
  };
  if (r.out) n.out = r.out;
  if (r.in) n.in = r.in;
  if (rule.source && !rule.source.negated) n.sourceNet = rule.source.addr;
  if (bad) {
    n.legal = false;
    n.refusedByKernel = true;
    n.illegalReason = `${bad.message}; the kernel refuses it, so the ruleset does not load`;
  } else if (r.paths.length === 0) {
    n.legal = false;
    n.illegalReason = `chain ${rule.chain} is not reached from any built-in ${table} chain: the rule never applies`;
  } else if (r.impossible) {
    n.legal = false;
    n.illegalReason = `the jumps to chain ${rule.chain} and the rule's own interface matches exclude each other: the rule never applies`;
  }
  return n;
}

const NAT_ACTION: Readonly<Record<NatTarget, NatRule['action']>> = {MASQUERADE: 'masquerade', SNAT: 'snat', DNAT: 'dnat', REDIRECT: 'redirect'};

type IptReach = (rule: IptRule) => Reach;

/**
 * The reach of a table's rules, by chain, `-i` and `-o` (an iptables rule has one of each at most).
 * Thousands of NAT rules share a few such triples: each is worked out once, and a rule that repeats
 * one costs three map look-ups, no key string or match lists of its own. This is the only cache of
 * these answers (reacher keeps none; the nft adapter's keyedReacher keys by string instead).
 */
function iptReacher(table: IptTable): IptReach {
  const reach = reacher((c) => isIptBase(table, c), iptEdges(table));
  const byChain = new Map<string, Map<string, Map<string, Reach>>>();
  return (rule) => {
    let byIn = byChain.get(rule.chain);
    if (!byIn) byChain.set(rule.chain, (byIn = new Map()));
    const inKey = ifaceKey(rule.inInterface);
    let byOut = byIn.get(inKey);
    if (!byOut) byIn.set(inKey, (byOut = new Map()));
    const outKey = ifaceKey(rule.outInterface);
    let r = byOut.get(outKey);
    if (!r) byOut.set(outKey, (r = reach(rule.chain, {in: ownList(fromIptIface(rule.inInterface)), out: ownList(fromIptIface(rule.outInterface))})));
    return r;
  };
}

/**
 * One interface match as a map key: '' for none, else `n` (negated) or `p` and the name as written
 * (`+` stays, so `eth+` is its own). iptables takes `-o !eth0` as the name `!eth0`, a name no
 * interface has: it must not share a key with `! -o eth0`.
 */
function ifaceKey(m: IfaceMatch | undefined): string {
  return m === undefined ? '' : `${m.negated ? 'n' : 'p'}${m.name}`;
}

function forwardRuleOf(rule: IptRule, table: IptTable, source: {backend: ForwardRule['backend']; origin: string}): ForwardRule {
  const fr: ForwardRule = {
    backend: source.backend,
    origin: source.origin,
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
}

/** What a rule asks of a packet beyond interfaces (protocol, source, ports, conntrack state). */
function iptConditions(rule: IptRule, family: 'ipv4' | 'ipv6'): PacketConditions {
  const when: PacketConditions = {family, opaque: []};
  const p = rule.protocol;
  const proto = p?.name.toLowerCase();
  if (p && !(['all', '0'].includes(proto!) && !p.negated)) when.protocols = {values: [proto!], negated: p.negated};
  if (rule.source) when.sources = {values: rule.source.addr.split(','), negated: rule.source.negated};
  if (rule.destination) when.opaque.push(`-d ${rule.destination.negated ? '! ' : ''}${rule.destination.addr}`);
  const ports = (o: IptOption) => ({values: o.values.join(',').split(',').map((v) => v.replace(':', '-')), negated: o.negated});
  for (const m of rule.modules) {
    for (const o of m.options) {
      if ((m.name === 'conntrack' && o.name === '--ctstate') || (m.name === 'state' && o.name === '--state')) {
        when.ctStates = {values: o.values.join(',').split(',').map((v) => v.toLowerCase()), negated: o.negated};
      } else if (PORT_MODULES.includes(m.name) && DPORT_OPTIONS.includes(o.name)) {
        when.dports = ports(o);
      } else if (m.name === 'comment' || (m.name === proto && !o.name.includes('sport'))) {
        // a comment, or a header field of the protocol the rule already requires (--tcp-flags, --icmp-type)
      } else {
        when.opaque.push(`-m ${m.name} ${o.negated ? '! ' : ''}${o.name}`);
      }
    }
  }
  for (const o of rule.otherOptions) {
    if (DPORT_OPTIONS.includes(o.name)) when.dports = ports(o);
    else when.opaque.push(o.name);
  }
  return when;
}

const PORT_MODULES = ['tcp', 'udp', 'udplite', 'sctp', 'dccp', 'multiport'];
const DPORT_OPTIONS = ['--dport', '--dports', '--destination-port', '--destination-ports'];

/** INPUT of the filter table, with every user chain of the table for its jumps. */
export function iptablesInput(dump: IptablesDump, backend: 'iptables' | 'ip6tables' | 'iptables-legacy', origin: string): InputPath[] {
  const family = iptFamily(dump, backend);
  const table = dump.tables.find((t) => t.name === 'filter');
  if (!table || !holdsChain(table, 'INPUT')) return [];
  const toRule = (rule: IptRule): InputRule => {
    const r: InputRule = {backend, origin, line: rule.line, text: rule.text, chain: rule.chain, verdict: iptVerdict(table, rule), when: iptConditions(rule, family === 'ip' ? 'ipv4' : 'ipv6')};
    const i = fromIptIface(rule.inInterface);
    if (i) r.in = i;
    return r;
  };
  const byChain = rulesByChain(table);
  const rulesOf = (name: string) => (byChain.get(name) ?? []).map(toRule);
  const chains: Record<string, InputRule[]> = {};
  for (const name of table.chains.keys()) if (!isBuiltinChain(table.name, name)) chains[name] = rulesOf(name);
  const input = table.chains.get('INPUT');
  const path: InputPath = {backend, family, table: table.name, chain: 'INPUT', policy: (input?.policy ?? 'ACCEPT').toLowerCase(), origin, rules: rulesOf('INPUT'), chains};
  if (input) path.policyLine = input.line;
  return [path];
}

/** Which rules iptablesInput reads, for IptablesSaveIndex.select: filter INPUT and the filter user chains. */
export function iptablesInputNeeds(table: IndexedTable, chain: string): boolean {
  return table.name === 'filter' && (chain === 'INPUT' || !isBuiltinChain('filter', chain));
}

/**
 * Which rules iptablesView reads, as a filter for IptablesSaveIndex.select: filter FORWARD, every
 * rule with a NAT target (wherever it stands: a misplaced one is what TD002 reports), and in a
 * table block holding one, every jump to a user chain (the paths that reach it). No other rule.
 */
export function iptablesViewNeeds(tables: readonly IndexedTable[]): (table: IndexedTable, chain: string, target: string | undefined) => boolean {
  const holdsNat = new Set(tables.filter((t) => [...t.targets].some(isNatTarget)));
  // Called for every rule of the dump: a table without NAT targets (filter, of 95,000 rules) is
  // answered by the set, before any per-rule test of the target.
  return (table, chain, target) => {
    if (table.name === 'filter' && chain === 'FORWARD') return true;
    if (target === undefined || !holdsNat.has(table)) return false;
    return isNatTarget(target) || (table.chains.has(target) && !isBuiltinChain(table.name, target));
  };
}

/**
 * Whether a dump holds anything that acts: a rule, a user chain or a non-ACCEPT policy. iptables-save
 * prints empty built-in chains for an nft table that merely shares the name (`ip nat` of SUSE's file).
 */
export function iptablesInEffect(tables: readonly IndexedTable[]): boolean {
  return tables.some((t) => t.ruleCount > 0 || [...t.chains.values()].some((c) => !c.builtin || (c.policy !== null && c.policy !== 'ACCEPT')));
}

/** Chains an iptables-save dump shows, as nft chain keys (`ip filter FORWARD`), for the dedupe with nft. */
export function iptablesChainKeys(tables: readonly IndexedTable[], family: 'ip' | 'ip6'): Set<string> {
  const keys = new Set<string>();
  for (const table of tables) {
    for (const chain of table.chains.keys()) keys.add(nftChainKey(family, table.name, chain));
    for (const chain of table.ruleChains) keys.add(nftChainKey(family, table.name, chain));
  }
  return keys;
}
