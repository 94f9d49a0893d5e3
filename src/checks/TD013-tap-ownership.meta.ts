// TD013 tap-ownership: what the check is (the fields: check-meta.ts); its code is TD013-tap-ownership.ts.
import type {CheckMeta} from './check-meta.js';

export default {
  id: 'TD013',
  slug: 'tap-ownership',
  title: 'Tap owner/group refuse the worker user',
  severity: 'error',
  needs: [
    'accounts', 'ip.addr', 'mountinfo', 'network.ifcfg', 'network.nm', 'openqa.pool', 'openqa.qemu-alive',
    'openqa.switch-config', 'openqa.workers-ini', 'qemu.getcap', 'systemd.units', 'systemd.wants',
    'tap.sysfs',
  ],
  kinds: {
    'owner-refuses-worker': {severity: 'error', title: "The tap's owner is not the worker user (info when qemu has CAP_NET_ADMIN)"},
    'group-refuses-worker': {severity: 'error', title: "The tap's group is none of the worker user's groups (info when qemu has CAP_NET_ADMIN)"},
    'not-persistent': {severity: 'warning', title: 'An idle tap is not persistent: it vanishes with the process holding it'},
  },
} satisfies CheckMeta;
