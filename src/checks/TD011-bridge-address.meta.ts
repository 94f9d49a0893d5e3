// TD011 bridge-address: what the check is (the fields: check-meta.ts); its code is TD011-bridge-address.ts.
import type {CheckMeta} from './check-meta.js';

export default {
  id: 'TD011',
  slug: 'bridge-address',
  title: 'Bridge missing or its address is not LOCAL_IP/NETMASK',
  severity: 'error',
  appliesTo: ['tap-worker'],
  needs: [
    'ip.addr', 'network.ifcfg', 'network.nm', 'openqa.switch-config', 'openqa.workers-ini', 'ovs.bridges',
    'ovs.flows', 'ovs.interfaces', 'ovs.ports', 'ovs.show', 'systemd.units', 'systemd.wants', 'tap.sysfs',
  ],
  kinds: {
    'bridge-down': {severity: 'error', title: 'The bridge is administratively down'},
  },
} satisfies CheckMeta;
