// Does a host's firewall let the tunnel packets of a peer in (GRE: IP protocol 47; VXLAN: UDP
// 4789), now and after the next boot? One answer per firewall the host has: the running rules of
// every backend (iptables, nft, firewalld zones when their rules are not visible), and what each
// enabled firewall unit loads at boot (its rule files, firewalld's permanent zones,
// SuSEfirewall2's sysconfig file). Plain data: a fleet worker thread posts it.
import type {Facts} from './facts.js';
import {FactUnavailable} from './facts.js';
import {hostInputVerdict, type InputPacket, type InputVerdict} from './firewall/input-verdict.js';
import {zoneInputPath} from './firewall/firewalld.js';
import {liveFirewall} from './firewall/live.js';
import {persistedFirewall} from './firewall/persisted.js';
import {suseFirewall2, suseFirewall2InputPath} from './firewall/susefirewall2.js';
import type {InputPath, PersistedRuleFile} from './firewall/model.js';
import {enabledUnits} from './host/units.js';
import {bootRuleFiles, FIREWALL_UNITS} from './persistence.js';
import {fileText} from './file-evidence.js';
import {splitLines} from '../parsers/errors.js';

export type TunnelType = 'gre' | 'vxlan';

export interface TunnelPeer {
  address: string;
  type: TunnelType;
  /** VXLAN destination port (options:dst_port); 4789 when unset. */
  dport?: number;
}

export interface TunnelInputVerdict {
  peer: string;
  tunnel: TunnelType;
  /** 'live', or what the next boot loads: a rule file, `firewalld permanent`, the SuSEfirewall2 file. */
  where: string;
  /** The source the evidence comes from (`nft.ruleset`, `firewall.files`, ...). */
  source: string;
  backend: string;
  verdict: InputVerdict;
  /** The input chain that decided (`inet filter input`, `filter INPUT`, `firewalld zones`). */
  family: string;
  table: string;
  chain: string;
  /** The rule that drops (or may), or the jump tapdoctor cannot follow; absent when the policy decides. */
  rule?: {text: string; line?: number; verdict: string; chain: string};
  /** The chain policy that decides (when no rule does). */
  policy?: {text: string; line?: number};
  /** The rule whose condition tapdoctor cannot judge (verdict conditional). */
  condition?: {text: string; line?: number};
  /** The firewalld zone the packet lands in, when firewalld decides. */
  zone?: string;
  /** An iptables-save rule file: where an accept goes in INPUT (before its first rule, else after `:INPUT`). */
  insertAt?: {line: number; text: string; before: boolean};
}

export const VXLAN_PORT = 4789;

/** Every verdict (accept included) for every peer, live and persisted; what could not be read is in `unknown`. */
export function tunnelInputVerdicts(f: Facts, peers: readonly TunnelPeer[], inIf?: string): {verdicts: TunnelInputVerdict[]; unknown: string[]} {
  const verdicts: TunnelInputVerdict[] = [];
  const unknown: string[] = [];
  if (peers.length === 0) return {verdicts, unknown};
  const judge = (paths: readonly InputPath[], where: string, source: string, lines?: readonly string[]) => {
    for (const peer of peers) {
      const pkt: InputPacket = peer.type === 'gre' ? {protocol: 'gre', source: peer.address} : {protocol: 'udp', source: peer.address, dport: peer.dport ?? VXLAN_PORT};
      if (inIf !== undefined) pkt.inIf = inIf;
      const d = hostInputVerdict(paths, pkt);
      if (!d) continue;
      const v: TunnelInputVerdict = {peer: peer.address, tunnel: peer.type, where, source, backend: d.path.backend, verdict: d.verdict, family: d.path.family, table: d.path.table, chain: d.path.chain};
      if (d.rule) v.rule = {text: d.rule.text, verdict: d.rule.verdict, chain: d.rule.chain, ...(d.rule.line !== undefined ? {line: d.rule.line} : {})};
      else v.policy = {text: policyText(d.path), ...(d.path.policyLine !== undefined ? {line: d.path.policyLine} : {})};
      if (d.condition) v.condition = {text: d.condition.text, ...(d.condition.line !== undefined ? {line: d.condition.line} : {})};
      const zone = [d.rule?.chain, ...[...d.via].reverse()].map(zoneOfChain).find((z) => z !== undefined);
      if (zone) v.zone = zone;
      if (lines && d.path.chain === 'INPUT' && d.path.backend !== 'nftables') {
        const first = d.path.rules[0];
        if (first?.line !== undefined) v.insertAt = {line: first.line, text: lines[first.line - 1] ?? first.text, before: true};
        else if (d.path.policyLine !== undefined) v.insertAt = {line: d.path.policyLine, text: lines[d.path.policyLine - 1] ?? '', before: false};
      }
      verdicts.push(v);
    }
  };

  const live = f.try(liveFirewall);
  if (live.ok) {
    // Each source's chains stand for themselves in evidence: group the paths by origin.
    for (const [origin, paths] of byOrigin(live.value.input())) judge(paths, 'live', origin);
  } else unknown.push(`live firewall: ${live.reason}`);

  try {
    judgePersisted(f, judge, live.ok && live.value.zones?.running === true);
  } catch (error) {
    if (!(error instanceof FactUnavailable)) throw error;
    unknown.push(`persisted firewall: ${error.reason}`);
  }
  return {verdicts, unknown};
}

