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
  /**
   * The distinct faults the check reports besides its main one (whose kind is the slug): the
   * finding's `kind` is `<ID>/<name>`, stable in JSON, each with a `### <ID>/<name>` section on the
   * check's page and a case in fixtures/cases.
   */
  kinds?: Readonly<Record<string, KindMeta>>;
  /** Preconditions the engine evaluates before running the check; unmet = status n/a with the reason. */
  appliesTo?: readonly Applicability[];
}

export interface KindMeta {
  severity: Severity;
  title: string;
}

/** Declared preconditions (evaluated in checks/applicability.ts). */
export type Applicability = 'tap-worker';
const TAP: readonly Applicability[] = ['tap-worker'];

export const CHECK_META: readonly CheckMeta[] = [
  {id: 'TD001', slug: 'multiple-uplinks', title: 'More than one active uplink', severity: 'warning', appliesTo: TAP},
  {id: 'TD002', slug: 'nat-wrong-table', title: 'NAT rule outside the nat table / postrouting chain', severity: 'error'},
  {id: 'TD003', slug: 'vlan-tag-mismatch', title: "Tap port VLAN tag differs from the job's NICVLAN", severity: 'error'},
  {id: 'TD004', slug: 'qemu-cap-net-admin', title: 'qemu-system binary lacks cap_net_admin', severity: 'warning'},
  {id: 'TD005', slug: 'forward-counters-zero', title: 'FORWARD rules between bridge and uplink never matched', severity: 'warning', appliesTo: TAP},
  {id: 'TD006', slug: 'gre-mtu', title: 'GRE tunnels with the wrong MTU or unreachable peers', severity: 'error'},
  {id: 'TD007', slug: 'factory-share-unmounted', title: 'Factory share is not an NFS mount', severity: 'error'},
  {id: 'TD008', slug: 'masquerade-wrong-uplink', title: 'Masquerade/forward rules name an interface that is not the uplink', severity: 'error', appliesTo: TAP},
  {id: 'TD009', slug: 'ip-forward-disabled', title: 'IPv4 forwarding is off', severity: 'error', appliesTo: TAP},
  {id: 'TD010', slug: 'ovs-flows-missing', title: 'os-autoinst-openvswitch OpenFlow rules missing', severity: 'error', appliesTo: TAP,
    kinds: {
      'ovsdb-server-down': {severity: 'error', title: 'ovsdb-server is not running (the OVS database cannot be reached)'},
      'ovs-vswitchd-down': {severity: 'error', title: 'ovs-vswitchd is not running (the bridge cannot be reached)'},
      'openvswitch-unit-down': {severity: 'error', title: 'An Open vSwitch unit is failed or inactive'},
      'waiting-for-bridge': {severity: 'error', title: 'The switch service is active but still waiting for the bridge or its address: no rules'},
    }},
  {id: 'TD011', slug: 'bridge-address', title: 'Bridge missing or its address is not LOCAL_IP/NETMASK', severity: 'error', appliesTo: TAP,
    kinds: {'bridge-down': {severity: 'error', title: 'The bridge is administratively down'}}},
  {id: 'TD012', slug: 'tap-inventory', title: 'Worker instance tap missing from the bridge', severity: 'error'},
  {id: 'TD013', slug: 'tap-ownership', title: 'Tap owner/group refuse the worker user', severity: 'error'},
  {id: 'TD014', slug: 'worker-class-tap', title: 'WORKER_CLASS tap and the tap setup disagree', severity: 'warning'},
  // Persistence checks (the pre-reboot gate): what the next boot builds, not what runs now.
  {id: 'TD101', slug: 'forwarding-not-persisted', title: 'IPv4 forwarding is not enabled by the persisted sysctl settings', severity: 'error', gate: true},
  {id: 'TD102', slug: 'bridge-not-persisted', title: 'Bridge address LOCAL_IP/NETMASK is not in the persisted network config', severity: 'error', gate: true},
  {id: 'TD103', slug: 'taps-not-persisted', title: 'Worker tap has no persisted config or is not a persisted port of the bridge', severity: 'error', gate: true},
  {id: 'TD104', slug: 'nat-not-persisted', title: 'Masquerade for the uplink is not in the persisted config of an enabled firewall', severity: 'error', gate: true},
  {id: 'TD105', slug: 'gre-not-persisted', title: 'GRE port not re-created by an executable pre-up script', severity: 'error', gate: true},
  {id: 'TD106', slug: 'share-not-persisted', title: 'Factory share is not mounted by fstab or an enabled mount unit', severity: 'error', gate: true},
  {id: 'TD107', slug: 'units-not-enabled', title: 'A service the tap setup needs is not enabled for boot', severity: 'error', gate: true},
  {id: 'TD108', slug: 'spare-nic-autostart', title: 'A spare NIC that is down now would be brought up at boot', severity: 'error', gate: true},
];

export function checkMeta(id: string): CheckMeta {
  const meta = CHECK_META.find((m) => m.id === id);
  if (!meta) throw new Error(`unknown check id ${id}`);
  return meta;
}
