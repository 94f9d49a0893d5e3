// The firewall as the checks see it, whichever backend the host uses: iptables (nf_tables or
// legacy), native nftables, firewalld zones. Checks ask three questions — which NAT rules exist and
// where they sit (legal or not), which FORWARD rules pass bridge traffic and what their counters say,
// which firewalld zone an interface is in — and get the same answer shape from every backend.
//
// Live view: iptables-save (+ ip6tables, + legacy), `nft -j list ruleset`, `firewall-cmd
// --list-all-zones`. iptables-nft rules live in nft tables too (as `xt` compat expressions); a chain
// iptables-save shows is taken from iptables-save and skipped in nft, so no rule counts twice.
//
// Persisted view: every rule file (format detected by content) on its own, with the reasons it would
// fail to load as a whole (a misplaced NAT rule or a rule for an undeclared chain aborts the load).
import {modelOrParseError, ParseError} from '../parsers/errors.js';
import {
  FIREWALLD_NOT_RUNNING,
  parseFirewallCmdZones,
  parseFirewalldConf,
  parseFirewalldZoneXml,
  zoneNameFromPath,
  type FirewalldZone,
} from '../parsers/firewalld.js';
import {
  chainRules,
  isBuiltinChain,
  isNatTarget,
  natTargetsOutsideNat,
  parseIptablesSave,
  type IfaceMatch,
  type IptablesDump,
  type IptRule,
  type IptTable,
} from '../parsers/iptables/index.js';
import {isNftWildcard, nftChainKey, parseNftJson, parseNftText, type NftIfaceMatch, type NftRule, type NftRuleset} from '../parsers/nft.js';
import type {SourceFile, SourceText} from '../sources/snapshot.js';
import {FactUnavailable, type Fact, type Facts} from './facts.js';

// --- model -------------------------------------------------------------------------------------

/** One interface match. `name` as written: `eth+` (iptables) and `en*` (nft) are wildcards (prefix match). */
export interface IfMatch {
  name: string;
  negated: boolean;
  wildcard: boolean;
}

export type FwBackend = 'iptables' | 'ip6tables' | 'iptables-legacy' | 'nftables' | 'firewalld';

export interface FwRuleRef {
  backend: FwBackend;
  /** Source name (`nft.ruleset`) or file path (`/etc/firewall.nft`). */
  origin: string;
  /** 1-based line in the origin (text forms); JSON rules have none. */
  line?: number;
  /** The rule as written (iptables-save line, nft rule text) or rendered (nft JSON), for evidence. */
  text: string;
}

export interface NatRule extends FwRuleRef {
  /** nft family: ip, ip6, inet (iptables -> ip, ip6tables -> ip6). */
  family: string;
  table: string;
  chain: string;
  action: 'masquerade' | 'snat' | 'dnat' | 'redirect';
  /**
   * Interfaces the rule applies to, including the conditions of the jumps that lead to its chain
   * (firewalld dispatches per interface). Undefined = any. See matchesInterface for the semantics.
   */
  out?: IfMatch[];
  in?: IfMatch[];
  /** A positive source match (`-s 10.0.2.0/24`, `ip saddr ...`). */
  sourceNet?: string;
  /** True when the rule sits in (or is only reached from) the nat chains its action is valid in. */
  legal: boolean;
  illegalReason?: string;
  /** True when the misplacement makes the whole ruleset fail to load (vs. a rule that merely never applies). */
  refusedByKernel?: boolean;
  counters: {packets: number; bytes: number} | null;
  /** Zone-derived rules (firewalld `masquerade: yes` without a visible generated ruleset): the zone. */
  zone?: string;
}

export interface ForwardRule extends FwRuleRef {
  chain: string;
  in?: IfMatch[];
  out?: IfMatch[];
  /** accept, drop, reject, return, queue, `jump X`, `goto X`, an extension target (LOG), or 'none'. */
  verdict: string;
  /** Matches RELATED/ESTABLISHED (the return-traffic rule). iptables-nft compat conntrack counts as stateful. */
  stateful: boolean;
  counters: {packets: number; bytes: number} | null;
}

