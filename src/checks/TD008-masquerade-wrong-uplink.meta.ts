// TD008 masquerade-wrong-uplink: what the check is (the fields: check-meta.ts); its code is TD008-masquerade-wrong-uplink.ts.
import type {CheckMeta} from './check-meta.js';

export default {
  id: 'TD008',
  slug: 'masquerade-wrong-uplink',
  title: 'Masquerade/forward rules name an interface that is not the uplink',
  severity: 'error',
  appliesTo: ['tap-worker'],
  needs: [
    'firewall.files', 'firewalld.files', 'firewalld.permanent', 'firewalld.runtime', 'ip.addr', 'ip.route4',
    'ip.route6', 'ip6tables.save', 'iptables-legacy.save', 'iptables.save', 'nft.ruleset',
    'openqa.switch-config', 'openqa.workers-ini', 'ovs.bridges', 'ovs.interfaces', 'ovs.ports', 'ovs.show',
    'systemd.units', 'systemd.wants', 'tap.sysfs',
  ],
} satisfies CheckMeta;
