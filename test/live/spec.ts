// What a throwaway tap worker host looks like, as data. host.ts builds exactly this; the presets
// below are a healthy SUSE and a healthy Fedora worker, each a single-host openQA (the web UI on the
// same host, its share local: the one healthy share this kernel can show, having no NFS) (os-autoinst script/os-autoinst-setup-multi-machine and salt-states-openqa openqa/openvswitch.sls; fedora-infra/ansible roles/openqa/worker/tasks/tap-setup.yml) and one named fault
// per check, each written as a small transform of a healthy spec so a reader sees the difference.

export type Flavour = 'suse' | 'fedora';
export type UplinkName = 'eth0' | 'eth1' | 'eth2';

export interface UplinkSpec {
  name: UplinkName;
  up: boolean;
  /** Give it its fixed documentation-range address (see UPLINK_ADDRESSES). */
  address: boolean;
  /** Default route via the outside peer with this metric; null = no default route. */
  defaultRouteMetric: number | null;
  mtu: number;
  /**
   * Plug the uplink into a shared LAN (a Linux bridge in another namespace, see lab.ts) instead
   * of the host's own outside peer: hosts of one lab reach each other's uplink addresses.
   */
  lan?: LanAttachment;
}

export interface LanAttachment {
  netns: string;
  bridge: string;
  /** This host's address on the LAN and the LAN's gateway (the lab namespace). */
  address: string;
  gateway: string;
  prefix: number;
}

export interface BridgeSpec {
  /** br1 (SUSE) or br0 (Fedora). */
  name: string;
  /** false: OVS runs, but the bridge was never created. */
  present: boolean;
  /** CIDRs on the bridge's internal port. */
  addresses: string[];
  /** Interface mtu_request of the internal port; null = unset. */
  mtuRequest: number | null;
  /**
   * 'installed': the rules os-autoinst script/os-autoinst-openvswitch adds (its add-flow rules):
   * eight with an eight-rule switchScript, else five; 'installed-five': the five IPv4 rules whatever
   * the script (a service started before the package update); 'none': only NORMAL.
   */
  flows: 'installed' | 'installed-five' | 'none';
  rstp: boolean;
}

/** /etc/sysconfig/os-autoinst-openvswitch; a missing key is a missing line. */
export interface SwitchConfig {
  useBridge?: string;
  localIp?: string;
  netmask?: number;
  rewriteTarget?: string;
}

export type TapOwner = 'worker' | 'other' | 'unset';
export type TapGroup = 'nogroup' | 'nobody' | 'kvm' | 'root' | 'unset';

export interface TapSpec {
  name: string;
  owner: TapOwner;
  group: TapGroup;
  /**
   * 'on-bridge': kernel tap + OVS port; 'absent': kernel tap, no port;
   * 'device-gone': OVS port whose kernel device does not exist (ofport -1, error set).
   */
  port: 'on-bridge' | 'absent' | 'device-gone';
  /** VLAN tag (set together with vlan_mode=dot1q-tunnel, as set_vlan does); null = untagged. */
  tag: number | null;
}

export interface GreSpec {
  name: string;
  remoteIp: string;
  /** Default gre; devstack-style overlays use vxlan. */
  type?: 'gre' | 'vxlan';
  /** options:key (the VNI of a vxlan port). */
  key?: string;
}

export type FirewallSpec =
  | {kind: 'none'}
  /** salt-states-openqa etc/firewall.nft: table ip nat, postrouting masquerade per oifname. */
  | {kind: 'suse-nft'; masqueradeIfaces: string[]}
  /** Fedora iptables: FORWARD accepts for the bridge, REJECT tail, nat MASQUERADE -o uplink. */
  | {kind: 'fedora-iptables'; uplink: string; bridge: string};

export interface ForwardingSpec {
  /** net.ipv4.ip_forward at runtime. */
  ipv4: boolean;
  /** net.ipv4.conf.<if>.forwarding, applied after ip_forward. */
  perInterface: Record<string, boolean>;
  /** Write etc/sysctl.d/ip_forward.conf with the runtime value. */
  persisted: boolean;
}

export interface WorkerInstance {
  instance: number;
  workerClass: string;
}

