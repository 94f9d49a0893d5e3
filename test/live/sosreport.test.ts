// A real sosreport (Debian's sos, 4.0 on Debian 12) of a namespace-built worker, with and without
// our sos plugin (contrib/sos/tapdoctor.py), analyzed packed (.tar.xz as sos writes it) and
// unpacked.
//
// sos reads the host it runs on. To make it read the throwaway worker, it runs like tapdoctor
// check does (host.exec): inside the worker's network namespace (ip, nft, iptables, sysfs) with
// the worker's Open vSwitch (OVS_* env), in a private mount namespace where
//   - /etc is an overlay with the worker's root dir (--root) on top of this machine's /etc, so
//     sos copies the worker's fstab, sysctl.d, systemd units, workers.ini, ...;
//   - /var/lib/openqa/pool and /usr/bin show the worker's pool dirs and qemu binary;
//   - /run/netns is empty, so sos's networking plugin does not wander into other namespaces;
//   - for the plugin run, sos's plugin directory is an overlay with contrib/sos on top.
// Everything is read-only and disappears with the namespace. Two stand-ins, overlaid on /usr/bin
// and /usr/sbin (sos sets its own PATH), both from a temp dir: `lsmod` lists nf_tables and friends, because this machine's kernel has them built in
// (no /proc/modules), and sos 4.0 only runs iptables/nft when lsmod names them; `tapdoctor` is
// the built CLI with the worker's --root, as an installed tapdoctor would be configured.
import {execFileSync, spawnSync} from 'node:child_process';
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, test} from 'vitest';

import {parseOvsJsonList, type OvsTable} from '../../src/parsers/ovs.js';
import {ovsTableToJson, parseOvsTextList} from '../../src/parsers/ovs-text.js';
import {missingSources} from '../../src/report/not-checked.js';
import {readSnapshot} from '../../src/sources/archive.js';
import {SnapshotView} from '../../src/sources/snapshot.js';
import {analyzeFile, checkOnHost, CLI, CLI_BUILT, REPO, type CliRun, type JsonReport} from './cli.js';
import {useLiveHost} from './fixture.js';
import {skipLive} from './prereqs.js';
import {run} from './run.js';
import {PRESETS} from './spec.js';

/** sos's plugin directory, asked of the Python that runs sos (its #! line: /usr/bin/python3 on Debian). */
const SOS_PLUGINS = (() => {
  const sos = spawnSync('sh', ['-c', 'command -v sos'], {encoding: 'utf8'}).stdout.trim();
  if (!sos) return undefined;
  const python = /^#!\s*(\S+)/.exec(readFileSync(sos, 'utf8').split('\n')[0] ?? '')?.[1] ?? 'python3';
  const r = spawnSync(python, ['-c', 'import os, sos.report.plugins as p; print(os.path.dirname(p.__file__))'], {encoding: 'utf8'});
  return r.status === 0 ? r.stdout.trim() : undefined;
})();
const hasSos = SOS_PLUGINS !== undefined && spawnSync('sos', ['--help'], {encoding: 'utf8'}).status === 0;
if (!hasSos && !skipLive) {
  if (process.env.CI) throw new Error('sos is not installed (Debian package sosreport): the sosreport live test cannot run');
  console.warn('SKIPPED: the sosreport live test needs sos (Debian package sosreport)');
}

const PLUGINS = ['networking', 'openvswitch', 'filesys', 'kernel', 'systemd'];

const SETUP = [
  'set -e',
  'root="$1"; plugins="$2"; sosplugins="$3"; shims="$4"; shift 4',
  'mount -t overlay td-etc -o "lowerdir=$root/etc:/etc" /etc',
  // sos sets its own PATH (/usr/local/sbin:...:/usr/sbin:/usr/bin): the stand-ins go on top of both.
  'mount -t overlay td-usrbin -o "lowerdir=$shims:$root/usr/bin:/usr/bin" /usr/bin',
  'mount -t overlay td-usrsbin -o "lowerdir=$shims:/usr/sbin" /usr/sbin',
  // Hide the other network namespaces of this machine: sos would run commands in each of them.
  'if [ -d /run/netns ]; then mount -t tmpfs -o size=1m td-netns /run/netns; fi',
  'if [ -d "$root/var/lib/openqa/pool" ]; then mkdir -p /var/lib/openqa/pool; mount --bind "$root/var/lib/openqa/pool" /var/lib/openqa/pool; fi',
  'if [ -n "$plugins" ]; then mount -t overlay td-sos -o "lowerdir=$plugins:$sosplugins" "$sosplugins"; fi',
  'exec "$@"',
].join('\n');

