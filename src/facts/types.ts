// The shapes of the facts checks ask for. The fact functions live beside this file, one module
// per domain (network.ts, ovs.ts, openqa.ts, host/, firewall/); this file is the contract
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
  /** linkinfo info_slave_kind: 'bridge', 'bond', 'openvswitch' when the link is enslaved. */
  slaveKind?: string;
  /** iproute2's `link`: the lower device of a vlan/macvtap, the peer of a veth. */
  parent?: string;
  /** link_type: 'ether', 'loopback', 'none' (tun, wireguard), 'sit', ... */
  linkType?: string;
}

export interface Route {
  dst: string;
  gateway?: string;
  dev?: string;
  metric: number;
  protocol?: string;
  family: 'inet' | 'inet6';
  /** Route type when not unicast ('unreachable', 'blackhole', 'local', ...). */
  type?: string;
  table?: string;
  prefsrc?: string;
  /** Route flags: 'onlink', 'linkdown' (the device has no carrier), 'dead', ... */
  flags?: string[];
  /** Multipath routes: the next hops (the route itself then has no dev). */
  nexthops?: {gateway?: string; dev?: string}[];
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
  /** link_state: 'up' / 'down' (JSON lists only). */
  linkState?: string;
  /** The status map, e.g. tunnel_egress_iface for tunnels (JSON lists only). */
  status?: Record<string, string>;
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
  /** ovs_version from `ovs-vsctl show` (not in the JSON lists tapdoctor reads). */
  ovsVersion?: string;
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
  /** The service's whole effective environment (INIT_TIMEOUT, LOCAL_IPV6, ...). Optional: facts/openqa.ts. */
  environment?: Record<string, string>;
  /** Why the computed values may differ from the running service's (unread EnvironmentFile, bad netmask). */
  problems?: string[];
}

export interface WorkerInstance {
  instance: number;
  /** Effective settings after [global], [N]/[ranges], [class:...] and `+=`. */
  settings: Record<string, string>;
  workerClasses: string[];
  /** 'tap' is one of the classes. */
  tap: boolean;
  /** `file:line` that set each setting. Optional: facts/openqa.ts. */
  origin?: Record<string, string>;
  /** Why the instance is considered to exist ('workers.ini section', 'enabled openqa-worker@3.service', ...). */
  declaredBy?: string[];
}

export interface WorkerConfig {
  global: Record<string, string>;
  instances: WorkerInstance[];
  /** Files read, in order. */
  files: string[];
  /** Web UI host sections ([http://host]): host → settings. Optional: facts/openqa.ts. */
  hosts?: Record<string, Record<string, string>>;
  /** Worker unit data (enabled links or list-units) was captured: `instances` are the instances
   *  with an enabled or running openqa-worker*@N unit; without it, the workers.ini instance sections. */
  unitsKnown?: boolean;
  /** With unitsKnown: instances that have a workers.ini section but no enabled or running unit. */
  sectionOnlyInstances?: number[];
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
  /** The qemu-alive probe was available; when false, `alive` is false for want of data. Optional: facts/openqa.ts. */
  aliveProbed?: boolean;
  /** TAPDEV was unset/auto: tapDevices computed as os-autoinst does (tap(instance-1+64*i)). */
  tapDevicesDerived?: boolean;
  /** vars.json or qemu.pid could not be parsed (the ParseError message). */
  problem?: string;
}

// --- host (facts/host/) -----------------------------------------------------------------------

export interface Mount {
  mountPoint: string;
  fsType: string;
  source: string;
  options: string[];
  /** Filesystem (super block) options, e.g. vers=4.2 for NFS, direct for autofs. Optional: facts/host/mounts.ts. */
  superOptions?: string[];
}

export interface FileCaps {
  path: string;
  /** capability name -> flags, e.g. cap_net_admin -> 'ep'. */
  caps: Record<string, string>;
  /** getcap could not read the file ("No such file or directory"). Optional: facts/host/qemu-caps.ts. */
  error?: string;
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
