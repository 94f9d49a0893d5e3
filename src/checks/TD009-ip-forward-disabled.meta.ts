// TD009 ip-forward-disabled: what the check is (the fields: check-meta.ts); its code is TD009-ip-forward-disabled.ts.
import type {CheckMeta} from './check-meta.js';

export default {
  id: 'TD009',
  slug: 'ip-forward-disabled',
  title: 'IPv4 forwarding is off',
  severity: 'error',
  appliesTo: ['tap-worker'],
  needs: [
    'ip.addr', 'ip.route4', 'ip.route6', 'openqa.switch-config', 'openqa.workers-ini', 'ovs.bridges',
    'ovs.interfaces', 'ovs.ports', 'ovs.show', 'sysctl.files', 'sysctl.runtime', 'systemd.units',
    'systemd.wants', 'tap.sysfs',
  ],
} satisfies CheckMeta;
