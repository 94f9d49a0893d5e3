// TD005 forward-counters-zero: what the check is (the fields: check-meta.ts); its code is TD005-forward-counters-zero.ts.
import type {CheckMeta} from './check-meta.js';

export default {
  id: 'TD005',
  slug: 'forward-counters-zero',
  title: 'FORWARD rules between bridge and uplink never matched',
  severity: 'warning',
  appliesTo: ['tap-worker'],
  needs: [
    'firewall.files', 'firewalld.files', 'firewalld.permanent', 'firewalld.runtime', 'ip.addr', 'ip.route4',
    'ip.route6', 'ip6tables.save', 'iptables-legacy.save', 'iptables.save', 'nft.ruleset', 'openqa.pool',
    'openqa.qemu-alive', 'openqa.switch-config', 'openqa.workers-ini', 'ovs.bridges', 'ovs.flows',
    'ovs.interfaces', 'ovs.ports', 'ovs.show', 'proc.uptime', 'systemd.units', 'systemd.wants', 'tap.sysfs',
  ],
  kinds: {
    'bridge-traffic-dropped': {severity: 'error', title: 'The FORWARD chain drops traffic between the bridge and the uplink (a reject or drop policy before any accept)'},
    'counters-zero': {severity: 'warning', title: 'The FORWARD rules for the bridge read 0 packets although SUTs routed traffic'},
  },
} satisfies CheckMeta;
