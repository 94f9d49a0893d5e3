// TD005: the FORWARD rules that pass traffic between the bridge and the uplink never matched,
// although multi-machine jobs sent traffic through the host; or the FORWARD chain drops bridge
// traffic outright (docs/checks/TD005.md, Fedora's reject-all template in fedora-infra/ansible roles/openqa/worker/tasks/tap-setup.yml).
//
// Counters prove nothing on their own. A zero is a fault only when (a) a counted rule names the
// bridge, (b) SUTs provably routed traffic through the host (learned return flows with packets in
// table 1 of the bridge: facts/mm-activity.ts), and (c) no earlier rule takes that traffic first.
// Not applicable: no filter FORWARD chain (SUSE's NAT-only nftables file), firewalld (its own
// chains), rules without counters (nft rules without `counter`), policy accept with no bridge rule,
// a host where no SUT has routed anything yet.
import {liveFirewall, matchesInterface, persistedFirewall, skippedNote, type ForwardPath, type ForwardRule, type IfMatch} from '../facts/firewall/index.js';
import type {Facts} from '../facts/facts.js';
import {mmActivity, type MmActivity} from '../facts/mm-activity.js';
import type {Evidence} from '../model.js';
import {iptablesRule, nftRule, proveLoad} from '../remedies/firewall.js';
import {manual, step, type Step} from '../remedies/step.js';
import {defineCheck, evidence, notApplicable, pass, skip, type FindingDraft} from './define.js';
import meta from './TD005-forward-counters-zero.meta.js';
import {withFirewallLimits} from './firewall-limits.js';
import {bridgeForwarding, judgedPaths, type BridgeForward} from '../facts/bridge-forwarding.js';

export default defineCheck(meta, (f) => withFirewallLimits(f, () => {
  const live = f.get(liveFirewall);
  if (live.zones?.running) {
    return notApplicable('firewalld manages forwarding here: its zone chains are judged by zone membership (TD008), not by FORWARD counters');
  }
  const paths = judgedPaths(live);
  if (paths.length === 0) {
    return notApplicable('no filter FORWARD chain in the live ruleset (e.g. the NAT-only nftables setup of SUSE workers): nothing counts forwarded traffic');
  }
  const judged = f.get(bridgeForwarding);
  const bridge = judged[0]!.bridge;
  const uplink = judged[0]!.uplink;

  // 1. A FORWARD chain that drops bridge traffic needs no counters to be wrong.
  const droppedBy = new Map<ForwardPath, FindingDraft>();
  for (const j of judged) {
    const d = dropFinding(f, j);
    if (d) droppedBy.set(j.path, d);
  }
  const dropped = [...droppedBy.values()];

  // 2. Counted rules naming the bridge that read zero although SUTs routed traffic via the host
  //    (in chains that do not drop it anyway: there the drop is the cause, and reported).
  const counted = countersOutcome(
    f,
    paths.filter((p) => !droppedBy.has(p)),
    bridge,
    uplink,
    dropped.length > 0,
  );
  if (counted.kind === 'findings') return [...dropped, ...counted.findings];
  if (dropped.length > 0) return dropped;
  return counted.kind === 'skip' ? skip(counted.reason) : counted.note ? pass(counted.note) : [];
}));

// --- rule evaluation ---------------------------------------------------------------------------

/** Matches every interface name except those a positive match requires (stands for "unknown"). */
const ANY = '\u0000any';

/** Whether the rule's interface matches admit a packet from `inIf` to `outIf` (undefined = not known: admit). */
function admits(rule: ForwardRule, inIf: string | undefined, outIf: string | undefined): boolean {
  return (inIf === undefined || matchesInterface(rule.in, inIf)) && (outIf === undefined || matchesInterface(rule.out, outIf));
}

/** The rule names `ifname` in a positive match (a wildcard such as `br+` counts). */
function names(list: IfMatch[] | undefined, ifname: string): boolean {
  return (list ?? []).some((m) => !m.negated && matchesInterface([m], ifname));
}

