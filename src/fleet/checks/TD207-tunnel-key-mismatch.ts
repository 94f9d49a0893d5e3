// TD207: both ends of a tunnel exist but set different keys (the VNI of a VXLAN port, a GRE key):
// each end drops the other's packets, so the overlay is dead both ways while OVSDB looks complete.
import {defineFleetCheck, hostEvidence, type FleetFindingDraft} from '../define.js';
import {setTunnelKey} from '../../remedies/network.js';

export default defineFleetCheck('TD207', (fleet) => {
  const out: FleetFindingDraft[] = [];
  for (const [x, y] of fleet.reachedPairs()) {
    const xy = fleet.tunnelsTo(x, y)[0];
    const yx = fleet.tunnelsTo(y, x)[0];
    if (!xy || !yx || (xy.key ?? '0') === (yx.key ?? '0')) continue;
    // The spoke of a star changes (its hub's key is shared by every spoke); in a mesh, the second named.
    const [change, keep, tChange, tKeep] = fleet.topology.hub === x.name ? [y, x, yx, xy] : [x, y, xy, yx];
    out.push({
      hosts: [change.name, keep.name],
      subject: `${change.name}: ${tChange.port}`,
      message: `${change.name}'s ${tChange.port} uses key ${tChange.key ?? '(none)'} but ${keep.name}'s ${tKeep.port} towards it uses key ${tKeep.key ?? '(none)'}, expected the same key on both ends: every packet of the tunnel is dropped`,
      fix: [{host: change.name, steps: [setTunnelKey(tChange.port, tKeep.key ?? '0')]}],
      evidence: [hostEvidence(change.name, 'ovs.interfaces', `${tChange.bridge} port ${tChange.port}: type=${tChange.type} options:remote_ip=${tChange.remoteIp} options:key=${tChange.key ?? '(none)'}`), hostEvidence(keep.name, 'ovs.interfaces', `${tKeep.bridge} port ${tKeep.port}: type=${tKeep.type} options:remote_ip=${tKeep.remoteIp} options:key=${tKeep.key ?? '(none)'}`)],
    });
  }
  return out;
});
