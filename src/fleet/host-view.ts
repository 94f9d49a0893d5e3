// What the fleet checks need to know about one host, read once from its facts into plain data.
// Plain data because a worker thread computes it next to the single-host checks and posts it to
// the main thread, which then compares hosts without holding their snapshots.
import type {Facts} from '../facts/facts.js';
import {links} from '../facts/network.js';
import {switchConfig, workerConfig} from '../facts/openqa.js';
import {ovsDb} from '../facts/ovs.js';
import {mentionsAddress} from '../facts/persistence.js';
import {stackForFixes, type NetworkStack} from '../facts/network-stack.js';
import {tunnelInputVerdicts, type TunnelInputVerdict, type TunnelPeer, type TunnelType} from '../facts/tunnel-input.js';
import {uplink} from '../facts/uplink.js';
import {mmMtuSettings, type MmMtuSource} from '../facts/mtu.js';
import {tunnelBoot, type TunnelBoot} from '../facts/tunnel-boot.js';

/** The tunnel types a fleet joins hosts by (the host facts' own answer). */
export type {TunnelType} from '../facts/tunnel-input.js';

export interface FleetTunnel {
  bridge: string;
  port: string;
  type: TunnelType;
  remoteIp: string;
  /** options:key (the VNI of a VXLAN port, the GRE key), when set. */
  key?: string;
  /** options:dst_port of a VXLAN port, when set (else 4789). */
  dstPort?: number;
  localIp?: string;
}

export interface FleetHostView {
  /** Host name as the snapshot recorded it. */
  name: string;
  capturedAt: string;
  /** The primary uplink and its IPv4 addresses (what peers put in remote_ip). */
  uplink?: {name: string; addresses: string[]; mtu: number; mac?: string};
  /** Every global IPv4 address of the host (a remote_ip may name another one of them). */
  addresses: string[];
  /** WORKER_CLASS values of [global] and every instance, deduplicated. */
  classes: string[];
  /** PARALLEL_ONE_HOST_ONLY=1 for every tap instance (or globally). */
  parallelOneHostOnly: boolean;
  /** The bridge the tap instances use (OS_AUTOINST_USE_BRIDGE), when the host has it. */
  bridge?: {name: string; mtu?: number; mtuRequest?: number};
  /** MM_MTU of the tap instances, when set (the largest, if they differ). */
  mmMtu?: number;
  /** Where the tap instances' MM_MTU is set, or would be (TD203's fix edits these, as TD006's does). */
  mmMtuSources?: MmMtuSource[];
  tunnels: FleetTunnel[];
  /** The network setup whose files a fix should edit. */
  setup: NetworkStack;
  /** The GRE pre-up script (wicked PRE_UP_SCRIPT / NM dispatcher) that names tunnels, if any. */
  preupScript?: string;
  /** Where the next boot re-creates the bridge's tunnel ports (fixes persist new ports there). */
  boot?: TunnelBoot;
  /** Where the firewall drops, may drop, or cannot say for the tunnel packets of a peer (GRE, VXLAN): live and at boot. */
  tunnelInput: TunnelInputVerdict[];
  /** What could not be read (fleet checks say so instead of guessing). */
  unknown: string[];
}

const TUNNEL_TYPES = new Set<string>(['gre', 'vxlan']);

