// The check index: IDs, slugs, titles and default severities. Kept apart from the check code so
// `tapdoctor checks list` and `explain` load nothing heavy. IDs are stable and never reused.
import type {Severity} from '../model.js';

export interface CheckMeta {
  id: string;
  slug: string;
  title: string;
  severity: Severity;
  /** Persistence checks: run by `tapdoctor gate` only (what the next boot will build). */
  gate?: boolean;
}

export const CHECK_META: readonly CheckMeta[] = [
  {id: 'TD001', slug: 'multiple-uplinks', title: 'More than one active uplink', severity: 'warning'},
  {id: 'TD002', slug: 'nat-wrong-table', title: 'NAT rule outside the nat table / postrouting chain', severity: 'error'},
  {id: 'TD003', slug: 'vlan-tag-mismatch', title: "Tap port VLAN tag differs from the job's NICVLAN", severity: 'error'},
  {id: 'TD004', slug: 'qemu-cap-net-admin', title: 'qemu-system binary lacks cap_net_admin', severity: 'warning'},
  {id: 'TD005', slug: 'forward-counters-zero', title: 'FORWARD rules between bridge and uplink never matched', severity: 'warning'},
  {id: 'TD006', slug: 'gre-mtu', title: 'GRE tunnels with the wrong MTU or unreachable peers', severity: 'error'},
  {id: 'TD007', slug: 'factory-share-unmounted', title: 'Factory share is not an NFS mount', severity: 'error'},
  {id: 'TD008', slug: 'masquerade-wrong-uplink', title: 'Masquerade/forward rules name an interface that is not the uplink', severity: 'error'},
  {id: 'TD009', slug: 'ip-forward-disabled', title: 'IPv4 forwarding is off', severity: 'error'},
  {id: 'TD010', slug: 'ovs-flows-missing', title: 'os-autoinst-openvswitch OpenFlow rules missing', severity: 'error'},
  {id: 'TD011', slug: 'bridge-address', title: 'Bridge missing or its address is not LOCAL_IP/NETMASK', severity: 'error'},
  {id: 'TD012', slug: 'tap-inventory', title: 'Worker instance tap missing from the bridge', severity: 'error'},
  {id: 'TD013', slug: 'tap-ownership', title: 'Tap owner/group refuse the worker user', severity: 'error'},
  {id: 'TD014', slug: 'worker-class-tap', title: 'WORKER_CLASS tap and the tap setup disagree', severity: 'warning'},
];

export function checkMeta(id: string): CheckMeta {
  const meta = CHECK_META.find((m) => m.id === id);
  if (!meta) throw new Error(`unknown check id ${id}`);
  return meta;
}
