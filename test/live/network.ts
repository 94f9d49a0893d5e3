// Namespaces, uplinks and sysctls of a throwaway host.
//
//   td-<id>-out ("outside")        td-<id> (the worker host)          td-<id>-sut (a stand-in SUT)
//   up0 192.0.2.1/24   ── veth ──  eth0 192.0.2.10/24, default route
//   up1 198.51.100.1/24 ── veth ── eth1 (optional)
//   up2 203.0.113.1/24  ── veth ── eth2 (optional)
//                                  br1 (OVS) ── vsut0 ── veth ──      eth0 52:54:00:12:XX:YY
//
// Only documentation ranges are used, and only inside these namespaces.
import type {Ledger} from './ledger.js';
import {must} from './run.js';
import {UPLINK_ADDRESSES, type ForwardingSpec, type LanAttachment, type UplinkSpec} from './spec.js';

export interface Namespaces {
  host: string;
  outside: string;
  sut: string;
}

export function namespaceNames(id: string): Namespaces {
  return {host: `td-${id}`, outside: `td-${id}-out`, sut: `td-${id}-sut`};
}

/** Create a namespace, recording it in the ledger first so a half-made one is still removed. */
export async function addNamespace(ledger: Ledger, name: string): Promise<void> {
  ledger.add({kind: 'netns', name});
  await must(['ip', 'netns', 'add', name]);
  await must(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
  // No IPv6 duplicate address detection: addresses are final at once, so two state() dumps
  // taken a second apart do not differ by a "tentative" flag.
  await setSysctls(name, {'net.ipv6.conf.all.accept_dad': '0', 'net.ipv6.conf.default.accept_dad': '0'});
}

/** Outside end of uplink eth<k> is up<k>. */
export function peerName(uplink: UplinkSpec['name']): string {
  return `up${uplink.slice(3)}`;
}

export async function addUplink(ns: Namespaces, uplink: UplinkSpec, hostId = ''): Promise<void> {
  if (uplink.lan) return addLanUplink(ns, uplink, uplink.lan, hostId);
  const peer = peerName(uplink.name);
  const addr = UPLINK_ADDRESSES[uplink.name];
  // Both ends are created directly inside their namespaces: nothing ever appears on the host.
  await must(['ip', 'link', 'add', uplink.name, 'netns', ns.host, 'mtu', String(uplink.mtu), 'type', 'veth', 'peer', 'name', peer, 'netns', ns.outside, 'mtu', String(uplink.mtu)]);
  await must(['ip', '-n', ns.outside, 'addr', 'add', `${addr.peer}/${addr.prefix}`, 'dev', peer]);
  await must(['ip', '-n', ns.outside, 'link', 'set', peer, 'up']);
  if (uplink.address) await must(['ip', '-n', ns.host, 'addr', 'add', `${addr.host}/${addr.prefix}`, 'dev', uplink.name]);
  if (!uplink.up) return;
  await must(['ip', '-n', ns.host, 'link', 'set', uplink.name, 'up']);
  if (uplink.defaultRouteMetric !== null) {
    await must(['ip', '-n', ns.host, 'route', 'add', 'default', 'via', addr.peer, 'dev', uplink.name, 'metric', String(uplink.defaultRouteMetric)]);
  }
}

/** The outside routes between its uplink peers, so every peer address answers. */
export async function enableOutsideForwarding(ns: Namespaces): Promise<void> {
  await setSysctls(ns.outside, {'net.ipv4.ip_forward': '1'});
}

/** ip_forward first (it resets every interface), then the per-interface values. */
export async function applyForwarding(nsName: string, forwarding: ForwardingSpec): Promise<void> {
  await setSysctls(nsName, {'net.ipv4.ip_forward': forwarding.ipv4 ? '1' : '0'});
  const perInterface: Record<string, string> = {};
  for (const [iface, on] of Object.entries(forwarding.perInterface)) perInterface[`net.ipv4.conf.${iface}.forwarding`] = on ? '1' : '0';
  await setSysctls(nsName, perInterface);
}

/** Write sysctls inside a namespace through /proc/sys (no dependency on procps). */
export async function setSysctls(nsName: string, values: Record<string, string>): Promise<void> {
  const entries = Object.entries(values);
  if (entries.length === 0) return;
  const args: string[] = [];
  for (const [key, value] of entries) {
    if (!/^[\w.-]+$/.test(key) || !/^\w+$/.test(value)) throw new Error(`bad sysctl ${key}=${value}`);
    args.push(`/proc/sys/${key.replaceAll('.', '/')}`, value);
  }
  // Pairs of (file, value) as positional parameters: no quoting problems.
  const script = 'while [ $# -gt 0 ]; do printf %s "$2" > "$1" || exit 1; shift 2; done';
  await must(['ip', 'netns', 'exec', nsName, 'sh', '-c', script, 'sysctl', ...args]);
}

/** The uplink's other end is a port of the lab's LAN bridge (named after the host: unique there). */
async function addLanUplink(ns: Namespaces, uplink: UplinkSpec, lan: LanAttachment, hostId: string): Promise<void> {
  const peer = `l${hostId}${uplink.name.slice(3)}`;
  await must(['ip', 'link', 'add', uplink.name, 'netns', ns.host, 'mtu', String(uplink.mtu), 'type', 'veth', 'peer', 'name', peer, 'netns', lan.netns, 'mtu', '1500']);
  await must(['ip', '-n', lan.netns, 'link', 'set', peer, 'master', lan.bridge, 'up']);
  if (uplink.address) await must(['ip', '-n', ns.host, 'addr', 'add', `${lan.address}/${lan.prefix}`, 'dev', uplink.name]);
  if (!uplink.up) return;
  await must(['ip', '-n', ns.host, 'link', 'set', uplink.name, 'up']);
  if (uplink.defaultRouteMetric !== null) {
    await must(['ip', '-n', ns.host, 'route', 'add', 'default', 'via', lan.gateway, 'dev', uplink.name, 'metric', String(uplink.defaultRouteMetric)]);
  }
}
