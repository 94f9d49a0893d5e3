// A private Open vSwitch inside the host namespace: its own ovsdb-server and ovs-vswitchd (by
// their own pids), database, sockets and logs under the scenario's work dir, and a bridge with
// datapath_type=netdev (the userspace datapath: no kernel module is needed or touched).
//
// Every OVS client finds this instance through OVS_RUNDIR (db.sock, <bridge>.mgmt), so the
// commands below and anything run through host.exec talk to it and never to a system OVS.
import {spawn} from 'node:child_process';
import {mkdirSync} from 'node:fs';
import {join} from 'node:path';
import {MARKER_VAR, type Ledger} from './ledger.js';
import {CommandError, must, run} from './run.js';
import {ACCOUNTS} from './rootfs.js';
import type {BridgeSpec, GreSpec, TapSpec} from './spec.js';

export const OVS_SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema';

export interface OvsInstance {
  /** OVS_RUNDIR, OVS_DBDIR, OVS_LOGDIR, OVS_SYSCONFDIR for every OVS client. */
  env: Record<string, string>;
  dbSocket: string;
  pids: {ovsdb: number; vswitchd: number};
}

/**
 * Start ovsdb-server and ovs-vswitchd in the namespace as children of this process (not
 * --detach): their pids are known at once for the ledger, and when teardown kills them this
 * process reaps them at once, instead of leaving zombies for init to collect. --pidfile stays, so
 * `ovs-appctl -t ovs-vswitchd ...` finds them through OVS_RUNDIR like on a real host.
 */
export async function startOvs(ledger: Ledger, workDir: string, netns: string): Promise<OvsInstance> {
  const base = join(workDir, 'ovs');
  const dirs = {run: join(base, 'run'), db: join(base, 'db'), log: join(base, 'log'), etc: join(base, 'etc')};
  for (const dir of Object.values(dirs)) mkdirSync(dir, {recursive: true});
  const env = {OVS_RUNDIR: dirs.run, OVS_DBDIR: dirs.db, OVS_LOGDIR: dirs.log, OVS_SYSCONFDIR: dirs.etc};
  const db = join(dirs.db, 'conf.db');
  const dbSocket = join(dirs.run, 'db.sock');

  await must(['ovsdb-tool', 'create', db, OVS_SCHEMA]);
  const ovsdb = spawnDaemon(ledger, netns, env, 'ovsdb-server', [
    db, `--remote=punix:${dbSocket}`, `--pidfile=${join(dirs.run, 'ovsdb-server.pid')}`,
    `--log-file=${join(dirs.log, 'ovsdb-server.log')}`,
  ]);
  await waitUntilAnswers(['ovs-vsctl', '--timeout=5', '--no-wait', 'init'], env, 10_000);
  const vswitchd = spawnDaemon(ledger, netns, env, 'ovs-vswitchd', [
    `unix:${dbSocket}`, `--pidfile=${join(dirs.run, 'ovs-vswitchd.pid')}`,
    `--log-file=${join(dirs.log, 'ovs-vswitchd.log')}`,
  ]);
  // Default control sockets (<rundir>/<daemon>.<pid>.ctl): `ovs-appctl -t ovs-vswitchd` finds them.
  await waitUntilAnswers(['ovs-appctl', '-t', 'ovs-vswitchd', 'version'], env, 10_000);
  return {env, dbSocket, pids: {ovsdb, vswitchd}};
}

function spawnDaemon(ledger: Ledger, netns: string, env: Record<string, string>, daemon: string, args: string[]): number {
  // `ip netns exec` execs the daemon, so the child's pid is the daemon's.
  const child = spawn('ip', ['netns', 'exec', netns, daemon, ...args], {
    env: {...process.env, ...env, [MARKER_VAR]: ledger.id},
    stdio: 'ignore',
    detached: true,
  });
  if (child.pid === undefined) throw new Error(`could not start ${daemon}`);
  ledger.add({kind: 'pid', pid: child.pid, what: daemon});
  child.unref();
  return child.pid;
}

