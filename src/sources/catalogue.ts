// The source catalogue: every piece of host data tapdoctor reads, named once, with its live
// binding and its place in a snapshot. It is the single list of what collection runs or reads;
// parsers, facts and checks only ever see the names.
//
// Kinds:
//  - command:   one read-only command, run in the namespaces tapdoctor runs in.
//  - perKey:    one read-only command per key, keys derived from already collected sources
//               (one `ovs-ofctl dump-flows` per bridge, one `getcap` per qemu binary).
//  - files:     host files by absolute path or glob. `where: 'host'` paths are read below --root;
//               `where: 'kernel'` paths (/proc, /sys) always come from the running kernel.
//  - probe:     a read-only look computed by the collector from other sources (is the pool's qemu
//               alive, is the factory share answering stat within its timeout).
import {OVS_DB_COLUMNS} from '../parsers/ovs-columns.js';

export type Redaction = 'none' | 'keyvalue' | 'fstab' | 'nm-keyfile';

/**
 * How an unpacked sosreport provides a source (sources/sosreport/read.ts reads these; its README
 * has the table). Paths of command outputs are relative to `sos_commands/`.
 */
export interface SosBinding {
  /** The sos plugin that collects it: "did the plugin run", the policy-trap note. */
  plugin?: string;
  /** A command output our parsers read as it is: the first existing path wins; `as` names the command. */
  passThrough?: {paths: string[]; as: string};
  /** Text tapdoctor converts (sosreport/ip-text.ts, sysctl.ts): the paths it reads, preferred first; `{key}` is a per-key part. */
  from?: string[];
  /** files: the plugin copies every path, so an empty result means the host has none. */
  copiedByPlugin?: boolean;
  /** files: paths sos never copies although its plugin runs; without them the whole source fails. */
  neverCopied?: string[];
  /** Why a sosreport can never provide this source in a usable form. */
  unusable?: string;
}

/** The advice every sosreport gap ends with. */
export const SOS_CAPTURE = 'capture with `tapdoctor snapshot` on the host';

interface BaseSource {
  name: string;
  description: string;
  sos?: SosBinding;
  /** Root is needed for a complete answer (a non-root run records "needs root" when it fails). */
  needsRoot?: boolean;
  /** Per-command timeout override, in ms (default: the run's --timeout). */
  timeoutMs?: number;
  /**
   * The tool is installed only where the host uses it (firewall-cmd on a firewalld host): "not
   * found" answers "not in use here" and is no collection problem.
   */
  absentMeansUnused?: boolean;
  /**
   * Tools of which a host needs only one (nft or iptables-save): the absence of one is no collection
   * problem when another of the same group answered.
   */
  alternatives?: 'firewall-dump';
}

export interface CommandSource extends BaseSource {
  kind: 'command';
  argv: string[];
  /** Exit codes that still carry data (firewall-cmd says "not running" with 252). */
  okExitCodes?: number[];
}

export interface PerKeySource extends BaseSource {
  kind: 'perKey';
  /** The argv for one key; `{key}` is replaced by the key. */
  argv: string[];
  /** Which derivation produces the keys (see derive-keys.ts deriveKeys). */
  keysFrom: 'ovs-bridges' | 'qemu-binaries' | 'gre-peers';
}

export interface FilesSource extends BaseSource {
  kind: 'files';
  where: 'host' | 'kernel';
  /** Absolute paths; `*` matches within one path segment. */
  paths: string[];
  redaction: Redaction;
  /**
   * Record symlink targets (a path matched is otherwise read through). 'follow': and read the file
   * the link points to (ifcfg-tapN -> ifcfg-tap0: the text is needed, and the target may lie
   * outside the glob). 'record': the link is the data, never read through (systemd .wants: which
   * units are enabled; the unit file behind 300 worker links is one template). A sosreport reader
   * records links alone either way.
   */
  links?: 'follow' | 'record';
  /** Paths a `*` matched that are not read (data no check uses, and a lot of it on a big host). */
  except?: RegExp;
}

