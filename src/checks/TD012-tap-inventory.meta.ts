// TD012 tap-inventory: what the check is (the fields: check-meta.ts); its code is TD012-tap-inventory.ts.
import type {CheckMeta} from './check-meta.js';

export default {
  id: 'TD012',
  slug: 'tap-inventory',
  title: 'Worker instance tap missing from the bridge',
  severity: 'error',
  needs: [
    'accounts', 'ip.addr', 'network.ifcfg', 'network.nm', 'openqa.switch-config', 'openqa.workers-ini',
    'ovs.bridges', 'ovs.interfaces', 'ovs.ports', 'ovs.show', 'systemd.units', 'systemd.wants', 'tap.sysfs',
  ],
  kinds: {
    'tap-missing': {severity: 'error', title: "An instance's tap does not exist in the kernel (OVSDB may still list its port)"},
    'not-a-tap': {severity: 'error', title: "The instance's tap device is a tun or another kind of device, not a tap"},
    'not-on-bridge': {severity: 'error', title: 'The tap exists but is no port of the switch bridge (none, or another bridge)'},
    'port-unusable': {severity: 'error', title: 'The tap is a port of the bridge but Open vSwitch cannot use it'},
    'instance-collision': {severity: 'warning', title: "An instance above 64 shares its tap with another instance's second NIC"},
    'stale-port': {severity: 'warning', title: 'OVSDB lists a port for a tap that is gone and that no instance needs'},
  },
} satisfies CheckMeta;
