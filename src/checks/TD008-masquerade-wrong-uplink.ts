// TD008: the masquerade and FORWARD rules name interfaces that are not the real uplink, or no
// masquerade covers the uplink at all (the Fedora incident: `-o eth0` while the host's uplink was
// eth2, em3, bondbr0 ...). Judged on the live firewall, whichever backend (iptables, nftables,
// firewalld zones). Four questions:
//  1. Does an effective IPv4 masquerade cover the uplink? (wildcards count; rules for br1 and
//     ovs-system are SUSE's deliberate extras; a bond is named by its master)
//  2. Does a source-NAT rule match a SUT range (-s 10.0.2.0/24)? After the OpenFlow rewrite SUT
//     traffic reaches the host from REWRITE_TARGET/16, so such a rule never matches.
//  3. Would a FORWARD chain that rejects by default let SUT traffic out by the uplink and the
//     replies back to the bridge?
//  4. With firewalld: is the uplink in exactly one zone, and are the bridge and ovs-system in the
//     zone that masquerades for it?
// Misplaced NAT rules (filter table, unreachable chains) are TD002's; they still count as "a rule
// for the uplink" here so one fault gives one finding.
import {firewalldDown, FIREWALLD_UNIT, liveFirewall, masqueradesFor, matchesInterface, persistedFirewall, skippedNote, type FirewallView, type ForwardDecision, type ForwardPath, type ForwardRule, type IfMatch, type NatRule} from '../facts/firewall/index.js';
import type {Facts} from '../facts/facts.js';
import {ifcfgFiles} from '../facts/network-config/index.js';
import {ifcfgLine} from '../facts/network-config/index.js';
import {formatNet, netContains, netsOverlap, parseIpv4Net, type Ipv4Net} from '../facts/ipv4.js';
import {links} from '../facts/network.js';
import {SWITCH_DEFAULTS, switchConfig} from '../facts/openqa.js';
import type {Link} from '../facts/types.js';
import type {Evidence} from '../model.js';
import {defineCheck, evidence, skip, type FindingDraft} from './define.js';
import meta from './TD008-masquerade-wrong-uplink.meta.js';
import {editLine, editLinePattern, setVar} from '../remedies/files.js';
import {firewalldAddMasquerade, firewalldChangeInterface, firewalldReload, firewalldRemoveInterface, iptablesRule, iptablesRuleSpec, iptablesTool, natPersistKey, nftRule, nftRuleStatement, reloadRuleFile, replaceIptablesRule, replaceNftRule} from '../remedies/firewall.js';
import {withoutCounters} from '../parsers/iptables/numbers.js';
import {bre} from '../remedies/shell.js';
import {manual, step, type Step} from '../remedies/step.js';
import {withFirewallLimits} from './firewall-limits.js';
import {enableUnit, look, startUnit} from '../remedies/system.js';
import type {FirewalldDown} from '../facts/firewall/index.js';
import {uplink} from '../facts/uplink.js';
import {bridgeForwarding} from '../facts/bridge-forwarding.js';

interface Ctx {
  f: Facts;
  view: FirewallView;
  uplink: string;
  uplinkWhy: string;
  bridge: string;
  /** Where SUT traffic comes from after the OpenFlow rewrite (REWRITE_TARGET/16). */
  sutSource: Ipv4Net | undefined;
  /** LOCAL_IP/NETMASK: the SUTs' own network, which never reaches the NAT. */
  sutNet: Ipv4Net | undefined;
  links: Link[];
  /** The persisted lines of a live NAT rule (see persistedNatLookup). */
  persistedNat: (live: NatRule) => PersistedHit[];
  /** otherInterfaceRules by family, once worked out (the message and the fix both read them). */
  otherRules: Partial<Record<'IPv4' | 'IPv6', NatRule[]>>;
}

