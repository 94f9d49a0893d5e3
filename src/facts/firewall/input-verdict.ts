// The one answer to "does this host let a packet to itself in?" (a GRE or VXLAN packet from a
// tunnel peer), over the input paths of any backend (iptables INPUT, nft input hook chains,
// firewalld zones, SuSEfirewall2). A rule's conditions are judged three-valued: protocol, source,
// destination port, conntrack state and input interface are known for the packet; what tapdoctor
// cannot judge (marks, fib, limits, ...) may or may not hold. Every branch is followed, so the
// answer is "accept", "drop", or "conditional" (dropped or accepted depending on a condition
// tapdoctor cannot judge), or "unknown" (a jump into a chain it does not see, a queue).
import {ipv4ToNumber, netContains, parseIpv4Net} from '../ipv4.js';
import {matchesInterface, type InputPath, type InputRule} from './model.js';

/** The first packet of a tunnel flow from a peer (conntrack state NEW, nothing rewrote it). */
export interface InputPacket {
  protocol: 'gre' | 'udp';
  source: string;
  dport?: number;
  /** The interface it arrives on; undefined: rules on interfaces may or may not match. */
  inIf?: string;
}

export type InputVerdict = 'accept' | 'drop' | 'conditional' | 'unknown';

export interface InputDecision {
  verdict: InputVerdict;
  path: InputPath;
  /** The rule that drops (or may drop), the unknown jump; undefined when the policy decides. */
  rule?: InputRule;
  /** The rule whose condition tapdoctor cannot judge (conditional answers). */
  condition?: InputRule;
  /** Chains the packet surely entered by jump or goto, in order (firewalld's zone chain among them). */
  via: string[];
}

type Tri = 'yes' | 'no' | 'maybe';

const PROTOCOL_NUMBERS: Record<string, number> = {icmp: 1, igmp: 2, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, 'ipv6-icmp': 58, icmpv6: 58, sctp: 132, udplite: 136, dccp: 33};
/** Port names as /etc/services spells the ones a tunnel or its neighbours use. */
const PORT_NAMES: Record<string, number> = {vxlan: 4789, ssh: 22, domain: 53, http: 80, https: 443};

function protocolNumber(name: string): number | undefined {
  const n = name.toLowerCase();
  if (/^\d+$/.test(n)) return Number(n);
  return PROTOCOL_NUMBERS[n];
}

/** A list of values judged one by one: yes if one surely matches, no if none can, else maybe. */
function anyOf(values: string[], test: (v: string) => Tri): Tri {
  let result: Tri = 'no';
  for (const v of values) {
    const t = test(v);
    if (t === 'yes') return 'yes';
    if (t === 'maybe') result = 'maybe';
  }
  return result;
}

const negate = (t: Tri, negated: boolean): Tri => (!negated || t === 'maybe' ? t : t === 'yes' ? 'no' : 'yes');

function addressHit(value: string, source: string): Tri {
  const addr = ipv4ToNumber(source);
  if (addr === undefined) return 'maybe';
  if (value.includes(':')) return 'no'; // an IPv6 network never holds an IPv4 source
  const range = /^([\d.]+)-([\d.]+)$/.exec(value);
  if (range) {
    const lo = ipv4ToNumber(range[1]!);
    const hi = ipv4ToNumber(range[2]!);
    return lo === undefined || hi === undefined ? 'maybe' : addr >= lo && addr <= hi ? 'yes' : 'no';
  }
  const net = parseIpv4Net(value.includes('/') ? value : `${value}/32`);
  if (!net) return 'maybe';
  return netContains(net, addr) ? 'yes' : 'no';
}

function portHit(value: string, port: number): Tri {
  const range = /^(\d+)-(\d+)$/.exec(value);
  if (range) return port >= Number(range[1]) && port <= Number(range[2]) ? 'yes' : 'no';
  const n = /^\d+$/.test(value) ? Number(value) : PORT_NAMES[value.toLowerCase()];
  if (n === undefined) return 'maybe';
  return n === port ? 'yes' : 'no';
}

/** A packet from a peer never arrives on loopback: a rule for `lo` only is no match, others may be. */
function unknownInterface(rule: InputRule): Tri {
  const positives = (rule.in ?? []).filter((m) => !m.negated);
  return positives.length > 0 && positives.every((m) => m.name === 'lo') ? 'no' : 'maybe';
}

/** Whether a rule's conditions hold for the packet. */
function ruleMatches(rule: InputRule, pkt: InputPacket): Tri {
  const w = rule.when;
  const parts: Tri[] = [];
  if (w.never !== undefined) return 'no';
  if (w.family === 'ipv6') return 'no';
  if (rule.in && rule.in.length > 0) parts.push(pkt.inIf === undefined ? unknownInterface(rule) : matchesInterface(rule.in, pkt.inIf) ? 'yes' : 'no');
  const proto = protocolNumber(pkt.protocol)!;
  if (w.protocols) parts.push(negate(anyOf(w.protocols.values, (v) => (v === 'all' || v === '0' ? 'yes' : protocolNumber(v) === undefined ? 'maybe' : protocolNumber(v) === proto ? 'yes' : 'no')), w.protocols.negated));
  if (w.sources) parts.push(negate(anyOf(w.sources.values, (v) => addressHit(v, pkt.source)), w.sources.negated));
  if (w.dports) parts.push(pkt.dport === undefined ? 'no' : negate(anyOf(w.dports.values, (v) => portHit(v, pkt.dport!)), w.dports.negated));
  if (w.ctStates) parts.push(negate(w.ctStates.values.includes('new') ? 'yes' : 'no', w.ctStates.negated));
  if (w.opaque.length > 0) parts.push('maybe');
  if (parts.includes('no')) return 'no';
  return parts.includes('maybe') ? 'maybe' : 'yes';
}

