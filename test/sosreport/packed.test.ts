// Packed sosreports (.tar.xz as sos writes them, .tar.gz, .tar) are read in memory and give the
// same snapshot, and so the same findings, as the unpacked tree. Link tricks inside a packed
// sosreport are resolved inside it or refused (src/sources/sosreport/mem-tree.ts).
import {execFileSync} from 'node:child_process';
import {readFileSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {gzipSync} from 'node:zlib';
import {describe, expect, test} from 'vitest';

import {CHECKS} from '../../src/checks/registry.js';
import {DEFAULT_CONFIG} from '../../src/config.js';
import {analyzeSnapshot} from '../../src/engine.js';
import {UserError} from '../../src/errors.js';
import {readSnapshot} from '../../src/sources/archive.js';
import {SnapshotView, type Snapshot} from '../../src/sources/snapshot.js';
import {writeSnapshot} from '../../src/sources/write.js';
import {rawTar, type RawMember} from '../hostile/corpus.js';
import {useTempDir} from '../helpers/temp-dir.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPORTS = ['sosreport-openqaworker-suse1-2026-11-21-kxqzrab', 'sosreport-tumbleweed1-2026-11-21-pqlmnvw'];
const work = useTempDir('tapdoctor-packed-sos-', 'all');

/** Manifest and contents in a comparable form. */
function comparable(snap: Snapshot) {
  return {manifest: snap.manifest, contents: Object.fromEntries([...snap.contents].map(([k, v]) => [k, v.toString('base64')]).sort())};
}
const findings = (snap: Snapshot) => analyzeSnapshot(snap, CHECKS, DEFAULT_CONFIG, {mode: 'snapshot'}).results.map((r) => `${r.id} ${r.status} ${r.reason ?? ""} ${JSON.stringify(r.findings)}`);

describe.each(REPORTS)('%s packed', (report) => {
  test.each([
    ['tar.xz', ['-cJf']],
    ['tar.gz', ['-czf']],
    ['tar', ['-cf']],
  ])('as .%s reads the same as the unpacked tree', async (ext, flags) => {
    const file = path.join(work(), `${report}.${ext}`);
    // --format=gnu: as sos's python tarfile writes (GNU format); links stay links.
    execFileSync('tar', [...flags, file, '--format=gnu', '-C', HERE, report]);
    const unpacked = await readSnapshot(path.join(HERE, report));
    const packed = await readSnapshot(file);
    expect(comparable(packed)).toEqual(comparable(unpacked));
    expect(findings(packed)).toEqual(findings(unpacked));
    expect(findings(packed).length).toBeGreaterThan(10);
  });
});

const TOP = 'sosreport-h-2026-12-06-abcdefg';
const base = (): RawMember[] => [
  {name: `${TOP}/`, type: '5'},
  {name: `${TOP}/version.txt`, data: 'sosreport: 4.0\n'},
  {name: `${TOP}/sos_commands/`, type: '5'},
];
async function readPacked(members: RawMember[], gz = true): Promise<Snapshot> {
  const file = path.join(work(), `t${Math.random().toString(36).slice(2)}.tar${gz ? '.gz' : ''}`);
  const tar = rawTar(members);
  writeFileSync(file, gz ? gzipSync(tar) : tar);
  return readSnapshot(file);
}
const entryOf = (snap: Snapshot, source: string) => new SnapshotView(snap).record(source)!.entries[0]!;

describe('link tricks inside a packed sosreport', () => {
  test('links to outside (absolute, relative) are refused per entry, never followed', async () => {
    const snap = await readPacked([
      ...base(),
      {name: `${TOP}/sos_commands/openvswitch/ovs-vsctl_-t_5_show`, type: '2', linkname: '/etc/passwd'},
      {name: `${TOP}/sos_commands/firewall_tables/nft_-a_list_ruleset`, type: '2', linkname: '../../../../etc/shadow'},
    ]);
    expect(entryOf(snap, 'ovs.show').error).toBe('refusing sos_commands/openvswitch/ovs-vsctl_-t_5_show: symbolic link to /etc/passwd outside the sosreport');
    expect(entryOf(snap, 'nft.ruleset').error).toBe('refusing sos_commands/firewall_tables/nft_-a_list_ruleset: symbolic link to ../../../../etc/shadow outside the sosreport');
    expect(snap.contents.size).toBe(0);
  });

  test('a loop and a chain over 40 links are refused; a short chain resolves', async () => {
    const chain: RawMember[] = [];
    for (let i = 0; i < 41; i++) chain.push({name: `${TOP}/sos_strings/c${i}`, type: '2', linkname: `c${i + 1}`});
    chain.push({name: `${TOP}/sos_strings/c41`, data: 'never read\n'});
    const snap = await readPacked([
      ...base(),
      {name: `${TOP}/sos_commands/firewall_tables/nft_-a_list_ruleset`, type: '2', linkname: 'loop'},
      {name: `${TOP}/sos_commands/firewall_tables/loop`, type: '2', linkname: 'nft_-a_list_ruleset'},
      {name: `${TOP}/sos_commands/openvswitch/ovs-vsctl_-t_5_show`, type: '2', linkname: '../../sos_strings/c0'},
      {name: `${TOP}/sos_commands/openvswitch/ovs-ofctl_dump-flows_br1`, type: '2', linkname: 'a'},
      {name: `${TOP}/sos_commands/openvswitch/a`, type: '2', linkname: '../openvswitch/b'},
      {name: `${TOP}/sos_commands/openvswitch/b`, type: '2', linkname: '../../sos_strings/flows.tailed'},
      {name: `${TOP}/sos_strings/flows.tailed`, data: ' cookie=0x0, duration=1.0s, table=0, n_packets=0, n_bytes=0, priority=0 actions=NORMAL\n'},
      ...chain,
    ]);
    expect(entryOf(snap, 'nft.ruleset').error).toBe('refusing sos_commands/firewall_tables/nft_-a_list_ruleset: more than 40 symbolic links on the way (a loop or a chain too long)');
    expect(entryOf(snap, 'ovs.show').error).toBe('refusing sos_commands/openvswitch/ovs-vsctl_-t_5_show: more than 40 symbolic links on the way (a loop or a chain too long)');
    const flows = new SnapshotView(snap).command('ovs.flows', 'br1');
    expect(flows.ok && flows.value.text).toContain('actions=NORMAL');
  });

  test('a link to a directory is not a file; hard links read inside, refused outside', async () => {
    const snap = await readPacked([
      ...base(),
      {name: `${TOP}/sos_commands/systemd/`, type: '5'},
      {name: `${TOP}/sos_commands/systemd/systemctl_list-units`, type: '2', linkname: '../../etc'},
      {name: `${TOP}/etc/fstab`, data: 'srv:/factory /var/lib/openqa/share/factory nfs ro 0 0\n'},
      {name: `${TOP}/sos_commands/openvswitch/ovs-vsctl_-t_5_show`, type: '1', linkname: `${TOP}/etc/fstab`},
      {name: `${TOP}/sos_commands/firewall_tables/nft_-a_list_ruleset`, type: '1', linkname: '../../etc/shadow'},
    ]);
    expect(entryOf(snap, 'systemd.units').error).toBe('refusing sos_commands/systemd/systemctl_list-units: not a regular file');
    const show = new SnapshotView(snap).command('ovs.show');
    expect(show.ok && show.value.text).toContain('srv:/factory');
    expect(entryOf(snap, 'nft.ruleset').error).toBe('refusing sos_commands/firewall_tables/nft_-a_list_ruleset: hard link to ../../etc/shadow outside the sosreport');
  });

  test('device and FIFO members refuse the whole archive, links in a non-sosreport archive too', async () => {
    const refused = (members: RawMember[]) => readPacked(members).then(() => '', (e: unknown) => (e instanceof UserError ? e.message.replace(/^[^:]*: /, '') : String(e)));
    expect(await refused([...base(), {name: `${TOP}/sos_commands/x`, type: '6'}])).toBe(`refusing FIFO member '${TOP}/sos_commands/x'`);
    expect(await refused([...base(), {name: `${TOP}/dev/sda`, type: '4'}])).toBe(`refusing block device member '${TOP}/dev/sda'`);
    expect(await refused([{name: 'x/sos_commands/a', type: '2', linkname: '/etc/shadow'}])).toBe("refusing symbolic link member 'x/sos_commands/a' -> '/etc/shadow': snapshots never contain links");
  });
});

describe('a sosreport is redacted like a snapshot', () => {
  test('credentials in URLs and secret keys never reach the evidence', async () => {
    const snap = await readPacked([
      ...base(),
      {name: `${TOP}/sos_reports/`, type: '5'},
      {name: `${TOP}/etc/fstab`, data: 'https://dav:Dav-Pw-9@dav.example/x /mnt/dav davfs rw 0 0\n//nas/f /mnt/f cifs username=u,password=Cifs-Pw-7 0 0\n'},
      {name: `${TOP}/sos_commands/openvswitch/ovs-vsctl_-t_5_show`, data: '    Manager "ptcp:6640"\n    Bridge br1\n        Controller "tcp://ctl:Ctl-Pw-3@192.0.2.9:6653"\n'},
    ], false);
    const all = Buffer.concat([...snap.contents.values()]).toString('utf8');
    for (const secret of ['Dav-Pw-9', 'Cifs-Pw-7', 'Ctl-Pw-3']) expect(all).not.toContain(secret);
    expect(new SnapshotView(snap).record('fstab')!.entries[0]!.redacted).toEqual(['password@line 2', 'url-userinfo@line 1']);
    expect(entryOf(snap, 'ovs.show').redacted).toEqual(['url-userinfo@line 3']);
    expect(all).toContain('tcp://redacted-by-tapdoctor@192.0.2.9:6653');
  });
});

describe('messy and wrong files in a sosreport', () => {
  const INSIGHTS = readFileSync(path.join(HERE, '../samples/ip-addr-text/insights-truncated-tunnels.txt'));
  const WORKERS_TEMPLATE = readFileSync(path.join(HERE, '../samples/workers-ini/salt-openqa-workers.ini-template.txt'));

  test("leading junk in ip -d address is skipped and said; a Jinja template is refused, not read", async () => {
    const snap = await readPacked([
      ...base(),
      {name: `${TOP}/sos_commands/networking/ip_-d_address`, data: INSIGHTS},
      {name: `${TOP}/etc/sysconfig/network/ifcfg-br1`, data: "STARTMODE='auto'\nOVS_BRIDGE='yes'\nOVS_BRIDGE_PORT_DEVICE_1='{{ bridge_port }}'\n"},
      {name: `${TOP}/etc/sysconfig/network/ifcfg-tap0`, data: "TUNNEL='tap'\n"},
      {name: `${TOP}/etc/fstab`, data: WORKERS_TEMPLATE},
    ]);
    const view = new SnapshotView(snap);
    expect(entryOf(snap, 'ip.addr').stderr).toBe("converted by tapdoctor from the sosreport's `ip -d address` text to ip -j JSON; skipped 3 leading lines (\"Message truncated\", …) that are not `ip address` output");
    expect(view.unusable('ip.addr')).toBeUndefined();
    expect(view.file('network.ifcfg', '/etc/sysconfig/network/ifcfg-br1')).toEqual({ok: false, reason: 'could not read /etc/sysconfig/network/ifcfg-br1: template, not a rendered file'});
    expect(view.file('network.ifcfg', '/etc/sysconfig/network/ifcfg-tap0').ok).toBe(true);
    expect(view.record('fstab')).toMatchObject({status: 'failed', reason: '/etc/fstab: template, not a rendered file'});
    expect([...snap.contents.values()].some((b) => b.includes('{{'))).toBe(false);
  });
});

describe('a sosreport with our sos plugin (contrib/sos/tapdoctor.py)', () => {
  test('the tapdoctor snapshot it stored is read whole, packed or not', async () => {
    const demo = await readSnapshot(path.join(HERE, '../../fixtures/demo'));
    const snapFile = path.join(work(), 'embedded.tar.gz');
    await writeSnapshot(demo, snapFile);
    const snap = await readPacked([
      ...base(),
      {name: `${TOP}/sos_commands/tapdoctor/`, type: '5'},
      {name: `${TOP}/sos_commands/tapdoctor/tapdoctor-snapshot.tar.gz`, data: readFileSync(snapFile)},
      {name: `${TOP}/sos_commands/networking/ip_-d_address`, data: 'not used\n'},
    ]);
    expect(comparable(snap)).toEqual(comparable(demo));
    expect(findings(snap)).toEqual(findings(demo));
  });

  test('without tapdoctor installed, its raw outputs feed the sources sos lacks', async () => {
    const save = readFileSync(path.join(HERE, '../samples/iptables-save/tapdoctor-ns-1.8.9-nft-save-c.txt'));
    const nftJson = readFileSync(path.join(HERE, '../samples/nft/generated-suse-json.txt'));
    const manifestJson = JSON.stringify({version: '4.0', policy: 'Debian', components: {report: {enabled_plugins: ['networking', 'tapdoctor'], plugins: {}}}});
    const snap = await readPacked([
      ...base(),
      {name: `${TOP}/sos_reports/manifest.json`, data: manifestJson},
      {name: `${TOP}/sos_commands/tapdoctor/iptables-save_-c`, data: save},
      {name: `${TOP}/sos_commands/tapdoctor/nft_-j_list_ruleset`, data: nftJson},
      {name: `${TOP}/sos_commands/tapdoctor/getcap_.usr.bin.qemu-system-x86_64`, data: '/usr/bin/qemu-system-x86_64 cap_net_admin=ep\n'},
      {name: `${TOP}/etc/openqa/workers.ini`, data: '[global]\nWORKER_CLASS = qemu_x86_64,tap\nSYNC = rsync://u:Pw-5@h/x\n'},
      {name: `${TOP}/sys/class/net/tap0/owner`, data: '487\n'},
    ]);
    const view = new SnapshotView(snap);
    const ipt = view.command('iptables.save');
    expect(ipt.ok && ipt.value.text).toBe(save.toString('utf8'));
    expect(view.record('iptables.save')!.entries[0]!.binding).toBe(`iptables-save -c (sosreport sos_commands/tapdoctor/iptables-save_-c)`);
    const nft = view.command('nft.ruleset');
    expect(nft.ok && nft.value.text).toBe(nftJson.toString('utf8'));
    expect(view.command('qemu.getcap', '/usr/bin/qemu-system-x86_64').ok).toBe(true);
    const ini = view.file('openqa.workers-ini', '/etc/openqa/workers.ini');
    expect(ini.ok && ini.value?.text).toContain('rsync://redacted-by-tapdoctor@h/x');
    expect(view.record('tap.sysfs')!.status).toBe('ok');
    // The plugin ran and copies pool dirs whole: no vars.json means no running job, not "unknown".
    expect(view.record('openqa.pool')).toMatchObject({status: 'ok', entries: []});
  });
});

describe('a sosreport with /proc/mounts but no mountinfo', () => {
  test('the mounts are read as mountinfo, the entry saying what /proc/mounts lacks', async () => {
    const snap = await readPacked([...base(), {name: `${TOP}/proc/mounts`, data: 'srv:/factory /var/lib/openqa/share nfs4 ro,relatime,vers=4.2 0 0\n'}]);
    const view = new SnapshotView(snap);
    const m = view.file('mountinfo', '/proc/self/mountinfo');
    expect(m.ok && m.value?.text).toBe('1 1 0:0 / /var/lib/openqa/share ro,relatime,vers=4.2 - nfs4 srv:/factory ro,relatime,vers=4.2\n');
    expect(view.record('mountinfo')!.entries[0]!.stderr).toBe("converted by tapdoctor from the sosreport's /proc/mounts: no mount ids, device numbers, bind-mount roots or propagation tags, and per-mount and filesystem options are one list");
  });
});
