// TD006 gre-mtu: what the check is (the fields: check-meta.ts); its code is TD006-gre-mtu.ts.
import type {CheckMeta} from './check-meta.js';

export default {
  id: 'TD006',
  slug: 'gre-mtu',
  title: 'GRE tunnels with the wrong MTU or unreachable peers',
  severity: 'error',
  needs: [
    'ip.addr', 'ip.route-get', 'network.preup', 'openqa.pool', 'openqa.qemu-alive', 'openqa.switch-config',
    'openqa.workers-ini', 'ovs.bridges', 'ovs.interfaces', 'ovs.ports', 'ovs.show', 'systemd.units',
    'systemd.wants',
  ],
} satisfies CheckMeta;
