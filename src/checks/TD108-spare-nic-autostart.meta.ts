// TD108 spare-nic-autostart: what the check is (the fields: check-meta.ts); its code is TD108-spare-nic-autostart.ts.
import type {CheckMeta} from './check-meta.js';

export default {
  id: 'TD108',
  slug: 'spare-nic-autostart',
  title: 'A spare NIC that is down now would be brought up at boot',
  severity: 'error',
  gate: true,
  needs: [
    'ip.addr', 'ip.route4', 'ip.route6', 'network.ifcfg', 'network.nm', 'ovs.bridges', 'ovs.interfaces',
    'ovs.ports', 'ovs.show', 'systemd.wants',
  ],
  kinds: {
    'spare-nic-up-at-boot': {severity: 'error', title: 'A spare NIC that is not an uplink now is brought up with an address at boot'},
    'spare-nic-config-unreadable': {severity: 'error', title: 'The boot config of a spare NIC is unreadable: whether it comes up cannot be told'},
  },
} satisfies CheckMeta;
