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
} satisfies CheckMeta;
