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
} satisfies CheckMeta;
