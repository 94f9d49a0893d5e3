// TD102 bridge-not-persisted: what the check is (the fields: check-meta.ts); its code is TD102-bridge-not-persisted.ts.
import type {CheckMeta} from './check-meta.js';

export default {
  id: 'TD102',
  slug: 'bridge-not-persisted',
  title: 'Bridge address LOCAL_IP/NETMASK is not in the persisted network config',
  severity: 'error',
  gate: true,
  needs: [
    'ip.addr', 'network.ifcfg', 'network.nm', 'openqa.switch-config', 'openqa.workers-ini', 'systemd.units',
    'systemd.wants',
  ],
  kinds: {
    'no-bridge-config': {severity: 'error', title: 'No persisted network config gives the bridge LOCAL_IP/NETMASK'},
    'bridge-config-wrong': {severity: 'error', title: 'The persisted bridge config would not give it LOCAL_IP/NETMASK at boot'},
  },
} satisfies CheckMeta;