/** One forward hook chain: iptables `filter FORWARD`, or an nft base chain `hook forward`. */
export interface ForwardPath {
  backend: string;
  family: string;
  table: string;
  chain: string;
  /** accept / drop (lower case, as nft writes it). */
  policy: string;
  rules: ForwardRule[];
}

export interface FirewallZones {
  /** firewalld answered (runtime), or said "not running". Persisted views copy the runtime state. */
  running: boolean;
  defaultZone?: string;
  zones: FirewalldZone[];
  /** The zone an interface's traffic is in: its explicit binding, else the default zone. */
  zoneOf(ifname: string): string | undefined;
  /** Explicit bindings only (an interface in two zones is a misconfiguration worth showing). */
  zonesOf(ifname: string): string[];
}

export interface FirewallView {
  /** Backends with rules (or firewalld running): 'iptables', 'ip6tables', 'iptables-legacy', 'nftables', 'firewalld'. */
  backends: string[];
  /** Sources read successfully. */
  sources: string[];
  nat: NatRule[];
  forward: ForwardPath[];
  zones?: FirewallZones;
  /** Sources that could not be read or parsed, lines skipped: the view may be incomplete. */
  problems: string[];
}

export interface LoadError {
  line: number;
  text: string;
  reason: string;
}

export interface PersistedRuleFile {
  path: string;
  format: 'iptables-save' | 'nft';
  view: FirewallView;
  /** Why the file would fail to load as a whole; empty when it would load. */
  loadErrors: LoadError[];
}

export interface PersistedFirewall {
  files: PersistedRuleFile[];
  zones?: FirewallZones;
  problems: string[];
}

// --- interface matching ------------------------------------------------------------------------

function ifaceHit(m: IfMatch, ifname: string): boolean {
  if (m.wildcard) return ifname.startsWith(m.name.slice(0, -1));
  const literal = m.name.endsWith('\\*') ? `${m.name.slice(0, -2)}*` : m.name;
  return ifname === literal;
}

/**
 * Whether a rule's interface list admits `ifname`: undefined or empty = any interface; otherwise
 * at least one positive entry must match (when there are positive entries) and no negated entry may.
 */
export function matchesInterface(m: IfMatch[] | undefined, ifname: string): boolean {
  if (!m || m.length === 0) return true;
  const positives = m.filter((x) => !x.negated);
  if (positives.length > 0 && !positives.some((x) => ifaceHit(x, ifname))) return false;
  return !m.some((x) => x.negated && ifaceHit(x, ifname));
}

/**
 * Source-NAT rules (masquerade and snat) that apply to traffic leaving by `uplink`, legal or not
 * (check `.legal`). Zone-derived rules apply when the uplink's zone (zoneOf) is theirs.
 */
export function masqueradesFor(view: FirewallView, uplink: string): NatRule[] {
  return view.nat.filter((r) => {
    if (r.action !== 'masquerade' && r.action !== 'snat') return false;
    if (r.zone !== undefined) return view.zones?.zoneOf(uplink) === r.zone;
    return matchesInterface(r.out, uplink);
  });
}

function fromIptIface(m: IfaceMatch | undefined): IfMatch[] | undefined {
  return m ? [{name: m.name, negated: m.negated, wildcard: m.name.endsWith('+')}] : undefined;
}

function fromNftIface(ms: NftIfaceMatch[]): IfMatch[][] {
  return ms.map((m) => {
    const names = m.set !== undefined && m.values.length === 0 ? [`@${m.set}`] : m.values;
    return names.map((name) => ({name, negated: m.negated, wildcard: isNftWildcard(name)}));
  });
}

// --- combining interface conditions along jump paths -------------------------------------------

function sameMatch(a: IfMatch, b: IfMatch): boolean {
  return a.name === b.name && a.negated === b.negated && a.wildcard === b.wildcard;
}

