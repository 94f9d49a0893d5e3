// TD101 forwarding-not-persisted: what the check is (the fields: check-meta.ts); its code is TD101-forwarding-not-persisted.ts.
import type {CheckMeta} from './check-meta.js';

export default {
  id: 'TD101',
  slug: 'forwarding-not-persisted',
  title: 'IPv4 forwarding is not enabled by the persisted sysctl settings',
  severity: 'error',
  gate: true,
  needs: [
    'ip.addr', 'ip.route4', 'ip.route6', 'openqa.switch-config', 'ovs.bridges', 'ovs.interfaces',
    'ovs.ports', 'ovs.show', 'susefirewall2.files', 'sysctl.files', 'sysctl.runtime', 'systemd.wants',
  ],
} satisfies CheckMeta;
