// TD205: two hosts claiming the same uplink address (a cloned VM: tunnels reach the wrong host) or
// the same host name (openQA's web UI keys workers by host name). Two snapshots of one machine
// (same name, same uplink MAC) are not duplicates: the loader keeps the newer one.
import {defineFleetCheck, hostEvidence, type FleetFindingDraft} from '../define.js';

export default defineFleetCheck('TD205', (fleet) => {
  const out: FleetFindingDraft[] = [];
  for (const [address, hosts] of fleet.byUplinkAddress) {
    if (hosts.length < 2) continue;
    const names = hosts.map((h) => h.name);
    out.push({
      hosts: names.slice(1).concat(names[0]!),
      subject: address,
      message: `${names.join(' and ')} both have ${address} on their uplink, expected one address per host: tunnels towards ${address} reach whichever answers ARP first`,
      fix: [`# give ${names.slice(1).join(', ')} its own address (a cloned VM keeps the original's static config):`, ...hosts.slice(1).map((h) => `# on ${h.name}: change ${address} on ${h.uplink?.name ?? 'the uplink'} in its network config, then re-render the GRE pre-up scripts of every peer`)].join('\n'),
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
      fix: `# on the clone: hostnamectl set-hostname <new name>; then restart its openqa-worker instances`,
      evidence: same.map((h) => hostEvidence(h.name, 'manifest', `hostname ${h.name}, captured ${h.capturedAt}, uplink ${h.uplink?.name ?? '?'} ${h.uplink?.addresses.join(', ') ?? ''} ${h.uplink?.mac ?? ''}`)),
    });
  }
  return out;
});