async function waitUntilAnswers(argv: string[], env: Record<string, string>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await run(argv, {env, timeoutMs: 2000});
    if (result.code === 0) return;
    if (Date.now() > deadline) throw new CommandError(result);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** ovs-vsctl / ovs-ofctl against this instance, from inside the namespace. */
export function ovsCommand(ovs: OvsInstance, netns: string, argv: string[]): Promise<string> {
  const withTimeout = argv[0] === 'ovs-vsctl' ? ['ovs-vsctl', '--timeout=10', ...argv.slice(1)] : argv;
  return must(['ip', 'netns', 'exec', netns, ...withTimeout], {env: ovs.env});
}

/**
 * Create the bridge with a pinned MAC. OVS otherwise re-picks the bridge MAC from its ports
 * whenever a port comes or goes, which would silently stale the dl_dst of the installed flows
 * (a real trap on hosts, docs/checks/TD010.md, but here it would make the builder's own state drift).
 */
export async function createBridge(ovs: OvsInstance, netns: string, bridge: BridgeSpec, mac: string): Promise<void> {
  const argv = ['ovs-vsctl', 'add-br', bridge.name, '--', 'set', 'bridge', bridge.name, 'datapath_type=netdev', `other-config:hwaddr="${mac}"`];
  if (bridge.rstp) argv.push('rstp_enable=true');
  if (bridge.mtuRequest !== null) argv.push('--', 'set', 'interface', bridge.name, `mtu_request=${bridge.mtuRequest}`);
  await ovsCommand(ovs, netns, argv);
  for (const cidr of bridge.addresses) await must(['ip', '-n', netns, 'addr', 'add', cidr, 'dev', bridge.name]);
  await must(['ip', '-n', netns, 'link', 'set', bridge.name, 'up']);
}

/** The kernel tap device, persistent, owned as the spec says (numeric ids, see ACCOUNTS). */
export async function createTapDevice(netns: string, tap: TapSpec): Promise<void> {
  const argv = ['ip', '-n', netns, 'tuntap', 'add', 'dev', tap.name, 'mode', 'tap'];
  if (tap.owner !== 'unset') argv.push('user', String(tap.owner === 'worker' ? ACCOUNTS.workerUid : ACCOUNTS.otherUid));
  if (tap.group !== 'unset') argv.push('group', String(ACCOUNTS.gids[tap.group]));
  await must(argv);
  await must(['ip', '-n', netns, 'link', 'set', tap.name, 'up']);
}

/**
 * The tap's OVS port. 'device-gone' adds the port for a device that does not exist: that is the
 * state after a reboot that lost a hand-made tap (ofport -1, error "could not open network
 * device"). Deleting the device under a running netdev-datapath vswitchd instead keeps the old
 * ofport and no error until vswitchd restarts (Open vSwitch 3.1), so it would not show the fault.
 */
export async function addTapPort(ovs: OvsInstance, netns: string, bridge: string, tap: TapSpec): Promise<void> {
  const argv = ['ovs-vsctl', '--timeout=10', 'add-port', bridge, tap.name];
  if (tap.tag !== null) argv.push('--', 'set', 'port', tap.name, `tag=${tap.tag}`, 'vlan_mode=dot1q-tunnel');
  const result = await run(['ip', 'netns', 'exec', netns, ...argv], {env: ovs.env});
  // ovs-vsctl reports "Error detected while setting up" for a missing device, yet commits the port.
  const expectedError = tap.port === 'device-gone' && /could not open network device/.test(result.stderr);
  if (result.code !== 0 && !expectedError) throw new Error(`add-port ${tap.name}: ${result.stderr}`);
}

export async function addGrePort(ovs: OvsInstance, netns: string, bridge: string, gre: GreSpec): Promise<void> {
  const options = [`type=${gre.type ?? 'gre'}`, `options:remote_ip=${gre.remoteIp}`, ...(gre.key !== undefined ? [`options:key=${gre.key}`] : [])];
  await ovsCommand(ovs, netns, ['ovs-vsctl', 'add-port', bridge, gre.name, '--', 'set', 'interface', gre.name, ...options]);
}

/** MAC of the bridge's internal port, as os-autoinst-openvswitch reads it (`ip addr show`). */
export async function bridgeMac(netns: string, bridge: string): Promise<string> {
  const links = JSON.parse(await must(['ip', '-n', netns, '-j', 'link', 'show', bridge])) as Array<{address: string}>;
  return links[0].address;
}

/**
 * The OpenFlow rules os-autoinst-openvswitch installs at start (os-autoinst script/os-autoinst-openvswitch, its add-flow rules), one add-flow
 * each, in the service's order. Open vSwitch 3.1 drops the SYN rule's tcp_flags match when it
 * stores it, so that rule dumps as plain `priority=100,ip,dl_dst=<MAC>`, as on real hosts.
 */
export function switchFlows(options: {localIp: string; netmask: number; rewriteTarget: string; mac: string; ipv6?: boolean}): string[] {
  const {localIp, rewriteTarget, mac} = options;
  const rewriteHex = rewriteTarget.split('.').map((octet) => Number(octet).toString(16).padStart(2, '0')).join('');
  const bits = `[0..${options.netmask}]`;
  return [
    'table=0,priority=0,action=normal',
    'table=0,priority=1,in_port=LOCAL,actions=resubmit(,1)',
    `table=0,priority=100,dl_type=0x0806,nw_dst=${localIp},actions=` +
      'learn(table=1,priority=100,in_port=LOCAL,dl_type=0x0806,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],output:NXM_OF_IN_PORT[]),' +
      `load:0x${rewriteHex}->NXM_OF_ARP_SPA[],move:NXM_OF_ETH_SRC${bits}->NXM_OF_ARP_SPA${bits},local`,
    `table=0,priority=100,dl_type=0x0800,tcp_flags=+syn-ack,dl_dst=${mac},actions=` +
      'learn(table=1,priority=100,in_port=LOCAL,dl_type=0x0800,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:NXM_OF_IP_SRC[]->NXM_OF_IP_DST[],output:NXM_OF_IN_PORT[]),' +
      `mod_nw_src:${rewriteTarget},move:NXM_OF_ETH_SRC${bits}->NXM_OF_IP_SRC${bits},local`,
    `table=0,priority=99,dl_type=0x0800,dl_dst=${mac},actions=mod_nw_src:${rewriteTarget},move:NXM_OF_ETH_SRC${bits}->NXM_OF_IP_SRC${bits},local`,
    ...(options.ipv6 ? ipv6SwitchFlows(mac) : []),
  ];
}

/**
 * The three IPv6 rules os-autoinst 26013d06 (2025-11) added, with its defaults (LOCAL_IPV6
 * fec0::2; SUT sources rewritten to fec0:0:0:1::<MAC>).
 */
function ipv6SwitchFlows(mac: string): string[] {
  const target = 'fec00000000000010000000000000000';
  const rewrite = `load:0x${target}->NXM_NX_IPV6_SRC[],move:NXM_OF_ETH_SRC[0..47]->NXM_NX_IPV6_SRC[0..47],local`;
  return [
    'table=0,priority=100,eth_type=0x86dd,ip_proto=58,icmpv6_type=135,icmpv6_code=0,nd_target=fec0::2,actions=' +
      'learn(table=1,priority=100,in_port=LOCAL,eth_type=0x86dd,ip_proto=58,icmpv6_type=136,icmpv6_code=0,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:NXM_NX_IPV6_SRC[]->NXM_NX_IPV6_DST[],output:NXM_OF_IN_PORT[]),' +
      rewrite,
    `table=0,priority=100,dl_type=0x86dd,tcp_flags=+syn-ack,dl_dst=${mac},actions=` +
      'learn(table=1,priority=100,in_port=LOCAL,dl_type=0x86dd,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],load:NXM_NX_IPV6_SRC[]->NXM_NX_IPV6_DST[],output:NXM_OF_IN_PORT[]),' +
      rewrite,
    `table=0,priority=99,dl_type=0x86dd,dl_dst=${mac},actions=${rewrite}`,
  ];
}

export async function installFlows(ovs: OvsInstance, netns: string, bridge: string, flows: string[]): Promise<void> {
  for (const flow of flows) await ovsCommand(ovs, netns, ['ovs-ofctl', 'add-flow', bridge, flow]);
}