describe.skipIf(skipLive || !hasSos || !CLI_BUILT)('a real sosreport of a namespace-built worker', () => {
  // A worker with a fault sos's own data shows (a second uplink: TD001) besides a healthy firewall.
  const host = useLiveHost(PRESETS.secondUplink);
  let work: string;
  let check: CliRun;
  const reports: Record<string, {packed: JsonReport; unpacked: JsonReport; text: string}> = {};

  /** Runs sos on the worker; returns the path of the .tar.xz it wrote. */
  async function sosReport(label: string, withPlugin: boolean, shims = join(work, 'shims')): Promise<string> {
    const out = join(work, label);
    mkdirSync(out);
    const argv = ['sos', 'report', '--batch', '--quiet', '--tmp-dir', out, '--label', label, '-o', [...PLUGINS, ...(withPlugin ? ['tapdoctor'] : [])].join(',')];
    const r = await host().exec(['sh', '-c', SETUP, 'td-sos', host().rootDir, withPlugin ? join(REPO, 'contrib/sos') : '', SOS_PLUGINS!, shims, ...argv], {
      timeoutMs: 240_000,
    });
    expect(r.code, `sos report: ${r.stderr.slice(-2000)}`).toBe(0);
    const tarball = readdirSync(out).find((f) => f.endsWith('.tar.xz'));
    expect(tarball, readdirSync(out).join(' ')).toBeDefined();
    return join(out, tarball!);
  }

  async function analyzeBoth(tarball: string): Promise<{packed: JsonReport; unpacked: JsonReport; text: string}> {
    const dir = mkdtempSync(join(work, 'unpacked-'));
    execFileSync('tar', ['xf', tarball, '-C', dir]);
    const [top] = readdirSync(dir);
    const packed = await analyzeFile(tarball);
    const unpacked = await analyzeFile(join(dir, top!));
    const text = await run([process.execPath, CLI, 'analyze', tarball, '--fail-on', 'never'], {env: {NO_COLOR: '1', COLUMNS: '200'}, timeoutMs: 90_000});
    return {packed: packed.report, unpacked: unpacked.report, text: text.stdout};
  }

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'td-live-sos-'));
    const shims = join(work, 'shims');
    mkdirSync(shims);
    writeFileSync(join(shims, 'lsmod'), '#!/bin/sh\nprintf "Module Size Used by\\nnf_tables 0 0\\nnf_nat 0 0\\niptable_filter 0 0\\niptable_nat 0 0\\nip6table_filter 0 0\\nopenvswitch 0 0\\ntun 0 0\\n"\n');
    writeFileSync(join(shims, 'tapdoctor'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@" --root "${host().rootDir}"\n`);
    chmodSync(join(shims, 'lsmod'), 0o755);
    chmodSync(join(shims, 'tapdoctor'), 0o755);
    // The plugin on a host without tapdoctor: only the lsmod stand-in.
    const rawShims = join(work, 'shims-raw');
    mkdirSync(rawShims);
    execFileSync('cp', ['-p', join(shims, 'lsmod'), rawShims]);
    // A credential inside a URL (a comment, so the worker's settings stay as they are).
    writeFileSync(join(host().rootDir, 'etc/openqa/workers.ini'), `${readFileSync(join(host().rootDir, 'etc/openqa/workers.ini'), 'utf8')}\n# CACHE_MIRROR = rsync://openqa:Rsync-Pw-4411@mirror.example.com/cache\n`);
    // A client.conf with an API key: the plugin must never read it.
    mkdirSync(join(host().rootDir, 'etc/openqa'), {recursive: true});
    writeFileSync(join(host().rootDir, 'etc/openqa/client.conf'), '[openqa.example.com]\nkey = 1234567890ABCDEF\nsecret = FEDCBA0987654321\n');
    check = await checkOnHost(host());
    reports.plain = await analyzeBoth(await sosReport('plain', false));
    reports.plugin = await analyzeBoth(await sosReport('plugin', true));
    reports.raw = await analyzeBoth(await sosReport('raw', true, rawShims));
  }, 900_000);

  afterAll(() => {
    if (work && existsSync(work) && !process.env.TD_LIVE_KEEP) rmSync(work, {recursive: true, force: true});
  });

  const outcome = (r: JsonReport) => ({
    checks: r.checks.map((c) => `${c.id} ${c.status} ${c.reason ?? ''}`),
    findings: r.findings.map((f) => `${f.checkId} ${f.subject} ${f.severity} ${f.message}`),
  });

  test('packed and unpacked analysis give the same result', () => {
    for (const which of ['plain', 'plugin']) expect(outcome(reports[which]!.packed), which).toEqual(outcome(reports[which]!.unpacked));
  });

  test('with the plugin, the findings equal tapdoctor check on the same host', () => {
    const keys = (r: JsonReport) => r.findings.map((f) => `${f.checkId} ${f.subject} ${f.severity}`).sort();
    expect(keys(check.report)).toContain('TD001 eth1 warning');
    expect(keys(reports.plugin!.packed)).toEqual(keys(check.report));
    expect(reports.plugin!.packed.checks.map((c) => `${c.id} ${c.status}`)).toEqual(check.report.checks.map((c) => `${c.id} ${c.status}`));
  });

  test('without it, every check whose data sos carries runs; the rest say once what is missing', () => {
    const r = reports.plain!.packed;
    const status = Object.fromEntries(r.checks.map((c) => [c.id, c.status]));
    // ip -d address, routes, sysctl, nft list ruleset and the iptables listings are in sos 4.0's output:
    for (const id of ['TD001', 'TD002', 'TD008', 'TD009']) expect([id, status[id]], JSON.stringify(r.checks.find((c) => c.id === id))).not.toEqual([id, 'skip']);
    // the rest need what only our plugin adds (workers.ini, the switch config, the pool, tap owners).
    const needs = Object.fromEntries(r.checks.filter((c) => c.status === 'skip').map((c) => [c.id, missingSources(c.reason)]));
    expect(Object.keys(needs).sort()).toEqual(['TD003', 'TD004', 'TD005', 'TD006', 'TD007', 'TD010', 'TD011', 'TD012', 'TD013', 'TD014']);
    for (const [id, sources] of Object.entries(needs)) {
      expect(sources.length, id).toBeGreaterThan(0);
      for (const source of sources) expect(['openqa.pool', 'openqa.workers-ini', 'openqa.switch-config', 'tap.sysfs'], `${id} ${source}`).toContain(source);
    }
    expect(r.findings.map((f) => `${f.checkId} ${f.subject}`)).toContain('TD001 eth1');
    const failedSources = new Set(r.sourceProblems.map((p) => p.source.split(' ')[0]));
    for (const c of r.checks.filter((x) => x.status === 'skip')) {
      const missing = missingSources(c.reason);
      // A check skipped for missing data names sources the sosreport really lacks.
      for (const s of missing) expect(failedSources.has(s), `${c.id}: ${s}`).toBe(true);
    }
    // Text output: one line per group of checks lacking the same sources (wrapped lines joined).
    const text = reports.plain!.text.replace(/\n {8}/g, ' ');
    const groups = [...text.matchAll(/sosreport lacks ([^:]+): (TD\d+(?:, TD\d+)*) could not run/g)];
    expect(groups.length).toBeGreaterThan(0);
    const ids = groups.flatMap((m) => m[2]!.split(', '));
    expect(ids.sort()).toEqual(Object.keys(needs).sort());
    expect(new Set(ids).size).toBe(ids.length);
  });

  test("sos's real `ovs-vsctl list interface` text reads as the JSON list tapdoctor collects", async () => {
    const dir = mkdtempSync(join(work, 'ovs-'));
    const tarball = join(work, 'plugin', readdirSync(join(work, 'plugin')).find((f) => f.endsWith('.tar.xz'))!);
    execFileSync('tar', ['xf', tarball, '-C', dir]);
    const [top] = readdirSync(dir);
    const text = readFileSync(join(dir, top!, 'sos_commands/openvswitch/ovs-vsctl_-t_5_list_interface'), 'utf8');
    const snap = await readSnapshot(join(dir, top!, 'sos_commands/tapdoctor/tapdoctor-snapshot.tar.gz'));
    const json = new SnapshotView(snap).command('ovs.interfaces');
    if (!json.ok) throw new Error(json.reason);
    const pick = (t: OvsTable) => t.rows.map((r) => `${String(r['name'])} ${JSON.stringify(r['type'])} ${JSON.stringify(r['ofport'])} ${JSON.stringify(r['mtu'])}`).sort();
    const fromText = parseOvsTextList(text, 'sos').table;
    expect(fromText.rows.length).toBeGreaterThan(3);
    expect(pick(fromText)).toEqual(pick(parseOvsJsonList(json.value.text, 'json')));
    expect(pick(parseOvsJsonList(ovsTableToJson(fromText), 'back'))).toEqual(pick(fromText));
  });

  test('the plugin without tapdoctor adds the data sos lacks, redacted, and those checks run', () => {
    const r = reports.raw!.packed;
    expect(outcome(r)).toEqual(outcome(reports.raw!.unpacked));
    const onlyPlugin = ['openqa.workers-ini', 'openqa.pool', 'openqa.switch-config', 'tap.sysfs', 'qemu.getcap'];
    for (const c of r.checks) for (const s of missingSources(c.reason)) expect(onlyPlugin, `${c.id}: ${c.reason}`).not.toContain(s);
    for (const id of ['TD001', 'TD002', 'TD004', 'TD008', 'TD009', 'TD010', 'TD011', 'TD014']) expect(`${id} ${r.checks.find((c) => c.id === id)!.status}`).not.toBe(`${id} skip`);
    expect(r.findings.map((f) => `${f.checkId} ${f.subject}`)).toContain('TD001 eth1');
    const dir = mkdtempSync(join(work, 'raw-'));
    execFileSync('tar', ['xf', join(work, 'raw', readdirSync(join(work, 'raw')).find((f) => f.endsWith('.tar.xz'))!), '-C', dir]);
    const [top] = readdirSync(dir);
    const ini = readFileSync(join(dir, top!, 'etc/openqa/workers.ini'), 'utf8');
    expect(ini).toContain('rsync://redacted-by-tapdoctor@mirror.example.com/cache');
    expect(ini).not.toContain('Rsync-Pw-4411');
    expect(readdirSync(join(dir, top!, 'sos_commands/tapdoctor')).sort()).toEqual(expect.arrayContaining(['iptables-save_-c', 'nft_-j_list_ruleset', 'getcap_.usr.bin.qemu-system-x86_64']));
  });

  test("client.conf's API key and the URL password are in no sosreport", () => {
    for (const which of ['plain', 'plugin', 'raw']) {
      const dir = mkdtempSync(join(work, 'grep-'));
      const tarball = join(work, which, readdirSync(join(work, which)).find((f) => f.endsWith('.tar.xz'))!);
      execFileSync('tar', ['xf', tarball, '-C', dir]);
      // The embedded snapshot is compressed: search it inflated too.
      const found = spawnSync('sh', ['-c', 'grep -rl -e 1234567890ABCDEF -e FEDCBA0987654321 -e Rsync-Pw-4411 . ; for f in $(find . -name "*.tar.gz"); do tar xzOf "$f" | grep -c -e 1234567890ABCDEF -e FEDCBA0987654321 -e Rsync-Pw-4411; done; find . -name client.conf'], {cwd: dir, encoding: 'utf8'}).stdout.trim();
      expect(found.split('\n').filter((l) => l !== '' && l !== '0'), which).toEqual([]);
    }
  });
});