export default defineCheck(meta, (f) => withFirewallLimits(f, () => {
  const view = f.get(liveFirewall);
  const known = f.try(uplink);
  if (!known.ok) return skip(`no uplink to judge the rules by: ${known.reason}`);
  const up = known.value;
  const sw = f.try(switchConfig);
  const bridge = sw.ok ? sw.value.bridge : SWITCH_DEFAULTS.OS_AUTOINST_USE_BRIDGE;
  // SUT sources after the rewrite: REWRITE_TARGET with the low 16 bits from the SUT's MAC.
  const sutSource = parseIpv4Net(`${sw.ok ? sw.value.rewriteTarget : SWITCH_DEFAULTS.OS_AUTOINST_BRIDGE_REWRITE_TARGET}/16`);
  const sutNet = sw.ok && Number.isInteger(sw.value.netmask) ? parseIpv4Net(`${sw.value.localIp}/${sw.value.netmask}`) : undefined;
  const all = f.try(links);
  const ctx: Ctx = {
    f,
    view,
    uplink: up.name,
    uplinkWhy: up.why,
    bridge,
    sutSource,
    sutNet,
    links: all.ok ? all.value : [],
    persistedNat: persistedNatLookup(f),
    otherRules: {},
  };
  const sutRange = sutRangeFindings(ctx);
  return [...sutRange.findings, ...masqueradeFindings(ctx, sutRange.coverUplink), ...forwardFindings(ctx), ...zoneFindings(ctx)];
}));

// --- rendering --------------------------------------------------------------------------------

/** The rule as the subject: iptables text without its counters, nft text with its table and chain. */
function ruleSubject(r: {backend: string; text: string; family?: string; table?: string; chain: string}): string {
  const text = withoutCounters(r.text);
  return r.backend === 'nftables' ? `${r.family ?? ''} ${r.table ?? ''} ${r.chain}: ${text}`.trim() : text;
}

function ruleEvidence(r: NatRule | (ForwardRule & {family?: string; table?: string})): Evidence {
  const where = r.line !== undefined ? `line ${r.line}: ` : r.backend === 'nftables' ? `${r.family ?? ''} ${r.table ?? ''} ${r.chain}: `.trimStart() : '';
  return evidence(r.origin, `${where}${r.text}`);
}

const names = (m: IfMatch[] | undefined) => (m ?? []).filter((x) => !x.negated).map((x) => x.name);

const NONE: readonly IfMatch[] = [];

/** The interfaces the rules name (positively), each once, in order of appearance. */
function namesIn(rules: readonly NatRule[]): string[] {
  const seen = new Set<string>();
  for (const r of rules) for (const x of r.out ?? NONE) if (!x.negated) seen.add(x.name);
  return [...seen];
}

const isV4 = (r: NatRule) => r.family === 'ip' || r.family === 'inet';
const isV6 = (r: NatRule) => r.family === 'ip6' || r.family === 'inet';
const isSourceNat = (r: NatRule) => r.action === 'masquerade' || r.action === 'snat';

/** Which backend to write the fix for: firewalld when it runs, iptables when only iptables holds rules, else nftables. */
function fixBackend(view: FirewallView): 'firewalld' | 'iptables' | 'nftables' {
  if (view.zones?.running) return 'firewalld';
  if (!view.backends.includes('nftables') && view.backends.some((b) => b.startsWith('iptables'))) return 'iptables';
  return 'nftables';
}

interface PersistedHit {
  path: string;
  line: number;
  text: string;
}

/**
 * Persisted NAT rules like a live one (same action, table family, chain, interface names, source).
 * Asked for each of possibly thousands of live rules, against files that may hold as many: the
 * persisted rules are filed once by all of that (natLookupKey), and a live rule is one look-up.
 */
function persistedNatLookup(f: Facts): (live: NatRule) => PersistedHit[] {
  let byKey: Map<string, PersistedHit[]> | undefined;
  return (live) => {
    if (!byKey) {
      byKey = new Map();
      const p = f.try(persistedFirewall);
      for (const file of p.ok ? p.value.files : []) {
        for (const rule of file.view.nat) {
          if (rule.line === undefined) continue;
          const key = natLookupKey(rule);
          let list = byKey.get(key);
          if (!list) byKey.set(key, (list = []));
          list.push({path: file.path, line: rule.line, text: withoutCounters(rule.text)});
        }
      }
    }
    return byKey.get(natLookupKey(live)) ?? [];
  };
}

/** What makes two NAT rules alike for persistedNatLookup: action, family, chain (in any case), source net, out-interface names. */
function natLookupKey(r: NatRule): string {
  return `${r.action}\n${r.family}\n${r.chain.toLowerCase()}\n${r.sourceNet === undefined ? '-' : `=${r.sourceNet}`}\n${namesKey(r.out)}`;
}

