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
  kinds: {
    'switch-service-down': {severity: 'warning', title: 'A tap instance while os-autoinst-openvswitch.service is not running'},
    'switch-bridge-missing': {severity: 'warning', title: "A tap instance while the switch service's bridge (OS_AUTOINST_USE_BRIDGE) does not exist"},
    'taps-without-class': {severity: 'warning', title: 'Taps on the bridge, but no worker instance advertises tap'},
  },
} satisfies CheckMeta;
