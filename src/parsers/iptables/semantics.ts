// What a parsed dump means: built-in chains, where NAT targets may sit, which chains are reached
// from which built-in chain, interface matching, and counter sums. Pure functions of the model.

import {BUILTIN_CHAINS, isBuiltinChain} from './builtins.js';
import type {Counters, IfaceMatch, IptablesDump, IptRule, IptTable, ListedChain} from './types.js';

export {BUILTIN_CHAINS, isBuiltinChain, isKnownTable} from './builtins.js';

export type NatTarget = 'MASQUERADE' | 'SNAT' | 'DNAT' | 'REDIRECT';

/**
 * The built-in nat chains (hooks) each NAT target is valid in, as the kernel checks them
 * (xt_MASQUERADE, xt_nat, xt_REDIRECT): the table must be nat, and every built-in chain the
 * rule's chain is reached from must be in this list.
 */
export const NAT_TARGET_CHAINS: Readonly<Record<NatTarget, readonly string[]>> = Object.freeze({
  MASQUERADE: Object.freeze(['POSTROUTING']),
  SNAT: Object.freeze(['POSTROUTING', 'INPUT']),
  DNAT: Object.freeze(['PREROUTING', 'OUTPUT']),
  REDIRECT: Object.freeze(['PREROUTING', 'OUTPUT']),
});

export function isNatTarget(name: string): name is NatTarget {
  return Object.prototype.hasOwnProperty.call(NAT_TARGET_CHAINS, name);
}

/**
 * Whether the kernel accepts `target` in `chain` of `table`. Only NAT targets are restricted here;
 * any other target returns true. For a user chain, pass the IptTable so its reachability can be
 * worked out: a user chain no built-in chain reaches is accepted (the kernel checks no hook). Given
 * only a table name, a user chain in nat is assumed fine.
 */
export function targetAllowedIn(target: string, table: string | IptTable, chain: string): boolean {
  const reach = typeof table === 'string' ? undefined : reachableChains(table);
  return disallowedHooks(target, typeof table === 'string' ? table : table.name, chain, reach) === null;
}

/**
 * Null when allowed; otherwise the offending built-in chains ([] when the table itself is wrong).
 */
function disallowedHooks(target: string, tableName: string, chain: string, reach: Map<string, Set<string>> | undefined): string[] | null {
  if (!isNatTarget(target)) return null;
  if (tableName !== 'nat') return [];
  const allowed = NAT_TARGET_CHAINS[target];
  // Asked for every NAT rule (thousands): an allowed rule, the usual answer, allocates nothing.
  if (isBuiltinChain('nat', chain)) return allowed.includes(chain) ? null : [chain];
  let bad: string[] | null = null;
  for (const hook of reach?.get(chain) ?? []) if (!allowed.includes(hook)) (bad ??= []).push(hook);
  return bad;
}

export interface MisplacedNatRule {
  rule: IptRule;
  target: NatTarget;
  /** 'table': not under *nat at all; 'chain': in nat, but reached from a built-in chain the target refuses. */
  reason: 'table' | 'chain';
  /** The built-in nat chains the target is valid in. */
  allowedChains: readonly string[];
  /** For 'chain': the built-in chains that reach the rule and are not allowed. */
  offendingChains: string[];
  /** One line for a finding. */
  message: string;
}

/**
 * Every MASQUERADE/SNAT/DNAT/REDIRECT rule the kernel would refuse where it stands: outside the nat
 * table, or in a nat chain reached from the wrong built-in chain. Such a ruleset fails to load.
 */
export function natTargetsOutsideNat(dump: IptablesDump): MisplacedNatRule[] {
  const misplaced: MisplacedNatRule[] = [];
  for (const table of dump.tables) {
    const placement = natPlacement(table);
    for (const rule of table.rules) {
      const m = placement(rule);
      if (m) misplaced.push(m);
    }
  }
  return misplaced;
}

/**
 * natTargetsOutsideNat one rule at a time, for the rules of `table`: null when the kernel accepts
 * the rule where it stands (or its target is no NAT target). For readers that walk the rules
 * anyway; the table's chain reach is worked out once, when a rule in a nat user chain first needs it.
 */
export function natPlacement(table: IptTable): (rule: IptRule) => MisplacedNatRule | null {
  let reach: Map<string, Set<string>> | undefined;
  return (rule) => {
    const target = rule.target?.name;
    if (target === undefined || !isNatTarget(target)) return null;
    if (table.name === 'nat' && !reach && !isBuiltinChain('nat', rule.chain)) reach = reachableChains(table);
    const bad = disallowedHooks(target, table.name, rule.chain, reach);
    if (bad === null) return null;
    const allowedChains = NAT_TARGET_CHAINS[target];
    const where = `nat ${allowedChains.join(' or ')}`;
    const message =
      table.name !== 'nat'
        ? `${target} in table ${table.name} (chain ${rule.chain}): only valid in ${where}`
        : `${target} in nat chain ${rule.chain}${isBuiltinChain('nat', rule.chain) ? '' : ` (reached from ${bad.join(', ')})`}: only valid in ${where}`;
    return {rule, target, reason: table.name !== 'nat' ? 'table' : 'chain', allowedChains, offendingChains: bad, message};
  };
}

/** `-i`/`-o` semantics: undefined matches any; `eth+` matches every name starting with `eth`. */
export function ifaceMatches(match: IfaceMatch | undefined, ifname: string): boolean {
  if (!match) return true;
  const name = match.name;
  const hit = name.endsWith('+') ? ifname.startsWith(name.slice(0, -1)) : ifname === name;
  return match.negated ? !hit : hit;
}