function persistedForward(f: Facts, live: ForwardRule): PersistedHit[] {
  const p = f.try(persistedFirewall);
  if (!p.ok) return [];
  return p.value.files.flatMap((file) =>
    file.view.forward.flatMap((path) =>
      path.rules
        .filter((r) => r.verdict === live.verdict && r.stateful === live.stateful && sameNames(r.in, live.in) && sameNames(r.out, live.out) && r.line !== undefined)
        .map((r) => ({path: file.path, line: r.line!, text: withoutCounters(r.text)})),
    ),
  );
}

function sameNames(a: IfMatch[] | undefined, b: IfMatch[] | undefined): boolean {
  return namesKey(a) === namesKey(b);
}

/**
 * The interface names of a match list in any order, each with its negation and length (`n2:lo,p4:eth0`),
 * so that a name as written (`!lo`, `a,b`) never reads as a negation or a separator.
 */
function namesKey(m: IfMatch[] | undefined): string {
  return (m ?? []).map((x) => `${x.negated ? 'n' : 'p'}${x.name.length}:${x.name}`).sort().join(',');
}

/** A sed that swaps one interface name for another on one line of a rule file. */
function sedSwap(hit: PersistedHit, from: string, to: string, opts: {note?: string; satisfies?: string[]} = {}): Step {
  const quoted = hit.text.includes(`"${from}"`);
  const pattern = quoted ? `"${bre(from)}"` : `\\b${bre(from)}\\b`;
  return editLinePattern(hit.path, hit.line, pattern, quoted ? `"${to}"` : to, opts);
}

// --- 1. masquerade for the uplink ---------------------------------------------------------------

function effectiveForSuts(ctx: Ctx, r: NatRule): boolean {
  if (r.sourceNet === undefined) return true;
  const net = parseIpv4Net(r.sourceNet);
  // IPv6 or unparsable sources: not ours to judge.
  if (!net) return true;
  return ctx.sutSource === undefined || netsOverlap(net, ctx.sutSource);
}

function masqueradeFindings(ctx: Ctx, sutRangeCoversUplink: boolean): FindingDraft[] {
  const {view, uplink} = ctx;
  const forUplink = masqueradesFor(view, uplink);
  const v4 = forUplink.filter((r) => isV4(r) && effectiveForSuts(ctx, r));
  const v6 = forUplink.filter(isV6);
  const anyV6Intent = view.nat.some((r) => isSourceNat(r) && isV6(r) && r.family === 'ip6');
  const out: FindingDraft[] = [];
  if (v4.length === 0 && !sutRangeCoversUplink) out.push(uncovered(ctx, forUplink, 'IPv4', anyV6Intent && v6.length === 0));
  else if (anyV6Intent && v6.length === 0) {
    const v6Finding = uncovered(ctx, forUplink, 'IPv6', false);
    // firewalld down is one fault for both families: its own severity; the IPv6 kind is a warning by its meta.
    out.push(v6Finding.kind === 'firewalld-down' ? {...v6Finding, severity: 'warning'} : v6Finding);
  }
  return out;
}

/** Masquerade rules that name specific interfaces, none of them the uplink or a deliberate SUSE extra. */
function otherInterfaceRules(ctx: Ctx, family: 'IPv4' | 'IPv6'): NatRule[] {
  const deliberate = new Set([ctx.bridge, 'ovs-system']);
  return (ctx.otherRules[family] ??= ctx.view.nat.filter((r) => {
    if (!isSourceNat(r) || r.zone !== undefined) return false;
    if (family === 'IPv4' ? !isV4(r) : !(r.family === 'ip6')) return false;
    return namesOtherThan(r.out, deliberate) && !matchesInterface(r.out, ctx.uplink);
  }));
}

/** Whether the list names (positively) an interface that is not in `names`. */
function namesOtherThan(m: IfMatch[] | undefined, names: ReadonlySet<string>): boolean {
  for (const x of m ?? NONE) if (!x.negated && !names.has(x.name)) return true;
  return false;
}