/** Positive entries admitted by both lists (the more specific of each overlapping pair). */
function intersectPositives(a: IfMatch[], b: IfMatch[]): IfMatch[] {
  const out: IfMatch[] = [];
  const push = (m: IfMatch) => {
    if (!out.some((o) => sameMatch(o, m))) out.push(m);
  };
  for (const x of a) {
    for (const y of b) {
      if (!x.wildcard && !y.wildcard) {
        if (x.name === y.name) push(x);
      } else if (x.wildcard && !y.wildcard) {
        if (ifaceHit(x, y.name)) push(y);
      } else if (!x.wildcard && y.wildcard) {
        if (ifaceHit(y, x.name)) push(x);
      } else {
        const px = x.name.slice(0, -1);
        const py = y.name.slice(0, -1);
        if (px.startsWith(py)) push(x);
        else if (py.startsWith(px)) push(y);
      }
    }
  }
  return out;
}

/** AND of several rules' lists; null when no interface can satisfy all of them. */
function andMatches(lists: IfMatch[][]): IfMatch[] | null {
  let positives: IfMatch[] | undefined;
  const negatives: IfMatch[] = [];
  for (const list of lists) {
    const pos = list.filter((m) => !m.negated);
    if (pos.length > 0) positives = positives ? intersectPositives(positives, pos) : pos;
    for (const m of list) if (m.negated && !negatives.some((n) => sameMatch(n, m))) negatives.push(m);
  }
  if (positives && positives.length === 0) return null;
  return [...(positives ?? []), ...negatives];
}

/** OR of alternative paths: union of positives (any path without positives admits all), common negatives. */
function orMatches(paths: IfMatch[][]): IfMatch[] | undefined {
  if (paths.length === 0) return undefined;
  const negatives = paths[0]!.filter((m) => m.negated && paths.every((p) => p.some((x) => sameMatch(x, m))));
  const anyOpen = paths.some((p) => !p.some((m) => !m.negated));
  const positives: IfMatch[] = [];
  if (!anyOpen) for (const p of paths) for (const m of p) if (!m.negated && !positives.some((x) => sameMatch(x, m))) positives.push(m);
  const merged = [...positives, ...negatives];
  return merged.length > 0 ? merged : undefined;
}

/** A jump between two chains of one table, with the interface conditions of the jumping rule. */
interface JumpEdge {
  from: string;
  in: IfMatch[][];
  out: IfMatch[][];
}

interface PathCtx {
  base: string;
  in: IfMatch[][];
  out: IfMatch[][];
  via: string[];
}

const MAX_PATHS = 64;

/** Every path from a base chain to `chain` (backwards over jumps, no cycles, at most MAX_PATHS). */
function pathsInto(chain: string, isBase: (c: string) => boolean, incoming: Map<string, JumpEdge[]>): PathCtx[] {
  const out: PathCtx[] = [];
  const walk = (c: string, ctxIn: IfMatch[][], ctxOut: IfMatch[][], via: string[]) => {
    if (out.length >= MAX_PATHS) return;
    if (isBase(c)) {
      out.push({base: c, in: ctxIn, out: ctxOut, via});
      return;
    }
    for (const e of incoming.get(c) ?? []) {
      if (e.from === chain || via.includes(e.from)) continue;
      walk(e.from, [...ctxIn, ...e.in], [...ctxOut, ...e.out], [e.from, ...via]);
    }
  };
  walk(chain, [], [], []);
  return out;
}

interface Reach {
  paths: PathCtx[];
  in?: IfMatch[];
  out?: IfMatch[];
  /** Some paths exist but none admits any interface. */
  impossible: boolean;
}

/** Reachability of a rule and its effective interface conditions (its own plus its paths'). */
function reachOf(chain: string, own: {in: IfMatch[][]; out: IfMatch[][]}, isBase: (c: string) => boolean, incoming: Map<string, JumpEdge[]>): Reach {
  const paths = pathsInto(chain, isBase, incoming);
  const ins: IfMatch[][] = [];
  const outs: IfMatch[][] = [];
  for (const p of paths) {
    const i = andMatches([...p.in, ...own.in]);
    const o = andMatches([...p.out, ...own.out]);
    if (i === null || o === null) continue;
    ins.push(i);
    outs.push(o);
  }
  return {paths, in: orMatches(ins), out: orMatches(outs), impossible: paths.length > 0 && ins.length === 0};
}

