// The fleet check index: checks that compare hosts (a tunnel mesh or star) and so cannot run on
// one host. IDs are stable and never reused; each has a page in docs/checks/ like the others.
import type {CheckMeta} from '../checks/meta.js';

export const FLEET_CHECK_META: readonly CheckMeta[] = [
  {id: 'TD201', slug: 'gre-peer-missing', title: 'Two hosts that must peer have no tunnel (or only one way)', severity: 'error'},
  {id: 'TD202', slug: 'gre-peer-unknown', title: 'Tunnel towards an address that is no host of the set (stale or foreign peer)', severity: 'warning'},
  {id: 'TD203', slug: 'mesh-mtu-mismatch', title: 'SUT MTU does not fit every tunnel of the mesh', severity: 'error'},
  {id: 'TD204', slug: 'tap-class-split', title: 'Tap class on several hosts with neither a mesh nor PARALLEL_ONE_HOST_ONLY', severity: 'error'},
  {id: 'TD205', slug: 'duplicate-identity', title: 'Two hosts with the same uplink address or host name', severity: 'error'},
  {id: 'TD206', slug: 'gre-blocked', title: "A host's firewall rejects GRE (IP protocol 47) from a peer", severity: 'error'},
  {id: 'TD207', slug: 'tunnel-key-mismatch', title: 'The two ends of a tunnel use different keys (VNI)', severity: 'error'},
];

export function fleetCheckMeta(id: string): CheckMeta {
  const meta = FLEET_CHECK_META.find((m) => m.id === id);
  if (!meta) throw new Error(`unknown fleet check id ${id}`);
  return meta;
}