/** The finding for a family no masquerade covers; `forUplink`: masqueradesFor the uplink. */
function uncovered(ctx: Ctx, forUplink: NatRule[], family: 'IPv4' | 'IPv6', ipv6Too: boolean): FindingDraft {
  const {view, uplink} = ctx;
  // firewalld set up here but not running: that is why nothing masquerades, and starting it the fix.
  const down = ctx.f.get(firewalldDown);
  if (down) return firewalldDownFinding(ctx, down, family, ipv6Too);
  const wrong = otherInterfaceRules(ctx, family);
  const slaves = ctx.links.filter((l) => l.master === uplink).map((l) => l.name);
  const wrongNames = namesIn(wrong);
  const zone = view.zones?.running ? view.zones.zoneOf(uplink) : undefined;

  // Lines the parser skipped may hold the rule: say so instead of claiming it is absent.
  const unread = skippedNote(view);
  let what = `no ${family} masquerade covers the uplink ${uplink} (${ctx.uplinkWhy})${unread ? ' among the rules that could be read' : ''}`;
  if (wrongNames.length > 0) {
    const slaveNote = wrongNames.filter((n) => slaves.includes(n));
    what += `; the rules name ${wrongNames.join(', ')}${slaveNote.length ? ` (${slaveNote.join(', ')} ${slaveNote.length > 1 ? 'are slaves' : 'is a slave'} of ${uplink}: rules must name the master)` : ''}`;
  } else if (view.nat.filter(isSourceNat).length === 0 && !unread) {
    what += '; there is no masquerade rule at all';
  }
  if (unread) what += `; ${unread}, so this finding may be wrong`;
  if (zone !== undefined) what += `; firewalld puts ${uplink} in zone ${zone}`;
  if (ipv6Too) what += '; IPv6 likewise';

  const ev: Evidence[] = wrong.length > 0 ? wrong.map(ruleEvidence) : [];
  // IPv4 rules for the uplink that exist but never match SUT traffic (another source range).
  if (family === 'IPv4') ev.push(...forUplink.filter(isV4).map(ruleEvidence));
  if (ev.length === 0) ev.push(evidence(view.sources[0] ?? 'nft.ruleset', `(no ${family} source-NAT rule; sources read: ${view.sources.join(', ') || 'none'})`));
  return {
    kind: family === 'IPv4' ? 'uplink-not-masqueraded' : 'ipv6-uplink-not-masqueraded',
    subject: uplink,
    message: `${what}; expected a masquerade for traffic leaving by ${uplink}`,
    fix: masqueradeFix(ctx, ipv6Too ? [family, 'IPv6'] : [family]),
    evidence: ev,
  };
}

function firewalldDownFinding(ctx: Ctx, down: FirewalldDown, family: 'IPv4' | 'IPv6', ipv6Too: boolean): FindingDraft {
  const {uplink} = ctx;
  const covering = down.masqueradeZones.filter((z) => z.interfaces.length === 0 || z.interfaces.includes(uplink));
  const zones = (covering.length > 0 ? covering : down.masqueradeZones).map((z) => `zone ${z.zone} masquerades${z.file ? ` (${z.file})` : ''}`);
  const persisted = zones.length > 0 ? `its persisted ${zones.join(', ')}, but` : 'and no persisted zone masquerades either, so even once it runs';
  const ev: Evidence[] = [evidence('firewalld.runtime', down.said)];
  if (down.unitLine) ev.push(evidence('systemd.units', down.unitLine));
  for (const z of down.masqueradeZones) if (z.file) ev.push(evidence('firewalld.files', `${z.file}: <masquerade/>${z.interfaces.length ? `, interfaces ${z.interfaces.join(' ')}` : ''}`));
  const fix: Step[] = [look(`journal:${FIREWALLD_UNIT}`, `journalctl -b -u ${FIREWALLD_UNIT}   # why it stopped`), down.enabled === false ? enableUnit(FIREWALLD_UNIT, true) : startUnit(FIREWALLD_UNIT)];
  if (zones.length === 0) fix.push(firewalldAddMasquerade('trusted'), firewalldReload());
  fix.push(look('nat-after-start', `nft list ruleset | grep -n masquerade   # expect firewalld's masquerade for ${uplink}`));
  return {
    kind: 'firewalld-down',
    subject: uplink,
    message: `no ${family} masquerade covers the uplink ${uplink} (${ctx.uplinkWhy}): firewalld is not running (${down.said.replace(/^firewall-cmd --list-all-zones: /, '')}${down.unitLine ? `; ${down.unitLine.split(' ').slice(0, 4).join(' ')}` : ''}) on a host set up for it (${down.configuredBy.join(', ')}): ${persisted} nothing is in the kernel while it is down${ipv6Too ? '; IPv6 likewise' : ''}; expected a masquerade for traffic leaving by ${uplink}`,
    fix,
    evidence: ev,
  };
}

