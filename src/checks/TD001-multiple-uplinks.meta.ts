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
  kinds: {
    'second-uplink': {severity: 'warning', title: 'A second active device beside the uplink (default route or carrier with a global address)'},
    'policy-rule-diverts': {severity: 'warning', title: "A policy routing rule sends SUT traffic to another table than main (a VPN's)"},
  },
} satisfies CheckMeta;