export interface WorkersSpec {
  instances: WorkerInstance[];
  /** CACHEDIRECTORY in [global]; null = not set (the factory share is then required). */
  cacheDirectory: string | null;
  /** Further [global] keys, e.g. MM_MTU. */
  global: Record<string, string>;
}

export interface JobSpec {
  instance: number;
  /** The web UI's worker id: NICMAC is 52:54:00:12:XX:YY of it. */
  workerId: number;
  taps: string[];
  vlans: number[];
  /** 'running': qemu.pid names a live qemu stand-in; 'dead': a pid that has exited. */
  qemu: 'running' | 'dead';
}

export interface ScenarioSpec {
  name: string;
  flavour: Flavour;
  uplinks: UplinkSpec[];
  bridge: BridgeSpec;
  /** null: the file does not exist. */
  switchConfig: SwitchConfig | null;
  /**
   * The installed /usr/lib/os-autoinst/script/os-autoinst-openvswitch (its init_switch rule list):
   * 'five-rules' before os-autoinst 26013d06, 'eight-rules' with IPv6 since; absent = no file.
   */
  switchScript?: 'five-rules' | 'eight-rules';
  taps: TapSpec[];
  gre: GreSpec[];
  firewall: FirewallSpec;
  forwarding: ForwardingSpec;
  workers: WorkersSpec;
  jobs: JobSpec[];
  /** cap_net_admin=ep on root/usr/bin/qemu-system-x86_64. */
  qemu: {capNetAdmin: boolean};
  /**
   * Where the openQA web UI runs. 'here': a single-host setup (openQA's default HOST localhost):
   * its /var/lib/openqa/share is local, no NFS (openQA docs/Installing.md asks for shared storage
   * only for remote workers). 'remote': HOST and the fstab NFS line name openqa.example.test.
   */
  webui: 'here' | 'remote';
  /**
   * What host.exec sees at /var/lib/openqa/share: 'local', the directory with factory/ on the
   * local disk (the web UI's own, with webui 'here'); 'absent', nothing; 'tmpfs', a tmpfs with
   * factory/ (mounted, but not NFS: no NFS server can run here).
   */
  share: 'local' | 'absent' | 'tmpfs';
  /**
   * SUT traffic sent once while building, from a stand-in SUT namespace on the bridge:
   * 'gateway' pings the bridge address, 'outside' also pings the uplink's peer through NAT.
   */
  traffic: 'none' | 'gateway' | 'outside';
  /** After the traffic, zero the iptables FORWARD counters (jobs ran, counters read 0). */
  zeroForwardCountersAfterTraffic: boolean;
  /** Persisted interface config: wicked ifcfg files (SUSE) or NetworkManager keyfiles (Fedora). */
  networkConfig: 'wicked' | 'nm' | 'none';
  /** Further units enabled for boot (multi-user.target.wants links), beyond the worker instances. */
  enabledUnits?: string[];
  /** Units whose runtime state differs from what the host's build implies (systemd.ts), e.g. a failed switch service. */
  unitStates?: Record<string, {active: 'active' | 'failed' | 'inactive'; sub: 'running' | 'exited' | 'failed' | 'dead'}>;
  /** Extra or replaced files below the root dir (path relative to it); null removes the file. */
  files: Record<string, string | null>;
}

/** Fixed documentation-range addresses: host side /24, the outside peer is .1. */
export const UPLINK_ADDRESSES: Record<UplinkName, {host: string; peer: string; prefix: number}> = {
  eth0: {host: '192.0.2.10', peer: '192.0.2.1', prefix: 24},
  eth1: {host: '198.51.100.10', peer: '198.51.100.1', prefix: 24},
  eth2: {host: '203.0.113.10', peer: '203.0.113.1', prefix: 24},
};

// ---------------------------------------------------------------------------------------------
// Healthy hosts