export function fleetHostView(f: Facts, name: string, capturedAt: string): FleetHostView {
  const unknown: string[] = [];
  const view: FleetHostView = {name, capturedAt, addresses: [], classes: [], parallelOneHostOnly: false, tunnels: [], setup: 'wicked', tunnelInput: [], unknown};

  const ls = f.try(links);
  if (ls.ok) {
    for (const l of ls.value) for (const a of l.addrs) if (a.family === 'inet' && a.scope === 'global') view.addresses.push(a.local);
  } else unknown.push(`addresses: ${ls.reason}`);
  const up = f.try(uplink);
  const primary = up.ok ? up.value.name : undefined;
  const uplinkLink = primary && ls.ok ? ls.value.find((l) => l.name === primary) : undefined;
  if (uplinkLink) {
    view.uplink = {name: uplinkLink.name, mtu: uplinkLink.mtu, addresses: uplinkLink.addrs.filter((a) => a.family === 'inet' && a.scope === 'global').map((a) => a.local)};
    if (uplinkLink.mac) view.uplink.mac = uplinkLink.mac;
  } else unknown.push(`uplink: ${up.ok ? `${up.value.name} is not a link of this host` : up.reason}`);

  const wc = f.try(workerConfig);
  if (wc.ok) {
    const classes = new Set<string>();
    for (const c of splitClasses(wc.value.global['WORKER_CLASS'])) classes.add(c);
    for (const i of wc.value.instances) for (const c of i.workerClasses) classes.add(c);
    view.classes = [...classes].sort();
    const tapInstances = wc.value.instances.filter((i) => i.tap);
    const oneHost = (v: string | undefined) => v !== undefined && /^\s*(1|yes|true)\s*$/i.test(v);
    view.parallelOneHostOnly = tapInstances.length > 0 ? tapInstances.every((i) => oneHost(i.settings['PARALLEL_ONE_HOST_ONLY'])) : oneHost(wc.value.global['PARALLEL_ONE_HOST_ONLY']);
    const mm = f.try(mmMtuSettings);
    if (mm.ok) {
      const mtus = mm.value.set.map((s) => Number(s.value)).filter((n) => Number.isInteger(n) && n > 0);
      if (mtus.length > 0) view.mmMtu = Math.max(...mtus);
      view.mmMtuSources = [...mm.value.set.map((s) => s.source), ...(mm.value.unset ? [mm.value.unset.source] : [])];
    }
  } else unknown.push(`worker classes: ${wc.reason}`);

  const db = f.try(ovsDb);
  const sw = f.try(switchConfig);
  if (db.ok) {
    for (const bridge of db.value.bridges) {
      for (const port of bridge.ports) {
        for (const iface of port.interfaces) {
          const remoteIp = iface.options['remote_ip'];
          if (!TUNNEL_TYPES.has(iface.type) || remoteIp === undefined) continue;
          const t: FleetTunnel = {bridge: bridge.name, port: port.name, type: iface.type as TunnelType, remoteIp};
          if (iface.options['key'] !== undefined) t.key = iface.options['key'];
          if (iface.options['local_ip'] !== undefined) t.localIp = iface.options['local_ip'];
          if (/^\d+$/.test(iface.options['dst_port'] ?? '')) t.dstPort = Number(iface.options['dst_port']);
          view.tunnels.push(t);
        }
      }
    }
    // The tap bridge, or for an overlay-only host the bridge that carries its tunnels.
    const wanted = sw.ok ? sw.value.bridge : undefined;
    const bridge = db.value.bridges.find((b) => b.name === wanted) ?? db.value.bridges.find((b) => b.name === view.tunnels[0]?.bridge);
    if (bridge) {
      const own = bridge.ports.flatMap((p) => p.interfaces).find((i) => i.name === bridge.name);
      const link = ls.ok ? ls.value.find((l) => l.name === bridge.name) : undefined;
      view.bridge = {name: bridge.name};
      const mtu = own?.mtu ?? link?.mtu;
      if (mtu !== undefined) view.bridge.mtu = mtu;
      if (own?.mtuRequest !== undefined) view.bridge.mtuRequest = own.mtuRequest;
    }
  } else unknown.push(`tunnels: ${db.reason}`);

  view.setup = stackForFixes(f);
  const scripts = f.view.entries('network.preup');
  if (scripts.ok) {
    const named = scripts.value.find((s) => /type=(gre|vxlan)/.test(s.text) || view.tunnels.some((t) => mentionsAddress(s.text, t.remoteIp)));
    if (named) view.preupScript = named.name;
  }
  if (view.bridge) view.boot = tunnelBoot(f, view.bridge.name, view.preupScript);
  const peers: TunnelPeer[] = view.tunnels.map((t) => ({address: t.remoteIp, type: t.type, ...(t.dstPort !== undefined ? {dport: t.dstPort} : {})}));
  const input = tunnelInputVerdicts(f, peers, primary);
  view.tunnelInput = input.verdicts.filter((v) => v.verdict !== 'accept');
  if (peers.length > 0) unknown.push(...input.unknown);
  return view;
}

export function splitClasses(value: string | undefined): string[] {
  return (value ?? '').split(',').map((c) => c.trim()).filter(Boolean);
}
