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
  kinds: {
    'self-peer': {severity: 'error', title: 'A GRE port tunnels to an address of this host: frames loop back onto the bridge'},
    'peer-unreachable': {severity: 'error', title: 'No route to a GRE peer'},
    'rstp-off': {severity: 'error', title: 'Several GRE ports on a bridge without RSTP: the mesh loops broadcasts'},
    'sut-mtu-too-large': {severity: 'error', title: 'The SUT MTU exceeds what the GRE path carries (warning when only above the configured greMtu)'},
    'bridge-mtu-below-sut': {severity: 'error', title: 'The bridge MTU is below the SUT MTU'},
  },
} satisfies CheckMeta;
