// TD105 gre-not-persisted: what the check is (the fields: check-meta.ts); its code is TD105-gre-not-persisted.ts.
import type {CheckMeta} from './check-meta.js';

export default {
  id: 'TD105',
  slug: 'gre-not-persisted',
  title: 'GRE port not re-created by an executable pre-up script',
  severity: 'error',
  gate: true,
  needs: [
    'network.ifcfg', 'network.nm', 'network.preup', 'openqa.switch-config', 'ovs.bridges', 'ovs.interfaces',
    'ovs.ports', 'ovs.show', 'systemd.wants',
  ],
  kinds: {
    'no-preup': {severity: 'error', title: 'No pre-up script re-creates the GRE port at boot'},
    'preup-would-not-recreate': {severity: 'error', title: 'The persisted pre-up would not re-create the GRE port (missing, not executable, peer commented out, wrong ifcfg)'},
  },
} satisfies CheckMeta;
