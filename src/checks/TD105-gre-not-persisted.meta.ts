// TD105 gre-not-persisted: what the check is (the fields: check-meta.ts); its code is TD105-gre-not-persisted.ts.
import type {CheckMeta} from './check-meta.js';

export default {
  id: 'TD105',
  slug: 'gre-not-persisted',
  title: 'GRE port not re-created by an executable pre-up script',
  severity: 'error',
  gate: true,
  needs: [
    'network.ifcfg', 'network.preup', 'openqa.switch-config', 'ovs.bridges', 'ovs.interfaces', 'ovs.ports',
    'ovs.show',
  ],
} satisfies CheckMeta;
