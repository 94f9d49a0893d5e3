// The shapes of the facts checks ask for. The fact functions live beside this file, one module
// per domain (network.ts, ovs.ts, openqa.ts, host.ts, firewall.ts); this file is the contract
// between them and the checks.

// --- network (facts/network.ts) ---------------------------------------------------------------

export interface IpAddress {
  family: 'inet' | 'inet6';
  local: string;
  prefixlen: number;
  scope: string;
}

export interface Link {
  name: string;
  index: number;
  /** linkinfo info_kind: 'tun', 'veth', 'bridge', 'bond', 'openvswitch', 'gre', 'vlan', 'wireguard', ...; undefined for plain NICs. */
  kind?: string;
  /** For tun devices: 'tap' or 'tun'. */
  tunType?: string;
  /** Master device (bond, Linux bridge, or 'ovs-system' for OVS ports on the kernel datapath). */
  master?: string;
  flags: string[];
  /** Administratively up (flag UP). */
  up: boolean;
  /** Link has carrier (flag LOWER_UP). */
  carrier: boolean;
  operstate: string;
  mtu: number;
  mac?: string;
  addrs: IpAddress[];
}

export interface Route {
  dst: string;
  gateway?: string;
  dev?: string;
  metric: number;
  protocol?: string;
  family: 'inet' | 'inet6';
}

export interface UplinkView {
  /** The device traffic leaves by: lowest-metric IPv4 default route (resolved through bond/bridge masters). */
  primary?: string;
  /** Every device that could carry uplink traffic right now (up, carrier, global IPv4 or default route). */
  active: string[];
  /** Why each active device counts (for evidence). */
  reasons: Record<string, string[]>;
  defaultRoutes: Route[];
}

// --- Open vSwitch (facts/ovs.ts) --------------------------------------------------------------

export interface OvsInterface {
  name: string;
  /** '' (system), 'internal', 'gre', 'vxlan', 'patch', 'tap', ... */
  type: string;
  options: Record<string, string>;
  /** -1 when the device is missing from the kernel. */
  ofport?: number;
  error?: string;
  mtu?: number;
  mtuRequest?: number;
  mac?: string;
}

export interface OvsPort {
  name: string;
  bridge?: string;
  /** VLAN tag 0-4095, undefined when untagged. */
  tag?: number;
  vlanMode?: string;
  interfaces: OvsInterface[];
}

export interface OvsBridge {
  name: string;
  datapathType?: string;
  rstpEnable?: boolean;
  stpEnable?: boolean;
  ports: OvsPort[];
}

export interface OvsDb {
  bridges: OvsBridge[];
  /** Every port, with its bridge when known. */
  ports: OvsPort[];
  interfaces: OvsInterface[];
  /** Where the data came from: the JSON lists, or `ovs-vsctl show` text (no vlan_mode, no ofport). */
  from: 'json' | 'show';
}

export interface OpenFlow {
  table: number;
  priority: number;
  /** Match fields: `ip`, `arp` as keys with value ''; `dl_dst=...` as key/value. */
  match: Record<string, string>;
  actions: string;
  nPackets?: number;
  /** The line as dumped, for evidence. */
  text: string;
}

// --- openQA (facts/openqa.ts) -----------------------------------------------------------------

export interface SwitchConfig {
  /** OS_AUTOINST_USE_BRIDGE after unit default, drop-ins and EnvironmentFile (default br0). */
  bridge: string;
  localIp: string;
  netmask: number;
  rewriteTarget: string;
  /** Which file set each value, for evidence; 'default' when none did. */
  origin: Record<string, string>;
}

export interface WorkerInstance {
  instance: number;
  /** Effective settings after [global], [N]/[ranges], [class:...] and `+=`. */
  settings: Record<string, string>;
  workerClasses: string[];
  /** 'tap' is one of the classes. */
  tap: boolean;
}

export interface WorkerConfig {
  global: Record<string, string>;
  instances: WorkerInstance[];
  /** Files read, in order. */
  files: string[];
}

export interface PoolJob {
  instance: number;
  dir: string;
  vars: Record<string, unknown>;
  nicType?: string;
  /** TAPDEV split on commas. */
  tapDevices: string[];
  /** NICVLAN split on commas, as numbers. */
  vlans: number[];
  pid?: number;
  /** The pid names a live qemu process (requires the qemu-alive probe). */
  alive: boolean;
  /** MM_MTU from the job's vars. */
  mtu?: number;
}

// --- host (facts/host.ts) ---------------------------------------------------------------------

export interface Mount {
  mountPoint: string;
  fsType: string;
  source: string;
  options: string[];
}

export interface FileCaps {
  path: string;
  /** capability name -> flags, e.g. cap_net_admin -> 'ep'. */
  caps: Record<string, string>;
}

export interface TapSysfs {
  name: string;
  /** -1 or undefined = unset. */
  owner?: number;
  group?: number;
  tunFlags?: number;
}

export interface Account {
  name: string;
  uid: number;
  gid: number;
  /** All group ids: primary plus supplementary from /etc/group. */
  groups: number[];
}