export interface ProbeSource extends BaseSource {
  kind: 'probe';
  probe: 'qemu-alive' | 'factory-share-stat';
  /** The commands a probe may run, for the read-only allow-list. */
  argv?: string[];
}

export type SourceSpec = CommandSource | PerKeySource | FilesSource | ProbeSource;

const OVS_TIMEOUT = ['--timeout=5'];

export const CATALOGUE: readonly SourceSpec[] = [
  // --- kernel network state -----------------------------------------------------------------
  {
    name: 'ip.addr',
    kind: 'command',
    argv: ['ip', '-j', '-d', 'addr', 'show'],
    description: 'links, their flags, masters and addresses',
    sos: {plugin: 'networking', from: ['networking/ip_-d_address']},
  },
  {
    name: 'ip.route4',
    kind: 'command',
    argv: ['ip', '-j', '-4', 'route', 'show', 'table', 'main'],
    description: 'IPv4 routes of the main table',
    sos: {plugin: 'networking', from: ['networking/ip_route_show_table_all']},
  },
  {
    name: 'ip.route6',
    kind: 'command',
    argv: ['ip', '-j', '-6', 'route', 'show', 'table', 'main'],
    description: 'IPv6 routes of the main table',
    sos: {plugin: 'networking', from: ['networking/ip_-6_route_show_table_all', 'networking/ip_route_show_table_all']},
  },
  {
    name: 'ip.rule4',
    kind: 'command',
    argv: ['ip', '-j', '-4', 'rule', 'show'],
    description: 'IPv4 policy routing rules',
    sos: {plugin: 'networking', unusable: `sosreport keeps ip rule text only (not converted): ${SOS_CAPTURE}`},
  },
  {name: 'ip.route-get', kind: 'perKey', keysFrom: 'gre-peers', argv: ['ip', '-j', '-4', 'route', 'get', '{key}'], description: 'the route to each GRE peer'},
  {
    name: 'sysctl.runtime',
    kind: 'files',
    where: 'kernel',
    paths: [
      '/proc/sys/net/ipv4/ip_forward',
      '/proc/sys/net/ipv4/conf/*/forwarding',
      '/proc/sys/net/ipv6/conf/*/forwarding',
      '/proc/sys/net/ipv6/conf/*/accept_ra',
    ],
    // Not the VM taps' own flags: they are ports of the bridge, their IP settings never apply to SUT
    // traffic (the bridge's and the uplink's do: TD009), and a 300-tap host would read 900 files more.
    except: /^\/proc\/sys\/net\/ipv[46]\/conf\/tap\d+\//,
    redaction: 'none',
    description: 'runtime forwarding and accept_ra values (of every interface but the VM taps tapN)',
     sos: {plugin: 'kernel', from: ['kernel/sysctl_-a']},
  },
  {
    name: 'tap.sysfs',
    kind: 'files',
    where: 'kernel',
    paths: ['/sys/class/net/*/tun_flags', '/sys/class/net/*/owner', '/sys/class/net/*/group'],
    redaction: 'none',
    description: 'tun/tap flags, owner and group of every tun device',
    // Collected by our sos plugin (contrib/sos/tapdoctor.py), not by sos itself.
    sos: {plugin: 'tapdoctor', copiedByPlugin: true},
  },
  {name: 'proc.uptime', kind: 'files', where: 'kernel', paths: ['/proc/uptime'], redaction: 'none', description: 'seconds since boot'},
  {
    name: 'mountinfo',
    kind: 'files',
    where: 'kernel',
    paths: ['/proc/self/mountinfo'],
    redaction: 'none',
    description: 'mounts seen by tapdoctor',
    sos: {plugin: 'filesys'},
  },

  // --- firewall ------------------------------------------------------------------------------
  {
    name: 'iptables.save',
    kind: 'command',
    alternatives: 'firewall-dump',
    argv: ['iptables-save', '-c'],
    needsRoot: true,
    description: 'IPv4 iptables rules with counters',
    // Converted from the listings (sosreport/read.ts iptablesListings): -vnxL is filter, -t_{table}_-nvL the others.
    sos: {from: ['firewall_tables/iptables_-vnxL', 'firewall_tables/iptables_-t_{table}_-nvL', 'networking/iptables_-vnxL', 'networking/iptables_-t_{table}_-nvL']},
  },
  {
    name: 'ip6tables.save',
    kind: 'command',
    alternatives: 'firewall-dump',
    argv: ['ip6tables-save', '-c'],
    needsRoot: true,
    description: 'IPv6 iptables rules with counters',
    sos: {from: ['firewall_tables/ip6tables_-vnxL', 'firewall_tables/ip6tables_-t_{table}_-nvL', 'networking/ip6tables_-vnxL', 'networking/ip6tables_-t_{table}_-nvL']},
  },
  {
    name: 'iptables-legacy.save',
    kind: 'command',
    alternatives: 'firewall-dump',
    argv: ['iptables-legacy-save', '-c'],
    needsRoot: true,
    description: 'rules in the legacy iptables backend',
    sos: {unusable: `sosreport has no iptables-legacy-save output: ${SOS_CAPTURE}`},
  },
  {
    name: 'nft.ruleset',
    kind: 'command',
    alternatives: 'firewall-dump',
    argv: ['nft', '-j', 'list', 'ruleset'],
    needsRoot: true,
    description: 'the nftables ruleset (JSON)',
    sos: {
      plugin: 'firewall_tables',
      // networking/ before sos 4.1
      // tapdoctor/: our sos plugin's `nft -j list ruleset` (contrib/sos/tapdoctor.py)
      passThrough: {paths: ['tapdoctor/nft_-j_list_ruleset', 'firewall_tables/nft_-a_list_ruleset', 'networking/nft_-a_list_ruleset', 'firewall_tables/nft_list_ruleset', 'networking/nft_list_ruleset'], as: 'nft -a list ruleset'},
    },
  },
  {
    name: 'firewalld.runtime',
    kind: 'command',
    absentMeansUnused: true,
    argv: ['firewall-cmd', '--list-all-zones'],
    okExitCodes: [0, 252],
    needsRoot: true,
    description: 'firewalld runtime zones',
    sos: {plugin: 'firewalld', passThrough: {paths: ['firewalld/firewall-cmd_--list-all-zones'], as: 'firewall-cmd --list-all-zones'}},
  },
  {
    name: 'firewalld.permanent',
    kind: 'command',
    absentMeansUnused: true,
    argv: ['firewall-cmd', '--permanent', '--list-all-zones'],
    okExitCodes: [0, 252],
    needsRoot: true,
    description: 'firewalld permanent zones',
    sos: {plugin: 'firewalld', passThrough: {paths: ['firewalld/firewall-cmd_--permanent_--list-all-zones'], as: 'firewall-cmd --permanent --list-all-zones'}},
  },
  {
    name: 'firewall.files',
    kind: 'files',
    where: 'host',
    paths: [
      '/etc/firewall.nft',
      '/etc/nftables.conf',
      '/etc/sysconfig/nftables.conf',
      '/etc/nftables/*.nft',
      '/etc/nftables/*.conf',
      '/etc/sysconfig/iptables',
      '/etc/sysconfig/ip6tables',
      '/etc/iptables/rules.v4',
      '/etc/iptables/rules.v6',
    ],
    redaction: 'none',
    description: 'persisted firewall rule files',
     sos: {plugin: 'firewall_tables', neverCopied: ['/etc/firewall.nft', '/etc/sysconfig/iptables', '/etc/iptables/rules.v4']},
  },
  {
    // Older SUSE workers (before firewalld): SuSEfirewall2.service builds its rules from this file.
    // No sos plugin copies it (sos 4.x), so a sosreport lacks it.
    name: 'susefirewall2.files',
    kind: 'files',
    where: 'host',
    paths: ['/etc/sysconfig/SuSEfirewall2'],
    redaction: 'none',
    description: 'SuSEfirewall2 configuration (zones, FW_ROUTE, FW_MASQUERADE)',
  },
  {
    name: 'systemd.firewall-units',
    kind: 'files',
    where: 'host',
    paths: [
      '/etc/systemd/system/nftables.service',
      '/etc/systemd/system/nftables.service.d/*.conf',
      '/usr/lib/systemd/system/nftables.service',
      '/lib/systemd/system/nftables.service',
      '/etc/systemd/system/iptables.service',
      '/etc/systemd/system/iptables.service.d/*.conf',
      '/usr/lib/systemd/system/iptables.service',
    ],
    redaction: 'none',
    description: 'firewall units: which rule file their ExecStart loads at boot',
     sos: {plugin: 'systemd'},
  },
  {
    name: 'journal.switch',
    kind: 'command',
    argv: ['journalctl', '--no-pager', '-o', 'short-iso', '-b', '-n', '300', '-u', 'os-autoinst-openvswitch.service'],
    description: 'this boot\'s journal of the switch service (TD010: still waiting for the bridge or its address)',
  },
  {
    name: 'firewalld.files',
    kind: 'files',
    where: 'host',
    paths: ['/etc/firewalld/firewalld.conf', '/etc/firewalld/zones/*.xml', '/usr/lib/firewalld/zones/*.xml'],
    redaction: 'none',
    description: 'firewalld configuration and zone files',
     sos: {plugin: 'firewalld', copiedByPlugin: true},
  },

  // --- Open vSwitch --------------------------------------------------------------------------
  {
    name: 'ovs.bridges',
    kind: 'command',
    // The OVS lists ask for the columns the facts read (a 300-port Interface table is a third the size).
    argv: ['ovs-vsctl', ...OVS_TIMEOUT, '--format=json', `--columns=${OVS_DB_COLUMNS.bridges.join(',')}`, 'list', 'bridge'],
    needsRoot: true,
    description: 'OVS bridges',
    sos: {plugin: 'openvswitch', unusable: 'sosreport has only text ovs-vsctl list output (no --format=json); the bridges are read from ovs-vsctl show'},
  },
  {
    name: 'ovs.ports',
    kind: 'command',
    argv: ['ovs-vsctl', ...OVS_TIMEOUT, '--format=json', `--columns=${OVS_DB_COLUMNS.ports.join(',')}`, 'list', 'port'],
    needsRoot: true,
    description: 'OVS ports with tags and vlan_mode',
    sos: {plugin: 'openvswitch', unusable: 'sosreport has no ovs-vsctl list port; the ports are read from ovs-vsctl show'},
  },
  {
    name: 'ovs.interfaces',
    kind: 'command',
    argv: ['ovs-vsctl', ...OVS_TIMEOUT, '--format=json', `--columns=${OVS_DB_COLUMNS.interfaces.join(',')}`, 'list', 'interface'],
    needsRoot: true,
    description: 'OVS interfaces with type, options, ofport, error, MTU',
    sos: {plugin: 'openvswitch', unusable: 'sosreport has only text ovs-vsctl list output (no --format=json); the interfaces are read from ovs-vsctl show'},
  },
  {
    name: 'ovs.show',
    kind: 'command',
    argv: ['ovs-vsctl', ...OVS_TIMEOUT, 'show'],
    needsRoot: true,
    description: 'OVS overview',
    sos: {plugin: 'openvswitch', passThrough: {paths: ['openvswitch/ovs-vsctl_-t_5_show', 'openvswitch/ovs-vsctl_show'], as: 'ovs-vsctl -t 5 show'}},
  },
  {
    name: 'ovs.flows',
    kind: 'perKey',
    keysFrom: 'ovs-bridges',
    argv: ['ovs-ofctl', 'dump-flows', '{key}'],
    needsRoot: true,
    description: 'OpenFlow rules of each bridge',
    sos: {plugin: 'openvswitch', from: ['openvswitch/ovs-ofctl_dump-flows_{key}']},
  },

  // --- qemu and taps -------------------------------------------------------------------------
  {name: 'qemu.getcap', kind: 'perKey', keysFrom: 'qemu-binaries', argv: ['getcap', '{key}'], description: 'file capabilities of each qemu-system binary', sos: {plugin: 'tapdoctor'}},
  {name: 'accounts', kind: 'files', where: 'host', paths: ['/etc/passwd', '/etc/group'], redaction: 'none', description: 'users and groups (for the worker user)', sos: {plugin: 'tapdoctor', copiedByPlugin: true}},

  // --- openQA worker -------------------------------------------------------------------------
  {
    name: 'openqa.workers-ini',
    kind: 'files',
    where: 'host',
    paths: ['/etc/openqa/workers.ini', '/etc/openqa/workers.ini.d/*.ini', '/usr/etc/openqa/workers.ini', '/usr/etc/openqa/workers.ini.d/*.ini'],
    redaction: 'keyvalue',
    description: 'worker configuration (client.conf with API keys is never read)',
    // Collected by our sos plugin (contrib/sos/tapdoctor.py), not by sos itself.
    sos: {plugin: 'tapdoctor', copiedByPlugin: true},
  },
  {
    name: 'openqa.switch-config',
    kind: 'files',
    where: 'host',
    paths: [
      '/etc/sysconfig/os-autoinst-openvswitch',
      '/etc/systemd/system/os-autoinst-openvswitch.service.d/*.conf',
      '/usr/lib/systemd/system/os-autoinst-openvswitch.service',
      '/etc/systemd/system/os-autoinst-openvswitch.service',
    ],
    redaction: 'keyvalue',
    description: 'os-autoinst-openvswitch settings, unit and drop-ins',
    // Collected by our sos plugin (contrib/sos/tapdoctor.py), not by sos itself.
    sos: {plugin: 'tapdoctor', copiedByPlugin: true},
  },
  {
    // The script itself says which rules it installs: the three IPv6 rules came with os-autoinst
    // 26013d06 (2025-11). Both the path since 2022 (script/) and the one before.
    name: 'openqa.switch-script',
    kind: 'files',
    where: 'host',
    paths: ['/usr/lib/os-autoinst/script/os-autoinst-openvswitch', '/usr/lib/os-autoinst/os-autoinst-openvswitch'],
    redaction: 'none',
    description: 'the installed os-autoinst-openvswitch script: which OpenFlow rules this version installs (TD010)',
    // Collected by our sos plugin (contrib/sos/tapdoctor.py), not by sos itself.
    sos: {plugin: 'tapdoctor', copiedByPlugin: true},
  },
  {name: 'openqa.pool', kind: 'files', where: 'host', paths: ['/var/lib/openqa/pool/*/vars.json', '/var/lib/openqa/pool/*/qemu.pid'], redaction: 'keyvalue', description: 'running jobs: vars.json and qemu.pid per pool dir', sos: {plugin: 'tapdoctor', copiedByPlugin: true}},
  {name: 'openqa.qemu-alive', kind: 'probe', probe: 'qemu-alive', description: 'whether each pool qemu.pid names a live qemu process'},

  // --- storage -------------------------------------------------------------------------------
  {
    name: 'fstab',
    kind: 'files',
    where: 'host',
    paths: ['/etc/fstab'],
    redaction: 'fstab',
    description: 'persisted mounts',
    sos: {plugin: 'filesys', copiedByPlugin: true},
  },
  {
    name: 'systemd.mount-units',
    kind: 'files',
    where: 'host',
    paths: ['/etc/systemd/system/*.mount', '/etc/systemd/system/*.automount', '/etc/systemd/system/var-lib-openqa-share.service'],
    redaction: 'fstab',
    description: 'mount and automount units',
     sos: {plugin: 'systemd', copiedByPlugin: true},
  },
  {name: 'share.stat', kind: 'probe', probe: 'factory-share-stat', argv: ['stat', '-c', '%F', '/var/lib/openqa/share/factory'], timeoutMs: 5000, description: 'whether the mounted factory share answers stat in time'},

  // --- persisted configuration (the gate) ----------------------------------------------------
  {
    name: 'sysctl.files',
    kind: 'files',
    where: 'host',
    paths: ['/etc/sysctl.conf', '/etc/sysctl.d/*.conf', '/usr/lib/sysctl.d/*.conf', '/run/sysctl.d/*.conf'],
    redaction: 'none',
    description: 'persisted sysctl settings',
     sos: {plugin: 'kernel', copiedByPlugin: true},
  },
  {
    name: 'network.ifcfg',
    kind: 'files',
    where: 'host',
    paths: ['/etc/sysconfig/network/ifcfg-*', '/etc/sysconfig/network-scripts/ifcfg-*'],
    redaction: 'keyvalue',
    links: 'follow',
    description: 'wicked and network-scripts interface files',
    // Collected by our sos plugin (contrib/sos/tapdoctor.py), not by sos itself.
    sos: {plugin: 'tapdoctor', copiedByPlugin: true},
  },
  {
    name: 'network.nm',
    kind: 'files',
    where: 'host',
    paths: ['/etc/NetworkManager/system-connections/*', '/etc/NetworkManager/NetworkManager.conf', '/etc/NetworkManager/conf.d/*.conf', '/usr/lib/NetworkManager/conf.d/*.conf'],
    redaction: 'nm-keyfile',
    needsRoot: true,
    description: 'NetworkManager profiles and settings',
     sos: {plugin: 'networkmanager', copiedByPlugin: true},
  },
  {
    name: 'network.preup',
    kind: 'files',
    where: 'host',
    paths: ['/etc/wicked/scripts/*', '/etc/NetworkManager/dispatcher.d/*', '/etc/NetworkManager/dispatcher.d/pre-up.d/*'],
    redaction: 'keyvalue',
    description: 'GRE pre-up scripts (wicked PRE_UP_SCRIPT, NM dispatcher)',
    // Collected by our sos plugin (contrib/sos/tapdoctor.py), not by sos itself.
    sos: {plugin: 'tapdoctor', copiedByPlugin: true},
  },
  {
    name: 'systemd.wants',
    kind: 'files',
    where: 'host',
    paths: ['/etc/systemd/system/*.wants/*'],
    redaction: 'none',
    links: 'record',
    description: 'enabled units (symlinks in .wants directories)',
     sos: {plugin: 'systemd', copiedByPlugin: true},
  },
  {
    name: 'systemd.units',
    kind: 'command',
    argv: ['systemctl', 'list-units', '--all', '--no-legend', '--plain', '--no-pager'],
    description: 'loaded units and whether they run',
    sos: {plugin: 'systemd', passThrough: {paths: ['systemd/systemctl_list-units_--all', 'systemd/systemctl_list-units'], as: 'systemctl list-units'}},
  },
  {name: 'os-release', kind: 'files', where: 'host', paths: ['/etc/os-release'], redaction: 'none', description: 'distribution'},
  // The settings travel with the snapshot: analyze and gate --snapshot judge the host by its own.
  {name: 'tapdoctor.settings', kind: 'files', where: 'host', paths: ['/etc/tapdoctor.yaml'], redaction: 'none', description: "this host's tapdoctor site settings (analyze uses them)"},
];

/** Never captured, whatever a glob matches: it holds the openQA API key and secret. */
export const NEVER_CAPTURED = ['/etc/openqa/client.conf', '/usr/etc/openqa/client.conf', '/etc/shadow', '/etc/gshadow'];
