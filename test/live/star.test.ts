// A devstack-gate style overlay, built for real: a primary node and two subnodes on one LAN, each
// with its own Open vSwitch and a br-ex bridge (MTU 1450) joined by VXLAN ports with one key, a
// star (the primary has a tunnel per subnode, each subnode one back). No openQA anywhere: no
// workers.ini, no switch config, no taps. tapdoctor must report no openQA finding on any node,
// detect the hub, and find a missing tunnel back and a key mismatch.
import {mkdirSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {FleetLab, lanAddress, type LabHost} from './lab.js';
import {skipLive} from './prereqs.js';
import {must, run} from './run.js';
import {healthySuse, type ScenarioSpec} from './spec.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const VNI = '1000001';

/** Node n (1 = primary): br-ex 172.24.4.n/23 at MTU 1450, VXLAN ports to `peers` (LAN host numbers). */
function devstackNode(n: number, peers: number[]): ScenarioSpec {
  const spec = healthySuse();
  spec.name = `devstack-${n}`;
  spec.bridge = {name: 'br-ex', present: true, addresses: [`172.24.4.${n}/23`], mtuRequest: 1450, flows: 'none', rstp: false};
  spec.switchConfig = null;
  spec.taps = [];
  spec.gre = peers.map((p) => ({name: `br-ex_${lanAddress(p)}`, remoteIp: lanAddress(p), type: 'vxlan' as const, key: VNI}));
  spec.firewall = {kind: 'none'};
  spec.forwarding = {ipv4: true, perInterface: {}, persisted: true};
  spec.workers = {instances: [], cacheDirectory: null, global: {}};
  spec.jobs = [];
  spec.webui = 'remote';
  spec.share = 'absent';
  spec.traffic = 'none';
  spec.networkConfig = 'none';
  spec.files['etc/openqa/workers.ini'] = null;
  return spec;
}

interface FleetDoc {
  fleet: {topology: {kind: string; hub?: string}; findings: Array<{checkId: string; subject: string; hosts: string[]}>};
  hosts: Array<{target: {host: string}; findings: Array<{checkId: string; subject: string}>; checks: Array<{id: string; status: string}>}>;
}

describe.skipIf(skipLive)('devstack-style VXLAN star of three namespace hosts', () => {
  let lab: FleetLab;
  const names = ['primary', 'sub1', 'sub2'];
  const node = (name: string): LabHost => lab.hosts.find((h) => h.name === name)!;

  beforeAll(async () => {
    lab = await FleetLab.create();
    await lab.addHost('primary', devstackNode(1, [2, 3]), 1);
    await lab.addHost('sub1', devstackNode(2, [1]), 2);
    await lab.addHost('sub2', devstackNode(3, [1]), 3);
  }, 180_000);
  afterAll(async () => {
    if (!lab) return;
    await lab.destroy();
    expect((await run(['pgrep', '-f', lab.workDir])).stdout.trim(), 'processes of the lab left').toBe('');
  }, 60_000);

  async function analyzeStar(tag: string): Promise<FleetDoc> {
    const dir = join(lab.workDir, tag);
    mkdirSync(dir);
    for (const name of names) {
      const h = node(name);
      // Over ssh, as an operator would: the session has the node's host name and netns.
      const env = Object.entries(lab.envFor(h)).map(([k, v]) => `${k}=${v}`);
      const r = await lab.ssh(h, ['env', ...env, process.execPath, join(repo, 'bin/run.js'), 'snapshot', '--quiet', '--root', h.host.rootDir, '-o', join(dir, `${name}.tar.gz`)]);
      expect(r.code, r.stderr).toBe(0);
    }
    const out = join(lab.workDir, `${tag}.json`);
    const r = await run([process.execPath, join(repo, 'bin/run.js'), 'analyze', dir, '--complete', '--json', '-o', out, '--fail-on', 'never'], {timeoutMs: 60_000});
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(readFileSync(out, 'utf8')) as FleetDoc;
  }

  it('healthy star: the hub is detected, no fleet finding, no openQA finding on any node', async () => {
    const doc = await analyzeStar('healthy');
    expect(doc.fleet.topology).toMatchObject({kind: 'star', hub: 'primary'});
    expect(doc.fleet.findings).toEqual([]);
    expect(doc.hosts.map((h) => [h.target.host, h.findings.map((f) => `${f.checkId} ${f.subject}`)])).toEqual(names.map((n) => [n, []]));
    // The openQA tap checks do not apply to an overlay node.
    for (const h of doc.hosts) {
      const status = Object.fromEntries(h.checks.map((c) => [c.id, c.status]));
      expect({host: h.target.host, TD008: status.TD008, TD009: status.TD009, TD011: status.TD011}).toEqual({host: h.target.host, TD008: 'n/a', TD009: 'n/a', TD011: 'n/a'});
    }
  }, 180_000);

  it('a subnode without its tunnel back and one with another key: TD201 one-way and TD207', async () => {
    const vsctl = (h: LabHost, ...args: string[]) => must(['ip', 'netns', 'exec', h.host.netns, 'ovs-vsctl', '--timeout=10', ...args], {env: h.host.ovsEnv});
    await vsctl(node('sub2'), 'del-port', 'br-ex', `br-ex_${lanAddress(1)}`);
    await vsctl(node('sub1'), 'set', 'interface', `br-ex_${lanAddress(1)}`, 'options:key=1000002');
    const doc = await analyzeStar('faults');
    expect(doc.fleet.topology).toMatchObject({kind: 'star', hub: 'primary'});
    expect(doc.fleet.findings.map((f) => `${f.checkId} ${f.subject} [${f.hosts.join(',')}]`).sort()).toEqual([
      `TD201 sub2 -> primary [sub2,primary]`,
      `TD207 sub1: br-ex_${lanAddress(1)} [sub1,primary]`,
    ]);
  }, 180_000);
});