function judgePersisted(f: Facts, judge: (paths: readonly InputPath[], where: string, source: string, lines?: readonly string[]) => void, firewalldRunning: boolean): void {
  const enabled = f.try(enabledUnits);
  const persisted = f.try(persistedFirewall);
  const judgeFile = (file: PersistedRuleFile) => {
    // A file that does not load leaves no rules behind at boot (TD104 and the gate report it).
    if (file.loadErrors.length === 0) judge(file.view.input(), file.path, 'firewall.files', file.format === 'iptables-save' ? splitLines(fileText(f, 'firewall.files', file.path)) : undefined);
  };
  const judgeZones = () => {
    if (persisted.ok && persisted.value.zones) judge([zoneInputPath(persisted.value.zones, 'firewalld permanent')], 'firewalld permanent', 'firewalld.files');
  };
  if (!enabled.ok) {
    // Which units start at boot is unknown: every persisted rule file and, with firewalld running, its zones.
    if (!persisted.ok) throw new FactUnavailable(persisted.reason);
    for (const file of persisted.value.files) judgeFile(file);
    if (firewalldRunning) judgeZones();
    return;
  }
  let texts: Map<string, string> | undefined; // the rule files' texts, read once for every unit
  for (const u of FIREWALL_UNITS.filter((x) => enabled.value.has(x.unit))) {
    if (u.kind === 'susefirewall2') {
      const sf2 = f.try(suseFirewall2);
      if (sf2.ok && sf2.value) judge([suseFirewall2InputPath(sf2.value.config)], sf2.value.config.path, 'susefirewall2.files');
      continue;
    }
    if (!persisted.ok) throw new FactUnavailable(persisted.reason);
    if (u.kind === 'firewalld') {
      judgeZones();
      continue;
    }
    texts ??= new Map(persisted.value.files.map((x) => [x.path, fileText(f, 'firewall.files', x.path)]));
    for (const file of bootRuleFiles(f, u, persisted.value.files, texts, []).files) judgeFile(file);
  }
}

function byOrigin(paths: readonly InputPath[]): Map<string, InputPath[]> {
  const out = new Map<string, InputPath[]>();
  for (const p of paths) out.set(p.origin, [...(out.get(p.origin) ?? []), p]);
  return out;
}

function policyText(p: InputPath): string {
  if (p.backend === 'nftables') return `table ${p.family} ${p.table} chain ${p.chain}: policy ${p.policy}`;
  return `:${p.chain} ${p.policy.toUpperCase()}`;
}

/** The zone of a firewalld chain: our zone paths (`zone public`), firewalld's nft chains (`filter_IN_public_allow`) or iptables chains (`IN_public_deny`). */
function zoneOfChain(chain: string | undefined): string | undefined {
  if (chain === undefined) return undefined;
  const m = /^zone (\S+)$/.exec(chain) ?? /^(?:filter_)?IN_(.+?)(?:_(?:pre|log|deny|allow|post))?$/.exec(chain);
  return m?.[1];
}