function toCounters(c: {packets: bigint | number; bytes: bigint | number} | null | undefined): {packets: number; bytes: number} | null {
  return c ? {packets: Number(c.packets), bytes: Number(c.bytes)} : null;
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

/** NAT and FORWARD view of one iptables-save dump. */
export function iptablesView(dump: IptablesDump, backend: 'iptables' | 'ip6tables' | 'iptables-legacy', origin: string): {nat: NatRule[]; forward: ForwardPath[]} {
  const family = dump.family === 'ipv6' || backend === 'ip6tables' ? 'ip6' : 'ip';
  const misplaced = new Map(natTargetsOutsideNat(dump).map((m) => [m.rule, m]));
  const nat: NatRule[] = [];
  const forward: ForwardPath[] = [];
  for (const table of dump.tables) {
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
  return {nat, forward};
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
  for (const rule of rs.rules) {
    const key = nftChainKey(rule.family, rule.table, rule.chain);
    if (skip(key)) continue;
    const ref = {backend: 'nftables' as const, origin, text: rule.text, ...(rule.line !== undefined ? {line: rule.line} : {})};
    if (rule.nat) {
      const action = rule.nat.kind;
      const reach = reachOf(key, {in: fromNftIface(rule.iif), out: fromNftIface(rule.oif)}, isBase, incoming);
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

// --- firewalld ---------------------------------------------------------------------------------

export function firewallZones(running: boolean, zones: FirewalldZone[], defaultZone?: string): FirewallZones {
  const zonesOf = (ifname: string) => zones.filter((z) => z.interfaces.includes(ifname)).map((z) => z.name);
  const fz: FirewallZones = {
    running,
    zones,
    zoneOf: (ifname) => zonesOf(ifname)[0] ?? defaultZone,
    zonesOf,
  };
  if (defaultZone !== undefined) fz.defaultZone = defaultZone;
  return fz;
}

/** Masquerading zones as NAT rules (firewalld masquerades traffic leaving by the zone's interfaces). */
export function zoneNatRules(zones: FirewallZones, origin: string): NatRule[] {
  return zones.zones
    .filter((z) => z.masquerade)
    .map((z) => {
      const n: NatRule = {
        backend: 'firewalld',
        origin,
        text: `zone ${z.name}: masquerade: yes${z.interfaces.length ? `, interfaces: ${z.interfaces.join(' ')}` : ''}`,
        family: 'inet',
        table: 'firewalld',
        chain: `zone ${z.name}`,
        zone: z.name,
        action: 'masquerade',
        legal: true,
        counters: null,
      };
      if (z.line !== undefined) n.line = z.line;
      if (z.interfaces.length > 0) n.out = z.interfaces.map((name) => ({name, negated: false, wildcard: false}));
      return n;
    });
}

function firewalldNotRunning(src: SourceText): boolean {
  return src.entry.exitCode === 252 || src.text.trim() === FIREWALLD_NOT_RUNNING || (src.text.trim() === '' && (src.entry.stderr ?? '').includes(FIREWALLD_NOT_RUNNING));
}

// --- reading sources ---------------------------------------------------------------------------

interface Read<T> {
  ok: boolean;
  value?: T;
  /** Why not, for problems. */
  reason?: string;
  parseError?: boolean;
}

/** Read and parse a command source; a failed command with no output is a collection failure, not a parse error. */
function readCommand<T>(f: Facts, source: string, parse: (src: SourceText) => T, okExitCodes: number[] = []): Read<T> {
  let src: SourceText;
  try {
    src = f.command(source);
  } catch (error) {
    if (error instanceof FactUnavailable) return {ok: false, reason: error.reason};
    throw error;
  }
  const exit = exitProblem(source, src);
  if (exit && src.text.trim() === '' && !okExitCodes.includes(src.entry.exitCode ?? 0)) return {ok: false, reason: exit};
  const parsed = modelOrParseError(() => parse(src));
  if (parsed instanceof ParseError) return {ok: false, reason: `cannot parse ${parsed.message}`, parseError: true};
  return {ok: true, value: parsed};
}

function exitProblem(source: string, src: SourceText): string | undefined {
  const code = src.entry.exitCode;
  if (code === undefined || code === 0) return undefined;
  const stderr = (src.entry.stderr ?? '').trim().split('\n')[0] ?? '';
  return `${source} exited with ${code === null ? 'a signal' : code}${stderr ? `: ${stderr}` : ''}`;
}

function iptablesDump(source: string, backendName: 'iptables' | 'ip6tables' | 'iptables-legacy') {
  return (src: SourceText): {dump: IptablesDump; problems: string[]} => {
    const problems: string[] = [];
    const exit = exitProblem(source, src);
    if (exit) problems.push(exit);
    const dump = parseIptablesSave(src.text, source, {tolerant: true});
    for (const e of dump.errors) problems.push(`${backendName}: skipped ${e.message}`);
    return {dump, problems};
  };
}

/** The running firewall, all backends. FactUnavailable only when no firewall source could be read. */
export const liveFirewall: Fact<FirewallView> = (f) => {
  const view: FirewallView = {backends: [], sources: [], nat: [], forward: [], problems: []};
  const failures: {source: string; reason: string; parseError: boolean}[] = [];
  const note = <T>(source: string, r: Read<T>): T | undefined => {
    if (r.ok) {
      view.sources.push(source);
      return r.value;
    }
    failures.push({source, reason: r.reason ?? 'unreadable', parseError: r.parseError === true});
    view.problems.push(`${source}: ${r.reason ?? 'unreadable'}`);
    return undefined;
  };

  const ipt = note('iptables.save', readCommand(f, 'iptables.save', iptablesDump('iptables.save', 'iptables')));
  const ip6 = note('ip6tables.save', readCommand(f, 'ip6tables.save', iptablesDump('ip6tables.save', 'ip6tables')));
  const legacy = note('iptables-legacy.save', readCommand(f, 'iptables-legacy.save', iptablesDump('iptables-legacy.save', 'iptables-legacy')));
  const nftRead = note(
    'nft.ruleset',
    readCommand(f, 'nft.ruleset', (src) => {
      const exit = exitProblem('nft.ruleset', src);
      // JSON normally; a sosreport holds the text of `nft -a list ruleset`
      const rs = src.text.trimStart().startsWith('{') ? parseNftJson(src.text, 'nft.ruleset') : parseNftText(src.text, 'nft.ruleset');
      return {rs, problems: exit ? [exit] : []};
    }),
  );
  view.problems.push(...(nftRead?.problems ?? []));
  const nft = nftRead?.rs;
  const fwd = note(
    'firewalld.runtime',
    readCommand(f, 'firewalld.runtime', (src) => (firewalldNotRunning(src) ? {running: false, zones: []} : parseFirewallCmdZones(src.text, 'firewalld.runtime')), [252]),
  );

  if (view.sources.length === 0) {
    const kind = failures.some((x) => x.parseError) ? 'error' : 'missing';
    throw new FactUnavailable(`no firewall source could be read (${failures.map((x) => `${x.source}: ${x.reason}`).join('; ')})`, kind);
  }

  // iptables (nf_tables backend) chains also appear in nft: take them from iptables-save.
  const shownByIptables = new Set<string>();
  const addIpt = (r: {dump: IptablesDump; problems: string[]} | undefined, backend: 'iptables' | 'ip6tables' | 'iptables-legacy', origin: string) => {
    if (!r) return;
    view.problems.push(...r.problems);
    if (r.dump.tables.length === 0) return;
    const v = iptablesView(r.dump, backend, origin);
    view.nat.push(...v.nat);
    view.forward.push(...v.forward);
    if (iptablesInEffect(r.dump)) view.backends.push(backend);
    if (backend !== 'iptables-legacy' && r.dump.backend !== 'legacy') {
      for (const k of iptablesChainKeys(r.dump, backend === 'ip6tables' ? 'ip6' : 'ip')) shownByIptables.add(k);
    }
  };
  addIpt(ipt, 'iptables', 'iptables.save');
  addIpt(ip6, 'ip6tables', 'ip6tables.save');
  addIpt(legacy, 'iptables-legacy', 'iptables-legacy.save');

  let firewalldRulesVisible = false;
  if (nft) {
    const v = nftView(nft, 'nft.ruleset', (key) => shownByIptables.has(key));
    view.nat.push(...v.nat);
    view.forward.push(...v.forward);
    if (nft.chains.some((c) => !shownByIptables.has(nftChainKey(c.family, c.table, c.name)))) view.backends.push('nftables');
    firewalldRulesVisible ||= nft.tables.some((t) => t.name === 'firewalld');
  }
  firewalldRulesVisible ||= [ipt, ip6].some((r) => r?.dump.tables.some((t) => t.chains.has('POSTROUTING_ZONES') || t.chains.has('POST_public')));

  if (fwd) {
    view.zones = firewallZones(fwd.running, fwd.zones, 'defaultZone' in fwd ? fwd.defaultZone : undefined);
    if (fwd.running) {
      view.backends.push('firewalld');
      // firewalld writes its zones into nft/iptables; show the zones themselves only when those rules are not visible.
      if (!firewalldRulesVisible) view.nat.push(...zoneNatRules(view.zones, 'firewalld.runtime'));
    }
  }
  return view;
};

// --- persisted ---------------------------------------------------------------------------------

/** iptables-save format (`*filter`, `:CHAIN`, `-A`) or nft (everything else). */
export function detectRuleFileFormat(text: string): 'iptables-save' | 'nft' {
  for (const raw of text.split('\n', 200)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (/^(\*[a-z]|:[^ ]|-[AINPX] |COMMIT\b|\[\d+:\d+\] -[AI] )/.test(line)) return 'iptables-save';
    return 'nft';
  }
  return 'nft';
}

function emptyView(): FirewallView {
  return {backends: [], sources: [], nat: [], forward: [], problems: []};
}

function persistedIptables(file: SourceFile): PersistedRuleFile {
  const backend = /6/.test(file.name.slice(file.name.lastIndexOf('/'))) ? 'ip6tables' : 'iptables';
  const dump = parseIptablesSave(file.text, file.name, {tolerant: true});
  const view = emptyView();
  view.sources.push(file.name);
  const v = iptablesView(dump, backend, file.name);
  view.nat = v.nat;
  view.forward = v.forward;
  if (iptablesInEffect(dump)) view.backends.push(backend);
  const loadErrors: LoadError[] = dump.errors.map((e) => ({line: e.line, text: e.text, reason: `${e.detail}: iptables-restore refuses the whole file`}));
  for (const m of natTargetsOutsideNat(dump)) {
    loadErrors.push({
      line: m.rule.line,
      text: m.rule.text,
      reason: `${m.message}: iptables-restore refuses the whole file (nf_tables: "RULE_APPEND failed (Invalid argument)", legacy: "No chain/target/match by that name")`,
    });
  }
  loadErrors.sort((a, b) => a.line - b.line);
  return {path: file.name, format: 'iptables-save', view, loadErrors};
}

function persistedNft(
  file: SourceFile,
  rs: NftRuleset | ParseError,
  declaredElsewhere: (p: {family?: string; table?: string; chain?: string}) => boolean,
  unresolvedIncludes: boolean,
): PersistedRuleFile {
  const view = emptyView();
  if (rs instanceof ParseError) {
    view.problems.push(`cannot parse ${rs.message}`);
    return {path: file.name, format: 'nft', view, loadErrors: [{line: rs.line, text: rs.text, reason: `syntax: ${rs.detail}: nft refuses the whole file`}]};
  }
  view.sources.push(file.name);
  const v = nftView(rs, file.name);
  view.nat = v.nat;
  view.forward = v.forward;
  if (rs.chains.length > 0) view.backends.push('nftables');
  const loadErrors: LoadError[] = [];
  for (const p of rs.problems) {
    if (p.kind === 'undeclared-chain' || p.kind === 'undeclared-table') {
      // Another persisted file (an include, or the file that includes this one) may declare it.
      if (declaredElsewhere(p) || unresolvedIncludes) continue;
    }
    loadErrors.push({line: p.line, text: p.text, reason: p.reason});
  }
  for (const n of v.nat) if (n.refusedByKernel && n.illegalReason) loadErrors.push({line: n.line ?? 0, text: n.text, reason: n.illegalReason});
  loadErrors.sort((a, b) => a.line - b.line);
  return {path: file.name, format: 'nft', view, loadErrors};
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${escaped}$`);
}

function persistedZones(f: Facts, problems: string[]): FirewallZones | undefined {
  const runtime = readCommand(f, 'firewalld.runtime', (src) => !firewalldNotRunning(src), [252]);
  const running = runtime.ok ? runtime.value! : false;
  const permanent = readCommand(f, 'firewalld.permanent', (src) => (firewalldNotRunning(src) ? undefined : parseFirewallCmdZones(src.text, 'firewalld.permanent')), [252]);
  let conf: string | undefined;
  const xmlZones = new Map<string, FirewalldZone>();
  let files: SourceFile[] = [];
  try {
    files = f.entries('firewalld.files');
  } catch (error) {
    if (!(error instanceof FactUnavailable)) throw error;
    problems.push(`firewalld.files: ${error.reason}`);
  }
  // /etc overrides /usr/lib zone by zone: read /usr/lib first.
  const ordered = [...files].sort((a, b) => Number(a.name.startsWith('/etc/')) - Number(b.name.startsWith('/etc/')));
  for (const file of ordered) {
    try {
      if (file.name.endsWith('/firewalld.conf')) conf = parseFirewalldConf(file.text, file.name).defaultZone ?? conf;
      else if (file.name.endsWith('.xml')) xmlZones.set(zoneNameFromPath(file.name), parseFirewalldZoneXml(file.text, file.name));
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
      problems.push(`cannot parse ${error.message}`);
    }
  }
  if (permanent.ok && permanent.value) {
    const list = permanent.value;
    return firewallZones(running, list.zones, list.defaultZone ?? conf);
  }
  if (!permanent.ok && permanent.reason) problems.push(`firewalld.permanent: ${permanent.reason}`);
  if (xmlZones.size === 0 && conf === undefined) return undefined;
  // firewalld's built-in default when firewalld.conf says nothing
  return firewallZones(running, [...xmlZones.values()], conf ?? (xmlZones.size > 0 ? 'public' : undefined));
}

/** Persisted rule files and firewalld configuration, each file with the reasons it would not load. */
export const persistedFirewall: Fact<PersistedFirewall> = (f) => {
  const problems: string[] = [];
  let files: SourceFile[] | undefined;
  let filesReason: string | undefined;
  try {
    files = f.entries('firewall.files');
  } catch (error) {
    if (!(error instanceof FactUnavailable)) throw error;
    filesReason = error.reason;
    problems.push(`firewall.files: ${error.reason}`);
  }
  const zones = persistedZones(f, problems);
  const zoneSourcesUsable = ['firewalld.files', 'firewalld.permanent'].some((s) => f.view.unusable(s) === undefined);
  if (files === undefined && !zoneSourcesUsable) {
    throw new FactUnavailable(`no persisted firewall configuration could be read (firewall.files: ${filesReason ?? 'unreadable'})`);
  }

  const nftFiles = (files ?? []).filter((file) => detectRuleFileFormat(file.text) === 'nft');
  const parsedNft = new Map<string, NftRuleset | ParseError>();
  for (const file of nftFiles) parsedNft.set(file.name, modelOrParseError(() => parseNftText(file.text, file.name)));
  const declared = (p: {family?: string; table?: string; chain?: string}, self: string) =>
    [...parsedNft].some(
      ([name, rs]) =>
        name !== self &&
        !(rs instanceof ParseError) &&
        (p.chain !== undefined
          ? rs.chains.some((c) => c.family === p.family && c.table === p.table && c.name === p.chain)
          : rs.tables.some((t) => t.family === p.family && t.name === p.table)),
    );
  const known = (files ?? []).map((file) => file.name);
  const out: PersistedRuleFile[] = [];
  for (const file of files ?? []) {
    if (detectRuleFileFormat(file.text) === 'iptables-save') {
      out.push(persistedIptables(file));
      continue;
    }
    const rs = parsedNft.get(file.name)!;
    const unresolved = (rs instanceof ParseError ? [] : rs.includes).some((inc) => {
      const re = globToRegExp(inc.path);
      return !known.some((k) => re.test(k));
    });
    out.push(persistedNft(file, rs, (p) => declared(p, file.name), unresolved));
  }
  const result: PersistedFirewall = {files: out, problems};
  if (zones) result.zones = zones;
  return result;
};
