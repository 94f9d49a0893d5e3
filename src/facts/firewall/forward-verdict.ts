// The one answer to "does this FORWARD hook chain let a packet from one interface to another
// through?", judged by interfaces and conntrack state, the only conditions tapdoctor can evaluate.
// Rules with conditions it cannot see (protocol, ports, addresses, other modules) are read
// optimistically: accepts accept, drops are passed over, so a conditional drop never reads as
// "the chain drops bridge traffic". A jump into a chain we do not follow makes the answer unknown.
import {withoutCounters} from '../../parsers/iptables/numbers.js';
import {matchesInterface, type ForwardPath, type ForwardRule} from './model.js';

export interface ForwardDecision {
  verdict: 'accept' | 'drop' | 'unknown';
  /** The rule that decided; undefined when the chain policy did. */
  rule?: ForwardRule;
}

/**
 * What `path` does with a packet from `inIf` to `outIf` (undefined: any interface). `replies`:
 * return traffic of a connection, which stateful (RELATED,ESTABLISHED) rules match; new
 * connections pass them over.
 */
export function forwardVerdict(path: ForwardPath, inIf: string | undefined, outIf: string | undefined, replies: boolean): ForwardDecision {
  for (const rule of path.rules) {
    if ((inIf !== undefined && !matchesInterface(rule.in, inIf)) || (outIf !== undefined && !matchesInterface(rule.out, outIf))) continue;
    if (rule.stateful && !replies) continue;
    const v = rule.verdict.toLowerCase();
    if (v === 'accept') return {verdict: 'accept', rule};
    if (v === 'drop' || v === 'reject') {
      if (hasHiddenConditions(rule.text)) continue;
      return {verdict: 'drop', rule};
    }
    // RETURN from a base chain ends it: the policy decides.
    if (v === 'return') break;
    if (v.startsWith('jump') || v.startsWith('goto') || v === 'queue' || v === 'nfqueue') return {verdict: 'unknown', rule};
  }
  return {verdict: path.policy.toLowerCase() === 'accept' ? 'accept' : 'drop'};
}

/** Matches beyond interfaces and conntrack state (protocol, ports, addresses, other modules). */
export function hasHiddenConditions(text: string): boolean {
  const t = ` ${withoutCounters(text)
    .replace(/--reject-with\s+\S+/g, '')
    .replace(/\breject with .*$/, 'reject')
    .replace(/-m (state|conntrack|comment)\b/g, '')} `;
  return /\s(-p|--protocol|-s|--source|-d|--destination|--[sd]ports?|-m)\s/.test(t) || /\s(ip6?\s+[sd]addr|tcp|udp|th|icmp|icmpv6|l4proto|ct state (new|invalid|untracked)|meta (l4proto|nfproto))\b/.test(t);
}