export function healthySuse(): ScenarioSpec {
  return {
    name: 'healthy-suse',
    flavour: 'suse',
    uplinks: [{name: 'eth0', up: true, address: true, defaultRouteMetric: 100, mtu: 1500}],
    bridge: {name: 'br1', present: true, addresses: ['10.0.2.2/15', 'fec0::2/63'], mtuRequest: 1460, flows: 'installed', rstp: false},
    switchConfig: {useBridge: 'br1'},
    taps: [
      {name: 'tap0', owner: 'worker', group: 'nogroup', port: 'on-bridge', tag: 5},
      {name: 'tap1', owner: 'worker', group: 'nogroup', port: 'on-bridge', tag: null},
      {name: 'tap2', owner: 'worker', group: 'nogroup', port: 'on-bridge', tag: null},
    ],
    gre: [],
    firewall: {kind: 'suse-nft', masqueradeIfaces: ['eth0', 'br1', 'ovs-system']},
    forwarding: {ipv4: true, perInterface: {br1: true, eth0: true}, persisted: true},
    workers: {
      instances: [
        {instance: 1, workerClass: 'qemu_x86_64,tap'},
        {instance: 2, workerClass: 'qemu_x86_64,tap'},
      ],
      // One host with the web UI: assets come from its local share, no cache needed.
      cacheDirectory: null,
      global: {},
    },
    jobs: [{instance: 1, workerId: 5, taps: ['tap0'], vlans: [5], qemu: 'running'}],
    qemu: {capNetAdmin: true},
    webui: 'here',
    share: 'local',
    traffic: 'outside',
    zeroForwardCountersAfterTraffic: false,
    networkConfig: 'wicked',
    files: {},
  };
}

export function healthyFedora(): ScenarioSpec {
  return {
    name: 'healthy-fedora',
    flavour: 'fedora',
    uplinks: [{name: 'eth0', up: true, address: true, defaultRouteMetric: 100, mtu: 1500}],
    bridge: {name: 'br0', present: true, addresses: ['172.16.2.2/15'], mtuRequest: null, flows: 'installed', rstp: false},
    // Fedora relies on the unit's default bridge br0 and sets only the addresses.
    switchConfig: {localIp: '172.16.2.2', rewriteTarget: '172.17.0.0'},
    taps: [
      {name: 'tap0', owner: 'worker', group: 'nobody', port: 'on-bridge', tag: 7},
      {name: 'tap1', owner: 'worker', group: 'nobody', port: 'on-bridge', tag: null},
    ],
    gre: [],
    firewall: {kind: 'fedora-iptables', uplink: 'eth0', bridge: 'br0'},
    forwarding: {ipv4: true, perInterface: {}, persisted: true},
    workers: {
      instances: [
        {instance: 1, workerClass: 'qemu_x86_64,tap'},
        {instance: 2, workerClass: 'qemu_x86_64,tap'},
      ],
      cacheDirectory: null,
      global: {},
    },
    jobs: [{instance: 1, workerId: 7, taps: ['tap0'], vlans: [7], qemu: 'running'}],
    qemu: {capNetAdmin: true},
    webui: 'here',
    share: 'local',
    traffic: 'outside',
    zeroForwardCountersAfterTraffic: false,
    networkConfig: 'nm',
    files: {},
  };
}

// ---------------------------------------------------------------------------------------------
// Faults: each changes only what makes the fault, on a copy.

type Fault = (spec: ScenarioSpec) => void;

const runningJobTap = (spec: ScenarioSpec): TapSpec => {
  const job = spec.jobs.find((j) => j.qemu === 'running');
  const tap = job && spec.taps.find((t) => t.name === job.taps[0]);
  if (!tap) throw new Error(`${spec.name}: no running job with a tap`);
  return tap;
};

const idleTap = (spec: ScenarioSpec): TapSpec => {
  const busy = new Set(spec.jobs.flatMap((j) => j.taps));
  const tap = spec.taps.find((t) => !busy.has(t.name));
  if (!tap) throw new Error(`${spec.name}: no idle tap`);
  return tap;
};

