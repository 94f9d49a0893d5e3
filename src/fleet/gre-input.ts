// Does a host's firewall let GRE (IP protocol 47) in from a tunnel peer? Evaluated over the filter
// INPUT chain of iptables-save text (live dump and persisted rule files): first matching rule
// decides, user chains are followed, the policy ends it. nft and firewalld rules are not evaluated
// here: such a host gets "not evaluated", never "accepted".
import type {Facts} from '../facts/facts.js';
import {parseIptablesSave, chainRules, type IptRule, type IptTable} from '../parsers/iptables/index.js';
import {ipv4ToNumber, parseIpv4Net, netContains} from '../facts/ipv4.js';

export interface GreInputVerdict {
  peer: string;
  /** 'live' (iptables-save of the running host) or the persisted file's path. */
  where: string;
  verdict: 'accept' | 'reject' | 'drop';
  /** The rule (or policy line) that decided. */
  rule: string;
  line?: number;
}

const GRE = new Set(['gre', '47']);

export function greInputVerdicts(f: Facts, peers: readonly string[]): GreInputVerdict[] {
  if (peers.length === 0) return [];
  const out: GreInputVerdict[] = [];
  const live = f.view.command('iptables.save');
  if (live.ok) out.push(...verdictsFor(live.value.text, 'live', peers));
  const files = f.view.entries('firewall.files');
  if (files.ok) for (const file of files.value) if (/^\s*\*filter\b/m.test(file.text)) out.push(...verdictsFor(file.text, file.name, peers));
  return out;
}

function verdictsFor(text: string, where: string, peers: readonly string[]): GreInputVerdict[] {
  const dump = parseIptablesSave(text, where, {tolerant: true});
  const filter = dump.tables.find((t) => t.name === 'filter');
  if (!filter || !filter.chains.has('INPUT')) return [];
  const out: GreInputVerdict[] = [];
  for (const peer of peers) {
    const v = walk(filter, 'INPUT', peer, 0);
    if (v && v.verdict !== 'accept') out.push({peer, where, ...v});
    else if (!v) {
      const policy = filter.chains.get('INPUT')!.policy ?? 'ACCEPT';
      if (policy !== 'ACCEPT') out.push({peer, where, verdict: policy === 'DROP' ? 'drop' : 'reject', rule: `:INPUT ${policy}`, line: filter.chains.get('INPUT')!.line});
    }
  }
  return out;
}

type Decision = {verdict: GreInputVerdict['verdict']; rule: string; line: number} | 'return' | undefined;

function walk(table: IptTable, chain: string, peer: string, depth: number): Exclude<Decision, 'return'> {
  const d = walkChain(table, chain, peer, depth);
  return d === 'return' ? undefined : d;
}

function walkChain(table: IptTable, chain: string, peer: string, depth: number): Decision {
  if (depth > 16) return undefined;
  for (const rule of chainRules(table, chain)) {
    if (!matchesGreFrom(rule, peer)) continue;
    const target = rule.target?.name;
    if (!target) continue;
    if (target === 'ACCEPT') return {verdict: 'accept', rule: rule.text, line: rule.line};
    if (target === 'DROP') return {verdict: 'drop', rule: rule.text, line: rule.line};
    if (target === 'REJECT') return {verdict: 'reject', rule: rule.text, line: rule.line};
    if (target === 'RETURN') return 'return';
    if (table.chains.has(target)) {
      const inner = walkChain(table, target, peer, depth + 1);
      if (inner && inner !== 'return') return inner;
      if (rule.target?.kind === 'goto') return 'return';
    }
  }
  return undefined;
}

/** Whether a rule matches the first GRE packet from `peer` (a new flow, any input interface). */
function matchesGreFrom(rule: IptRule, peer: string): boolean {
  if (rule.protocol) {
    const hit = rule.protocol.name === 'all' || rule.protocol.name === '0' || GRE.has(rule.protocol.name.toLowerCase());
    if (hit === rule.protocol.negated) return false;
  }
  if (rule.source) {
    const net = parseIpv4Net(rule.source.addr.includes('/') ? rule.source.addr : `${rule.source.addr}/32`);
    const addr = ipv4ToNumber(peer);
    if (!net || addr === undefined) return false;
    if (netContains(net, addr) === rule.source.negated) return false;
  }
  for (const m of rule.modules) {
    // conntrack: the first packet of a tunnel is NEW; a rule for ESTABLISHED,RELATED only does not match it.
    if (m.name === 'conntrack' || m.name === 'state') {
      const opt = m.options.find((o) => o.name === '--ctstate' || o.name === '--state');
      if (!opt) continue;
      const states = opt.values.join(',').split(',').map((s) => s.toUpperCase());
      if (states.includes('NEW') === opt.negated) return false;
      continue;
    }
    if (m.name === 'comment') continue;
    // Any other match (ports, marks, addrtype, ...) is not one a GRE packet is judged by here.
    return false;
  }
  return true;
}
