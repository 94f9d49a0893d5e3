// The host's multi-machine wiring as one picture-ready structure: uplinks (which is primary, which
// ones NAT leaves by), the effective OVS bridge, every tap with its VLAN tag and the job using it,
// GRE/VXLAN tunnels, other bridges. The HTML report draws it (report/place-findings.ts hangs the
// run's findings on its elements). Every part is optional: a missing fact empties that part and
// adds a note, the fact never throws (a topology is decoration, the findings are the diagnosis).
import type {Finding} from '../model.js';
import type {Facts, Fact} from './facts.js';
import {liveFirewall as liveFirewallFact, masqueradesFor, matchesInterface, type IfMatch} from './firewall/index.js';
import {links as linksFact, uplinks as uplinksFact} from './network.js';
import {poolJobs as poolJobsFact, switchConfig as switchConfigFact} from './openqa.js';
import {ovsDb as ovsDbFact} from './ovs.js';
import type {IpAddress, Link, OvsDb, OvsPort, PoolJob, SwitchConfig, UplinkView} from './types.js';

export type FindingRef = Pick<Finding, 'checkId' | 'slug' | 'severity' | 'subject' | 'message'>;

export interface UplinkNode {
  name: string;
  /** Carries the lowest-metric IPv4 default route. */
  primary: boolean;
  /** A masquerade rule sends NAT out of this device; undefined when the firewall is unknown. */
  masqueraded?: boolean;
  addrs: string[];
  /** Why the device counts as an uplink (from UplinkView.reasons). */
  reasons: string[];
  findings: FindingRef[];
}

/** An out-interface a masquerade rule names that is not an active uplink (e.g. a stale `eth0`). */
export interface NatNameNode {
  name: string;
  findings: FindingRef[];
}

export interface BridgeNode {
  name: string;
  kind: 'ovs' | 'linux';
  /** The device exists (OVS bridge or kernel link); false when only the switch config names it. */
  exists: boolean;
  addrs: string[];
  /** Ports that are neither taps, tunnels nor the bridge's own internal port. */
  otherPorts: string[];
  findings: FindingRef[];
}

export interface TapJob {
  instance: number;
  dir: string;
  /** The job's NICVLAN for this tap (TAPDEV zipped with NICVLAN, last VLAN reused). */
  vlan?: number;
  alive: boolean;
  /** The job's TEST setting, when the vars name it. */
  test?: string;
}

export interface TapNode {
  name: string;
  /** OVS bridge holding the port; undefined when it is on none. */
  bridge?: string;
  tag?: number;
  vlanMode?: string;
  /** The kernel has the device; undefined when the link list is unknown. */
  inKernel?: boolean;
  /** OVS interface error, e.g. "could not open network device tap12 (No such device)". */
  error?: string;
  job?: TapJob;
  findings: FindingRef[];
}

export interface TunnelNode {
  name: string;
  /** 'gre', 'vxlan', 'geneve', ... */
  type: string;
  remoteIp?: string;
  bridge?: string;
  findings: FindingRef[];
}

export interface HostTopology {
  host: string;
  uplinks: UplinkNode[];
  natNames: NatNameNode[];
  /** The bridge os-autoinst-openvswitch tags ports on. */
  bridge?: BridgeNode & {source: 'switch-config' | 'guessed'};
  taps: TapNode[];
  tunnels: TunnelNode[];
  otherBridges: BridgeNode[];
  /** Which inputs were unavailable, so an empty part reads "unknown", not "none". */
  unknown: TopologyPart[];
  /** What could not be drawn and why ("uplinks unknown: ip route not collected"). */
  notes: string[];
  /** Findings whose subject names no drawn element (files, rules, settings). */
  unplaced: FindingRef[];
}

export type TopologyPart = 'interfaces' | 'uplinks' | 'ovs' | 'jobs' | 'switch-config' | 'nat';

export type Part<T> = {ok: true; value: T} | {ok: false; reason: string};

/** What NAT looks like, reduced to what the drawing needs. */
export interface NatSummary {
  /** Out-interface names (non-negated) of masquerade rules, as written: `eth0`, `eth+`. */
  outNames: string[];
  /** Whether masquerade covers traffic leaving by this device. */
  covers(device: string): boolean;
  /** Whether the out-name `pattern` (one of outNames) matches `device` (wildcards: prefix). */
  names(pattern: string, device: string): boolean;
}

export interface TopologyInputs {
  links: Part<Link[]>;
  uplinks: Part<UplinkView>;
  ovs: Part<OvsDb>;
  jobs: Part<PoolJob[]>;
  switchConfig: Part<SwitchConfig>;
  nat: Part<NatSummary>;
}

/** The wiring of the analysed host, findings not yet placed (report/place-findings.ts does); never throws. */
export const topology: Fact<HostTopology> = (f) => assembleTopology(gatherInputs(f), f.view.manifest.hostname);

export function gatherInputs(facts: Facts): TopologyInputs {
  return {
    links: attempt(facts, linksFact),
    uplinks: attempt(facts, uplinksFact),
    ovs: attempt(facts, ovsDbFact),
    jobs: attempt(facts, poolJobsFact),
    switchConfig: attempt(facts, switchConfigFact),
    nat: natPart(facts),
  };
}

