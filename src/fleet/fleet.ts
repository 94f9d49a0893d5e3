// The fleet: every host's view plus the answers fleet checks share (which address is which host,
// who must peer with whom, which tunnels exist between two hosts). One place for each answer.
import type {FleetHostView, FleetTunnel} from './host-view.js';

export type TopologySetting = {kind: 'mesh'} | {kind: 'star'; hub: string};

export interface FleetOptions {
  /** The set is every host of the multi-machine network (TD202 warns instead of informing). */
  complete: boolean;
  /** --topology; undefined: openQA mesh when hosts carry `tap`, else a detected star or a mesh. */
  topology?: TopologySetting;
}

export interface Topology {
  kind: 'openqa-mesh' | 'mesh' | 'star';
  hub?: string;
  /** How it was decided (printed in reports). */
  basis: string;
}

export interface PeerPair {
  a: string;
  b: string;
  /** Why they must peer ("both carry tap and location-nue"). */
  why: string;
}

export const isTapClass = (c: string): boolean => /^tap\d*$/.test(c);
export const locationClasses = (h: FleetHostView): string[] => h.classes.filter((c) => c.startsWith('location-'));

export class Fleet {
  readonly byName: Map<string, FleetHostView>;
  /** Uplink address -> hosts claiming it (more than one: TD205). */
  readonly byUplinkAddress = new Map<string, FleetHostView[]>();
  /** Any global address -> hosts (a tunnel to a host's non-uplink address). */
  readonly byAnyAddress = new Map<string, FleetHostView[]>();
  readonly topology: Topology;
  readonly pairs: PeerPair[];

  constructor(
    readonly hosts: readonly FleetHostView[],
    readonly options: FleetOptions,
  ) {
    this.byName = new Map(hosts.map((h) => [h.name, h]));
    for (const h of hosts) {
      for (const a of h.uplink?.addresses ?? []) push(this.byUplinkAddress, a, h);
      for (const a of h.addresses) push(this.byAnyAddress, a, h);
    }
    this.topology = decideTopology(this, options.topology);
    this.pairs = mustPeer(this);
  }

  /** The host whose uplink has this address (the first, when several claim it). */
  hostAt(address: string): FleetHostView | undefined {
    return this.byUplinkAddress.get(address)?.[0];
  }

  /** Tunnels of `from` towards the uplink address of `to`. */
  tunnelsTo(from: FleetHostView, to: FleetHostView): FleetTunnel[] {
    const addrs = new Set(to.uplink?.addresses ?? []);
    return from.tunnels.filter((t) => addrs.has(t.remoteIp));
  }

  /** The hosts a host's tunnels reach (by uplink address). */
  reached(from: FleetHostView): FleetHostView[] {
    const out = new Set<FleetHostView>();
    for (const t of from.tunnels) {
      const h = this.hostAt(t.remoteIp);
      if (h && h !== from) out.add(h);
    }
    return [...out];
  }

  /** Every pair of hosts joined by a tunnel in at least one direction, each pair once. */
  reachedPairs(): Array<[FleetHostView, FleetHostView]> {
    const out: Array<[FleetHostView, FleetHostView]> = [];
    const seen = new Set<string>();
    for (const x of this.hosts) {
      for (const y of this.reached(x)) {
        const key = [x.name, y.name].sort().join('|');
        if (seen.has(key)) continue;
        seen.add(key);
        out.push([x, y]);
      }
    }
    return out;
  }

  /** A tunnel joins them in at least one direction. */
  joined(a: FleetHostView, b: FleetHostView): boolean {
    return this.tunnelsTo(a, b).length > 0 || this.tunnelsTo(b, a).length > 0;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function decideTopology(fleet: Fleet, setting: TopologySetting | undefined): Topology {
  if (setting?.kind === 'star') return {kind: 'star', hub: setting.hub, basis: `--topology star:${setting.hub}`};
  if (setting?.kind === 'mesh') {
    return fleet.hosts.some((h) => h.classes.includes('tap')) ? {kind: 'openqa-mesh', basis: '--topology mesh; hosts carrying tap'} : {kind: 'mesh', basis: '--topology mesh'};
  }
  if (fleet.hosts.some((h) => h.classes.includes('tap'))) {
    return {kind: 'openqa-mesh', basis: 'hosts carry the openQA tap class: every tap host peers with the tap hosts of its locations'};
  }
  const hub = detectHub(fleet);
  if (hub) return {kind: 'star', hub: hub.name, basis: `detected: ${hub.name}'s tunnels reach every other host, theirs reach only it`};
  return {kind: 'mesh', basis: 'no tap class and no hub: every host with tunnels peers with every other'};
}

/** A hub: its tunnels reach every other host, while every other host's tunnels reach only it. */
function detectHub(fleet: Fleet): FleetHostView | undefined {
  const withTunnels = fleet.hosts.filter((h) => h.tunnels.length > 0);
  if (fleet.hosts.length < 3 || withTunnels.length < 2) return undefined;
  for (const hub of withTunnels) {
    const others = fleet.hosts.filter((h) => h !== hub);
    const reached = new Set(fleet.reached(hub));
    // One lost tunnel must not hide the star: the hub reaches all but at most one spoke.
    if (reached.size < others.length - 1 || reached.size < 2) continue;
    if (others.every((o) => fleet.reached(o).every((r) => r === hub))) return hub;
  }
  return undefined;
}

/** Who must peer with whom, per topology. */
function mustPeer(fleet: Fleet): PeerPair[] {
  const out: PeerPair[] = [];
  const hosts = fleet.hosts;
  if (fleet.topology.kind === 'star') {
    const hub = fleet.byName.get(fleet.topology.hub!);
    if (!hub) return out;
    for (const h of hosts) if (h !== hub) out.push({a: hub.name, b: h.name, why: `${hub.name} is the hub of the star`});
    return out;
  }
  for (let i = 0; i < hosts.length; i++) {
    for (let j = i + 1; j < hosts.length; j++) {
      const a = hosts[i]!;
      const b = hosts[j]!;
      const why = fleet.topology.kind === 'openqa-mesh' ? openqaPeering(a, b) : a.tunnels.length > 0 || b.tunnels.length > 0 ? 'mesh of every host with tunnels' : undefined;
      if (why) out.push({a: a.name, b: b.name, why});
    }
  }
  return out;
}

/**
 * salt-states-openqa's gre_peers: a host's peers are the hosts carrying `tap` and every
 * `location-*` class the host carries. A pair must peer when either side's rule names the other.
 * Hosts that opted out of the mesh (PARALLEL_ONE_HOST_ONLY=1 and no tunnel) need no peer.
 */
function openqaPeering(a: FleetHostView, b: FleetHostView): string | undefined {
  if (!a.classes.includes('tap') || !b.classes.includes('tap')) return undefined;
  const optedOut = (h: FleetHostView) => h.parallelOneHostOnly && h.tunnels.length === 0;
  if (optedOut(a) || optedOut(b)) return undefined;
  // Neither host is in any mesh: a tap class split over unmeshed hosts is TD204's.
  if (a.tunnels.length === 0 && b.tunnels.length === 0) return undefined;
  const needs = (x: FleetHostView, y: FleetHostView) => locationClasses(x).every((l) => y.classes.includes(l));
  if (!needs(a, b) && !needs(b, a)) return undefined;
  const shared = locationClasses(a).filter((l) => b.classes.includes(l));
  return `both carry tap${shared.length > 0 ? ` and ${shared.join(', ')}` : ''}`;
}
