// Open vSwitch facts: the database (bridges > ports > interfaces), the OpenFlow rules per bridge,
// and a recogniser for the rules os-autoinst-openvswitch installs (os-autoinst script/os-autoinst-openvswitch, its add-flow rules).
import {modelOrParseError, ParseError} from '../parsers/errors.js';
import {parseDumpFlows, splitActions} from '../parsers/ofctl.js';
import {ovsDbFromTables, ovsShowVersion, parseOvsJsonList, parseOvsShow} from '../parsers/ovs.js';
import {OVS_DB_COLUMNS} from '../parsers/ovs-columns.js';
import {FactUnavailable, type Fact} from './facts.js';
import type {OpenFlow, OvsDb} from './types.js';

const JSON_LISTS = {bridges: 'ovs.bridges', ports: 'ovs.ports', interfaces: 'ovs.interfaces'} as const;

/**
 * The OVS database from the three JSON lists (joined by uuid); when they were not collected but
 * `ovs-vsctl show` was (a sosreport), from the show text with `from: 'show'` (no ofport, no
 * vlan_mode, no MTU).
 */
export const ovsDb: Fact<OvsDb> = (f) => {
  const bridges = f.view.command(JSON_LISTS.bridges);
  const ports = f.view.command(JSON_LISTS.ports);
  const interfaces = f.view.command(JSON_LISTS.interfaces);
  const show = f.view.command('ovs.show');
  if (bridges.ok && ports.ok && interfaces.ok) {
    const db = ovsDbFromTables({
      bridges: parseOvsJsonList(bridges.value.text, JSON_LISTS.bridges, OVS_DB_COLUMNS.bridges),
      ports: parseOvsJsonList(ports.value.text, JSON_LISTS.ports, OVS_DB_COLUMNS.ports),
      interfaces: parseOvsJsonList(interfaces.value.text, JSON_LISTS.interfaces, OVS_DB_COLUMNS.interfaces),
    });
    // The version is only in the show output; it is a nicety, so an unreadable one is left out.
    const version = show.ok ? ovsShowVersion(show.value.text) : undefined;
    if (version !== undefined) db.ovsVersion = version;
    return db;
  }
  if (show.ok) return parseOvsShow(show.value.text, 'ovs.show');
  const missingList = [bridges, ports, interfaces].flatMap((a) => (a.ok ? [] : [a.reason]))[0];
  throw new FactUnavailable(`${missingList}; ${show.reason}`);
};

export const ovsBridgeNames: Fact<string[]> = (f) => f.get(ovsDb).bridges.map((b) => b.name);

interface FlowDumps {
  flows: Record<string, OpenFlow[]>;
  errors: Record<string, string>;
}

/** Every bridge's dump, parsed once; a bridge whose dump failed or is error text lands in errors. */
const flowDumps: Fact<FlowDumps> = (f) => {
  const out: FlowDumps = {flows: {}, errors: {}};
  for (const entry of f.entries('ovs.flows')) {
    const flows = modelOrParseError(() => parseDumpFlows(entry.text, `ovs.flows ${entry.name}`));
    if (flows instanceof ParseError) out.errors[entry.name] = `cannot parse ${flows.message}`;
    else out.flows[entry.name] = flows;
  }
  for (const e of f.view.entryErrors('ovs.flows')) if (e.key !== undefined) out.errors[e.key] = e.error ?? 'not collected';
  return out;
};

/** OpenFlow rules per bridge. Bridges whose dump failed are absent: see ovsFlowErrors. */
export const ovsFlows: Fact<Record<string, OpenFlow[]>> = (f) => f.get(flowDumps).flows;

/** Why a bridge has no entry in ovsFlows (collector error, or error text such as "version negotiation failed"). */
export const ovsFlowErrors: Fact<Record<string, string>> = (f) => f.get(flowDumps).errors;

// --- the os-autoinst-openvswitch rules --------------------------------------------------------

export type SwitchRule = 'default' | 'host-replies' | 'arp-gateway' | 'ipv4-first' | 'ipv4-other' | 'ipv6-nd' | 'ipv6-first' | 'ipv6-other';

