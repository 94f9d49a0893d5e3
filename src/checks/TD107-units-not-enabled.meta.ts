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
  kinds: {
    'service-not-enabled': {severity: 'error', title: 'A service the tap setup needs (openvswitch, os-autoinst-openvswitch, the network service) is not enabled'},
    'worker-not-enabled': {severity: 'error', title: 'A worker instance running now is enabled in no flavour: it does not come back after a reboot'},
    'worker-target-misses-pool': {severity: 'error', title: 'openqa-worker.target is enabled, but its generator cannot see the pool directory at boot'},
  },
} satisfies CheckMeta;
