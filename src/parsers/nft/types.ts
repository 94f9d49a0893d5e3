// The nftables model: only what tapdoctor asks of a ruleset — tables, base-chain specs (type, hook,
// priority, policy), and per rule the interface matches, source net, conntrack state, NAT statement,
// verdict and counter.

// --- model -------------------------------------------------------------------------------------

/** `oifname "eth0"`, `oifname != { "a", "en*" }`, `iifname @uplinks`, `oif "lo"`. */
export interface NftIfaceMatch {
  key: 'iifname' | 'oifname' | 'iif' | 'oif';
  /** Names as written; a trailing unescaped `*` is a wildcard (`en*`). Set references are resolved to their elements when the set is known. */
  values: string[];
  negated: boolean;
  /** The named set the values came from (`@uplinks` -> 'uplinks'); values is empty when the set is unknown. */
  set?: string;
}

/** A match on values: `== { a, b }` or `!= a`; `set` names a referenced set (values empty when unknown). */
export interface NftValueMatch {
  values: string[];
  negated: boolean;
  set?: string;
}

export interface NftNat {
  kind: 'masquerade' | 'snat' | 'dnat' | 'redirect';
  /** The `to` argument as written (`192.0.2.1`, `10.0.2.15:80`, `:3128`). */
  to?: string;
  /** Set when the statement is an iptables-nft compat target (`xt target "MASQUERADE"`). */
  compat?: boolean;
}

export interface NftVerdict {
  kind: 'accept' | 'drop' | 'reject' | 'return' | 'continue' | 'queue' | 'jump' | 'goto';
  /** Chain name of jump/goto. */
  target?: string;
}

export interface NftCounter {
  packets: number;
  bytes: number;
}

export interface NftRule {
  family: string;
  table: string;
  chain: string;
  /** JSON and `nft -a` listings. */
  handle?: number;
  /** 1-based line in the text form (first line of the rule). */
  line?: number;
  /** The rule as written (text form) or rendered from its expressions (JSON). */
  text: string;
  /** Interface matches, in rule order (several matches of one kind all apply). */
  iif: NftIfaceMatch[];
  oif: NftIfaceMatch[];
  /** `ip saddr X` / `ip6 saddr X`, as written (prefixes as `10.1.0.0/16`). */
  saddr?: {addr: string; negated: boolean};
  /** `ct state established,related` (lower case). */
  ctState?: {states: string[]; negated: boolean};
  /** `ct status dnat` (lower case). */
  ctStatus?: NftValueMatch;
  /** Every source address match (`ip saddr { a, b }`, `ip saddr @peers`, resolved when the set is known). */
  sources?: NftValueMatch;
  /** `ip protocol gre`, `meta l4proto { tcp, udp }`, `ip6 nexthdr`; implied by `tcp dport`, `udp ...`, `icmp ...`. */
  l4proto?: NftValueMatch;
  /** `tcp dport 22`, `udp dport { 4789 }`, `th dport`. */
  dports?: NftValueMatch;
  /** The family a rule only matches in an inet table (`ip ...` -> ipv4, `ip6 ...` -> ipv6, `meta nfproto`). */
  nfproto?: 'ipv4' | 'ipv6';
  /** Matches the model does not judge (`fib ...`, `meta mark`, `limit`, `ct status`, ...): the rule is conditional. */
  opaque: string[];
  /** iptables-nft compat expressions (`xt match "conntrack"`), which JSON shows without their options. */
  compat: {type: string; name: string}[];
  nat?: NftNat;
  verdict?: NftVerdict;
  /** Null when the rule has no counter statement. A bare `counter` in a config file counts from 0. */
  counter: NftCounter | null;
  /** `counter name "x"` (named counter object); counter holds its values when the object is known. */
  counterName?: string;
  comment?: string;
}

export interface NftChain {
  family: string;
  table: string;
  name: string;
  /** Base chains only: 'filter' | 'nat' | 'route'. */
  type?: string;
  hook?: string;
  /** Numeric priority; symbolic names (`srcnat`, `filter + 10`) are resolved. */
  priority?: number;
  policy?: string;
  handle?: number;
  line?: number;
}

export interface NftTable {
  family: string;
  name: string;
  handle?: number;
  line?: number;
}

export interface NftSet {
  family: string;
  table: string;
  name: string;
  /** Plain elements (strings, numbers, addresses) as text; map/interval elements are left out. */
  elements: string[];
  line?: number;
}

export interface NftProblem {
  kind: 'undeclared-chain' | 'undeclared-table' | 'undefined-variable';
  line: number;
  text: string;
  reason: string;
  /** For undeclared-chain/table: which one. */
  family?: string;
  table?: string;
  chain?: string;
}

export interface NftRuleset {
  format: 'json' | 'text';
  /** nft version from JSON metainfo. */
  version?: string;
  tables: NftTable[];
  chains: NftChain[];
  rules: NftRule[];
  sets: NftSet[];
  /** `include "..."` lines of a config file. */
  includes: {line: number; path: string}[];
  /** Text config files: why `nft -f` would refuse the file (it loads all or nothing). */
  problems: NftProblem[];
}
