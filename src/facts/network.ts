// Kernel network facts: links, routes, policy rules, the uplink(s) and the route to each GRE peer.
import {modelOrParseError, ParseError} from '../parsers/errors.js';
import {parseIpAddr, parseIpRoutes, parseIpRules, parseRouteGet, type IpRule} from '../parsers/ip.js';
import type {Fact} from './facts.js';
import {ovsDb} from './ovs.js';
import type {Link, OvsBridge, Route, UplinkView} from './types.js';

export const links: Fact<Link[]> = (f) => parseIpAddr(f.command('ip.addr').text, 'ip.addr');

/** IPv4 and IPv6 routes of the main table. IPv4 is required; IPv6 is added when it was collected. */
export const routes: Fact<Route[]> = (f) => {
  const v4 = parseIpRoutes(f.command('ip.route4').text, 'ip.route4', 'inet');
  const v6text = f.view.command('ip.route6');
  const v6 = v6text.ok ? parseIpRoutes(v6text.value.text, 'ip.route6', 'inet6') : [];
  return [...v4, ...v6];
};

export const ipRules: Fact<IpRule[]> = (f) => parseIpRules(f.command('ip.rule4').text, 'ip.rule4');

// --- the uplink -------------------------------------------------------------------------------

/** Kinds that never carry the host's uplink traffic themselves: tunnels, VPNs, virtual NIC taps. */
const NON_UPLINK_KINDS = new Set([
  'tun',
  'wireguard',
  'gre',
  'gretap',
  'ip6gre',
  'ip6gretap',
  'erspan',
  'ipip',
  'sit',
  'ip6tnl',
  'vti',
  'vti6',
  'xfrm',
  'vxlan',
  'geneve',
  'bareudp',
  'macvtap',
  'macvlan',
  'ipvlan',
  'ipvtap',
  'dummy',
  'ifb',
  'nlmon',
  'vrf',
  'openvswitch',
]);

/** Masters whose slaves are represented by the master (the master holds the address and route). */
const AGGREGATE_KINDS = new Set(['bond', 'team', 'bridge']);

/** Bridges made by container and VM managers, never an uplink whatever their addresses. */
function isContainerBridgeName(name: string): boolean {
  return (
    name === 'docker0' ||
    name === 'docker_gwbridge' ||
    name === 'cni0' ||
    name === 'cbr0' ||
    name === 'kube-bridge' ||
    /^(virbr|podman|lxcbr|lxdbr|incusbr|cni)\d+$/.test(name) ||
    /^cni-/.test(name) ||
    /^br-[0-9a-f]{12}$/.test(name)
  );
}

/** `ignoreInterfaces` entries: exact names or `prefix*`. */
export function matchesIgnoreList(name: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : name === p));
}

function isDefaultRoute(r: Route): boolean {
  return (r.dst === 'default' || r.dst === '0.0.0.0/0' || r.dst === '::/0') && (r.type === undefined || r.type === 'unicast') && (r.table === undefined || r.table === 'main');
}

function routeDevices(r: Route): string[] {
  const devs = [r.dev, ...(r.nexthops ?? []).map((h) => h.dev)].filter((d): d is string => d !== undefined);
  return [...new Set(devs)];
}

function describeRoute(r: Route, dev: string, representative: string): string {
  const what = r.family === 'inet6' ? 'IPv6 default route' : 'default route';
  const via = r.gateway ? ` via ${r.gateway}` : ` dev ${dev}`;
  const on = dev !== representative && r.gateway ? ` on ${dev}` : '';
  return `${what}${via} metric ${r.metric}${on}`;
}

class UplinkResolver {
  private readonly byName = new Map<string, Link>();
  /** OVS bridges holding a NIC as a port (not a tap, not a tunnel): an underlay bridge such as br-phy. */
  private readonly ovsWithNic: ReadonlySet<string>;

  constructor(
    readonly all: Link[],
    private readonly ovsNames: Set<string>,
    private readonly ignore: readonly string[],
    ovsBridges: readonly OvsBridge[] = [],
  ) {
    for (const l of all) if (!this.byName.has(l.name)) this.byName.set(l.name, l);
    const isNic = (i: {name: string; type: string}) => (i.type === '' || i.type === 'system' || i.type === 'dpdk') && this.byName.has(i.name) && this.byName.get(i.name)!.kind !== 'tun' && !ovsNames.has(i.name);
    this.ovsWithNic = new Set(ovsBridges.filter((b) => b.ports.some((p) => p.interfaces.some(isNic))).map((b) => b.name));
  }

