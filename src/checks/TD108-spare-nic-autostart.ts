// TD108: a spare NIC that is not an uplink now must stay down after the boot too. Fedora tap
// workers broke when a second NIC came up with an address and a default route ("Make sure eth1
// doesn't get in our way": ONBOOT=no, fedora-infra/ansible@5e296b4b4a); TD001 sees it only once it
// happened. At boot, wicked brings up ifcfg files with STARTMODE auto/hotplug/…, network-scripts
// and NetworkManager's ifcfg-rh reader those with ONBOOT other than no, NetworkManager keyfiles
// with autoconnect, and NetworkManager even a NIC with no profile at all: it creates "Wired
// connection N" with DHCP unless no-auto-default or unmanaged-devices covers the device.
import {defineCheck, evidence, pass, type FindingDraft} from './define.js';
import meta from './TD108-spare-nic-autostart.meta.js';
import type {Facts} from '../facts/facts.js';
import {links, matchesIgnoreList, uplinks} from '../facts/network.js';
import {ovsBridgeNames} from '../facts/ovs.js';
import {interfaceBoot, nmConnections, type IfaceBoot} from '../facts/network-config/index.js';
import {networkSetup} from '../facts/network-stack.js';
import type {Link} from '../facts/types.js';
import {disableNic, NETWORK_SCRIPTS_DIR, type NicConfig} from '../remedies/network.js';
import {manual} from '../remedies/step.js';

export default defineCheck(meta, (f) => {
  const all = f.get(links);
  const up = f.get(uplinks);
  const setup = f.get(networkSetup);
  if (setup.enabled.length === 0) return pass('neither wicked nor NetworkManager is enabled and no ifcfg-rh file exists: nothing brings spare NICs up at boot');
  const ovs = f.try(ovsBridgeNames);
  const ovsNames = new Set(ovs.ok ? ovs.value : []);

  const findings: FindingDraft[] = [];
  for (const l of all.filter((x) => isSpareCandidate(x, up.active, ovsNames, f.config.ignoreInterfaces))) {
    const boots = interfaceBoot(f, l.name, {plainEthernet: l.kind === undefined, ...(l.mac ? {mac: l.mac} : {})});
    const unreadable = boots.find((b) => b.error);
    const bringsUp = boots.filter((b) => b.startsAtBoot && (b.dhcp4 || b.ipv4.length > 0));
    if (bringsUp.length === 0 && !unreadable) continue;
    const state = `${l.up ? 'up' : 'down'}${l.carrier ? ', carrier' : ''}, ${l.addrs.some((a) => a.family === 'inet' && a.scope === 'global') ? 'with' : 'no'} global IPv4`;
    const how = bringsUp.map(describe).join('; ') || `${unreadable!.path} is unreadable (${unreadable!.error})`;
    findings.push({
      kind: bringsUp.length > 0 ? 'spare-nic-up-at-boot' : 'spare-nic-config-unreadable',
      subject: l.name,
      message: bringsUp.length > 0
        ? `${l.name} is not an uplink now (${state}), but at boot ${how}: a second uplink steals the default route or the NAT interface`
        : `${l.name} is not an uplink now (${state}), but ${how}: whether it comes up at boot cannot be told, and a second uplink would steal the default route or the NAT interface`,
      fix: bringsUp.length > 0 ? disableNic(l.name, bringsUp.map((b) => disableFix(f, l.name, b)), {now: false}) : [manual(`unreadable:${unreadable!.path}`, `${unreadable!.path} is unreadable`, [`# make ${unreadable!.path} readable, then set ${l.name} not to start at boot there`])],
      evidence: [
        evidence('ip.addr', `${l.name}: ${l.flags.join(',')} operstate ${l.operstate}${l.mac ? ` link/ether ${l.mac}` : ''}`),
        evidence('uplinks', `active uplinks now: ${up.active.join(', ') || '(none)'}`),
        ...bringsUp.map((b) => b.evidence),
      ],
    });
  }
  return findings;
});

/**
 * A physical NIC (or a veth standing in for one) that is not an uplink now: not enslaved, not part
 * of OVS, not up without carrier (nothing can come of it), not listed in ignoreInterfaces.
 */
function isSpareCandidate(l: Link, active: readonly string[], ovsNames: ReadonlySet<string>, ignore: readonly string[]): boolean {
  if (l.linkType !== 'ether' || (l.kind !== undefined && l.kind !== 'veth')) return false;
  if (l.master || ovsNames.has(l.name) || l.name.startsWith('ovs-') || active.includes(l.name)) return false;
  if (matchesIgnoreList(l.name, ignore)) return false;
  return !(l.up && !l.carrier);
}

function describe(b: IfaceBoot): string {
  const what = b.dhcp4 ? 'DHCP' : b.ipv4.join(', ');
  if (b.path === '') return `NetworkManager gives it an automatic "Wired connection" with DHCP (${b.startReason})`;
  return `${b.setup} brings it up with ${what} (${b.path}: ${b.startReason})`;
}

function disableFix(f: Facts, ifname: string, b: IfaceBoot): NicConfig {
  if (b.path === '') return {kind: 'nm-auto'};
  if (b.path.startsWith('/etc/NetworkManager/')) return {kind: 'nm', id: f.get(nmConnections).find((x) => x.path === b.path)?.profile.id ?? ifname, path: b.path};
  return {kind: 'ifcfg', path: b.path, flavour: b.path.startsWith(NETWORK_SCRIPTS_DIR) ? 'ifcfg-rh' : 'wicked'};
}
