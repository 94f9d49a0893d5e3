// TD201: two hosts that must peer (see fleet.ts mustPeer) with no tunnel between them, or a
// tunnel in one direction only. The host that lacks the tunnel is the one that must change.
import {defineFleetCheck, hostEvidence, type FleetFindingDraft} from '../define.js';
import {addTunnelFix} from '../fixes.js';
import type {FleetHostView, FleetTunnel} from '../host-view.js';
import {tunnelLedger} from '../pairs.js';

export default defineFleetCheck('TD201', (fleet) => {
  const ledger = tunnelLedger(fleet);
  const out: FleetFindingDraft[] = [];
  // Port names given out per host in this run: two missing peers get two ports.
  const taken = new Map<string, Set<string>>();
  const takenOn = (h: FleetHostView) => taken.get(h.name) ?? taken.set(h.name, new Set()).get(h.name)!;
  for (const p of ledger.pairs) {
    const abMissing = p.ab.length === 0 && !ledger.staleDirections.has(`${p.a.name}->${p.b.name}`);
    const baMissing = p.ba.length === 0 && !ledger.staleDirections.has(`${p.b.name}->${p.a.name}`);
    if (!abMissing && !baMissing) continue;
    if (!p.a.uplink || !p.b.uplink) continue; // no address to tunnel to: the host view says why
    if (abMissing && baMissing && p.ab.length === 0 && p.ba.length === 0) {
      out.push({
        hosts: [p.a.name, p.b.name],
        subject: `${p.a.name} <-> ${p.b.name}`,
        message: `${p.a.name} and ${p.b.name} must peer (${p.pair.why}) but neither has a tunnel towards the other, expected one each way: clusters split over them never meet`,
        fix: [addTunnelFix(p.a, peerOf(p.b), likeOf(p.a), takenOn(p.a)), addTunnelFix(p.b, peerOf(p.a), likeOf(p.b), takenOn(p.b))],
        evidence: [noTunnel(p.a, p.b), noTunnel(p.b, p.a)],
      });
      continue;
    }
    // One way: the side without a tunnel must add it.
    const [lacking, having, existing] = abMissing ? [p.a, p.b, p.ba] : [p.b, p.a, p.ab];
    out.push({
      hosts: [lacking.name, having.name],
      subject: `${lacking.name} -> ${having.name}`,
      message: `one-way tunnel: ${having.name} has ${existing.map((t) => t.port).join(', ')} towards ${lacking.name}, but ${lacking.name} has none towards ${having.name} (${p.pair.why}), expected both directions: SUTs on ${lacking.name} never answer SUTs on ${having.name}`,
      // Only the side without the port changes: the other end is right as it is.
      fix: [addTunnelFix(lacking, peerOf(having), existing[0], takenOn(lacking))],
      evidence: [...existing.map((t) => tunnelEvidence(having, t)), noTunnel(lacking, having)],
    });
  }
  return out;
});

const peerOf = (h: FleetHostView) => ({name: h.name, address: h.uplink!.addresses[0]!});
const likeOf = (h: FleetHostView): FleetTunnel | undefined => h.tunnels[0];

export function tunnelEvidence(h: FleetHostView, t: FleetTunnel) {
  return hostEvidence(h.name, 'ovs.interfaces', `${t.bridge} port ${t.port}: type=${t.type} options:remote_ip=${t.remoteIp}${t.key !== undefined ? ` options:key=${t.key}` : ''}`);
}

function noTunnel(from: FleetHostView, to: FleetHostView) {
  const ports = from.tunnels.map((t) => `${t.port}->${t.remoteIp}`);
  return hostEvidence(from.name, 'ovs.interfaces', `no tunnel port with remote_ip ${to.uplink?.addresses.join(' or ')} (${to.name}'s uplink ${to.uplink?.name}); tunnel ports: ${ports.length > 0 ? ports.join(', ') : 'none'}`);
}