  link(name: string): Link | undefined {
    return this.byName.get(name);
  }

  /** The device a link's traffic is accounted to: a vlan's parent, a bond/bridge slave's master. */
  representative(name: string): string {
    const seen = new Set<string>();
    let current = name;
    for (;;) {
      if (seen.has(current)) return current;
      seen.add(current);
      const l = this.byName.get(current);
      if (!l) return current;
      if (l.kind === 'vlan' && l.parent && this.byName.has(l.parent)) {
        current = l.parent;
        continue;
      }
      const master = l.master ? this.byName.get(l.master) : undefined;
      if (master && AGGREGATE_KINDS.has(master.kind ?? '') && !this.isIgnoredByConfig(master.name)) {
        current = master.name;
        continue;
      }
      return current;
    }
  }

  isIgnoredByConfig(name: string): boolean {
    return matchesIgnoreList(name, this.ignore);
  }

  /** Why a device never counts as an uplink, or undefined when it may. */
  ignoredBecause(name: string, carriesDefaultRoute: boolean): string | undefined {
    if (this.isIgnoredByConfig(name)) return 'listed in ignoreInterfaces';
    const l = this.byName.get(name);
    if (name === 'lo' || l?.linkType === 'loopback' || l?.flags.includes('LOOPBACK')) return 'loopback';
    // The userspace datapath tunnels over an address on an OVS bridge that holds the NIC (br-phy):
    // with the default route on it, that bridge is where traffic leaves.
    if (this.ovsWithNic.has(name) && carriesDefaultRoute) return undefined;
    if (this.ovsNames.has(name) || name === 'ovs-system' || name === 'ovs-netdev') return 'Open vSwitch device';
    if (!l) return undefined;
    if (l.kind && NON_UPLINK_KINDS.has(l.kind)) return `${l.kind} device`;
    if (l.master && (l.master === 'ovs-system' || l.slaveKind === 'openvswitch' || this.ovsNames.has(l.master))) return 'Open vSwitch port';
    if (isContainerBridgeName(name)) return 'container or VM bridge';
    // Any other Linux bridge counts only when a real NIC hangs below it or it routes the default.
    if (l.kind === 'bridge' && !carriesDefaultRoute && !this.hasUplinkSlave(name)) return 'bridge without an uplink port';
    return undefined;
  }

  /** A slave that can reach the outside: not a tap, veth (container side) or tunnel. */
  private hasUplinkSlave(bridge: string): boolean {
    return this.all.some((l) => l.master === bridge && l.kind !== 'veth' && !(l.kind && NON_UPLINK_KINDS.has(l.kind)));
  }
}

function globalInet(l: Link): string[] {
  return l.addrs.filter((a) => a.family === 'inet' && a.scope === 'global').map((a) => `${a.local}/${a.prefixlen}`);
}

