// A fleet of three namespace hosts, each with its own Open vSwitch, uplink on a shared LAN, bridge,
// GRE ports to the others and sshd, driven by a real ansible-playbook with the playbooks in
// contrib/ansible/: collect.yml on the healthy mesh, then with mesh faults injected at runtime;
// rolling-reboot.yml with a reboot stand-in, skipping the host whose gate is not SAFE.
import {existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {FleetLab, lanAddress, type LabHost} from './lab.js';
import {skipLive} from './prereqs.js';
import {must, run} from './run.js';
import {healthySuse, type ScenarioSpec} from './spec.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const CONTRIB = join(repo, 'contrib/ansible');
const NAMES = ['worker1', 'worker2', 'worker3'];
const haveAnsible = !skipLive && (await run(['ansible-playbook', '--version'])).code === 0 && existsSync('/usr/sbin/sshd');

/** Host n of a healthy three-host mesh: GRE ports towards the other two, RSTP on, MM_MTU 1458. */
function meshHost(n: number, opts: {job: boolean}): ScenarioSpec {
  const spec = healthySuse();
  spec.name = `fleet-${NAMES[n - 1]}`;
  spec.bridge.rstp = true;
  spec.gre = [1, 2, 3].filter((k) => k !== n).map((k, i) => ({name: `gre${i + 1}`, remoteIp: lanAddress(k)}));
  spec.workers.global.MM_MTU = '1458';
  // Workers of one remote web UI, with a cache (no NFS server can run here: the share is a tmpfs).
  spec.webui = 'remote';
  spec.share = 'tmpfs';
  spec.workers.cacheDirectory = '/var/lib/openqa/cache';
  // What a salt-built worker enables for boot, and the unit that loads /etc/firewall.nft.
  spec.enabledUnits = ['openvswitch.service', 'os-autoinst-openvswitch.service', 'wicked.service', 'nftables.service'];
  spec.files['usr/lib/systemd/system/nftables.service'] = '[Unit]\nDescription=nftables\n[Service]\nType=oneshot\nExecStart=/usr/sbin/nft -f /etc/firewall.nft\n[Install]\nWantedBy=multi-user.target\n';
  for (const i of spec.workers.instances) i.workerClass = 'qemu_x86_64,tap,location-lab';
  if (!opts.job) {
    spec.jobs = [];
    for (const t of spec.taps) t.tag = null;
  }
  return spec;
}

interface FleetDoc {
  fleet: {hosts: Array<{name: string; verdict: string}>; findings: Array<{checkId: string; subject: string; hosts: string[]; severity: string; fix: string}>};
  hosts: Array<{target: {host: string}; findings: Array<{checkId: string; subject: string; severity: string}>}>;
}

describe.skipIf(!haveAnsible)('fleet of three namespace hosts over ssh + ansible', () => {
  let lab: FleetLab;
  const host = (name: string): LabHost => lab.hosts.find((h) => h.name === name)!;

  beforeAll(async () => {
    lab = await FleetLab.create();
    // worker3 runs a job: its gate says NOT SAFE (a job would be killed by the reboot).
    for (const [i, name] of NAMES.entries()) await lab.addHost(name, meshHost(i + 1, {job: name === 'worker3'}), i + 1);
  }, 180_000);
  afterAll(async () => {
    if (!lab) return;
    await lab.destroy();
    // Nothing of the lab outlives it: no sshd (or session) still runs with its config.
    const left = (await run(['pgrep', '-f', lab.workDir])).stdout.trim();
    expect(left, `processes left: ${left}`).toBe('');
    expect(existsSync(lab.workDir)).toBe(false);
  }, 60_000);

  const inventoryVars = (h: LabHost) => ({
      tapdoctor_command: `${process.execPath} ${join(repo, 'bin/run.js')}`,
      tapdoctor_snapshot_args: `--root ${h.host.rootDir}`,
      tapdoctor_gate_args: `--root ${h.host.rootDir} --no-openqa`,
      tapdoctor_check_args: `--root ${h.host.rootDir}`,
      tapdoctor_environment: lab.envFor(h),
      tapdoctor_remote_path: join(lab.workDir, `snapshot-${h.name}.tar.gz`),
  });
  const inventory = () => lab.writeInventory(inventoryVars);

  async function collect(out: string): Promise<FleetDoc> {
    const r = await lab.ansiblePlaybook(['-i', inventory(), join(CONTRIB, 'collect.yml'), '-e', `tapdoctor_report_dir=${out}`, '-e', `tapdoctor_command="${process.execPath} ${join(repo, 'bin/run.js')}"`]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    for (const ext of ['txt', 'json', 'html', 'prom', 'xml']) expect(existsSync(join(out, `fleet.${ext}`)), ext).toBe(true);
    return JSON.parse(readFileSync(join(out, 'fleet.json'), 'utf8')) as FleetDoc;
  }

  it('collect.yml on the healthy mesh: three hosts, no fleet finding', async () => {
    const doc = await collect(join(lab.workDir, 'healthy'));
    expect(doc.fleet.hosts.map((h) => h.name)).toEqual(NAMES);
    expect(doc.fleet.findings).toEqual([]);
    // The hosts themselves are healthy too: the mesh is the only thing this suite varies.
    // (TD007 info: the share is a tmpfs, since no NFS server can run here.)
    expect(doc.hosts.map((h) => [h.target.host, h.findings.map((f) => `${f.checkId} ${f.severity} ${f.subject}`)])).toEqual(NAMES.map((n) => [n, ['TD007 info /var/lib/openqa/share']]));
  }, 240_000);

  it('rolling-reboot.yml: one host at a time, skipping the host whose gate is not SAFE', async () => {
    const fake = join(lab.workDir, 'fake-reboot.sh');
    writeFileSync(fake, '#!/bin/sh\n# reboot stand-in: a new "boot time" is all ansible.builtin.reboot waits for\ndate +%s%N > "$1"\n');
    const marker = (name: string) => join(lab.workDir, `booted-${name}`);
    const inv = lab.writeInventory((h) => ({
      ...inventoryVars(h),
      reboot_command: `/bin/sh ${fake} ${marker(h.name)}`,
      boot_time_command: `cat ${marker(h.name)} 2>/dev/null || echo never`,
      reboot_timeout: 60,
    }));
    const r = await lab.ansiblePlaybook(['-i', inv, join(CONTRIB, 'rolling-reboot.yml')]);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(existsSync(marker('worker1')), r.stdout).toBe(true);
    expect(existsSync(marker('worker2'))).toBe(true);
    expect(existsSync(marker('worker3'))).toBe(false);
    expect(r.stdout).toMatch(/worker3 skipped: NOT SAFE TO REBOOT/);
    // One host at a time: serial batches appear in order, each with its own gate.
    const plays = [...r.stdout.matchAll(/TASK \[Ask the gate.*?\]/g)];
    expect(plays).toHaveLength(3);
    expect(r.stdout).toMatch(/TASK \[The tap setup came back \(tapdoctor check\)\][\s\S]*?ok: \[worker1\]/);
  }, 300_000);

  it('collect.yml after injecting mesh faults: exactly those findings', async () => {
    const [w1, w2, w3] = NAMES.map(host) as [LabHost, LabHost, LabHost];
    const vsctl = (h: LabHost, ...args: string[]) => must(['ip', 'netns', 'exec', h.host.netns, 'ovs-vsctl', '--timeout=10', ...args], {env: h.host.ovsEnv});
    // A missing peer: worker1 and worker2 lose their tunnels to each other.
    await vsctl(w1, 'del-port', 'br1', 'gre1');
    await vsctl(w2, 'del-port', 'br1', 'gre1');
    // A one-way tunnel: worker2 -> worker3 gone, worker3 -> worker2 stays.
    await vsctl(w2, 'del-port', 'br1', 'gre2');
    // A stale remote_ip: worker1's port to worker3 points at a renumbered address.
    await vsctl(w1, 'set', 'interface', 'gre2', 'options:remote_ip=192.0.2.99');
    // An MTU mismatch: worker1's uplink carries only 1400 (its own SUTs use 1340, which fits),
    // while worker3's SUTs use 1458 towards it.
    await must(['ip', '-n', w1.host.netns, 'link', 'set', 'eth0', 'mtu', '1400']);
    const ini = (h: LabHost) => join(h.host.rootDir, 'etc/openqa/workers.ini');
    writeFileSync(ini(w1), readFileSync(ini(w1), 'utf8').replace('MM_MTU = 1458', 'MM_MTU = 1340'));
    // A class split: worker1 and worker2 also carry tap2, with no tunnel between them.
    for (const h of [w1, w2]) writeFileSync(ini(h), readFileSync(ini(h), 'utf8').replaceAll('location-lab', 'location-lab,tap2'));

    const doc = await collect(join(lab.workDir, 'faults'));
    expect(doc.fleet.findings.map((f) => `${f.checkId} ${f.subject} [${f.hosts.join(',')}]`).sort()).toEqual([
      'TD201 worker1 <-> worker2 [worker1,worker2]',
      'TD201 worker2 -> worker3 [worker2,worker3]',
      'TD202 worker1: gre2 [worker1,worker3]',
      'TD203 worker3 <-> worker1 [worker3,worker1]',
      'TD204 class tap2 (location-lab) [worker1,worker2]',
    ]);
    // The faults are between hosts: each host alone still looks as before.
    expect(doc.hosts.map((h) => [h.target.host, h.findings.map((f) => f.checkId)])).toEqual(NAMES.map((n) => [n, ['TD007']]));
    // The host that must change gets the command: worker2 adds its port back towards worker3.
    const oneWay = doc.fleet.findings.find((f) => f.subject === 'worker2 -> worker3')!;
    expect(oneWay.fix).toContain(`options:remote_ip=${w3.address}`);
  }, 240_000);

  it('the fleet plan applied on every host repairs the tunnels: collected again, only the MTU advice is left', async () => {
    const snapshots = join(lab.workDir, 'faults', 'snapshots');
    const fix = join(lab.workDir, 'fleet-fix.sh');
    const made = await run([process.execPath, join(repo, 'bin/run.js'), 'analyze', snapshots, '--format', 'script', '--fail-on', 'never', '-o', fix]);
    expect(made.code, made.stderr).toBe(0);
    const script = readFileSync(fix, 'utf8');
    // The one-way tunnel is repaired where the port is missing only: worker3's part adds no port.
    const part = (n: number) => script.split(/^tapdoctor_plan_\d+\(\) \{$/m)[n]!;
    expect(part(3)).not.toContain('add-port');
    // worker3's part gives its SUTs worker1's MTU (it fits the path, 1358) where its workers.ini sets
    // MM_MTU (the edit TD006 makes on a host), then leaves the restart of busy workers to the admin.
    expect(part(3)).toMatch(/sed -i --follow-symlinks '\d+s\/\.\*\/MM_MTU = 1340\/' \S*\/etc\/openqa\/workers\.ini/);
    expect(part(3)).toContain('# MANUAL (a restart kills the running job):');
    // The verify line of each part (`tapdoctor snapshot`) is logged; the snapshot is taken by collect.yml below.
    const bin = join(lab.workDir, 'fix-bin');
    mkdirSync(bin, {recursive: true});
    writeFileSync(join(bin, 'tapdoctor'), `#!/bin/sh\necho "tapdoctor $*" >> ${join(lab.workDir, 'verify.log')}\n`, {mode: 0o755});
    // Host by host, as a rolling fix runs: the same file everywhere, each host runs its own part.
    for (const h of lab.hosts) {
      const applied = await h.host.exec(['sh', fix], {env: {PATH: `${bin}:${h.bin}:${process.env.PATH}`, TAPDOCTOR_HOST: h.name}, timeoutMs: 60_000});
      expect(applied.code, `${h.name}: ${applied.stderr}\n${applied.stdout}\n--- script:\n${script}`).toBe(0);
    }
    expect(readFileSync(join(lab.workDir, 'verify.log'), 'utf8').trim().split('\n')).toHaveLength(3);

    const doc = await collect(join(lab.workDir, 'fixed'));
    // TD201 (both), TD202, worker3's TD203 (its workers.ini now says 1340, as worker1's) and, with
    // worker1 and worker2 joined again, TD204 are gone. Left is worker2, which the first plan could not
    // judge: its SUTs (1458) now reach worker1's 1400 uplink, and differ from worker3's new 1340. The
    // next plan sets it to 1340 as well.
    expect(doc.fleet.findings.map((f) => `${f.checkId} ${f.subject}`).sort()).toEqual(['TD203 worker2 <-> worker1', 'TD203 worker2 <-> worker3']);
    expect(doc.hosts.map((h) => [h.target.host, h.findings.map((f) => f.checkId)])).toEqual(NAMES.map((n) => [n, ['TD007']]));
  }, 240_000);
});