// --- the policy-drop case ----------------------------------------------------------------------

function dropFinding(f: Facts, j: BridgeForward): FindingDraft | undefined {
  const {path, bridge, uplink, outbound: out, replies: back} = j;
  const blocked = [out.verdict === 'drop' ? `traffic from ${bridge}${uplink ? ` to ${uplink}` : ''}` : undefined, back.verdict === 'drop' ? `replies${uplink ? ` from ${uplink}` : ''} to ${bridge}` : undefined].filter(
    (x): x is string => x !== undefined,
  );
  if (blocked.length === 0) return undefined;
  const subject = `${path.table}/${path.chain}`;
  const by = [out, back].find((d) => d.verdict === 'drop')!;
  const cause = by.rule ? `${by.rule.in || by.rule.out ? 'the drop rule' : 'the catch-all'} \`${by.rule.text}\`` : `policy ${path.policy}`;
  const wrong = wrongUplink(bridgeRules(path, bridge), bridge, uplink);
  // An accept for the bridge may sit on a line the parser skipped: say so, do not claim it is absent.
  const unread = skippedNote(f.get(liveFirewall));
  const hint = `${wrong.length > 0 ? `; ${wrong.join('; ')} (TD008)` : ''}${unread ? `; ${unread}, so this finding may be wrong` : ''}`;
  const ev: Evidence[] = [evidence(path.rules[0]?.origin ?? sourceOf(path), `${subject} (${path.family}) policy ${path.policy}`, ...path.rules.map((r) => r.text))];
  return {
    kind: 'bridge-traffic-dropped',
    subject,
    message: `${path.family} ${subject} drops ${blocked.join(' and ')} (${cause}), expected accept rules for the bridge before it: SUTs cannot reach anything beyond the host${hint}`,
    fix: addRulesFix(f, path, bridge, uplink, {outbound: out.verdict === 'drop', inbound: back.verdict === 'drop'}),
    evidence: ev,
  };
}

function sourceOf(path: ForwardPath): string {
  return path.backend === 'nftables' ? 'nft.ruleset' : path.backend === 'ip6tables' ? 'ip6tables.save' : path.backend === 'iptables-legacy' ? 'iptables-legacy.save' : 'iptables.save';
}

// --- the zero-counter case ---------------------------------------------------------------------

type CountersOutcome = {kind: 'findings'; findings: FindingDraft[]} | {kind: 'skip'; reason: string} | {kind: 'pass'; note?: string};

/** Accept rules that name the bridge on either side: the rules bridge traffic must hit. */
function bridgeRules(path: ForwardPath, bridge: string): ForwardRule[] {
  return path.rules.filter((r) => r.verdict === 'accept' && (names(r.in, bridge) || names(r.out, bridge)));
}

/** An earlier accept (or jump we cannot follow) takes the rule's traffic before it. */
function shadowed(path: ForwardPath, rule: ForwardRule, bridge: string, uplink: string | undefined): boolean {
  const fromBridge = names(rule.in, bridge);
  const inIf = fromBridge ? bridge : (uplink ?? firstName(rule.in) ?? ANY);
  const outIf = fromBridge ? (uplink ?? firstName(rule.out) ?? ANY) : bridge;
  for (const e of path.rules) {
    if (e === rule) return false;
    if (!admits(e, inIf, outIf)) continue;
    if (e.verdict.startsWith('jump ') || e.verdict.startsWith('goto ')) return true;
    if (e.verdict === 'accept' && (!e.stateful || rule.stateful)) return true;
  }
  return false;
}

function firstName(list: IfMatch[] | undefined): string | undefined {
  return list?.find((m) => !m.negated && !m.wildcard)?.name;
}