export const uplinks: Fact<UplinkView> = (f) => {
  const all = f.get(links);
  const allRoutes = f.get(routes);
  const ovs = f.try(ovsDb);
  // Without OVS data its bridges are still recognised by kind ('openvswitch', or a tap on netdev).
  const ovsNames = new Set<string>(ovs.ok ? ovs.value.bridges.map((b) => b.name) : []);
  const resolver = new UplinkResolver(all, ovsNames, f.config.ignoreInterfaces, ovs.ok ? ovs.value.bridges : []);

  const defaultRoutes = allRoutes.filter(isDefaultRoute).sort((a, b) => (a.family === b.family ? a.metric - b.metric : a.family === 'inet' ? -1 : 1));
  const reasons: Record<string, string[]> = {};
  const addReason = (dev: string, reason: string) => {
    (reasons[dev] ??= []).push(reason);
  };

  // Devices carrying a default route. An RA-learned IPv6 default alone never makes an uplink.
  const routeCarriers = new Map<string, {route: Route; dev: string}[]>();
  for (const r of defaultRoutes) {
    if (r.family === 'inet6' && r.protocol === 'ra') continue;
    // The kernel keeps routes of a dead link only with these flags; they carry nothing.
    if (r.flags?.some((fl) => fl === 'linkdown' || fl === 'dead')) continue;
    for (const dev of routeDevices(r)) {
      if (resolver.isIgnoredByConfig(dev)) continue;
      const rep = resolver.representative(dev);
      const list = routeCarriers.get(rep) ?? [];
      list.push({route: r, dev});
      routeCarriers.set(rep, list);
    }
  }

  const active = new Set<string>();
  for (const [rep, carried] of routeCarriers) {
    if (resolver.ignoredBecause(rep, true)) continue;
    active.add(rep);
    for (const {route, dev} of carried) addReason(rep, describeRoute(route, dev, rep));
  }

  // Devices that are up with carrier and a global IPv4 address (on themselves or a vlan on them).
  for (const l of all) {
    if (resolver.isIgnoredByConfig(l.name)) continue;
    const global = globalInet(l);
    if (!l.up || !l.carrier || global.length === 0) continue;
    const rep = resolver.representative(l.name);
    if (resolver.ignoredBecause(rep, routeCarriers.has(rep))) continue;
    // An address on a slave or vlan counts for its master/parent, unless the member itself never
    // could (a tap enslaved to a bridge).
    if (l.name !== rep && resolver.ignoredBecause(l.name, false)) continue;
    active.add(rep);
    addReason(rep, `UP, carrier, global ${global.join(', ')}${l.name === rep ? '' : ` on ${l.name}`}`);
  }

  // The primary uplink: the lowest-metric IPv4 default route through a device that counts.
  let primary: string | undefined;
  for (const r of defaultRoutes) {
    if (r.family !== 'inet') continue;
    const rep = routeDevices(r).map((d) => resolver.representative(d)).find((d) => active.has(d));
    if (rep) {
      primary = rep;
      break;
    }
  }

  const indexOf = (name: string) => resolver.link(name)?.index ?? Number.MAX_SAFE_INTEGER;
  const ordered = [...active].sort((a, b) => (a === primary ? -1 : b === primary ? 1 : indexOf(a) - indexOf(b) || a.localeCompare(b)));
  const view: UplinkView = {active: ordered, reasons, defaultRoutes};
  if (primary !== undefined) view.primary = primary;
  return view;
};

// --- routes to GRE peers ----------------------------------------------------------------------

export interface GreRoute {
  dev?: string;
  /** The route's own MTU when set, else the MTU of the device it leaves by. */
  mtu?: number;
  /** Why the route is not known: no route ("Network is unreachable"), the command failed, garbage. */
  error?: string;
}

/** `ip route get <peer>` for every GRE peer the collector found (source ip.route-get, keyed by peer). */
export const greRoutes: Fact<Record<string, GreRoute>> = (f) => {
  const entries = f.entries('ip.route-get');
  const linkList = f.try(links);
  const mtuOf = (dev: string) => (linkList.ok ? linkList.value.find((l) => l.name === dev)?.mtu : undefined);
  const out: Record<string, GreRoute> = {};
  for (const e of f.view.entryErrors('ip.route-get')) {
    if (e.key !== undefined) out[e.key] = {error: e.error ?? 'not collected'};
  }
  for (const entry of entries) {
    out[entry.name] = routeToPeer(entry.text, entry.entry.stderr, entry.name, mtuOf);
  }
  return out;
};

function routeToPeer(text: string, stderr: string | undefined, peer: string, mtuOf: (dev: string) => number | undefined): GreRoute {
  // iproute2 reports "no route" on stderr: "RTNETLINK answers: Network is unreachable".
  const complaint = [text, stderr ?? ''].map((t) => t.trim()).find((t) => t.startsWith('RTNETLINK answers:') || t.startsWith('Error:'));
  if (text.trim() === '' || complaint) {
    return {error: (complaint ?? stderr?.trim() ?? '').replace(/^RTNETLINK answers:\s*/, '') || 'no output'};
  }
  const r = modelOrParseError(() => parseRouteGet(text, `ip.route-get ${peer}`));
  if (r instanceof ParseError) return {error: `cannot parse ${r.message}`};
  const out: GreRoute = {};
  if (r.dev !== undefined) out.dev = r.dev;
  const mtu = r.mtu ?? (r.dev !== undefined ? mtuOf(r.dev) : undefined);
  if (mtu !== undefined) out.mtu = mtu;
  return out;
}
