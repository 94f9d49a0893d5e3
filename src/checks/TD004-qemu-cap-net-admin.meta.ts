// TD004 qemu-cap-net-admin: what the check is (the fields: check-meta.ts); its code is TD004-qemu-cap-net-admin.ts.
import type {CheckMeta} from './check-meta.js';

export default {
  id: 'TD004',
  slug: 'qemu-cap-net-admin',
  title: 'qemu-system binary lacks cap_net_admin',
  severity: 'warning',
  needs: [
    'accounts', 'ip.addr', 'mountinfo', 'openqa.pool', 'openqa.qemu-alive', 'openqa.workers-ini',
    'os-release', 'qemu.getcap', 'systemd.units', 'systemd.wants', 'tap.sysfs',
  ],
  kinds: {
    required: {severity: 'error', title: 'qemu lacks an effective cap_net_admin and a tap or a running job needs it'},
    'not-required': {severity: 'info', title: 'qemu lacks an effective cap_net_admin, no tap needs it today (warning when the taps could not be judged)'},
    'unused-binary': {severity: 'info', title: 'A qemu binary no tap job here runs lacks cap_net_admin'},
  },
} satisfies CheckMeta;