/** The rules every os-autoinst-openvswitch installs (before and after the 2025-11 IPv6 additions). */
export const REQUIRED_SWITCH_RULES: readonly SwitchRule[] = ['default', 'host-replies', 'arp-gateway', 'ipv4-first', 'ipv4-other'];
/** Added in 2025-11 (os-autoinst@26013d06): optional, but all or none. */
export const IPV6_SWITCH_RULES: readonly SwitchRule[] = ['ipv6-nd', 'ipv6-first', 'ipv6-other'];

/** The installed os-autoinst-openvswitch script, as far as it decides which rules to expect. */
export interface SwitchScript {
  path: string;
  /** It installs the three IPv6 rules (os-autoinst 26013d06, 2025-11): eight rules, not five. */
  ipv6: boolean;
  /** `path:line: text` of its first IPv6 rule, or what shows it has none. */
  evidence: string;
}

/** An ethertype match on IPv6 (0x86dd) in a rule string: only the IPv6 rules of the script have one. */
const IPV6_RULE = /\b(?:dl|eth)_type=0x86dd\b/;

/**
 * The script the switch service runs (package os-autoinst-openvswitch), read for the rules it
 * installs: os-autoinst script/os-autoinst-openvswitch init_switch adds the five IPv4 rules in
 * every version and three IPv6 rules since 26013d06 (2025-11). Undefined when the host has no
 * script at the packaged paths; FactUnavailable when it was not captured (older snapshots).
 */
export const switchScript: Fact<SwitchScript | undefined> = (f) => {
  const file = f.entries('openqa.switch-script').find((e) => e.text !== '');
  if (!file) return undefined;
  const lines = file.text.split('\n');
  const at = lines.findIndex((l) => IPV6_RULE.test(l));
  return at >= 0
    ? {path: file.name, ipv6: true, evidence: `${file.name}:${at + 1}: ${lines[at]!.trim()}`}
    : {path: file.name, ipv6: false, evidence: `${file.name}: no IPv6 rule (no dl_type/eth_type=0x86dd): the five-rule version from before 2025-11`};
};

export interface SwitchFlowsExpectation {
  localIp: string;
  /**
   * Whether this host's script installs the IPv6 rules (switchScript). Unknown (undefined): judged
   * by the rules present, all three or none.
   */
  ipv6?: boolean;
  /** The bridge's current MAC; flows to another MAC are stale (the bridge was re-created). */
  bridgeMac?: string;
  rewriteTarget?: string;
}

export interface SwitchFlowsResult {
  present: SwitchRule[];
  missing: SwitchRule[];
  /** Only `priority=0 actions=NORMAL`: the service never ran or the bridge was re-created. */
  onlyNormal: boolean;
  /** Flows shaped like a switch rule but sent to another MAC than the bridge's. */
  staleMac: {rule: SwitchRule; mac: string; text: string}[];
}

const eq = (a: string | undefined, b: string) => a !== undefined && a.toLowerCase() === b.toLowerCase();

/** The flow's match names this ethertype (`ip`, `dl_type=0x0800`, `eth_type=0x800`, ...). */
function matchesEthType(m: Record<string, string>, names: string[], hex: number): boolean {
  if (names.some((n) => n in m)) return true;
  const t = m['dl_type'] ?? m['eth_type'];
  return t !== undefined && Number.parseInt(t, t.startsWith('0x') ? 16 : 10) === hex;
}

function isIpv4(m: Record<string, string>) {
  return matchesEthType(m, ['ip', 'tcp', 'udp', 'icmp'], 0x0800);
}
function isIpv6(m: Record<string, string>) {
  return matchesEthType(m, ['ipv6', 'tcp6', 'udp6', 'icmp6'], 0x86dd);
}
function isArp(m: Record<string, string>) {
  return matchesEthType(m, ['arp'], 0x0806);
}