/** The built-in chains of `table` (from BUILTIN_CHAINS; for an unknown table, chains with a policy). */
function entryChains(table: IptTable): string[] {
  const known = BUILTIN_CHAINS[table.name];
  if (known) return [...known];
  return [...table.chains.values()].filter((c) => c.policy !== null).map((c) => c.name);
}

/**
 * For every chain of the table (declared, or holding rules), the built-in chains it is reached
 * from through -j/-g. A built-in chain reaches itself; an orphan user chain maps to an empty set.
 */
export function reachableChains(table: IptTable): Map<string, Set<string>> {
  const builtins = entryChains(table);
  const builtinSet = new Set(builtins);
  const result = new Map<string, Set<string>>();
  const edges = new Map<string, Set<string>>();
  const known = (name: string): void => {
    if (!result.has(name)) result.set(name, new Set());
  };
  for (const chain of table.chains.keys()) known(chain);
  for (const rule of table.rules) known(rule.chain);
  for (const rule of table.rules) {
    const to = rule.target?.name;
    // A jump to a built-in chain is not allowed, and a target that is no chain is an extension.
    if (to === undefined || builtinSet.has(to) || !result.has(to)) continue;
    let out = edges.get(rule.chain);
    if (!out) edges.set(rule.chain, (out = new Set()));
    out.add(to);
  }
  for (const builtin of builtins) {
    if (!result.has(builtin)) continue;
    const queue = [builtin];
    result.get(builtin)!.add(builtin);
    for (let i = 0; i < queue.length; i++) {
      for (const next of edges.get(queue[i]!) ?? []) {
        const from = result.get(next)!;
        if (from.has(builtin)) continue;
        from.add(builtin);
        queue.push(next);
      }
    }
  }
  return result;
}

/** The rules of one chain in the order the kernel holds them (see placeRule). */
export function chainRules(table: IptTable, chain: string): IptRule[] {
  const rules: IptRule[] = [];
  for (const rule of table.rules) if (rule.chain === chain) placeRule(rules, rule);
  return rules;
}

/** chainRules of every chain that holds rules, in one pass: a table may have hundreds of chains. */
export function rulesByChain(table: IptTable): Map<string, IptRule[]> {
  const byChain = new Map<string, IptRule[]>();
  for (const rule of table.rules) {
    let rules = byChain.get(rule.chain);
    if (!rules) byChain.set(rule.chain, (rules = []));
    placeRule(rules, rule);
  }
  return byChain;
}

/** Puts a rule into its chain's rules in kernel order: `-A` appends, `-I CHAIN [n]` inserts at n (default 1, clamped to the end). */
function placeRule(rules: IptRule[], rule: IptRule): void {
  if (rule.command === 'A') rules.push(rule);
  else rules.splice(Math.min((rule.position ?? 1) - 1, rules.length), 0, rule);
}

export interface MatchingOptions {
  /** Only rules that name an interface (`-o X`), not those matching every interface. */
  explicit?: boolean;
}

/** Rules of `chain` (kernel order) whose `-o` matches `ifname` (rules without `-o` match any). */
export function rulesMatchingOut(table: IptTable, chain: string, ifname: string, opts: MatchingOptions = {}): IptRule[] {
  return chainRules(table, chain).filter((r) => (opts.explicit ? r.outInterface !== undefined : true) && ifaceMatches(r.outInterface, ifname));
}

/** Rules of `chain` (kernel order) whose `-i` matches `ifname` (rules without `-i` match any). */
export function rulesMatchingIn(table: IptTable, chain: string, ifname: string, opts: MatchingOptions = {}): IptRule[] {
  return chainRules(table, chain).filter((r) => (opts.explicit ? r.inInterface !== undefined : true) && ifaceMatches(r.inInterface, ifname));
}

/** Sum of the rules' counters; null when none of them carries counters (a dump without -c). */
export function sumCounters(rules: Iterable<{counters: Counters | null}>): Counters | null {
  let packets = 0n;
  let bytes = 0n;
  let any = false;
  for (const rule of rules) {
    if (!rule.counters) continue;
    any = true;
    packets += rule.counters.packets;
    bytes += rule.counters.bytes;
  }
  return any ? {packets, bytes} : null;
}

/** Counters of one rule (null without -c). */
export function ruleCounters(rule: IptRule): Counters | null {
  return rule.counters;
}

/** Sum over the rules of one chain (not its policy counters, which count packets that fell through). */
export function chainRuleCounters(table: IptTable, chain: string): Counters | null {
  return sumCounters(table.rules.filter((r) => r.chain === chain));
}

/** chainRuleCounters for every chain that is declared or holds rules. */
export function countersByChain(table: IptTable): Map<string, Counters | null> {
  const byChain = new Map<string, IptRule[]>();
  for (const chain of table.chains.keys()) byChain.set(chain, []);
  for (const rule of table.rules) {
    let list = byChain.get(rule.chain);
    if (!list) byChain.set(rule.chain, (list = []));
    list.push(rule);
  }
  return new Map([...byChain].map(([chain, rules]) => [chain, sumCounters(rules)]));
}

/** Sum of a listed chain's rule counts; `exact` is false if any count was abbreviated (no -x). */
export function listedChainCounters(chain: ListedChain): (Counters & {exact: boolean}) | null {
  let packets = 0n;
  let bytes = 0n;
  let exact = true;
  let any = false;
  for (const rule of chain.rules) {
    if (rule.packets === null || rule.bytes === null) continue;
    any = true;
    packets += rule.packets;
    bytes += rule.bytes;
    exact &&= rule.countersExact;
  }
  return any ? {packets, bytes, exact} : null;
}