/** The runtime rule per family, then the persisted lines that name the wrong interface (all families at once), then the reload. */
function masqueradeFix(ctx: Ctx, families: Array<'IPv4' | 'IPv6'>): Step[] {
  const {uplink, view, f} = ctx;
  const backend = fixBackend(view);
  const steps: Step[] = [];
  if (backend === 'firewalld') {
    const zone = view.zones!.zoneOf(uplink) ?? 'trusted';
    const masqZone = view.zones!.zones.find((z) => z.masquerade);
    if (masqZone && masqZone.name !== zone) {
      steps.push(firewalldChangeInterface(masqZone.name, uplink), ...zoneLineFix(f, uplink, masqZone.name));
    } else {
      steps.push(firewalldAddMasquerade(zone));
    }
    steps.push(firewalldReload());
    return steps;
  }
  const wrong: NatRule[] = [];
  for (const family of families) {
    const forFamily = otherInterfaceRules(ctx, family);
    wrong.push(...forFamily);
    steps.push(step('runtime', `nat-now:${family}:${uplink}`, runtimeMasquerade(backend, family, uplink, forFamily[0])));
  }
  // Persist: change the file lines that name the wrong interface, or say where the rule belongs.
  const hits = wrong.flatMap((r) => ctx.persistedNat(r).map((h) => ({h, from: names(r.out)[0]!, family: r.family})));
  for (const {h, from, family} of hits) {
    const fams = family === 'inet' ? ['ip', 'ip6'] : [family === 'ip6' ? 'ip6' : 'ip'];
    steps.push(sedSwap(h, from, uplink, {note: `${h.path} line ${h.line}: ${h.text} -> name ${uplink} instead of ${from}`, satisfies: fams.map((x) => natPersistKey(h.path, uplink, x))}));
  }
  const files = [...new Set(hits.map((x) => x.h.path))];
  if (files.length > 0) steps.push(...files.map((p) => reloadRuleFile(p)));
  else if (wrong.length === 0) steps.push(manual(`nat-file:${uplink}`, 'the rule file to add it to is not known', [`# add the same rule to the rule file the firewall unit loads at boot (${backend === 'iptables' ? '/etc/sysconfig/iptables' : '/etc/firewall.nft or /etc/sysconfig/nftables.conf'})`]));
  else steps.push(manual(`nat-file:${uplink}`, 'the persisted file was not found', ['# change the rule in the configuration that generates the firewall']));
  return steps;
}

/** The command that adds the masquerade now, in the table and chain of a rule that named the wrong interface. */
function runtimeMasquerade(backend: 'iptables' | 'nftables', family: 'IPv4' | 'IPv6', uplink: string, template: NatRule | undefined): string[] {
  if (backend === 'iptables') return [`${family === 'IPv6' ? 'ip6tables' : 'iptables'} -t nat -A ${template?.chain ?? 'POSTROUTING'} -o ${uplink} -j MASQUERADE`];
  const fam = template?.family ?? (family === 'IPv6' ? 'ip6' : 'ip');
  const table = template?.table ?? 'nat';
  const chain = template?.chain ?? 'postrouting';
  const create = template ? [] : [`nft add table ${fam} ${table}`, `nft add chain ${fam} ${table} ${chain} '{ type nat hook postrouting priority srcnat; }'`];
  return [...create, `nft add rule ${fam} ${table} ${chain} oifname "${uplink}" masquerade`];
}

/** The ifcfg `ZONE=` line that would put the uplink back into its old zone at boot (poo#159414). */
function zoneLineFix(f: Facts, iface: string, zone: string): Step[] {
  const files = f.try(ifcfgFiles);
  const file = files.ok ? files.value[iface] : undefined;
  const line = file ? ifcfgLine(file, 'ZONE') : undefined;
  if (!file || !line) return [];
  return [setVar(file.path, 'ZONE', zone, {note: `${file.path} line ${line.line}: ${line.text} -> ZONE='${zone}' (else the old zone returns at boot)`})];
}

