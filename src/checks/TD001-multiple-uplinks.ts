// TD001: more than one physical uplink is active. SUT traffic leaves by whichever device the
// kernel's routing picks, while the firewall and the masquerade were written for one of them.
// The uplink view (facts/network.ts) already folds bond/bridge slaves into their master and drops
// taps, tunnels, VPNs, OVS devices and container bridges; this check names every active device
// but the primary one and says how to disable it persistently with the network stack in use.
import {ipRules, uplinks} from '../facts/network.js';
import {switchConfig} from '../facts/openqa.js';
import {ifcfgLine, persistedInterface} from '../facts/network-config/index.js';
import {ipLinkEvidence, ipRoute4Evidence} from '../facts/interfaces.js';
import {ifcfgStack, networkStack, networkStacks, type NetworkStack} from '../facts/network-stack.js';
import {ipv4ToNumber} from '../facts/ipv4.js';
import type {IpRule} from '../parsers/ip.js';
import type {Facts} from '../facts/facts.js';
import type {IfcfgFile} from '../facts/network-config/index.js';
import type {UplinkView} from '../facts/types.js';
import type {Evidence} from '../model.js';
import {defineCheck, evidence, pass, type FindingDraft} from './define.js';
import meta from './TD001-multiple-uplinks.meta.js';
import {disableNic, sutTrafficToMainTable, type NicConfig} from '../remedies/network.js';
import {manual, type Remedy} from '../remedies/step.js';
import {uplink} from '../facts/uplink.js';

export default defineCheck(meta, (f) => {
  const view = f.get(uplinks);
  if (view.active.length === 0) {
    return pass('no active uplink at all: no IPv4 default route and no NIC with carrier and a global IPv4 address');
  }
  const {primary, why} = keptUplink(f, view);
  const leak = policyLeak(f, primary);
  // One active device is never a second uplink, even when the configured uplink is another (down) one.
  const spares = view.active.length < 2 ? [] : view.active.filter((d) => d !== primary).map((spare) => spareFinding(f, view, primary, why, spare));
  return leak ? [...spares, leak] : spares;
});

// --- policy routing that diverts SUT traffic (docs/checks/TD001.md, poo#177459) ------------------------

/** Tables a rule may look up without sending SUT traffic elsewhere: local addresses, the main table, the (empty) default table. */
const HOST_TABLES = new Set(['local', 'main', 'default', '255', '254', '253']);

/**
 * The first policy rule that sends forwarded SUT traffic (source REWRITE_TARGET/16 after the
 * bridge's SNAT, entering by the bridge, unmarked) to a routing table other than main, before the
 * main table's default route is reached: wg-quick's `not from all fwmark 0xca6c lookup 51820`
 * behind `lookup main suppress_prefixlength 0`. SUT traffic then leaves by the VPN instead of the
 * uplink and its masquerade. A rule that selects the SUT range itself (salt's
 * `from 10.1.0.0/16 lookup nowg`) is deliberate and ends the search.
 */
function policyLeak(f: Facts, primary: string): FindingDraft | undefined {
  const rules = f.try(ipRules);
  const sw = f.try(switchConfig);
  if (!rules.ok || !sw.ok) return undefined; // supplementary: the uplink judgement above stands without it
  const sutNet = ipv4ToNumber(sw.value.rewriteTarget);
  if (sutNet === undefined) return undefined;
  const sutRange = `${sw.value.rewriteTarget}/16`;
  for (const rule of [...rules.value].sort((a, b) => a.priority - b.priority)) {
    if (!admitsSutTraffic(rule, sutNet, sw.value.bridge)) continue;
    if (rule.action !== undefined) return undefined; // prohibit/blackhole/goto...: not a lookup we can follow
    const table = rule.table ?? 'main';
    if (table === 'local') continue;
    if (table === 'main' || table === '254') {
      // suppress_prefixlength 0 hides the default route (prefix 0): the search goes on.
      if (rule.suppressPrefixlen !== undefined && rule.suppressPrefixlen >= 0) continue;
      return undefined;
    }
    if (HOST_TABLES.has(table)) return undefined;
    if (rule.src !== undefined && rule.src !== 'all' && (rule.srclen ?? 32) > 0) return undefined; // made for the SUT range
    const text = ruleText(rule);
    return {
      kind: 'policy-rule-diverts',
      subject: `ip rule ${rule.priority}`,
      message: `policy rule "${text}" routes SUT traffic (source ${sutRange} after the bridge's SNAT) by table ${table} instead of the main table's default route via ${primary}; expected the main table: behind such a rule (wg-quick's VPN table) SUT traffic leaves without the uplink's masquerade`,
      fix: [
        sutTrafficToMainTable(sutRange, primary),
        manual(`ip-rule-persist:${sutRange}`, 'which VPN or profile makes the diverting rule is the admin\'s to name', [
          `# persist it where the diverting rule is made: wg-quick: PostUp = ip -4 rule add from ${sutRange} lookup main priority 1 and PreDown = ip -4 rule del from ${sutRange} lookup main priority 1 in /etc/wireguard/<interface>.conf;`,
        `# NetworkManager: nmcli connection modify <profile of ${primary}> +ipv4.routing-rules "priority 1 from ${sutRange} table 254" (salt-states-openqa: a rule for ${sutRange}, poo#177459)`,
        ]),
      ],
      evidence: [evidence('ip.rule4', ...rules.value.filter((r) => r.priority <= rule.priority).sort((a, b) => a.priority - b.priority).map(ruleText))],
      explanation:
        'A policy rule that matches all unmarked traffic (wg-quick and other VPNs install one) also catches the forwarded SUT traffic: it leaves by the VPN, where no masquerade and no return path exist, so SUTs lose everything beyond the host.',
    };
  }
  return undefined;
}