function countersOutcome(f: Facts, paths: ForwardPath[], bridge: string, uplink: string | undefined, dropFound: boolean): CountersOutcome {
  const candidates = paths.map((p) => ({path: p, rules: bridgeRules(p, bridge)}));
  const all = candidates.flatMap((c) => c.rules);
  if (all.length === 0) {
    if (dropFound) return {kind: 'pass'};
    return {kind: 'skip', reason: `no FORWARD rule names ${bridge} and the policy lets bridge traffic pass: there is no counter to judge`};
  }
  if (all.every((r) => r.counters === null)) {
    return {kind: 'skip', reason: `the FORWARD rules for ${bridge} carry no counters (nft rules without \`counter\`): cannot tell whether they match`};
  }
  const act = f.try(mmActivity);
  if (!act.ok) return {kind: 'skip', reason: `cannot tell whether SUT traffic passed the host: ${act.reason}`};
  const activity = act.value;
  const traffic = trafficProof(activity);
  if (!traffic.proven) return traffic.running ? {kind: 'pass', note: traffic.note} : {kind: 'skip', reason: traffic.note};

  const findings: FindingDraft[] = [];
  for (const {path, rules} of candidates) {
    const zero = rules.filter((r) => r.counters !== null && r.counters.packets === 0 && !shadowed(path, r, bridge, uplink));
    if (zero.length === 0) continue;
    findings.push(zeroFinding(f, path, zero, bridge, uplink, activity));
  }
  return findings.length > 0 ? {kind: 'findings', findings} : {kind: 'pass'};
}

function trafficProof(a: MmActivity): {proven: boolean; running: boolean; note: string} {
  if (a.usedLearnedFlows.length > 0) return {proven: true, running: true, note: ''};
  const running = a.taggedTaps.length > 0 || a.runningTapJobs.length > 0;
  if (running) {
    return {
      proven: false,
      running: true,
      note: `tap jobs are running (${describeJobs(a)}) but no SUT has routed traffic through ${a.bridge} yet (no learned flow with packets in table 1): zero counters prove nothing so far`,
    };
  }
  const up = a.uptimeSeconds !== undefined ? `, up ${Math.round(a.uptimeSeconds / 60)} min` : '';
  return {proven: false, running: false, note: `no multi-machine traffic since the switch flows were installed (table 1 of ${a.bridge} is empty, no running tap job${up}): counters are judged once MM jobs have run`};
}

function describeJobs(a: MmActivity): string {
  const parts: string[] = [];
  if (a.taggedTaps.length > 0) parts.push(`tagged ${a.taggedTaps.map((t) => `${t.name}=${t.tag}`).join(', ')}`);
  if (a.runningTapJobs.length > 0) parts.push(`live qemu in ${a.runningTapJobs.map((j) => j.dir).join(', ')}`);
  return parts.join('; ');
}

/** Bridge rules whose other side names an interface the uplink does not match: the usual cause (TD008). */
function wrongUplink(rules: ForwardRule[], bridge: string, uplink: string | undefined): string[] {
  if (uplink === undefined) return [];
  return rules
    .map((r) => {
      const other = names(r.in, bridge) ? r.out : r.in;
      return other && other.length > 0 && !matchesInterface(other, uplink) ? `\`${r.text}\` names ${other.map((m) => `${m.negated ? '!' : ''}${m.name}`).join(',')}, not the uplink ${uplink}` : undefined;
    })
    .filter((x): x is string => x !== undefined);
}