// --- 2. source NAT on a SUT range ---------------------------------------------------------------

function sutRangeFindings(ctx: Ctx): {findings: FindingDraft[]; coverUplink: boolean} {
  if (!ctx.sutSource || !ctx.sutNet) return {findings: [], coverUplink: false};
  const target = ctx.sutSource;
  const findings: FindingDraft[] = [];
  let coverUplink = false;
  for (const r of ctx.view.nat) {
    if (!isSourceNat(r) || !isV4(r) || r.sourceNet === undefined) continue;
    const net = parseIpv4Net(r.sourceNet);
    if (!net || !netsOverlap(net, ctx.sutNet) || netContains(net, target.base)) continue;
    if (matchesInterface(r.out, ctx.uplink)) coverUplink = true;
    const good = formatNet(target);
    const hits = ctx.persistedNat(r);
    const fix: Step[] = hits.flatMap((h) => [editLine(h.path, h.line, r.sourceNet!, good, {note: `${h.path} line ${h.line}: ${h.text} -> source ${good}`}), reloadRuleFile(h.path)]);
    if (hits.length === 0) {
      if (r.backend === 'nftables') {
        fix.push(replaceNftRule(`snat-range:${r.text}`, "the rule's handle must be looked up first", {family: r.family, table: r.table, chain: r.chain, text: r.text}, {table: r.table, chain: r.chain, statement: nftRuleStatement(r.text).replace(r.sourceNet, good)}));
      } else {
        const spec = iptablesRuleSpec(r.text);
        fix.push(replaceIptablesRule(`snat-range:${withoutCounters(r.text)}`, iptablesTool(r.backend), {table: r.table, chain: r.chain, spec}, {table: r.table, chain: r.chain, spec: spec.replace(r.sourceNet, good)}));
      }
    }
    findings.push({
      kind: 'snat-sut-range',
      subject: ruleSubject(r),
      message: `source NAT only for ${r.sourceNet}, a SUT range: after the OpenFlow rewrite SUT traffic reaches the host from ${good}, so the rule never matches${matchesInterface(r.out, ctx.uplink) ? ` and nothing masquerades it on ${ctx.uplink}` : ''}`,
      fix,
      evidence: [ruleEvidence(r)],
    });
  }
  return {findings, coverUplink};
}

// --- 3. FORWARD between bridge and uplink -------------------------------------------------------

function forwardFindings(ctx: Ctx): FindingDraft[] {
  const {uplink, bridge} = ctx;
  // firewalld's chains dispatch by zone (judged in zoneFindings); without the switch config the bridge is unknown.
  const judged = ctx.f.try(bridgeForwarding);
  if (!judged.ok) return [];
  const out: FindingDraft[] = [];
  for (const j of judged.value) {
    for (const dir of [
      {inIf: bridge, outIf: uplink, replies: false, label: `SUT traffic from ${bridge} out by ${uplink}`, decision: j.outbound},
      {inIf: uplink, outIf: bridge, replies: true, label: `replies from ${uplink} back to ${bridge}`, decision: j.replies},
    ]) {
      if (dir.decision.verdict !== 'drop') continue;
      const finding = forwardFinding(ctx, j.path, dir, dir.decision);
      if (finding) out.push(finding);
    }
  }
  return out;
}

/**
 * The dropped direction is this check's only when an accept meant for it names another interface
 * than the uplink; a chain with no accept for the bridge at all is TD005's (one fault, one finding).
 */
