// TD104 nat-not-persisted: what the check is (the fields: check-meta.ts); its code is TD104-nat-not-persisted.ts.
import type {CheckMeta} from './check-meta.js';

export default {
  id: 'TD104',
  slug: 'nat-not-persisted',
  title: 'Masquerade for the uplink is not in the persisted config of an enabled firewall',
  severity: 'error',
  gate: true,
  needs: [
    'firewall.files', 'firewalld.files', 'firewalld.permanent', 'firewalld.runtime', 'ip.addr', 'ip.route4',
    'ip.route6', 'ip6tables.save', 'iptables-legacy.save', 'iptables.save', 'network.ifcfg', 'nft.ruleset',
    'ovs.bridges', 'ovs.interfaces', 'ovs.ports', 'ovs.show', 'susefirewall2.files',
    'systemd.firewall-units', 'systemd.wants',
  ],
  kinds: {
    'masquerade-not-persisted': {severity: 'error', title: 'No enabled firewall loads a masquerade for the uplink at boot'},
    'file-does-not-load': {severity: 'error', title: 'A rule file an enabled firewall unit loads at boot would not load at all'},
  },
} satisfies CheckMeta;
