// TD202: a tunnel whose remote_ip is the uplink address of no host in the set. When the host
// also lacks a tunnel to a peer it must have, the tunnel is that peer's stale address (error).
// Otherwise: a warning when the set is declared complete (--complete), else information, since the
// peer may simply not be among the snapshots.
import {defineFleetCheck, hostEvidence, type FleetFindingDraft} from '../define.js';
import {deletePortFix, setRemoteFix} from '../fixes.js';
import {tunnelLedger} from '../pairs.js';
import {tunnelEvidence} from './TD201-gre-peer-missing.js';

export default defineFleetCheck('TD202', (fleet) => {
  const out: FleetFindingDraft[] = [];
  for (const u of tunnelLedger(fleet).unknown) {
    const {host, tunnel} = u;
    const elsewhere = u.notUplinkOf.length > 0 ? ` (${tunnel.remoteIp} is not an uplink address but sits on ${u.notUplinkOf.map((h) => h.name).join(', ')}: remote_ip must be the peer's uplink address)` : '';
    if (u.staleFor?.uplink) {
      const peer = u.staleFor;
      const address = peer.uplink!.addresses[0]!;
      out.push({
        hosts: [host.name, peer.name],
        severity: 'error',
        subject: `${host.name}: ${tunnel.port}`,
        message: `stale remote_ip: ${host.name}'s ${tunnel.port} points at ${tunnel.remoteIp}, no host of the set${elsewhere}, while ${host.name} has no tunnel to its peer ${peer.name} (${peer.uplink!.name} ${address}), expected remote_ip=${address}`,
        fix: [setRemoteFix(host, tunnel, address, peer.name)],
        evidence: [tunnelEvidence(host, tunnel), hostEvidence(peer.name, 'ip.addr', `${peer.uplink!.name}: inet ${peer.uplink!.addresses.join(', ')}`)],
      });
      continue;
    }
    const complete = fleet.options.complete;
    out.push({
      hosts: [host.name],
      severity: complete ? 'warning' : 'info',
      subject: `${host.name}: ${tunnel.port}`,
      message: `${host.name}'s ${tunnel.port} tunnels to ${tunnel.remoteIp}, the uplink address of no host in ${complete ? 'the complete set' : 'these snapshots'}${elsewhere}: a decommissioned or renumbered peer, or a host not analyzed here${complete ? '' : ' (give --complete when the set is the whole network)'}`,
      fix: [deletePortFix(host, tunnel)],
      evidence: [tunnelEvidence(host, tunnel), {source: 'fleet', lines: [`uplink addresses of the set: ${[...fleet.byUplinkAddress.keys()].join(', ') || 'none'}`]}],
    });
  }
  return out;
});
