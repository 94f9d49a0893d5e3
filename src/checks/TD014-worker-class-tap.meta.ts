// TD014 worker-class-tap: what the check is (the fields: check-meta.ts); its code is TD014-worker-class-tap.ts.
import type {CheckMeta} from './check-meta.js';

export default {
  id: 'TD014',
  slug: 'worker-class-tap',
  title: 'WORKER_CLASS tap and the tap setup disagree',
  severity: 'warning',
  needs: [
    'openqa.switch-config', 'openqa.workers-ini', 'ovs.bridges', 'ovs.interfaces', 'ovs.ports', 'ovs.show',
    'systemd.units', 'systemd.wants',
  ],
} satisfies CheckMeta;
