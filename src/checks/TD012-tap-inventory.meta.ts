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
} satisfies CheckMeta;
