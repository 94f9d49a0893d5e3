// The firewall model the checks see, whichever backend the host uses (iptables nf_tables or legacy,
// native nftables, firewalld zones): NAT rules with where they sit, FORWARD hook chains with their
// rules and counters, firewalld zones; plus the interface-match semantics every backend shares.
import type {ParseError} from '../../parsers/errors.js';
import type {FirewalldZone} from '../../parsers/firewalld.js';
import type {Facts} from '../facts.js';

// --- model -------------------------------------------------------------------------------------

/** One interface match. `name` as written: `eth+` (iptables) and `en*` (nft) are wildcards (prefix match). */
export interface IfMatch {
  name: string;
  negated: boolean;
  wildcard: boolean;
}

export type FwBackend = 'iptables' | 'ip6tables' | 'iptables-legacy' | 'nftables' | 'firewalld' | 'susefirewall2';

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

/**
 * What a rule asks of a packet beyond interfaces, for judging one packet on the INPUT hook. Each
 * list is an OR of values; `negated` inverts it. Undefined = no such condition.
 */
export interface PacketConditions {
  /** `ipv4` / `ipv6` (nft `ip ...`/`ip6 ...`, `meta nfproto`; iptables by the dump's family). */
  family?: 'ipv4' | 'ipv6';
  /** IP protocols by name or number (`gre`, `47`, `udp`); implied by `tcp dport`, `udp ...`. */
  protocols?: {values: string[]; negated: boolean};
  /** Source addresses or networks (`192.0.2.0/24`). */
  sources?: {values: string[]; negated: boolean};
  /** Destination ports (`4789`, `1000-2000`). */
  dports?: {values: string[]; negated: boolean};
  /** Conntrack states (lower case: new, established, related, invalid, untracked). */
  ctStates?: {values: string[]; negated: boolean};
  /** Conditions tapdoctor cannot judge (marks, fib, limits, address types, ...), as written. */
  opaque: string[];
  /** A condition no packet addressed to the host holds (`ct status dnat`): the rule never matches it. */
  never?: string;
}

export interface InputRule extends FwRuleRef {
  chain: string;
  in?: IfMatch[];
  /** accept, drop, reject, return, `jump X`, `goto X`, queue, an extension target (LOG), or 'none'. */
  verdict: string;
  when: PacketConditions;
}

/** One input hook chain (iptables `filter INPUT`, an nft base chain `hook input`) with the chains it can jump to. */
export interface InputPath {
  backend: string;
  family: string;
  table: string;
  chain: string;
  /** accept / drop (lower case). */
  policy: string;
  /** Where the policy is written (iptables `:INPUT DROP` line). */
  policyLine?: number;
  origin: string;
  rules: InputRule[];
  /** The other chains of the same table, by name, for jumps and gotos. */
  chains: Record<string, InputRule[]>;
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
  /**
   * Input hook chains: what reaches the host itself (tunnel packets from peers). Computed on the
   * first call: a live iptables dump parses its INPUT rules only for a question about them.
   */
  input(): InputPath[];
  zones?: FirewallZones;
  /** Sources that could not be read or parsed, lines skipped: the view may be incomplete. */
  problems: string[];
  /**
   * What the input could not express (rules converted from `iptables -L` listings: match details
   * not shown, rounded counters, a table inferred from its chains). Checks repeat these in their reasons.
   */
  limits?: string[];
  /**
   * Lines a tolerant parse skipped (`iptables.save line 5: -A POSTROUTING ...`): the view may lack
   * rules, so a check must not claim a rule is absent from it without saying so.
   */
  skipped?: string[];
}

/** The skipped lines of a view, for a message ("… 1 skipped line (iptables.save line 5: …) may hold it"). */
export function skippedNote(view: FirewallView): string | undefined {
  const s = view.skipped ?? [];
  if (s.length === 0) return undefined;
  return `${s.length} skipped line${s.length > 1 ? 's' : ''} (${s.slice(0, 3).join('; ')}${s.length > 3 ? '; …' : ''}) could not be read and may hold it`;
}

/** Record a parse's skipped lines on the view (and so in the report). */
export function noteSkipped(f: Facts, view: FirewallView, source: string, errors: readonly ParseError[], file?: string, whole?: string): void {
  if (errors.length === 0) return;
  f.noteParseProblems(source, errors.map((e) => ({line: e.line, text: e.text, reason: whole ? `${e.detail}; ${whole}` : e.detail})), file);
  const where = file ?? source;
  view.skipped = [...(view.skipped ?? []), ...errors.map((e) => `${where} line ${e.line}${whole ? ` (${whole})` : ''}: ${clip(e.text.trim())}`)];
}

const clip = (t: string) => (t.length > 80 ? `${t.slice(0, 79)}…` : t);

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

export function ifaceHit(m: IfMatch, ifname: string): boolean {
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
  // One pass, no lists of its own: checks ask this of every NAT rule.
  let positives = false;
  let hit = false;
  for (const x of m) {
    if (x.negated) {
      if (ifaceHit(x, ifname)) return false;
    } else {
      positives = true;
      hit ||= ifaceHit(x, ifname);
    }
  }
  return hit || !positives;
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