/** Whether the rule's selector admits a forwarded packet from the SUT range entering by the bridge, without fwmark, to an outside address. */
function admitsSutTraffic(rule: IpRule, sutNet: number, bridge: string): boolean {
  let match = true;
  if (rule.src !== undefined && rule.src !== 'all') {
    const net = ipv4ToNumber(rule.src);
    const len = rule.srclen ?? 32;
    // Covers the whole /16 only when its own prefix is at most 16 and contains the range.
    match &&= net !== undefined && len <= 16 && (len === 0 || (net >>> (32 - len)) === (sutNet >>> (32 - len)));
    if (net !== undefined && len > 16 && (net >>> 16) === (sutNet >>> 16)) match = true; // a rule for part of the range: made for it
  }
  if (rule.dst !== undefined && rule.dst !== 'all') match = false; // only some destinations: not the default path
  if (rule.iif !== undefined && rule.iif !== bridge) match = false;
  if (rule.oif !== undefined) match = false; // oif selects locally generated traffic only
  if (rule.fwmark !== undefined && !/^0x0*0(\/|$)|^0$/.test(rule.fwmark)) match = false; // SUT traffic is unmarked
  return rule.not ? !match : match;
}

function ruleText(r: IpRule): string {
  const parts = [`${r.priority}:`];
  if (r.not) parts.push('not');
  parts.push(`from ${r.src === undefined || r.src === 'all' ? 'all' : `${r.src}${r.srclen !== undefined ? `/${r.srclen}` : ''}`}`);
  if (r.dst !== undefined && r.dst !== 'all') parts.push(`to ${r.dst}${r.dstlen !== undefined ? `/${r.dstlen}` : ''}`);
  if (r.fwmark !== undefined) parts.push(`fwmark ${r.fwmark}`);
  if (r.iif !== undefined) parts.push(`iif ${r.iif}`);
  if (r.oif !== undefined) parts.push(`oif ${r.oif}`);
  parts.push(r.action !== undefined ? r.action : `lookup ${r.table ?? 'main'}`);
  if (r.suppressPrefixlen !== undefined) parts.push(`suppress_prefixlength ${r.suppressPrefixlen}`);
  return parts.join(' ');
}

/**
 * The device to keep: the uplink (facts/uplink.ts). Without one (no configured uplink, no IPv4
 * default route) the first active device by ifindex is kept so the finding still names the others.
 */
function keptUplink(f: Facts, view: UplinkView): {primary: string; why: string} {
  const up = f.try(uplink);
  if (up.ok) return {primary: up.value.name, why: up.value.why};
  return {primary: view.active[0]!, why: 'the first active device (there is no IPv4 default route)'};
}

function spareFinding(f: Facts, view: UplinkView, primary: string, why: string, spare: string): FindingDraft {
  const reasons = view.reasons[spare] ?? [];
  const ev: Evidence[] = [];
  const routeLines = ipRoute4Evidence(f, (r) => r.dst === 'default' || r.dst === '0.0.0.0/0');
  const spareHasRoute = reasons.some((r) => r.includes('default route'));
  if (spareHasRoute && routeLines.length > 0) ev.push(evidence('ip.route4', ...routeLines));
  // The spare's own record, plus the slave or vlan that carries the address when it is not the spare itself.
  const members = [spare, ...reasons.flatMap((r) => / on (\S+)$/.exec(r)?.[1] ?? [])];
  const linkLines = [...new Set(members)].flatMap((m) => ipLinkEvidence(f, m) ?? []);
  if (linkLines.length > 0) ev.push(evidence('ip.addr', ...linkLines));
  if (ev.length === 0) ev.push(evidence('ip.addr', `${spare}: ${reasons.join('; ')}`));
  return {
    kind: 'second-uplink',
    subject: spare,
    message: `${spare} is a second active uplink (${reasons.join('; ')}) beside ${primary} (${why}); expected only ${primary}`,
    fix: disableFix(f, spare),
    evidence: ev,
  };
}

/**
 * How to take the spare NIC out persistently with the stack that configures it: its NM profile,
 * its ifcfg file (wicked STARTMODE, network-scripts ONBOOT), or, when no file configures it, a new
 * one plus the note that something else brought it up (remedies/network.ts: one way for TD001 and TD108).
 */
function disableFix(f: Facts, spare: string): Remedy {
  const persisted = persistedInterface(f, spare);
  const stacks = f.try(networkStacks);
  const inUse: NetworkStack[] = stacks.ok ? stacks.value.stacks : [];
  // The stack every network fix of this host is written for (facts/network-stack.ts).
  const stack = f.get(networkStack).stack;
  const nm = persisted.nm.filter((p) => !(p.profile?.type ?? '').startsWith('ovs-'));
  const file = persisted.ifcfg;
  const configs: NicConfig[] =
    nm.length > 0
      ? nm.map((p) => ({kind: 'nm', id: p.profile?.id ?? spare, path: p.path}))
      : file && !file.error
        ? [ifcfgConfig(file)]
        : [{kind: 'none', ...(stack ? {stack} : {}), ...(persisted.unknown.length ? {why: persisted.unknown.join('; ')} : {})}];
  return disableNic(spare, configs, {runningStacks: inUse});
}

function ifcfgConfig(file: IfcfgFile): NicConfig {
  const wicked = ifcfgStack(file.path) === 'wicked';
  const line = ifcfgLine(file, wicked ? 'STARTMODE' : 'ONBOOT');
  return {kind: 'ifcfg', path: file.path, flavour: wicked ? 'wicked' : 'ifcfg-rh', ...(line ? {current: `line ${line.line}: ${line.text}`} : {})};
}
