// TD107 units-not-enabled: what the check is (the fields: check-meta.ts); its code is TD107-units-not-enabled.ts.
import type {CheckMeta} from './check-meta.js';

export default {
  id: 'TD107',
  slug: 'units-not-enabled',
  title: 'A service the tap setup needs is not enabled for boot',
  severity: 'error',
  gate: true,
  needs: [
    'mountinfo', 'network.ifcfg', 'network.nm', 'openqa.switch-config', 'openqa.workers-ini',
    'systemd.units', 'systemd.wants',
  ],
} satisfies CheckMeta;