export const FAULTS = {
  /** docs/checks/TD001.md: eth1 up with an address and its own default route (metric 200). */
  secondUplink(spec) {
    spec.uplinks.push({name: 'eth1', up: true, address: true, defaultRouteMetric: 200, mtu: 1500});
  },
  /** docs/checks/TD003.md: the running job's tap carries a tag other than its NICVLAN. */
  wrongTag(spec) {
    const tap = runningJobTap(spec);
    tap.tag = (tap.tag ?? 0) + 1;
  },
  /** docs/checks/TD004.md: qemu lacks cap_net_admin and the running job's tap belongs to another user. */
  qemuNoCapForeignTap(spec) {
    spec.qemu.capNetAdmin = false;
    runningJobTap(spec).owner = 'other';
  },
  /** docs/checks/TD005.md: jobs ran (table-1 flows, tagged taps) but the FORWARD counters read 0. */
  zeroForwardCounters(spec) {
    spec.traffic = 'outside';
    spec.zeroForwardCountersAfterTraffic = true;
  },
  /** docs/checks/TD006.md: a GRE peer, and MM_MTU 1500 in workers.ini (above uplink MTU - 42). */
  greMtu(spec) {
    spec.gre.push({name: 'gre1', remoteIp: '192.0.2.20'});
    spec.bridge.rstp = true;
    spec.workers.global.MM_MTU = '1500';
  },
  /** docs/checks/TD007.md: a remote worker without a cache directory, so the share is required, and nothing is mounted there. */
  shareNotMounted(spec) {
    spec.webui = 'remote';
    spec.share = 'absent';
    spec.workers.cacheDirectory = null;
  },
  /** docs/checks/TD008.md: masquerade names eth2 while the uplink is eth0. */
  masqueradeWrongIface(spec) {
    if (spec.firewall.kind === 'suse-nft') spec.firewall.masqueradeIfaces = spec.firewall.masqueradeIfaces.map((i) => (i === 'eth0' ? 'eth2' : i));
    else if (spec.firewall.kind === 'fedora-iptables') spec.firewall.uplink = 'eth2';
  },
  /** docs/checks/TD009.md: net.ipv4.ip_forward=0 at runtime and nothing persisted. */
  ipForwardOff(spec) {
    spec.forwarding = {ipv4: false, perInterface: {}, persisted: false};
  },
  /** docs/checks/TD010.md: the switch service never installed its flows: only priority=0 NORMAL. */
  flowsMissing(spec) {
    spec.bridge.flows = 'none';
  },
  /** docs/checks/TD010.md: the installed script adds eight rules (IPv6), the running service only five. */
  ipv6RulesMissing(spec) {
    spec.switchScript = 'eight-rules';
    spec.bridge.flows = 'installed-five';
  },
  /** docs/checks/TD011.md: the bridge carries LOCAL_IP with a /24 instead of /15 (flows from before the change). */
  bridgeAddressWrong(spec) {
    spec.bridge.addresses[0] = spec.bridge.addresses[0].replace(/\/\d+$/, '/24');
  },
  /** docs/checks/TD012.md: an idle instance's tap exists but is not a port of the bridge. */
  tapNotOnBridge(spec) {
    idleTap(spec).port = 'absent';
  },
  /** docs/checks/TD012.md: an idle instance's tap is an OVS port whose kernel device is gone. */
  portDeviceGone(spec) {
    idleTap(spec).port = 'device-gone';
  },
  /** docs/checks/TD013.md: an idle instance's tap belongs to another user (qemu keeps cap_net_admin). */
  tapForeignOwner(spec) {
    idleTap(spec).owner = 'other';
  },
  /** docs/checks/TD014.md: instances have tap in WORKER_CLASS, but the bridge was never created. */
  tapClassNoBridge(spec) {
    spec.bridge.present = false;
    spec.bridge.flows = 'none';
    delete spec.forwarding.perInterface[spec.bridge.name];
    spec.jobs = [];
    spec.traffic = 'none';
    for (const tap of spec.taps) {
      tap.port = 'absent';
      tap.tag = null;
    }
  },
} satisfies Record<string, Fault>;

export type FaultName = keyof typeof FAULTS;

/** A copy of `base` with the named faults applied, named after them. */
export function withFaults(base: ScenarioSpec, ...faults: FaultName[]): ScenarioSpec {
  const spec = structuredClone(base);
  for (const fault of faults) FAULTS[fault](spec);
  spec.name = [base.name, ...faults].join('+');
  return spec;
}

