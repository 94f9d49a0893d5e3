// Firewall rules of a throwaway host: rendered once, written to the root dir as the persisted
// file the distribution loads at boot, and loaded into the namespace from that same text.
import {must} from './run.js';
import type {FirewallSpec} from './spec.js';

/** The shape of salt-states-openqa's etc/firewall.nft: NAT only, ip and ip6. */
export function renderSuseNft(masqueradeIfaces: string[]): string {
  const table = (family: string) =>
    [
      `table ${family} nat {`,
      '\tchain postrouting {',
      '\t\ttype nat hook postrouting priority 100; policy accept;',
      ...masqueradeIfaces.map((iface) => `\t\toifname "${iface}" masquerade`),
      '\t}',
      '}',
    ].join('\n');
  return `${table('ip')}\n${table('ip6')}\n`;
}

/** Fedora's iptables file (fedora-infra/ansible roles/openqa/worker/tasks/tap-setup.yml): INPUT and FORWARD end in REJECT, so the accepts matter. */
export function renderFedoraIptables(uplink: string, bridge: string): string {
  return [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    '-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT',
    '-A INPUT -p icmp -j ACCEPT',
    '-A INPUT -i lo -j ACCEPT',
    `-A INPUT -i ${bridge} -j ACCEPT`,
    '-A INPUT -j REJECT --reject-with icmp-host-prohibited',
    `-A FORWARD -i ${bridge} -j ACCEPT`,
    `-A FORWARD -i ${uplink} -o ${bridge} -m state --state RELATED,ESTABLISHED -j ACCEPT`,
    '-A FORWARD -j REJECT --reject-with icmp-host-prohibited',
    'COMMIT',
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':INPUT ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    `-A POSTROUTING -o ${uplink} -j MASQUERADE`,
    'COMMIT',
    '',
  ].join('\n');
}

/** The persisted file (path below the root dir) and its text; null for no firewall. */
export function firewallFile(spec: FirewallSpec): {path: string; text: string} | null {
  if (spec.kind === 'suse-nft') return {path: 'etc/firewall.nft', text: renderSuseNft(spec.masqueradeIfaces)};
  if (spec.kind === 'fedora-iptables') return {path: 'etc/sysconfig/iptables', text: renderFedoraIptables(spec.uplink, spec.bridge)};
  return null;
}

/** Load the rules into the namespace the way the boot units do (nft -f / iptables-restore). */
export async function loadFirewall(netns: string, spec: FirewallSpec): Promise<void> {
  const file = firewallFile(spec);
  if (!file) return;
  const loader = spec.kind === 'suse-nft' ? ['nft', '-f', '-'] : ['iptables-restore'];
  await must(['ip', 'netns', 'exec', netns, ...loader], {input: file.text});
}

/** Zero the FORWARD counters (iptables only: SUSE's nft rules carry no counters). */
export async function zeroForwardCounters(netns: string, spec: FirewallSpec): Promise<void> {
  if (spec.kind === 'fedora-iptables') await must(['ip', 'netns', 'exec', netns, 'iptables', '-Z', 'FORWARD']);
}
