// TD010 ovs-flows-missing: what the check is (the fields: check-meta.ts); its code is TD010-ovs-flows-missing.ts.
import type {CheckMeta} from './check-meta.js';

export default {
  id: 'TD010',
  slug: 'ovs-flows-missing',
  title: 'os-autoinst-openvswitch OpenFlow rules missing',
  severity: 'error',
  appliesTo: ['tap-worker'],
  needs: [
    'ip.addr', 'journal.switch', 'openqa.switch-config', 'openqa.workers-ini', 'ovs.bridges', 'ovs.flows',
    'openqa.switch-script', 'ovs.interfaces', 'ovs.ports', 'ovs.show', 'systemd.units', 'systemd.wants', 'tap.sysfs',
  ],
  kinds: {
    'rules-missing': {severity: 'error', title: "The bridge lacks rules of the installed switch script's set"},
    'switch-service-down': {severity: 'error', title: 'os-autoinst-openvswitch.service is failed, inactive or not installed'},
    'switch-service-activating': {severity: 'warning', title: 'os-autoinst-openvswitch.service is activating: it has not taken its D-Bus name yet'},
    'ovsdb-server-down': {severity: 'error', title: 'ovsdb-server is not running (the OVS database cannot be reached)'},
    'ovs-vswitchd-down': {severity: 'error', title: 'ovs-vswitchd is not running (the bridge cannot be reached)'},
    'openvswitch-unit-down': {severity: 'error', title: 'An Open vSwitch unit is failed or inactive'},
    'waiting-for-bridge': {severity: 'error', title: 'The switch service is active but still waiting for the bridge or its address: no rules'},
  },
} satisfies CheckMeta;
