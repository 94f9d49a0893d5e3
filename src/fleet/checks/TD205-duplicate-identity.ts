// TD205: two hosts claiming the same uplink address (a cloned VM: tunnels reach the wrong host) or
// the same host name (openQA's web UI keys workers by host name). Two snapshots of one machine
// (same name, same uplink MAC) are not duplicates: the loader keeps the newer one.
import {defineFleetCheck, hostEvidence, type FleetFindingDraft} from '../define.js';
import {manual} from '../../remedies/step.js';

export default defineFleetCheck('TD205', (fleet) => {
  const out: FleetFindingDraft[] = [];
  for (const [address, hosts] of fleet.byUplinkAddress) {
    if (hosts.length < 2) continue;
    const names = hosts.map((h) => h.name);
    out.push({
      hosts: names.slice(1).concat(names[0]!),
      subject: address,
      message: `${names.join(' and ')} both have ${address} on their uplink, expected one address per host: tunnels towards ${address} reach whichever answers ARP first`,
      fix: hosts.slice(1).map((h) => ({
        host: h.name,
        steps: [manual(`uplink-address:${address}`, "the new address is the admin's choice", [`# a cloned VM keeps the original's static config: change ${address} on ${h.uplink?.name ?? 'the uplink'} in its network config, then re-render the GRE pre-up scripts of every peer`])],
      })),
      evidence: hosts.map((h) => hostEvidence(h.name, 'ip.addr', `${h.uplink?.name}: inet ${address}${h.uplink?.mac ? ` link/ether ${h.uplink.mac}` : ''}`)),
    });
  }
  const byName = new Map<string, number>();
  for (const h of fleet.hosts) byName.set(h.name, (byName.get(h.name) ?? 0) + 1);
  for (const [name, count] of byName) {
    if (count < 2) continue;
    const same = fleet.hosts.filter((h) => h.name === name);
    out.push({
      hosts: [name],
      subject: name,
      message: `${count} different hosts are named ${name} (uplink ${same.map((h) => `${h.uplink?.addresses[0] ?? '?'}${h.uplink?.mac ? ` ${h.uplink.mac}` : ''}`).join(' / ')}), expected unique host names: the web UI mixes up their workers`,
      // Both carry the name: the snapshots cannot tell which one is the clone.
      fix: [{host: name, steps: [manual(`hostname:${name}`, "the new name is the admin's choice, on the clone only", ['# on the clone: hostnamectl set-hostname <new name>; then restart its openqa-worker instances'])]}],
      evidence: same.map((h) => hostEvidence(h.name, 'manifest', `hostname ${h.name}, captured ${h.capturedAt}, uplink ${h.uplink?.name ?? '?'} ${h.uplink?.addresses.join(', ') ?? ''} ${h.uplink?.mac ?? ''}`)),
    });
  }
  return out;
});
