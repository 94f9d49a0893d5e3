// The state of every pair that must peer, and every tunnel that points at no host: the shared
// answer of TD201 (missing / one-way) and TD202 (unknown / stale). A host with a tunnel to an
// unknown address that also lacks a tunnel to a required peer is read as one fault (a stale
// remote_ip after the peer was renumbered), reported once, by TD202.
import type {Fleet, PeerPair} from './fleet.js';
import type {FleetHostView, FleetTunnel} from './host-view.js';

export interface PairState {
  pair: PeerPair;
  a: FleetHostView;
  b: FleetHostView;
  ab: FleetTunnel[];
  ba: FleetTunnel[];
}

export interface UnknownTunnel {
  host: FleetHostView;
  tunnel: FleetTunnel;
  /** The peer this tunnel most likely meant (a required peer it does not reach): a stale remote_ip. */
  staleFor?: FleetHostView;
  /** Hosts having the address on another interface (the bridge address instead of the uplink's). */
  notUplinkOf: FleetHostView[];
}

export interface TunnelLedger {
  pairs: PairState[];
  unknown: UnknownTunnel[];
  /** "host->peer" directions explained by a stale tunnel (TD201 leaves them to TD202). */
  staleDirections: Set<string>;
}

const memo = new WeakMap<Fleet, TunnelLedger>();

export function tunnelLedger(fleet: Fleet): TunnelLedger {
  let l = memo.get(fleet);
  if (!l) memo.set(fleet, (l = build(fleet)));
  return l;
}

function build(fleet: Fleet): TunnelLedger {
  const pairs: PairState[] = [];
  for (const pair of fleet.pairs) {
    const a = fleet.byName.get(pair.a)!;
    const b = fleet.byName.get(pair.b)!;
    pairs.push({pair, a, b, ab: fleet.tunnelsTo(a, b), ba: fleet.tunnelsTo(b, a)});
  }
  const missingFrom = new Map<FleetHostView, FleetHostView[]>();
  for (const p of pairs) {
    if (p.ab.length === 0 && p.b.uplink) missingFrom.set(p.a, [...(missingFrom.get(p.a) ?? []), p.b]);
    if (p.ba.length === 0 && p.a.uplink) missingFrom.set(p.b, [...(missingFrom.get(p.b) ?? []), p.a]);
  }
  const unknown: UnknownTunnel[] = [];
  const staleDirections = new Set<string>();
  for (const host of fleet.hosts) {
    const candidates = [...(missingFrom.get(host) ?? [])];
    for (const tunnel of host.tunnels) {
      if (fleet.hostAt(tunnel.remoteIp)) continue;
      const u: UnknownTunnel = {host, tunnel, notUplinkOf: (fleet.byAnyAddress.get(tunnel.remoteIp) ?? []).filter((h) => h !== host)};
      // Only an unambiguous guess: the address sits on that peer, or exactly one required peer is
      // missing, or exactly one of them still tunnels back (its counterpart is this stale port).
      const onPeer = candidates.find((c) => u.notUplinkOf.includes(c));
      const tunnelsBack = candidates.filter((c) => fleet.tunnelsTo(c, host).length > 0);
      const guess = onPeer ?? (candidates.length === 1 ? candidates[0] : tunnelsBack.length === 1 ? tunnelsBack[0] : undefined);
      if (guess) {
        u.staleFor = guess;
        candidates.splice(candidates.indexOf(guess), 1);
        staleDirections.add(`${host.name}->${guess.name}`);
      }
      unknown.push(u);
    }
  }
  return {pairs, unknown, staleDirections};
}
