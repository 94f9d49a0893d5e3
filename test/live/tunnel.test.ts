// SUT traffic across a real GRE tunnel between two namespace hosts, the way Open vSwitch's
// userspace datapath tunnels (OVS docs, "Userspace Datapath - Tunneling"): the underlay address
// sits on an OVS bridge of its own (br-phy, datapath_type=netdev) that holds the uplink veth as a
// port, so the tunnel endpoint's route resolves through an OVS bridge; br1 carries the GRE port
// and a SUT stand-in on the job's VLAN tag, as os-autoinst-openvswitch sets it.
//
//   td-<lab>-lan: lan0 192.0.2.1/24 ── veth ── eth0 (port of br-phy) ── br-phy 192.0.2.11/24 of host A (.12 of B)
//   host A: br1 ── gre1 (remote_ip 192.0.2.12), vsut ── veth ── SUT A 10.0.2.15/15 (tag 5)
//   host B: br1 ── gre1 (remote_ip 192.0.2.11), vsut ── veth ── SUT B 10.0.2.16/15 (tag 5)
//
// A ping from SUT A reaches SUT B; it stops when B loses its GRE port, and tapdoctor's fleet
// analysis names that fault (TD201, one way). Real nft rules on B dropping GRE from A are named
// by TD206; on this datapath they do not stop the ping: OVS reads tunnel packets off the uplink
// with a packet socket before the kernel's input hook (README, "Live tests").
import {mkdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {FleetLab, LAN_GATEWAY, LAN_PREFIX, lanAddress, type LabHost} from './lab.js';
import {setSysctls} from './network.js';
import {skipLive} from './prereqs.js';
import {must, run} from './run.js';
import {healthySuse, type ScenarioSpec} from './spec.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const NAMES = ['hostA', 'hostB'];
const TAG = '5';
const SUT_ADDR = ['10.0.2.15', '10.0.2.16'];

/** Host n of two: one GRE port towards the other, no RSTP (two hosts make no loop). */
function tunnelHost(n: number): ScenarioSpec {
  const spec = healthySuse();
  spec.name = `tunnel-${NAMES[n - 1]}`;
  spec.gre = [{name: 'gre1', remoteIp: lanAddress(3 - n)}];
  spec.traffic = 'none';
  return spec;
}

interface FleetDoc {
  fleet: {findings: Array<{checkId: string; subject: string; hosts: string[]; severity: string; message: string}>};
}

describe.skipIf(skipLive)('SUT ping across a GRE tunnel on the userspace datapath', () => {
  let lab: FleetLab;
  const suts: string[] = [];
  const host = (name: string): LabHost => lab.hosts.find((h) => h.name === name)!;
  const inNs = (h: LabHost, argv: string[]) => must(['ip', 'netns', 'exec', h.host.netns, ...argv], {env: h.host.ovsEnv});
  const vsctl = (h: LabHost, ...args: string[]) => inNs(h, ['ovs-vsctl', '--timeout=10', ...args]);
  const sutNs = (h: LabHost) => `td-${h.host.id}-gsut`;

  beforeAll(async () => {
    lab = await FleetLab.create();
    for (const [i, name] of NAMES.entries()) {
      const h = await lab.addHost(name, tunnelHost(i + 1), i + 1);
      await underlayOnOvsBridge(h, i + 1);
      await attachSut(h, SUT_ADDR[i]!);
    }
    // The first packets resolve the peer's underlay MAC (OVS learns it: tnl/arp/show).
    await inNs(host('hostA'), ['ping', '-n', '-q', '-c', '1', '-W', '2', lanAddress(2)]);
  }, 240_000);

  afterAll(async () => {
    for (const ns of suts) await run(['ip', 'netns', 'del', ns]);
    if (!lab) return;
    await lab.destroy();
    expect((await run(['pgrep', '-f', lab.workDir])).stdout.trim(), 'processes of the lab left').toBe('');
    const left = (await run(['ip', 'netns', 'list'])).stdout.split('\n').filter((l) => suts.some((s) => l.startsWith(s)));
    expect(left).toEqual([]);
  }, 60_000);

  /** br-phy (netdev) holds eth0 as a port; the underlay address and default route move onto br-phy. */
  async function underlayOnOvsBridge(h: LabHost, n: number): Promise<void> {
    const ns = h.host.netns;
    await vsctl(h, 'add-br', 'br-phy', '--', 'set', 'bridge', 'br-phy', 'datapath_type=netdev', '--', 'add-port', 'br-phy', 'eth0');
    await must(['ip', '-n', ns, 'route', 'del', 'default']);
    await must(['ip', '-n', ns, 'addr', 'del', `${lanAddress(n)}/${LAN_PREFIX}`, 'dev', 'eth0']);
    await must(['ip', '-n', ns, 'addr', 'add', `${lanAddress(n)}/${LAN_PREFIX}`, 'dev', 'br-phy']);
    await must(['ip', '-n', ns, 'link', 'set', 'br-phy', 'up']);
    await must(['ip', '-n', ns, 'route', 'add', 'default', 'via', LAN_GATEWAY, 'dev', 'br-phy', 'metric', '100']);
  }

  /** A SUT stand-in: a namespace on a veth whose host end is a br1 port with the job's tag (as os-autoinst sets a tap). */
  async function attachSut(h: LabHost, address: string): Promise<void> {
    const ns = sutNs(h);
    suts.push(ns);
    await must(['ip', 'netns', 'add', ns]);
    await must(['ip', 'link', 'add', 'vsut', 'netns', h.host.netns, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    // The kernel sees vsut's frames too (packet socket): keep it from answering for the bridge.
    await setSysctls(h.host.netns, {'net.ipv4.conf.vsut.arp_ignore': '8', 'net.ipv6.conf.vsut.disable_ipv6': '1'});
    await must(['ip', '-n', h.host.netns, 'link', 'set', 'vsut', 'up']);
    await vsctl(h, 'add-port', 'br1', 'vsut', '--', 'set', 'port', 'vsut', `tag=${TAG}`, 'vlan_mode=dot1q-tunnel');
    await setSysctls(ns, {'net.ipv6.conf.all.disable_ipv6': '1'});
    await must(['ip', '-n', ns, 'addr', 'add', `${address}/15`, 'dev', 'eth0']);
    await must(['ip', '-n', ns, 'link', 'set', 'eth0', 'up']);
    await must(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
  }

  /** Three pings from SUT A to SUT B; true when any is answered. */
  async function sutPing(): Promise<boolean> {
    const r = await run(['ip', 'netns', 'exec', sutNs(host('hostA')), 'ping', '-n', '-q', '-c', '3', '-i', '0.3', '-W', '1', SUT_ADDR[1]!], {timeoutMs: 15_000});
    return r.code === 0;
  }

  async function analyze(tag: string): Promise<FleetDoc> {
    const dir = join(lab.workDir, tag);
    mkdirSync(dir);
    for (const name of NAMES) {
      const h = host(name);
      // In the host's netns with its own host name. Not over ssh: TCP into br-phy's kernel port
      // carries the veth's unfinished checksums, which the netdev datapath does not complete.
      const argv = [process.execPath, join(repo, 'bin/run.js'), 'snapshot', '--quiet', '--root', h.host.rootDir, '-o', join(dir, `${name}.tar.gz`)];
      const r = await h.host.exec(['unshare', '--uts', 'sh', '-c', 'hostname "$0" && exec "$@"', name, ...argv], {env: lab.envFor(h), timeoutMs: 60_000});
      expect(r.code, r.stderr).toBe(0);
    }
    const out = join(lab.workDir, `${tag}.json`);
    const r = await run([process.execPath, join(repo, 'bin/run.js'), 'analyze', dir, '--complete', '--json', '-o', out, '--fail-on', 'never'], {timeoutMs: 60_000});
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(readFileSync(out, 'utf8')) as FleetDoc;
  }
  const fleetFindings = (doc: FleetDoc) => doc.fleet.findings.map((f) => `${f.checkId} ${f.subject} [${f.hosts.join(',')}]`).sort();

  it('OVS tunnels over br-phy: the tunnel port, the route and the neighbour all resolve through OVS', async () => {
    const a = host('hostA');
    expect(await inNs(a, ['ovs-appctl', 'tnl/ports/show'])).toMatch(/gre_sys/);
    expect(await inNs(a, ['ovs-appctl', 'ovs/route/show'])).toMatch(new RegExp(`192\\.0\\.2\\.0/${LAN_PREFIX} dev br-phy`));
    expect(await inNs(a, ['ovs-appctl', 'tnl/arp/show'])).toMatch(new RegExp(`${lanAddress(2).replaceAll('.', '\\.')}\\s+\\S+\\s+br-phy`));
  });

  it('a SUT on host A pings a SUT on host B across the tunnel; the fleet analysis finds nothing', async () => {
    expect(await sutPing()).toBe(true);
    // The reply came through the tunnel: host A's datapath decapsulated GRE from B.
    expect(await inNs(host('hostA'), ['ovs-appctl', 'dpctl/dump-flows'])).toMatch(new RegExp(`tunnel\\(src=${lanAddress(2).replaceAll('.', '\\.')},dst=${lanAddress(1).replaceAll('.', '\\.')}`));
    expect(fleetFindings(await analyze('healthy'))).toEqual([]);
  }, 120_000);

  it('B loses its GRE port: the ping stops, TD201 names the one-way tunnel; the port back, the ping is back', async () => {
    const b = host('hostB');
    await vsctl(b, 'del-port', 'br1', 'gre1');
    expect(await sutPing()).toBe(false);
    const doc = await analyze('no-port');
    expect(fleetFindings(doc)).toEqual(['TD201 hostB -> hostA [hostB,hostA]']);
    await vsctl(b, 'add-port', 'br1', 'gre1', '--', 'set', 'interface', 'gre1', 'type=gre', `options:remote_ip=${lanAddress(1)}`);
    expect(await sutPing()).toBe(true);
  }, 120_000);

  it('a wrong remote_ip on B: the ping stops, TD202 names the stale peer', async () => {
    const b = host('hostB');
    await vsctl(b, 'set', 'interface', 'gre1', 'options:remote_ip=192.0.2.99');
    expect(await sutPing()).toBe(false);
    expect(fleetFindings(await analyze('stale'))).toEqual(['TD202 hostB: gre1 [hostB,hostA]']);
    await vsctl(b, 'set', 'interface', 'gre1', `options:remote_ip=${lanAddress(1)}`);
    expect(await sutPing()).toBe(true);
  }, 120_000);

  it('real nft rules on B dropping GRE from A: TD206 names A and the rule (the userspace datapath still carries the ping)', async () => {
    const b = host('hostB');
    await must(['ip', 'netns', 'exec', b.host.netns, 'nft', '-f', '-'], {input: `table inet gre_guard {\n\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n\t\tip saddr ${lanAddress(1)} ip protocol gre counter drop\n\t}\n}\n`});
    const doc = await analyze('nft-drop');
    expect(fleetFindings(doc)).toEqual(['TD206 hostB <- hostA: running firewall [hostB,hostA]']);
    const f = doc.fleet.findings[0]!;
    expect(f.severity).toBe('error');
    expect(f.message).toContain(`drops GRE (IP protocol 47) from its tunnel peer hostA (${lanAddress(1)})`);
    expect(f.message).toMatch(/ip saddr "?192\.0\.2\.11"? ip protocol "?gre"?/);
    // OVS reads the uplink with a packet socket: the kernel's input hook never sees the tunnel.
    expect(await sutPing()).toBe(true);
    await must(['ip', 'netns', 'exec', b.host.netns, 'nft', 'delete', 'table', 'inet', 'gre_guard']);
  }, 120_000);
});
