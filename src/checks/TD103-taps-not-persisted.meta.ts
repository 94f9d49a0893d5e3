// TD103 taps-not-persisted: what the check is (the fields: check-meta.ts); its code is TD103-taps-not-persisted.ts.
import type {CheckMeta} from './check-meta.js';

export default {
  id: 'TD103',
  slug: 'taps-not-persisted',
  title: 'Worker tap has no persisted config or is not a persisted port of the bridge',
  severity: 'error',
  gate: true,
  needs: [
    'accounts', 'ip.addr', 'network.ifcfg', 'network.nm', 'openqa.switch-config', 'openqa.workers-ini',
    'ovs.bridges', 'ovs.interfaces', 'ovs.ports', 'ovs.show', 'systemd.units', 'systemd.wants', 'tap.sysfs',
  ],
  kinds: {
    'no-tap-config': {severity: 'error', title: 'No persisted config creates the tap: a hand-made tap, gone after a reboot'},
    'tap-config-wrong': {severity: 'error', title: 'The persisted tap config would not put it on the bridge at boot'},
  },
} satisfies CheckMeta;