interface Outcome {
  kind: 'accept' | 'drop' | 'unknown';
  rule?: InputRule;
  condition?: InputRule;
}

interface ChainResult {
  outcomes: Outcome[];
  /** The packet may come back to the caller (end of a user chain, return). */
  mayReturn: boolean;
  condition?: InputRule;
}

const MAX_DEPTH = 16;

function terminal(verdict: string): 'accept' | 'drop' | 'return' | 'unknown' | 'jump' | 'goto' | undefined {
  const v = verdict.toLowerCase();
  if (v === 'accept') return 'accept';
  if (v === 'drop' || v === 'reject') return 'drop';
  if (v === 'return') return 'return';
  if (v.startsWith('jump ')) return 'jump';
  if (v.startsWith('goto ')) return 'goto';
  if (v === 'queue' || v === 'nfqueue' || v === 'unknown') return 'unknown';
  return undefined; // log, counter-only, continue, an extension target that lets the packet go on
}

function evalChain(path: InputPath, rules: InputRule[], pkt: InputPacket, depth: number, inherited: InputRule | undefined, via: string[]): ChainResult {
  const outcomes: Outcome[] = [];
  let condition = inherited;
  for (const rule of rules) {
    const m = ruleMatches(rule, pkt);
    if (m === 'no') continue;
    const t = terminal(rule.verdict);
    if (t === undefined) continue;
    const cond = m === 'maybe' ? (condition ?? rule) : condition;
    if (t === 'return') {
      if (m === 'yes') return {outcomes, mayReturn: true, ...(condition ? {condition} : {})};
      condition = cond;
      continue;
    }
    if (t === 'jump' || t === 'goto') {
      const target = path.chains[rule.verdict.slice(5).trim()];
      if (!target || depth >= MAX_DEPTH) {
        outcomes.push({kind: 'unknown', rule, ...(cond ? {condition: cond} : {})});
        if (m === 'yes') return {outcomes, mayReturn: false};
        condition = cond;
        continue;
      }
      if (m === 'yes' && cond === undefined) via.push(rule.verdict.slice(5).trim());
      const sub = evalChain(path, target, pkt, depth + 1, cond, via);
      outcomes.push(...sub.outcomes);
      // goto: a return from the target goes back to this chain's caller
      if (m === 'yes' && (t === 'goto' || !sub.mayReturn)) return {outcomes, mayReturn: t === 'goto' && sub.mayReturn, ...(sub.condition ? {condition: sub.condition} : {})};
      condition = m === 'maybe' ? cond : (sub.condition ?? condition);
      continue;
    }
    outcomes.push({kind: t, rule, ...(cond ? {condition: cond} : {})});
    if (m === 'yes') return {outcomes, mayReturn: false};
    condition = cond;
  }
  return {outcomes, mayReturn: true, ...(condition ? {condition} : {})};
}

/** What one input path does with the packet. */
function inputVerdict(path: InputPath, pkt: InputPacket): InputDecision {
  const via: string[] = [];
  const res = evalChain(path, path.rules, pkt, 0, undefined, via);
  const outcomes = [...res.outcomes];
  if (res.mayReturn) outcomes.push({kind: path.policy.toLowerCase() === 'accept' ? 'accept' : 'drop', ...(res.condition ? {condition: res.condition} : {})});
  const unknown = outcomes.find((o) => o.kind === 'unknown');
  if (unknown) return decision('unknown', path, unknown, via);
  const drop = outcomes.find((o) => o.kind === 'drop');
  if (!drop) return {verdict: 'accept', path, via};
  if (outcomes.every((o) => o.kind === 'drop')) return decision('drop', path, drop, via);
  return decision('conditional', path, drop, via);
}

function decision(verdict: InputVerdict, path: InputPath, o: Outcome, via: string[]): InputDecision {
  const d: InputDecision = {verdict, path, via};
  if (o.rule) d.rule = o.rule;
  if (o.condition && verdict !== 'drop') d.condition = o.condition;
  return d;
}

/**
 * What a set of input paths (every chain on the input hook of one ruleset) does with the packet:
 * it must pass all of them, so a drop anywhere drops it. IPv6-only paths never see it.
 */
export function hostInputVerdict(paths: readonly InputPath[], pkt: InputPacket): InputDecision | undefined {
  const decisions = paths.filter((p) => p.family !== 'ip6').map((p) => inputVerdict(p, pkt));
  for (const v of ['drop', 'conditional', 'unknown'] as const) {
    const d = decisions.find((x) => x.verdict === v);
    if (d) return d;
  }
  return decisions[0];
}
