// TD003 vlan-tag-mismatch: what the check is (the fields: check-meta.ts); its code is TD003-vlan-tag-mismatch.ts.
import type {CheckMeta} from './check-meta.js';

export default {
  id: 'TD003',
  slug: 'vlan-tag-mismatch',
  title: "Tap port VLAN tag differs from the job's NICVLAN",
  severity: 'error',
  needs: [
    'openqa.pool', 'openqa.qemu-alive', 'openqa.switch-config', 'ovs.bridges', 'ovs.interfaces', 'ovs.ports',
    'ovs.show',
  ],
  kinds: {
    'tag-differs': {severity: 'error', title: "The running job's tap carries another VLAN tag than its NICVLAN"},
    untagged: {severity: 'error', title: "The running job's tap has no VLAN tag (warning when QEMU_NON_FATAL_DBUS_CALL let the job run on)"},
    'not-on-bridge': {severity: 'error', title: "The running job's tap is no port of the switch bridge: set_vlan refuses it"},
    'vlan-mode': {severity: 'warning', title: "The running job's tap is tagged but its vlan_mode is not dot1q-tunnel"},
    'leftover-tag': {severity: 'info', title: 'A tap no running job uses keeps a VLAN tag (unset_vlan did not run)'},
  },
} satisfies CheckMeta;