/** Every preset the live suites use: the two healthy hosts and one host per fault. */
export const PRESETS = {
  healthySuse,
  healthyFedora,
  secondUplink: () => withFaults(healthySuse(), 'secondUplink'),
  wrongTag: () => withFaults(healthySuse(), 'wrongTag'),
  qemuNoCapForeignTap: () => withFaults(healthySuse(), 'qemuNoCapForeignTap'),
  zeroForwardCounters: () => withFaults(healthyFedora(), 'zeroForwardCounters'),
  greMtu: () => withFaults(healthySuse(), 'greMtu'),
  shareNotMounted: () => withFaults(healthySuse(), 'shareNotMounted'),
  masqueradeWrongIface: () => withFaults(healthySuse(), 'masqueradeWrongIface'),
  ipForwardOff: () => withFaults(healthySuse(), 'ipForwardOff'),
  flowsMissing: () => withFaults(healthySuse(), 'flowsMissing'),
  ipv6RulesMissing: () => withFaults(healthySuse(), 'ipv6RulesMissing'),
  /** Healthy with the 2025-11 script: it and the bridge have all eight rules (IPv6 included). */
  switchEightRules: () => ({...healthySuse(), name: 'healthy-suse-eight-rules', switchScript: 'eight-rules' as const}),
  bridgeAddressWrong: () => withFaults(healthySuse(), 'bridgeAddressWrong'),
  tapNotOnBridge: () => withFaults(healthySuse(), 'tapNotOnBridge'),
  portDeviceGone: () => withFaults(healthySuse(), 'portDeviceGone'),
  tapForeignOwner: () => withFaults(healthySuse(), 'tapForeignOwner'),
  tapClassNoBridge: () => withFaults(healthySuse(), 'tapClassNoBridge'),
} satisfies Record<string, () => ScenarioSpec>;

export type PresetName = keyof typeof PRESETS;

// NAT outside the nat table (TD002): the kernel refuses the file, so the host is built with no
// firewall loaded and the bad file in its root dir, as after a boot whose firewall load failed.

/** /etc/firewall.nft with SUSE's masquerade rules in a filter chain, not `type nat hook postrouting`. */
export const MISPLACED_NAT_NFT = [
  'table ip filter {',
  '\tchain forward {',
  '\t\ttype filter hook forward priority 0; policy accept;',
  '\t\toifname "eth0" masquerade',
  '\t\toifname "br1" masquerade',
  '\t\toifname "ovs-system" masquerade',
  '\t}',
  '}',
  '',
].join('\n');

/** Fedora's /etc/sysconfig/iptables with the MASQUERADE appended to FORWARD under *filter (line 8). */
export const MISPLACED_NAT_IPTABLES = [
  '*filter',
  ':INPUT ACCEPT [0:0]',
  ':FORWARD ACCEPT [0:0]',
  ':OUTPUT ACCEPT [0:0]',
  '-A INPUT -i br0 -j ACCEPT',
  '-A FORWARD -i br0 -j ACCEPT',
  '-A FORWARD -i eth0 -o br0 -m state --state RELATED,ESTABLISHED -j ACCEPT',
  '-A FORWARD -o eth0 -j MASQUERADE',
  '-A FORWARD -j REJECT --reject-with icmp-host-prohibited',
  'COMMIT',
  '',
].join('\n');

export function withUnloadableFirewall(base: ScenarioSpec, name: string, path: string, text: string): ScenarioSpec {
  const spec = structuredClone(base);
  spec.name = `${base.name}+${name}`;
  spec.firewall = {kind: 'none'};
  spec.files[path] = text;
  return spec;
}

/** The switch service's effective settings for a spec (unit defaults filled in, os-autoinst script/os-autoinst-openvswitch). */
export function effectiveSwitch(spec: ScenarioSpec): {bridge: string; localIp: string; netmask: number; rewriteTarget: string} {
  const config = spec.switchConfig ?? {};
  return {
    bridge: config.useBridge ?? 'br0',
    localIp: config.localIp ?? '10.0.2.2',
    netmask: config.netmask ?? 15,
    rewriteTarget: config.rewriteTarget ?? '10.1.0.0',
  };
}

/** NICMAC of a job's first NIC (os-autoinst backend/qemu.pm). */
export function nicMac(workerId: number): string {
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  return `52:54:00:12:${hex(Math.floor(workerId / 256))}:${hex(workerId % 256)}`;
}