function natPart(facts: Facts): Part<NatSummary> {
  const fw = attempt(facts, liveFirewallFact);
  if (!fw.ok) return fw;
  const view = fw.value;
  // Only source NAT that actually applies: a masquerade in the wrong table never loads (TD002).
  const snat = view.nat.filter((r) => (r.action === 'masquerade' || r.action === 'snat') && r.legal);
  const outMatches: IfMatch[] = [];
  for (const rule of snat) for (const m of rule.out ?? []) if (!m.negated && !outMatches.some((x) => x.name === m.name)) outMatches.push(m);
  return {
    ok: true,
    value: {
      outNames: outMatches.map((m) => m.name),
      covers: (device) => masqueradesFor(view, device).some((r) => r.legal),
      names: (pattern, device) => {
        const m = outMatches.find((x) => x.name === pattern);
        return m ? matchesInterface([m], device) : pattern === device;
      },
    },
  };
}

/** facts.try, plus a guard: any other error (a bug in a fact) becomes a note, not a crash. */
function attempt<T>(facts: Facts, fact: Fact<T>): Part<T> {
  try {
    return facts.try(fact);
  } catch (error) {
    return {ok: false, reason: `internal error: ${(error as Error).message}`};
  }
}

const TUNNEL_TYPES = new Set(['gre', 'ip6gre', 'vxlan', 'geneve', 'stt', 'gtpu', 'erspan', 'ip6erspan']);

/** Pure: the topology from already-computed facts, every element's findings empty. Tests feed it plain data. */
export function assembleTopology(inputs: TopologyInputs, host: string): HostTopology {
  const notes: string[] = [];
  const unknown: TopologyPart[] = [];
  const note = (part: TopologyPart, label: string, p: Part<unknown>) => {
    if (p.ok) return;
    unknown.push(part);
    notes.push(`${label} unknown: ${p.reason}`);
  };
  note('interfaces', 'interfaces', inputs.links);
  note('uplinks', 'uplinks', inputs.uplinks);
  note('ovs', 'Open vSwitch', inputs.ovs);
  note('jobs', 'running jobs', inputs.jobs);
  note('switch-config', 'switch config', inputs.switchConfig);
  note('nat', 'NAT', inputs.nat);

  const linkList = inputs.links.ok ? inputs.links.value : undefined;
  const linkByName = new Map((linkList ?? []).map((l) => [l.name, l]));
  const addrsOf = (name: string) => formatAddrs(linkByName.get(name)?.addrs ?? []);
  const ovs = inputs.ovs.ok ? inputs.ovs.value : undefined;
  const nat = inputs.nat.ok ? inputs.nat.value : undefined;

  // Effective bridge: what the switch service is configured to use, else the OVS bridge with most taps.
  let bridgeName: string | undefined;
  let bridgeSource: 'switch-config' | 'guessed' = 'switch-config';
  if (inputs.switchConfig.ok) {
    bridgeName = inputs.switchConfig.value.bridge;
  } else if (ovs) {
    bridgeName = guessBridge(ovs);
    bridgeSource = 'guessed';
    if (bridgeName) notes.push(`bridge ${bridgeName} guessed: the OVS bridge with the most tap ports`);
  }

  const ovsBridge = ovs?.bridges.find((b) => b.name === bridgeName);
  const tunnels: TunnelNode[] = [];
  const tapPorts = new Map<string, OvsPort>();
  const isTunnel = (p: OvsPort) => p.interfaces.some((i) => TUNNEL_TYPES.has(i.type));
  for (const p of ovs ? allPorts(ovs) : []) {
    if (isTunnel(p)) {
      const i = p.interfaces.find((x) => TUNNEL_TYPES.has(x.type))!;
      tunnels.push({name: p.name, type: i.type, remoteIp: i.options.remote_ip, bridge: p.bridge, findings: []});
    } else if (isTapName(p.name)) {
      tapPorts.set(p.name, p);
    }
  }

  let bridge: HostTopology['bridge'];
  if (bridgeName !== undefined) {
    const otherPorts = (ovsBridge?.ports ?? []).filter((p) => p.name !== bridgeName && !isTunnel(p) && !isTapName(p.name)).map((p) => p.name);
    bridge = {
      name: bridgeName,
      kind: 'ovs',
      exists: Boolean(ovsBridge) || linkByName.has(bridgeName),
      addrs: addrsOf(bridgeName),
      otherPorts,
      findings: [],
      source: bridgeSource,
    };
    if (ovs && !ovsBridge) notes.push(`${bridgeName} is not an Open vSwitch bridge on this host`);
  }

  const otherBridges: BridgeNode[] = [];
  for (const b of ovs?.bridges ?? []) {
    if (b.name === bridgeName) continue;
    otherBridges.push({name: b.name, kind: 'ovs', exists: true, addrs: addrsOf(b.name), otherPorts: b.ports.filter((p) => p.name !== b.name).map((p) => p.name), findings: []});
  }
  for (const l of linkList ?? []) {
    if (l.kind !== 'bridge' || l.name === bridgeName) continue;
    const members = (linkList ?? []).filter((m) => m.master === l.name).map((m) => m.name);
    otherBridges.push({name: l.name, kind: 'linux', exists: true, addrs: formatAddrs(l.addrs), otherPorts: members, findings: []});
  }

  // Taps: every OVS port named tap*, every kernel tap device, every tap a running job uses.
  const jobsByTap = inputs.jobs.ok ? tapJobs(inputs.jobs.value) : new Map<string, TapJob>();
  const tapNames = new Set<string>([...tapPorts.keys(), ...jobsByTap.keys()]);
  // Kernel devices by name only: libvirt's vnetN are tap devices too, but not openQA's.
  for (const l of linkList ?? []) if (isTapName(l.name)) tapNames.add(l.name);
  const taps: TapNode[] = [...tapNames].sort(naturalCompare).map((name) => {
    const port = tapPorts.get(name);
    const iface = port?.interfaces.find((i) => i.name === name) ?? port?.interfaces[0];
    const node: TapNode = {name, findings: []};
    if (port?.bridge !== undefined) node.bridge = port.bridge;
    if (port?.tag !== undefined) node.tag = port.tag;
    if (port?.vlanMode) node.vlanMode = port.vlanMode;
    if (linkList) node.inKernel = linkByName.has(name);
    if (iface?.error) node.error = iface.error;
    const job = jobsByTap.get(name);
    if (job) node.job = job;
    return node;
  });

  // Uplinks: the active devices, the primary first.
  const uplinks: UplinkNode[] = [];
  if (inputs.uplinks.ok) {
    const view = inputs.uplinks.value;
    const names = [...(view.primary ? [view.primary] : []), ...view.active.filter((a) => a !== view.primary)];
    for (const name of names) {
      const node: UplinkNode = {name, primary: name === view.primary, addrs: addrsOf(name), reasons: view.reasons[name] ?? [], findings: []};
      if (nat) node.masqueraded = nat.covers(name);
      uplinks.push(node);
    }
  }

  // NAT names that match no uplink: what a stale `-o eth0` looks like. The bridge, ovs-system and
  // other bridges are named deliberately by SUSE's ruleset, so they are not drawn as suspects.
  const natNames: NatNameNode[] = [];
  if (nat) {
    const deliberate = new Set(['ovs-system', ...(bridgeName ? [bridgeName] : []), ...otherBridges.map((b) => b.name)]);
    for (const name of nat.outNames) {
      if (deliberate.has(name)) continue;
      if (uplinks.some((u) => nat.names(name, u.name))) continue;
      natNames.push({name, findings: []});
    }
  }

  return {host, uplinks, natNames, ...(bridge ? {bridge} : {}), taps, tunnels, otherBridges, unknown, notes, unplaced: []};
}

