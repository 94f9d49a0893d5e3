// TD001 multiple-uplinks: what the check is (the fields: check-meta.ts); its code is TD001-multiple-uplinks.ts.
import type {CheckMeta} from './check-meta.js';

export default {
  id: 'TD001',
  slug: 'multiple-uplinks',
  title: 'More than one active uplink',
  severity: 'warning',
  appliesTo: ['tap-worker'],
  needs: [
    'ip.addr', 'ip.route4', 'ip.route6', 'ip.rule4', 'network.ifcfg', 'network.nm', 'openqa.switch-config',
    'openqa.workers-ini', 'ovs.bridges', 'ovs.interfaces', 'ovs.ports', 'ovs.show', 'systemd.units',
    'systemd.wants', 'tap.sysfs',
  ],
} satisfies CheckMeta;
