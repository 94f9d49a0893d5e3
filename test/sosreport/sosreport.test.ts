// Reading unpacked sosreports (src/sources/sosreport) through readSnapshot, and analysing them.
import {cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {describe, expect, test} from 'vitest';

import {CHECKS} from '../../src/checks/registry.js';
import {DEFAULT_CONFIG} from '../../src/config.js';
import {analyzeSnapshot} from '../../src/engine.js';
import {UserError} from '../../src/errors.js';
import {parseIpAddr, parseIpRoutes} from '../../src/parsers/ip.js';
import {readSnapshot} from '../../src/sources/archive.js';
import {SnapshotView, type Snapshot} from '../../src/sources/snapshot.js';
import {useTempDir} from '../helpers/temp-dir.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const LEAP = path.join(HERE, 'sosreport-openqaworker-suse1-2026-11-21-kxqzrab');
const TUMBLEWEED = path.join(HERE, 'sosreport-tumbleweed1-2026-11-21-pqlmnvw');
const NOT_COLLECTED = 'not collected by sosreport: capture with `tapdoctor snapshot` on the host';
const TRAP = 'sos 4.9.0 used the Generic policy on this SUSE host: no networking/openvswitch output';

const text = (view: SnapshotView, source: string, key?: string) => {
  const r = view.command(source, key);
  if (!r.ok) throw new Error(r.reason);
  return r.value.text;
};
const result = (snap: Snapshot, id: string) => analyzeSnapshot(snap, CHECKS, DEFAULT_CONFIG, {mode: 'snapshot'}).results.find((r) => r.id === id)!;

describe('a sosreport of a SUSE worker (sos 4.7.2, SuSE policy)', async () => {
  const snap = await readSnapshot(LEAP);
  const view = new SnapshotView(snap);

  test('the manifest names the host, the start time and sos', () => {
    expect(snap.manifest.hostname).toBe('openqaworker-suse1');
    expect(snap.manifest.capturedAt).toBe('2026-11-21T10:15:00.482Z');
    expect(snap.manifest.tool).toEqual({name: 'sos', version: '4.7.2'});
  });

  test('ip -d address and ip route text are converted to ip -j JSON, and say so', () => {
    const links = parseIpAddr(text(view, 'ip.addr'), 'ip.addr');
    expect(links.map((l) => l.name)).toEqual(['lo', 'eth0', 'ovs-netdev', 'br1', 'tap0', 'tap1', 'tap2', 'eth1']);
    expect(links.find((l) => l.name === 'br1')).toMatchObject({kind: 'tun', tunType: 'tap', mtu: 1460, addrs: [{family: 'inet', local: '10.0.2.2', prefixlen: 15, scope: 'global'}, {family: 'inet6', local: 'fec0::2', prefixlen: 63, scope: 'site'}, {family: 'inet6', local: 'fe80::1f:18ff:fe35:e9be', prefixlen: 64, scope: 'link'}]});
    expect(view.record('ip.addr')!.entries[0]).toMatchObject({
      binding: 'ip -d address (sosreport sos_commands/networking/ip_-d_address)',
      stderr: "converted by tapdoctor from the sosreport's `ip -d address` text to ip -j JSON",
    });
    expect(parseIpRoutes(text(view, 'ip.route4'), 'ip.route4', 'inet').map((r) => `${r.dst} ${r.dev} ${r.metric}`)).toEqual([
      'default eth0 100', '10.0.0.0/15 br1 0', '192.0.2.0/24 eth0 0', '198.51.100.0/24 eth1 0',
    ]);
    expect(parseIpRoutes(text(view, 'ip.route6'), 'ip.route6', 'inet6').map((r) => `${r.dst} ${r.dev}`)).toEqual(['fe80::/64 eth0', 'fe80::/64 br1', 'fec0::/63 br1']);
  });

  test('sos_commands outputs our parsers read are passed through under their catalogue names', () => {
    expect(text(view, 'ovs.show')).toContain('Bridge br1');
    expect(text(view, 'nft.ruleset')).toMatch(/^table ip nat \{ # handle 1/);
    expect(view.record('nft.ruleset')!.entries[0]).toMatchObject({binding: 'nft -a list ruleset (sosreport sos_commands/firewall_tables/nft_-a_list_ruleset)', exitCode: 0});
    expect(text(view, 'systemd.units')).toContain('os-autoinst-openvswitch.service');
    expect(view.record('systemd.units')!.entries[0]!.stderr).toBe('sos ran systemctl list-units without --all: inactive units are not listed');
  });

  test('dump-flows per bridge, read through the in-tree link into sos_strings/', () => {
    expect(view.record('ovs.flows')!.entries.map((e) => e.key)).toEqual(['br1']);
    const tailed = readFileSync(path.join(LEAP, 'sos_strings/openvswitch/ovs-ofctl_dump-flows_br1.tailed'), 'utf8');
    expect(text(view, 'ovs.flows', 'br1')).toBe(tailed);
    expect(tailed).toContain('priority=0 actions=NORMAL');
  });

  test('sysctl -a becomes sysctl.runtime files at /proc/sys paths', () => {
    const files = view.entries('sysctl.runtime');
    if (!files.ok) throw new Error(files.reason);
    const byPath = Object.fromEntries(files.value.map((f) => [f.name, f.text]));
    expect(byPath['/proc/sys/net/ipv4/ip_forward']).toBe('1\n');
    expect(byPath['/proc/sys/net/ipv4/conf/eth1/forwarding']).toBe('1\n');
    expect(byPath['/proc/sys/net/ipv6/conf/eth0/accept_ra']).toBe('1\n');
    expect(Object.keys(byPath)).toHaveLength(11);
  });

  test('copied files land in their files sources; links in .wants are records, in-tree links are read', () => {
    const fstab = view.file('fstab', '/etc/fstab');
    expect(fstab.ok && fstab.value?.text).toContain('/var/lib/openqa/share');
    const osRelease = view.file('os-release', '/etc/os-release'); // etc/os-release -> ../usr/lib/os-release
    expect(osRelease.ok && osRelease.value?.text).toMatch(/^NAME="openSUSE Leap"/);
    const wants = view.record('systemd.wants')!.entries;
    expect(wants.find((e) => e.binding.endsWith('/os-autoinst-openvswitch.service'))).toMatchObject({absent: true, linkTarget: '/usr/lib/systemd/system/os-autoinst-openvswitch.service'});
    expect(view.file('mountinfo', '/proc/self/mountinfo').ok).toBe(true);
  });

  test('what sos does not collect is failed with the reason, never an empty pass', () => {
    for (const source of ['share.stat', 'journal.switch']) {
      expect([source, view.record(source)!.status, view.record(source)!.reason]).toEqual([source, 'failed', NOT_COLLECTED]);
    }
    // What our sos plugin (contrib/sos/tapdoctor.py) would have added says that it did not run.
    for (const source of ['network.ifcfg', 'openqa.workers-ini', 'openqa.pool', 'tap.sysfs', 'qemu.getcap', 'accounts']) {
      expect([source, view.record(source)!.status, view.record(source)!.reason]).toEqual([source, 'failed', `sos plugin tapdoctor did not run; ${NOT_COLLECTED}`]);
    }
    expect(view.record('iptables.save')!.entries[0]).toMatchObject({
      binding: 'iptables -L listings (sosreport sos_commands/firewall_tables/iptables_-vnxL)',
      stderr: expect.stringMatching(/^converted by tapdoctor from the sosreport's iptables -L listings: iptables -L prints matches as text: 3 rules/),
    });
    expect(view.record('ip6tables.save')!.reason).toBe('sosreport has no ip6tables -L listing: capture with `tapdoctor snapshot` on the host');
    expect(view.record('firewall.files')!.reason).toBe('sosreport does not copy /etc/firewall.nft, /etc/sysconfig/iptables, /etc/iptables/rules.v4: capture with `tapdoctor snapshot` on the host');
    expect(view.record('firewalld.runtime')!.reason).toBe(`sos plugin firewalld did not run; ${NOT_COLLECTED}`);
    expect(view.record('ovs.ports')).toMatchObject({status: 'failed', reason: 'sosreport has no ovs-vsctl list port; the ports are read from ovs-vsctl show'});
  });

  test('analyze: TD001 from the converted ip data, TD010 from dump-flows, skips naming what sos lacks', () => {
    const td001 = result(snap, 'TD001');
    expect(td001.status).toBe('fail');
    expect(td001.findings.map((f) => f.subject)).toEqual(['eth1']);
    const td010 = result(snap, 'TD010');
    expect(td010.status).toBe('fail');
    expect(td010.findings.map((f) => f.subject)).toEqual(['br1']);
    expect(result(snap, 'TD013')).toMatchObject({status: 'skip', reason: `could not collect tap.sysfs: sos plugin tapdoctor did not run; ${NOT_COLLECTED}`});
    expect(result(snap, 'TD104').status).toBe('skip');
    expect(result(snap, 'TD009').status).toBe('pass');
    // The firewall checks run from the iptables -L listing and say what a listing cannot show.
    for (const id of ['TD002', 'TD005', 'TD008']) expect(result(snap, id).reason, id).toMatch(/iptables\.save converted by tapdoctor from the sosreport's iptables -L listings: iptables -L prints matches as text/);
  });
});

describe('a Tumbleweed sosreport taken by sos 4.9.0 under the Generic policy (the SUSE policy trap)', async () => {
  const snap = await readSnapshot(TUMBLEWEED);
  const view = new SnapshotView(snap);

  test('sources of the skipped plugins name the trap', () => {
    for (const source of ['ip.addr', 'ip.route4', 'ovs.show', 'ovs.flows']) expect(view.record(source)!.reason).toBe(`${TRAP}; ${NOT_COLLECTED}`);
    expect(view.record('fstab')!.reason).toBe(`sos 4.9.0 used the Generic policy on this SUSE host: no filesys output; ${NOT_COLLECTED}`);
    expect(view.record('nft.ruleset')!.status).toBe('ok'); // firewall_tables runs under Generic
  });

  test('analyze skips the network checks with the trap as the reason, and lists it as a source problem', () => {
    const report = analyzeSnapshot(snap, CHECKS, DEFAULT_CONFIG, {mode: 'snapshot'});
    expect(report.results.find((r) => r.id === 'TD001')).toMatchObject({status: 'skip', reason: `could not collect ip.addr: ${TRAP}; ${NOT_COLLECTED}`});
    expect(report.results.filter((r) => r.status === 'fail').map((r) => r.id)).toEqual([]);
    expect(report.sourceProblems).toContainEqual({source: 'ip.addr', problem: `${TRAP}; ${NOT_COLLECTED}`});
  });
});

describe('reading stays inside the sosreport', () => {
  const tmp = useTempDir('tapdoctor-sos-');

  test('links leaving the tree are refused, their targets never read', async () => {
    const outside = path.join(tmp(), 'outside');
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'secret'), 'SECRET-OUTSIDE-THE-TREE\n');
    const tree = path.join(tmp(), 'sos');
    cpSync(LEAP, tree, {recursive: true, verbatimSymlinks: true});
    const show = path.join(tree, 'sos_commands/openvswitch/ovs-vsctl_-t_5_show');
    rmSync(show);
    symlinkSync(path.join(outside, 'secret'), show); // absolute, outside
    rmSync(path.join(tree, 'etc/fstab'));
    symlinkSync('../../outside/secret', path.join(tree, 'etc/fstab')); // relative, escaping
    const snap = await readSnapshot(tree);
    const view = new SnapshotView(snap);
    expect(view.record('ovs.show')!.entries[0]!.error).toBe(`refusing sos_commands/openvswitch/ovs-vsctl_-t_5_show: symbolic link to ${path.join(outside, 'secret')} outside the sosreport`);
    expect(view.command('ovs.show').ok).toBe(false);
    expect(view.record('fstab')!.entries[0]!.error).toBe('refusing etc/fstab: symbolic link to ../../outside/secret outside the sosreport');
    for (const buf of snap.contents.values()) expect(buf.toString('utf8')).not.toContain('SECRET-OUTSIDE-THE-TREE');
  });

  test('mountinfo is found where the sos manifest says it was copied', async () => {
    const tree = path.join(tmp(), 'sos');
    mkdirSync(path.join(tree, 'sos_commands/filesys'), {recursive: true});
    mkdirSync(path.join(tree, 'proc/1234'), {recursive: true});
    mkdirSync(path.join(tree, 'sos_reports'));
    writeFileSync(path.join(tree, 'proc/1234/mountinfo'), '22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n');
    const files = [{specification: '/proc/self/mountinfo', files_copied: ['/proc/1234/mountinfo'], tags: []}];
    writeFileSync(path.join(tree, 'sos_reports/manifest.json'), JSON.stringify({version: '4.7.2', policy: 'SuSE', components: {report: {enabled_plugins: ['filesys'], plugins: {filesys: {commands: [], files}}}}}));
    const view = new SnapshotView(await readSnapshot(tree));
    const mi = view.file('mountinfo', '/proc/self/mountinfo');
    expect(mi.ok && mi.value?.text).toBe('22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n');
    expect(view.manifest.hostname).toBe('sos'); // no hostname file: the directory's name
  });

  test('a directory with sos_commands/ alone is not taken for a sosreport', async () => {
    const tree = path.join(tmp(), 'notsos');
    mkdirSync(path.join(tree, 'sos_commands'), {recursive: true});
    const err = await readSnapshot(tree).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toBe(`${tree}: not a tapdoctor snapshot: no manifest.json`);
  });
});