function actionList(flow: OpenFlow): string[] {
  return splitActions(flow.actions).map((a) => a.trim());
}
const hasLearn = (acts: string[]) => acts.some((a) => a.startsWith('learn('));
/** Sends to the bridge's own port (ovs-ofctl prints `LOCAL`; 65534 is its OpenFlow 1.0 number). */
const outputsLocal = (acts: string[]) => acts.some((a) => ['LOCAL', 'OUTPUT:LOCAL', 'OUTPUT:65534'].includes(a.toUpperCase()));
const rewriteTo = (acts: string[]) => acts.find((a) => a.startsWith('mod_nw_src:'))?.slice('mod_nw_src:'.length);
const dlDst = (m: Record<string, string>) => m['dl_dst'] ?? m['eth_dst'];

/** Which of the rules a flow is, judged by structure (fields and actions), not by text. */
function classify(flow: OpenFlow, expect: SwitchFlowsExpectation): {rule: SwitchRule; mac?: string} | undefined {
  const m = flow.match;
  const keys = Object.keys(m);
  const acts = actionList(flow);
  if (flow.priority === 0 && keys.length === 0 && acts.some((a) => a.toUpperCase() === 'NORMAL')) return {rule: 'default'};
  if (flow.priority === 1 && eq(m['in_port'], 'LOCAL') && acts.includes('resubmit(,1)')) return {rule: 'host-replies'};
  if (flow.priority === 100 && isArp(m) && (m['arp_tpa'] ?? m['nw_dst']) === expect.localIp && hasLearn(acts) && outputsLocal(acts)) {
    return {rule: 'arp-gateway'};
  }
  const mac = dlDst(m);
  if (mac !== undefined && isIpv4(m) && outputsLocal(acts)) {
    const target = rewriteTo(acts);
    const rewrites = target !== undefined && (expect.rewriteTarget === undefined || target === expect.rewriteTarget);
    if (flow.priority === 100 && hasLearn(acts) && rewrites) return {rule: 'ipv4-first', mac};
    if (flow.priority === 99 && !hasLearn(acts) && rewrites) return {rule: 'ipv4-other', mac};
  }
  if (flow.priority === 100 && 'icmp_type' in m && m['icmp_type'] === '135' && 'nd_target' in m && isIpv6(m) && hasLearn(acts) && outputsLocal(acts)) {
    return {rule: 'ipv6-nd'};
  }
  if (mac !== undefined && isIpv6(m) && outputsLocal(acts)) {
    if (flow.priority === 100 && hasLearn(acts)) return {rule: 'ipv6-first', mac};
    if (flow.priority === 99 && !hasLearn(acts)) return {rule: 'ipv6-other', mac};
  }
  return undefined;
}

/**
 * Which os-autoinst-openvswitch rules a bridge's flows contain. Table 0 only (table 1 holds the
 * learned return paths). OVS 3.1 drops the SYN rule's tcp_flags match, so neither it nor the
 * exact action text is required.
 */
export function switchFlowsPresent(flows: OpenFlow[], expect: SwitchFlowsExpectation): SwitchFlowsResult {
  const found = new Set<SwitchRule>();
  const staleMac: SwitchFlowsResult['staleMac'] = [];
  for (const flow of flows) {
    if (flow.table !== 0) continue;
    const hit = classify(flow, expect);
    if (!hit) continue;
    if (hit.mac !== undefined && expect.bridgeMac !== undefined && !eq(hit.mac, expect.bridgeMac)) {
      staleMac.push({rule: hit.rule, mac: hit.mac, text: flow.text});
      continue;
    }
    found.add(hit.rule);
  }
  const anyIpv6 = expect.ipv6 ?? (IPV6_SWITCH_RULES.some((r) => found.has(r)) || staleMac.some((s) => IPV6_SWITCH_RULES.includes(s.rule)));
  const expected = anyIpv6 ? [...REQUIRED_SWITCH_RULES, ...IPV6_SWITCH_RULES] : REQUIRED_SWITCH_RULES;
  const order = [...REQUIRED_SWITCH_RULES, ...IPV6_SWITCH_RULES];
  return {
    present: order.filter((r) => found.has(r)),
    missing: expected.filter((r) => !found.has(r)),
    onlyNormal: flows.length > 0 && flows.every((fl) => fl.priority === 0 && Object.keys(fl.match).length === 0 && actionList(fl).every((a) => a.toUpperCase() === 'NORMAL')),
    staleMac,
  };
}
