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
  kinds: {
    'ip-forward-not-set': {severity: 'error', title: 'No persisted sysctl file sets net.ipv4.ip_forward = 1: forwarding is off after a reboot'},
    'ip-forward-set-off': {severity: 'error', title: 'The last persisted setting of the IPv4 forwarding switch is not 1'},
    'interface-forwarding-off': {severity: 'error', title: 'A persisted per-interface forwarding = 0 for the bridge or the uplink wins over ip_forward = 1'},
  },
} satisfies CheckMeta;