function zeroFinding(f: Facts, path: ForwardPath, zero: ForwardRule[], bridge: string, uplink: string | undefined, a: MmActivity): FindingDraft {
  const subject = `${path.table}/${path.chain}`;
  const wrongSide = wrongUplink(zero, bridge, uplink);
  const hint = wrongSide.length > 0 ? `: ${wrongSide.join('; ')} (TD008)` : '; such rules usually name the wrong interface (see TD008)';
  const flows = a.usedLearnedFlows;
  const ev: Evidence[] = [
    evidence(zero[0]!.origin, ...zero.map((r) => r.text)),
    evidence('ovs.flows', `ovs-ofctl dump-flows ${a.bridge} (table 1, learned from SUT traffic):`, ...flows.slice(0, 3).map((fl) => fl.text.trim())),
  ];
  return {
    kind: 'counters-zero',
    subject,
    message: `${zero.length} FORWARD rule(s) for ${bridge} read 0 packets, expected >0: SUTs routed traffic through the host (${flows.length} learned flow(s) with packets in table 1 of ${a.bridge})${hint}`,
    fix: [
      step('runtime', `forward-note:${bridge}`, [`# make the rules name the bridge and the real uplink${uplink ? ` (${uplink})` : ''}, before any reject; live:`]),
      ...addRulesFix(f, path, bridge, uplink, {outbound: true, inbound: true}),
    ],
    evidence: ev,
  };
}

// --- the rules to add --------------------------------------------------------------------------

/**
 * The accept rules a tap worker needs, for this backend: added now, and written into the persisted
 * file by the admin (where in the chain is theirs to pick). No restart: it would load the file
 * without them and undo the runtime rules.
 */
function addRulesFix(f: Facts, path: ForwardPath, bridge: string, uplink: string | undefined, need: {outbound: boolean; inbound: boolean}): Step[] {
  const file = persistedFileFor(f, path);
  if (!uplink && need.inbound) return [manual(`forward-accept:${bridge}`, 'the uplink is unknown', [`# accept forwarding from ${bridge} and replies from the uplink to ${bridge} in the FORWARD chain`])];
  if (path.backend === 'nftables') {
    const at = `${path.family} ${path.table} ${path.chain}`;
    const rules: string[] = [];
    if (need.outbound) rules.push(`iifname "${bridge}" counter accept`);
    if (need.inbound) rules.push(`iifname "${uplink}" oifname "${bridge}" ct state related,established counter accept`);
    return [
      ...rules.map((r) => nftRule(`insert rule ${at} ${r}`)),
      manual(`forward-persist:${at}`, 'where the rules go in the chain is the admin\'s', [`# persist: add to ${file ?? 'the nftables file your nftables.service loads'} (before any reject), in chain ${at}:`, ...rules.map((r) => `#   ${r}`), ...(file ? [`# then prove it loads: ${proveLoad(file, 'nft')}`] : [])]),
    ];
  }
  const tool = path.backend === 'ip6tables' ? 'ip6tables' : path.backend === 'iptables-legacy' ? 'iptables-legacy' : 'iptables';
  const specs: string[] = [];
  if (need.outbound) specs.push(`-A FORWARD -i ${bridge} -j ACCEPT`);
  if (need.inbound) specs.push(`-A FORWARD -i ${uplink} -o ${bridge} -m state --state RELATED,ESTABLISHED -j ACCEPT`);
  const target = file ?? (tool === 'ip6tables' ? '/etc/sysconfig/ip6tables' : '/etc/sysconfig/iptables');
  return [
    ...[...specs].reverse().map((sp) => iptablesRule(tool, sp.replace(/^-A FORWARD/, '-I FORWARD'))),
    manual(`forward-persist:${target}`, 'where the rules go in the chain is the admin\'s', [`# persist: in ${target}, under *filter before the FORWARD reject:`, ...specs.map((sp) => `#   ${sp}`), `# then prove it loads: ${proveLoad(target, tool === 'ip6tables' ? 'ip6tables' : 'iptables')}`]),
  ];
}

/** The persisted rule file that holds this forward chain, if the snapshot has one. */
function persistedFileFor(f: Facts, path: ForwardPath): string | undefined {
  const persisted = f.try(persistedFirewall);
  if (!persisted.ok) return undefined;
  const format = path.backend === 'nftables' ? 'nft' : 'iptables-save';
  const holding = persisted.value.files.filter((file) => file.format === format);
  return (holding.find((file) => file.view.forward.some((p) => p.table === path.table && p.chain === path.chain)) ?? holding[0])?.path;
}
