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
  kinds: {
    'ip-forward-off': {severity: 'error', title: 'net.ipv4.ip_forward is 0: the host routes no SUT traffic'},
    'bridge-forwarding-off': {severity: 'error', title: "Forwarding is off on the switch bridge: what SUTs send is not routed"},
    'uplink-forwarding-off': {severity: 'error', title: 'Forwarding is off on the uplink: replies are not routed back to the SUTs'},
    'accept-ra-ignored': {severity: 'warning', title: 'The uplink forwards IPv6 with accept_ra=1: its RA default route expires'},
  },
} satisfies CheckMeta;