function forwardFinding(ctx: Ctx, path: ForwardPath, dir: {inIf: string; outIf: string; replies: boolean; label: string}, d: ForwardDecision): FindingDraft | undefined {
  const {uplink, bridge} = ctx;
  // The accept that was meant for this direction but names another interface than the uplink.
  const meant = path.rules.find((r) => {
    if (r.verdict.toLowerCase() !== 'accept') return false;
    if (dir.replies) return r.stateful && names(r.out).includes(bridge) && !matchesInterface(r.in, uplink) && names(r.in).length > 0;
    return names(r.in).includes(bridge) && names(r.out).length > 0 && !matchesInterface(r.out, uplink);
  });
  if (!meant) return undefined;
  const chainName = `${path.family} ${path.table} ${path.chain}`;
  const stopper = d.rule ? `\`${withoutCounters(d.rule.text)}\`` : `the chain policy ${path.policy}`;
  const ev: Evidence[] = [];
  const withTable = (r: ForwardRule) => ({...r, family: path.family, table: path.table});
  ev.push(ruleEvidence(withTable(meant)));
  if (d.rule) ev.push(ruleEvidence(withTable(d.rule)));
  else ev.push(evidence(path.backend === 'nftables' ? 'nft.ruleset' : `${path.backend}.save`, `chain ${path.chain} policy ${path.policy}`));

  const wrongName = names(dir.replies ? meant.in : meant.out)[0];
  const message = `${chainName}: ${dir.label} are dropped by ${stopper}: the ${dir.replies ? 'return' : 'forward'} rule names ${wrongName}, the uplink is ${uplink} (${ctx.uplinkWhy})`;

  const fix: Step[] = [];
  const state = dir.replies ? (path.backend === 'nftables' ? ' ct state related,established' : ' -m state --state RELATED,ESTABLISHED') : '';
  if (path.backend === 'nftables') {
    fix.push(nftRule(`insert rule ${path.family} ${path.table} ${path.chain} iifname "${dir.inIf}" oifname "${dir.outIf}"${state} counter accept`));
  } else {
    fix.push(iptablesRule(path.backend === 'iptables-legacy' ? 'iptables-legacy' : 'iptables', `-I ${path.chain} -i ${dir.inIf} -o ${dir.outIf}${state} -j ACCEPT`));
  }
  if (wrongName) {
    for (const h of persistedForward(ctx.f, meant)) fix.push(sedSwap(h, wrongName, uplink, {note: `${h.path} line ${h.line}: ${h.text} -> name ${uplink} instead of ${wrongName}`}), reloadRuleFile(h.path));
  }
  return {kind: 'forward-names-other-interface', subject: ruleSubject({...withTable(meant), backend: meant.backend}), message, fix, evidence: ev};
}

// --- 4. firewalld zones -----------------------------------------------------------------------

function zoneFindings(ctx: Ctx): FindingDraft[] {
  const zones = ctx.view.zones;
  if (!zones?.running) return [];
  const out: FindingDraft[] = [];
  const {uplink} = ctx;
  const bound = zones.zonesOf(uplink);
  if (bound.length > 1) {
    out.push({
      kind: 'zone-mismatch',
      subject: uplink,
      message: `${uplink} is bound to ${bound.length} zones (${bound.join(', ')}), expected exactly one: which zone's masquerade and forwarding apply is left to chance`,
      fix: [...bound.slice(1).map((z) => firewalldRemoveInterface(z, uplink)), ...zoneLineFix(ctx.f, uplink, bound[0]!), firewalldReload()],
      evidence: [evidence('firewalld.runtime', ...bound.map((z) => `${z}: interfaces include ${uplink}`))],
    });
  }
  const uplinkZone = zones.zoneOf(uplink);
  const zoneDef = zones.zones.find((z) => z.name === uplinkZone);
  if (!uplinkZone || !zoneDef?.masquerade) return out; // no masquerading zone for the uplink: the masquerade finding says so
  const present = new Set(ctx.links.map((l) => l.name));
  for (const iface of [ctx.bridge, 'ovs-system']) {
    // ovs-system exists only with the kernel datapath; a missing bridge is TD011's.
    if (!present.has(iface)) continue;
    const z = zones.zoneOf(iface);
    if (z === uplinkZone) continue;
    out.push({
      kind: 'zone-mismatch',
      subject: iface,
      message: `${iface} is in firewalld zone ${z ?? '(none)'}, expected ${uplinkZone}, the zone that masquerades for the uplink ${uplink}: forwarded SUT traffic crosses zones and is rejected`,
      fix: [firewalldChangeInterface(uplinkZone, iface), ...zoneLineFix(ctx.f, iface, uplinkZone), firewalldReload()],
      evidence: [evidence('firewalld.runtime', `${iface}: zone ${z ?? '(none)'}${zones.zonesOf(iface).length === 0 ? ' (default zone, no explicit binding)' : ''}`, `${uplinkZone}: masquerade: yes, interfaces: ${zoneDef.interfaces.join(' ')}`)],
    });
  }
  return out;
}
