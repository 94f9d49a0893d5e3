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
    'bridge-missing': {severity: 'error', title: 'The bridge OS_AUTOINST_USE_BRIDGE names does not exist'},
    'not-ovs-bridge': {severity: 'error', title: 'OS_AUTOINST_USE_BRIDGE names a Linux bridge or a plain interface, not an Open vSwitch bridge'},
    'address-wrong': {severity: 'error', title: "The bridge's first IPv4 address is not LOCAL_IP/NETMASK"},
    'no-address': {severity: 'error', title: 'The bridge has no IPv4 address: the switch service waits for one, then dies'},
    'switch-config-invalid': {severity: 'error', title: 'LOCAL_IP, NETMASK or REWRITE_TARGET in the switch config cannot work'},
    'bridge-down': {severity: 'error', title: 'The bridge is administratively down'},
  },
} satisfies CheckMeta;