function allPorts(ovs: OvsDb): OvsPort[] {
  // `ports` lists every port; bridges' own lists fill in the bridge when the flat list lacks it.
  const seen = new Map<string, OvsPort>();
  for (const b of ovs.bridges) for (const p of b.ports) seen.set(p.name, {...p, bridge: p.bridge ?? b.name});
  for (const p of ovs.ports) if (!seen.has(p.name)) seen.set(p.name, p);
  return [...seen.values()];
}

function guessBridge(ovs: OvsDb): string | undefined {
  let best: {name: string; taps: number} | undefined;
  for (const b of ovs.bridges) {
    const taps = b.ports.filter((p) => isTapName(p.name)).length;
    if (!best || taps > best.taps) best = {name: b.name, taps};
  }
  return best?.name;
}

function tapJobs(jobs: readonly PoolJob[]): Map<string, TapJob> {
  const out = new Map<string, TapJob>();
  for (const job of jobs) {
    job.tapDevices.forEach((tap, i) => {
      // os-autoinst reuses the last NICVLAN when there are fewer VLANs than NICs.
      const vlan = job.vlans.length > 0 ? job.vlans[Math.min(i, job.vlans.length - 1)] : undefined;
      const test = typeof job.vars.TEST === 'string' ? job.vars.TEST : undefined;
      const entry: TapJob = {instance: job.instance, dir: job.dir, alive: job.alive, ...(vlan !== undefined ? {vlan} : {}), ...(test ? {test} : {})};
      const previous = out.get(tap);
      // Stale vars.json (--no-cleanup) can name the same tap; the live job wins.
      if (!previous || (!previous.alive && entry.alive)) out.set(tap, entry);
    });
  }
  return out;
}

function formatAddrs(addrs: readonly IpAddress[]): string[] {
  // Link-local IPv6 is on every device and says nothing about the MM network.
  const useful = addrs.filter((a) => a.scope !== 'link');
  const sorted = [...useful.filter((a) => a.family === 'inet'), ...useful.filter((a) => a.family === 'inet6')];
  return sorted.map((a) => `${a.local}/${a.prefixlen}`);
}

function isTapName(name: string): boolean {
  return /^tap\d+$/.test(name);
}

/** tap2 before tap10. */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', {numeric: true});
}
