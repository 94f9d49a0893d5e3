// The live-host builder, checked for real: every preset is built, inspected with raw commands
// (not through the builder's own helpers), destroyed, and the machine is checked for leftovers.
import {spawnSync} from 'node:child_process';
import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {beforeAll, describe, expect, test} from 'vitest';
import {BuildAborted, BuildFailed, LiveHost} from './host.js';
import {isAlive, MARKER_VAR, sweepStale, type LedgerEntry} from './ledger.js';
import {skipLive} from './prereqs.js';
import {ACCOUNTS, QEMU_PATH} from './rootfs.js';
import {run, type RunResult} from './run.js';
import {effectiveSwitch, healthySuse, PRESETS, type PresetName, type ScenarioSpec} from './spec.js';
import type {TrafficResult} from './traffic.js';

// --- raw probes ---------------------------------------------------------------------------------

/** A command inside the host's netns (no private mounts), against its OVS. */
function inNs(host: LiveHost, argv: string[]): Promise<RunResult> {
  return run(['ip', 'netns', 'exec', host.netns, ...argv], {env: host.ovsEnv});
}

async function out(host: LiveHost, argv: string[]): Promise<string> {
  const result = await inNs(host, argv);
  expect(result.code, `${argv.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

/** /proc/self/mountinfo of this process, without /run/netns entries (other suites add theirs). */
function ownMountinfo(): string {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((line) => !/ \/run\/netns(\/\S*)? /.test(line))
    .join('\n');
}

async function defaultNsLinks(): Promise<string[]> {
  const links = JSON.parse((await run(['ip', '-j', 'link', 'show'])).stdout) as Array<{ifname: string}>;
  return links.map((l) => l.ifname).sort();
}

function pidsCarrying(id: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(`${MARKER_VAR}=${id}`)) pids.push(Number(name));
    } catch {
      // gone or not ours to read
    }
  }
  return pids;
}

// --- expectations -------------------------------------------------------------------------------

/** What the stand-in SUT's pings got, per preset (gateway = bridge address, outside = via NAT). */
const EXPECTED_TRAFFIC: Record<PresetName, TrafficResult> = {
  healthySuse: {gatewayReplied: true, outsideReplied: true},
  healthyFedora: {gatewayReplied: true, outsideReplied: true},
  secondUplink: {gatewayReplied: true, outsideReplied: true},
  wrongTag: {gatewayReplied: true, outsideReplied: true},
  qemuNoCapForeignTap: {gatewayReplied: true, outsideReplied: true},
  zeroForwardCounters: {gatewayReplied: true, outsideReplied: true},
  greMtu: {gatewayReplied: true, outsideReplied: true},
  shareNotMounted: {gatewayReplied: true, outsideReplied: true},
  // Not masqueraded out of eth0: the outside has no route back to 10.1.0.0/16.
  masqueradeWrongIface: {gatewayReplied: true, outsideReplied: false},
  ipForwardOff: {gatewayReplied: true, outsideReplied: false},
  // Without the flows OVS switches normally: the SUT reaches the host with its own address.
  flowsMissing: {gatewayReplied: true, outsideReplied: true},
  // Replies to the rewritten 10.1.x.y source no longer route back into a /24 bridge.
  bridgeAddressWrong: {gatewayReplied: false, outsideReplied: false},
  tapNotOnBridge: {gatewayReplied: true, outsideReplied: true},
  portDeviceGone: {gatewayReplied: true, outsideReplied: true},
  tapForeignOwner: {gatewayReplied: true, outsideReplied: true},
  tapClassNoBridge: {gatewayReplied: null, outsideReplied: null},
  // The IPv6 rules change nothing for the SUT's IPv4 traffic.
  ipv6RulesMissing: {gatewayReplied: true, outsideReplied: true},
  switchEightRules: {gatewayReplied: true, outsideReplied: true},
};

async function expectBuiltAsSpecified(host: LiveHost, spec: ScenarioSpec): Promise<void> {
  const sw = effectiveSwitch(spec);
  const br = spec.bridge.name;

  // Uplinks: one default route per uplink that has one, with its metric.
  const routes = JSON.parse(await out(host, ['ip', '-j', 'route', 'show', 'default'])) as Array<{dev: string; metric?: number}>;
  expect(routes.map((r) => `${r.dev}:${r.metric ?? 0}`).sort()).toEqual(
    spec.uplinks.filter((u) => u.up && u.defaultRouteMetric !== null).map((u) => `${u.name}:${u.defaultRouteMetric}`).sort(),
  );

  // Bridge in the OVS db, its addresses, MTU and MAC.
  expect((await inNs(host, ['ovs-vsctl', 'br-exists', br])).code).toBe(spec.bridge.present ? 0 : 2);
  if (spec.bridge.present) {
    expect(await out(host, ['ovs-vsctl', 'get', 'bridge', br, 'datapath_type'])).toBe('netdev\n');
    const [link] = JSON.parse(await out(host, ['ip', '-j', 'addr', 'show', br])) as Array<{address: string; addr_info: Array<{local: string; prefixlen: number; scope: string}>}>;
    expect(link.addr_info.filter((a) => a.scope !== 'link').map((a) => `${a.local}/${a.prefixlen}`)).toEqual(spec.bridge.addresses);
    expect(host.bridgeMac).toBe(link.address);
    expect(await out(host, ['ovs-vsctl', 'get', 'interface', br, 'mtu_request'])).toBe(`${spec.bridge.mtuRequest ?? '[]'}\n`);
    expect(await out(host, ['ovs-vsctl', 'get', 'bridge', br, 'rstp_enable'])).toBe(`${spec.bridge.rstp}\n`);
  }

  // Taps: kernel device owner/group, OVS port, tag and vlan_mode.
  for (const tap of spec.taps) {
    const sysfs = await inNs(host, ['cat', `/sys/class/net/${tap.name}/owner`, `/sys/class/net/${tap.name}/group`, `/sys/class/net/${tap.name}/tun_flags`]);
    if (tap.port === 'device-gone') {
      expect(sysfs.code).not.toBe(0);
      expect(await out(host, ['ovs-vsctl', 'get', 'interface', tap.name, 'ofport'])).toBe('-1\n');
      expect(await out(host, ['ovs-vsctl', 'get', 'interface', tap.name, 'error'])).toBe(`"could not open network device ${tap.name} (No such device)"\n`);
      continue;
    }
    const owner = tap.owner === 'unset' ? -1 : tap.owner === 'worker' ? ACCOUNTS.workerUid : ACCOUNTS.otherUid;
    const group = tap.group === 'unset' ? -1 : ACCOUNTS.gids[tap.group];
    expect(sysfs.stdout).toBe(`${owner}\n${group}\n0x1802\n`); // TAP | NO_PI | PERSIST
    const portToBr = await inNs(host, ['ovs-vsctl', 'port-to-br', tap.name]);
    if (tap.port === 'absent' || !spec.bridge.present) {
      expect(portToBr.code).not.toBe(0);
      continue;
    }
    expect(portToBr.stdout).toBe(`${br}\n`);
    expect(await out(host, ['ovs-vsctl', 'get', 'port', tap.name, 'tag'])).toBe(`${tap.tag ?? '[]'}\n`);
    expect(await out(host, ['ovs-vsctl', 'get', 'port', tap.name, 'vlan_mode'])).toBe(tap.tag === null ? '[]\n' : 'dot1q-tunnel\n');
  }
  for (const gre of spec.gre) {
    expect(await out(host, ['ovs-vsctl', 'get', 'interface', gre.name, 'type'])).toBe('gre\n');
    expect(await out(host, ['ovs-vsctl', 'get', 'interface', gre.name, 'options:remote_ip'])).toBe(`"${gre.remoteIp}"\n`);
  }

  // OpenFlow rules of table 0.
  if (spec.bridge.present) {
    const flows = (await out(host, ['ovs-ofctl', 'dump-flows', br, 'table=0'])).split('\n').filter((l) => l.includes('priority='));
    if (spec.bridge.flows !== 'none') {
      const ipv6 = spec.bridge.flows === 'installed' && spec.switchScript === 'eight-rules';
      expect(flows).toHaveLength(ipv6 ? 8 : 5);
      // The IPv6 rules of os-autoinst 26013d06: neighbour solicitation for fec0::2, and IPv6 to the bridge MAC.
      if (ipv6) {
        expect(flows.filter((f) => f.includes('priority=100,icmp6,icmp_type=135,icmp_code=0,nd_target=fec0::2 actions=learn('))).toHaveLength(1);
        expect(flows.filter((f) => f.includes(`priority=100,ipv6,dl_dst=${host.bridgeMac} actions=learn(`))).toHaveLength(1);
        expect(flows.filter((f) => f.includes(`priority=99,ipv6,dl_dst=${host.bridgeMac} actions=load:`))).toHaveLength(1);
      }
      expect(flows.filter((f) => f.includes(`priority=100,arp,arp_tpa=${sw.localIp} actions=learn(`))).toHaveLength(1);
      expect(flows.filter((f) => f.includes(`priority=100,ip,dl_dst=${host.bridgeMac} actions=learn(`))).toHaveLength(1);
      expect(flows.filter((f) => f.includes(`priority=99,ip,dl_dst=${host.bridgeMac} actions=mod_nw_src:${sw.rewriteTarget},`))).toHaveLength(1);
      expect(flows.filter((f) => f.includes('priority=1,in_port=LOCAL actions=resubmit(,1)'))).toHaveLength(1);
    } else {
      expect(flows).toHaveLength(1);
    }
    expect(flows.filter((f) => f.includes('priority=0 actions=NORMAL'))).toHaveLength(1);
  }

  // Firewall rules loaded in the namespace.
  const nft = await out(host, ['nft', 'list', 'ruleset']);
  const iptables = await out(host, ['iptables-save']);
  if (spec.firewall.kind === 'suse-nft') {
    expect(nft).toContain('type nat hook postrouting priority srcnat; policy accept;');
    for (const iface of spec.firewall.masqueradeIfaces) expect(nft).toContain(`oifname "${iface}" masquerade`);
  } else if (spec.firewall.kind === 'fedora-iptables') {
    const {uplink, bridge} = spec.firewall;
    for (const rule of [
      `-A FORWARD -i ${bridge} -j ACCEPT`,
      `-A FORWARD -i ${uplink} -o ${bridge} -m state --state RELATED,ESTABLISHED -j ACCEPT`,
      '-A FORWARD -j REJECT --reject-with icmp-host-prohibited',
      `-A POSTROUTING -o ${uplink} -j MASQUERADE`,
    ]) {
      expect(iptables.split('\n')).toContain(rule);
    }
  }

  // Forwarding sysctls.
  expect(await out(host, ['cat', '/proc/sys/net/ipv4/ip_forward'])).toBe(spec.forwarding.ipv4 ? '1\n' : '0\n');
  for (const [iface, on] of Object.entries(spec.forwarding.perInterface)) {
    expect(await out(host, ['cat', `/proc/sys/net/ipv4/conf/${iface}/forwarding`])).toBe(on ? '1\n' : '0\n');
  }

  // Root dir: accounts, workers.ini, pool with qemu.pid naming the stand-in, qemu capability.
  const root = host.rootDir;
  expect(readFileSync(join(root, 'etc/passwd'), 'utf8')).toContain(`_openqa-worker:x:${ACCOUNTS.workerUid}:`);
  const workersIni = readFileSync(join(root, 'etc/openqa/workers.ini'), 'utf8');
  for (const instance of spec.workers.instances) expect(workersIni).toContain(`[${instance.instance}]\nWORKER_CLASS = ${instance.workerClass}\n`);
  for (const job of spec.jobs) {
    const pid = host.qemuPids.get(job.instance);
    expect(readFileSync(join(root, `var/lib/openqa/pool/${job.instance}/qemu.pid`), 'utf8')).toBe(`${pid}\n`);
    const vars = JSON.parse(readFileSync(join(root, `var/lib/openqa/pool/${job.instance}/vars.json`), 'utf8')) as Record<string, unknown>;
    expect([vars.TAPDEV, vars.NICVLAN]).toEqual([job.taps.join(','), job.vlans.join(',')]);
    expect(isAlive(pid as number)).toBe(job.qemu === 'running');
    if (job.qemu === 'running') expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]).toBe(`/${QEMU_PATH}`);
  }
  const getcap = await run(['getcap', join(root, QEMU_PATH)]);
  expect(getcap.stdout.trim()).toBe(spec.qemu.capNetAdmin ? `${join(root, QEMU_PATH)} cap_net_admin=ep` : '');

  // The share: visible through host.exec only, never in this process's mount namespace.
  expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain('/var/lib/openqa');
  const seen = await host.exec(['cat', '/proc/self/mountinfo']);
  expect(seen.code).toBe(0);
  const shareLines = seen.stdout.split('\n').filter((l) => l.split(' ')[4] === '/var/lib/openqa/share');
  if (spec.share === 'tmpfs') {
    expect(shareLines).toHaveLength(1);
    expect(shareLines[0]).toContain(' - tmpfs td-share ');
    expect((await host.exec(['stat', '-c', '%F', '/var/lib/openqa/share/factory'])).stdout).toBe('directory\n');
  } else if (spec.share === 'local') {
    // The web UI's own share: factory/ on the host's disk (its work dir), no mount of its own.
    expect(shareLines).toEqual([]);
    expect((await host.exec(['stat', '-c', '%F', '/var/lib/openqa/share/factory'])).stdout).toBe('directory\n');
    expect(readdirSync(join(host.varLibDir, 'openqa/share/factory')).sort()).toEqual(['hdd', 'iso']);
  } else {
    expect(shareLines).toEqual([]);
    expect((await host.exec(['stat', '/var/lib/openqa/share/factory'])).code).not.toBe(0);
  }
}

/** One observable per fault, stated directly: the fault is really there. */
const FAULT_VISIBLE: Partial<Record<PresetName, (host: LiveHost) => Promise<void>>> = {
  async secondUplink(host) {
    expect(await out(host, ['ip', 'route', 'show', 'default'])).toBe('default via 192.0.2.1 dev eth0 metric 100 \ndefault via 198.51.100.1 dev eth1 metric 200 \n');
  },
  async wrongTag(host) {
    const vars = JSON.parse(readFileSync(join(host.rootDir, 'var/lib/openqa/pool/1/vars.json'), 'utf8')) as {NICVLAN: string};
    expect(vars.NICVLAN).toBe('5');
    expect(await out(host, ['ovs-vsctl', 'get', 'port', 'tap0', 'tag'])).toBe('6\n');
  },
  async qemuNoCapForeignTap(host) {
    expect(await out(host, ['cat', '/sys/class/net/tap0/owner'])).toBe(`${ACCOUNTS.otherUid}\n`);
    expect((await run(['getcap', join(host.rootDir, QEMU_PATH)])).stdout).toBe('');
  },
  async healthyFedora(host) {
    // Traffic crossed the FORWARD chain both ways and was masqueraded.
    const counted = await out(host, ['iptables-save', '-c']);
    expect(counted).toMatch(/^\[[1-9]\d*:\d+\] -A FORWARD -i br0 -j ACCEPT$/m);
    expect(counted).toMatch(/^\[[1-9]\d*:\d+\] -A FORWARD -i eth0 -o br0 -m state --state RELATED,ESTABLISHED -j ACCEPT$/m);
    expect(counted).toMatch(/^\[[1-9]\d*:\d+\] -A POSTROUTING -o eth0 -j MASQUERADE$/m);
    expect(await out(host, ['ovs-ofctl', 'dump-flows', 'br0', 'table=1'])).toContain('dl_dst=52:54:00:12:00:07');
  },
  async zeroForwardCounters(host) {
    const counted = await out(host, ['iptables-save', '-c']);
    const forward = counted.split('\n').filter((l) => l.includes(' -A FORWARD '));
    expect(forward).toHaveLength(3);
    for (const rule of forward) expect(rule.startsWith('[0:0] ')).toBe(true);
    expect(counted).toMatch(/^\[[1-9]\d*:\d+\] -A POSTROUTING -o eth0 -j MASQUERADE$/m);
    // Jobs provably ran: learned return paths in table 1.
    expect(await out(host, ['ovs-ofctl', 'dump-flows', 'br0', 'table=1'])).toContain('dl_dst=52:54:00:12:00:07');
  },
  async greMtu(host) {
    expect(readFileSync(join(host.rootDir, 'etc/openqa/workers.ini'), 'utf8')).toContain('MM_MTU = 1500\n');
    expect(await out(host, ['ip', '-j', '-4', 'route', 'get', '192.0.2.20'])).toContain('"dev":"eth0"');
    expect(await out(host, ['cat', '/sys/class/net/eth0/mtu'])).toBe('1500\n');
  },
  async shareNotMounted(host) {
    expect(readFileSync(join(host.rootDir, 'etc/openqa/workers.ini'), 'utf8')).not.toContain('CACHEDIRECTORY');
    expect(readFileSync(join(host.rootDir, 'etc/fstab'), 'utf8')).toContain(' /var/lib/openqa/share  nfs4 ');
  },
  async masqueradeWrongIface(host) {
    const nft = await out(host, ['nft', 'list', 'ruleset']);
    expect(nft).toContain('oifname "eth2" masquerade');
    expect(nft).not.toContain('oifname "eth0"');
    expect((await inNs(host, ['ip', 'link', 'show', 'eth2'])).code).not.toBe(0);
  },
  async ipForwardOff(host) {
    expect(existsSync(join(host.rootDir, 'etc/sysctl.d/ip_forward.conf'))).toBe(false);
  },
  async flowsMissing(host) {
    expect(await out(host, ['ovs-ofctl', '--no-stats', 'dump-flows', 'br1'])).toBe(' priority=0 actions=NORMAL\n');
  },
  async bridgeAddressWrong(host) {
    expect(await out(host, ['ip', '-br', '-4', 'addr', 'show', 'br1'])).toMatch(/ 10\.0\.2\.2\/24 \n$/);
  },
  async tapNotOnBridge(host) {
    expect(await out(host, ['ovs-vsctl', 'list-ports', 'br1'])).toBe('tap0\ntap2\n');
  },
  async portDeviceGone(host) {
    expect(await out(host, ['ovs-vsctl', 'show'])).toContain('error: "could not open network device tap1 (No such device)"');
  },
  async tapForeignOwner(host) {
    expect(await out(host, ['cat', '/sys/class/net/tap1/owner'])).toBe(`${ACCOUNTS.otherUid}\n`);
    expect((await run(['getcap', join(host.rootDir, QEMU_PATH)])).stdout).toContain('cap_net_admin=ep');
  },
  async tapClassNoBridge(host) {
    expect(await out(host, ['ovs-vsctl', 'list-br'])).toBe('');
    expect(readFileSync(join(host.rootDir, 'etc/openqa/workers.ini'), 'utf8')).toContain('WORKER_CLASS = qemu_x86_64,tap');
  },
};

/** True once path is gone; a killed child of ours may need a moment to be reaped. */
async function vanishes(path: string): Promise<boolean> {
  for (let i = 0; i < 100 && existsSync(path); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  return !existsSync(path);
}

interface Baseline {
  mountinfo: string;
  links: string[];
}

async function expectNothingLeft(id: string, created: readonly LedgerEntry[], baseline: Baseline): Promise<void> {
  expect((await run(['ip', 'netns', 'list'])).stdout).not.toContain(id);
  for (const entry of created) {
    if (entry.kind === 'pid') expect(await vanishes(`/proc/${entry.pid}`), `${entry.what} ${entry.pid}`).toBe(true);
    if (entry.kind === 'dir') expect(existsSync(entry.path), entry.path).toBe(false);
    if (entry.kind === 'netns') expect(existsSync(`/run/netns/${entry.name}`), entry.name).toBe(false);
  }
  expect(pidsCarrying(id)).toEqual([]);
  expect(ownMountinfo()).toBe(baseline.mountinfo);
  expect(await defaultNsLinks()).toEqual(baseline.links);
}

// --- the suite ----------------------------------------------------------------------------------

describe.skipIf(skipLive)('live host builder', () => {
  let baseline: Baseline;
  beforeAll(async () => {
    baseline = {mountinfo: ownMountinfo(), links: await defaultNsLinks()};
  });

  for (const name of Object.keys(PRESETS) as PresetName[]) {
    test(`${name}: built as specified, then nothing left`, async () => {
      const spec = PRESETS[name]();
      const host = await LiveHost.create(spec);
      try {
        expect(host.traffic).toEqual(EXPECTED_TRAFFIC[name]);
        await expectBuiltAsSpecified(host, spec);
        await FAULT_VISIBLE[name]?.(host);
        expect(pidsCarrying(host.id).sort()).toEqual(host.created.flatMap((e) => (e.kind === 'pid' && isAlive(e.pid) ? [e.pid] : [])).sort());
      } finally {
        await host.destroy();
      }
      await expectNothingLeft(host.id, host.created, baseline);
    });
  }

  test('state() is stable, unchanged by read-only commands, and sees changes', async () => {
    const host = await LiveHost.create(PRESETS.healthyFedora());
    try {
      const first = await host.state();
      for (const argv of [['ovs-vsctl', 'show'], ['ovs-ofctl', 'dump-flows', 'br0'], ['iptables-save', '-c'], ['nft', '-j', 'list', 'ruleset'], ['ip', '-j', '-d', 'addr'], ['cat', join(host.rootDir, 'etc/openqa/workers.ini')]]) {
        expect((await host.exec(argv)).code, argv.join(' ')).toBe(0);
      }
      expect(await host.state()).toEqual(first);

      expect((await host.exec(['ovs-vsctl', 'set', 'port', 'tap1', 'tag=9'])).code).toBe(0);
      expect((await host.exec(['iptables', '-Z', 'FORWARD'])).code).toBe(0);
      expect((await host.exec(['chmod', '600', join(host.rootDir, 'etc/openqa/workers.ini')])).code).toBe(0);
      const changed = await host.state();
      expect(changed.ovsdb).not.toEqual(first.ovsdb);
      expect(changed.iptables).not.toBe(first.iptables);
      expect(changed.nft).not.toBe(first.nft); // iptables-nft counters show in nft too
      expect(changed.rootFiles).toContain(`etc/openqa/workers.ini file 600 0:0 ${first.rootFiles.find((l) => l.startsWith('etc/openqa/workers.ini '))?.split(' ')[4]}`);
      const rest = (s: typeof first) => ({...s, ovsdb: null, iptables: null, nft: null, rootFiles: null});
      expect(rest(changed)).toEqual(rest(first));
    } finally {
      await host.destroy();
    }
  });

  test('exec: netns + private mounts + OVS env, output, exit code, env passthrough, timeout', async () => {
    const host = await LiveHost.create({...healthySuse(), traffic: 'none'});
    try {
      const shell = await host.exec(['sh', '-c', 'echo "$GREETING"; echo oops >&2; exit 3'], {env: {GREETING: 'hello'}});
      expect([shell.code, shell.stdout, shell.stderr, shell.timedOut]).toEqual([3, 'hello\n', 'oops\n', false]);
      expect((await host.exec(['ovs-vsctl', 'br-exists', 'br1'])).code).toBe(0);
      expect((await host.exec(['sh', '-c', 'echo "$OVS_RUNDIR"'])).stdout).toBe(`${host.ovsEnv.OVS_RUNDIR}\n`);
      expect((await host.exec(['cat', '/sys/class/net/tap0/owner'])).stdout).toBe(`${ACCOUNTS.workerUid}\n`);
      // Node (how the CLI will run) sees the scenario's mounts in its own mountinfo: the host's
      // varlib dir bound over /var/lib/openqa (or /var/lib), and the share's factory/ in it.
      const node = await host.exec([
        process.execPath,
        '-e',
        'const m = require("fs").readFileSync("/proc/self/mountinfo","utf8").split("\\n").map((l) => l.split(" ")).filter((f) => /\\/varlib(\\/openqa)?$/.test(f[3] ?? "")).map((f) => f[4]); process.stdout.write(JSON.stringify([m, require("fs").statSync("/var/lib/openqa/share/factory").isDirectory()]))',
      ]);
      expect(JSON.parse(node.stdout), node.stderr).toEqual([[existsSync('/var/lib/openqa') ? '/var/lib/openqa' : '/var/lib'], true]);
      // mounts: false = only the netns.
      expect((await host.exec(['stat', '/var/lib/openqa/share/factory'], {mounts: false})).code).not.toBe(0);
      const started = Date.now();
      const slow = await host.exec(['sh', '-c', 'sleep 20 & sleep 20'], {timeoutMs: 300});
      expect(slow.timedOut).toBe(true);
      expect(Date.now() - started).toBeLessThan(5000);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(pidsCarrying(host.id).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep'))).toEqual([]);
    } finally {
      await host.destroy();
      await host.destroy(); // a second destroy is a no-op
    }
  });

  test('a host whose harness died (no exit hook ran) is swept by the next create', async () => {
    const host = await LiveHost.create({...healthySuse(), traffic: 'none'});
    try {
      // Make its ledger look like it belongs to a process that no longer exists.
      const ledgerFile = join(host.workDir, 'ledger.json');
      const deadPid = spawnSync('true').pid as number;
      writeFileSync(ledgerFile, JSON.stringify({...JSON.parse(readFileSync(ledgerFile, 'utf8')), ownerPid: deadPid}));
      expect(sweepStale()).toEqual([host.id]);
      await expectNothingLeft(host.id, host.created, baseline);
    } finally {
      await host.destroy(); // already swept: a no-op
    }
  });

  for (const step of ['namespaces', 'ovs', 'ports', 'qemu', 'traffic'] as const) {
    test(`a build aborted after '${step}' is torn down before the error reaches the caller`, async () => {
      const error = await LiveHost.create(healthySuse(), {failAfter: step}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BuildFailed);
      const failed = error as BuildFailed;
      expect(failed.cause).toBeInstanceOf(BuildAborted);
      expect(failed.leftovers).toEqual([]);
      expect(failed.created.some((e) => e.kind === 'netns')).toBe(true);
      await expectNothingLeft(failed.hostId, failed.created, baseline);
    });
  }

  test('a build failing for real (bad tap name) is torn down too', async () => {
    const spec = healthySuse();
    spec.taps.push({name: 'tap with space', owner: 'worker', group: 'nogroup', port: 'on-bridge', tag: null});
    const error = await LiveHost.create(spec).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BuildFailed);
    const failed = error as BuildFailed;
    expect(String(failed.message)).toContain('tap with space');
    expect(failed.created.filter((e) => e.kind === 'pid').map((e) => (e as {what: string}).what)).toEqual(['ovsdb-server', 'ovs-vswitchd']);
    await expectNothingLeft(failed.hostId, failed.created, baseline);
  });
});
