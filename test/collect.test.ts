// The live collector on a sick host: commands that hang, tools that are missing, no root. These run
// the built CLI against PATH shims and throwaway roots, and change nothing on this machine.
import {spawnSync, spawn} from 'node:child_process';
import {chmodSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, describe, expect, it} from 'vitest';
import {CATALOGUE} from '../src/sources/catalogue.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'td-collect-'));
afterAll(() => rmSync(work, {recursive: true, force: true}));

const commandNames = [...new Set(CATALOGUE.flatMap((s) => ('argv' in s && s.argv ? [s.argv[0]!] : [])))];

function shimDir(name: string, body: string): string {
  const dir = join(work, name);
  mkdirSync(dir, {recursive: true});
  for (const cmd of commandNames) {
    writeFileSync(join(dir, cmd), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, cmd), 0o755);
  }
  return dir;
}

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{code: number | null; stdout: string; stderr: string; ms: number}> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['bin/run.js', ...args], {cwd: repo, env});
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({code, stdout, stderr, ms: Date.now() - started}));
  });
}

describe('collection on a hanging host', () => {
  it('kills every command at its timeout, records it, and finishes within the bound', async () => {
    const pids = join(work, 'pids');
    mkdirSync(pids);
    // Each shim records its pid, then never returns (like ovs-vsctl on a wedged ovsdb).
    const dir = shimDir('hang', `echo $$ > ${pids}/$$; exec sleep 1000`);
    const root = mkdtempSync(join(work, 'root-'));
    const out = join(work, 'hang.tar.gz');
    const timeoutS = 1;
    const r = await runCli(['snapshot', '--root', root, '--timeout', String(timeoutS), '-o', out, '--quiet'], {...process.env, PATH: `${dir}:${process.env.PATH}`});
    expect(r.code, r.stderr).toBe(0);
    // Bound: the slowest timeout plus a margin for node start-up and writing (generous on a loaded CI box).
    expect(r.ms).toBeLessThan(timeoutS * 1000 + 8000);
    const listing = spawnSync('tar', ['-xzOf', out, 'manifest.json'], {encoding: 'utf8'});
    const manifest = JSON.parse(listing.stdout) as {sources: Record<string, {status: string; reason?: string}>};
    expect(manifest.sources['nft.ruleset']).toMatchObject({status: 'failed', reason: 'timed out after 1 s'});
    expect(manifest.sources['ovs.bridges']).toMatchObject({status: 'failed', reason: 'timed out after 1 s'});
    // Every shim process that started was killed (by SIGKILL from the deadline).
    await new Promise((res) => setTimeout(res, 300));
    const started = readdirSync(pids).map(Number);
    expect(started.length).toBeGreaterThan(5);
    for (const pid of started) expect(existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '), `pid ${pid} still alive`).toBe(false);
  }, 30_000);

  it('names a missing tool instead of crashing, and check still reports', async () => {
    const empty = mkdtempSync(join(work, 'nopath-'));
    const root = mkdtempSync(join(work, 'root-'));
    // Only node itself is reachable: every host tool is "not found".
    const r = await runCli(['check', '--root', root, '--json', '--fail-on', 'never'], {...process.env, PATH: empty});
    const doc = JSON.parse(r.stdout) as {sourceProblems: Array<{source: string; problem: string}>; checks: Array<{status: string; reason?: string}>};
    expect(doc.sourceProblems).toContainEqual({source: 'nft.ruleset', problem: 'nft not found'});
    expect(doc.sourceProblems).toContainEqual({source: 'ovs.show', problem: 'ovs-vsctl not found'});
    expect(doc.checks.every((c) => c.status !== 'pass' || c.reason === undefined || c.reason.length > 0)).toBe(true);
    expect(doc.checks.some((c) => c.status === 'skip' && /not found/.test(c.reason ?? ''))).toBe(true);
    // Kernel files (/proc/sys) still answer, so some checks run: a partial result, not a failure.
    expect(r.code).toBe(0);
  }, 30_000);
});

describe('collection without root', () => {
  const isRoot = process.getuid?.() === 0;
  // The unprivileged user must be able to read the checkout (a clone below a 0700 directory is not).
  const nobodyCanRun = isRoot && spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'test', '-r', join(repo, 'dist/commands/snapshot.js')]).status === 0;
  if (isRoot && !nobodyCanRun) console.warn('SKIPPED: the non-root collection test needs a checkout that uid 65534 can read');
  it.skipIf(!nobodyCanRun)('gives a partial result that says what needs root', async () => {
    const root = mkdtempSync(join(work, 'root-'));
    mkdirSync(join(root, 'etc/NetworkManager/system-connections'), {recursive: true});
    writeFileSync(join(root, 'etc/NetworkManager/system-connections/eth0.nmconnection'), '[connection]\nid=eth0\n', {mode: 0o600});
    chmodSync(work, 0o755);
    chmodSync(root, 0o755);
    const dir = mkdtempSync(join(work, 'out-'));
    chmodSync(dir, 0o777);
    const r2 = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, 'bin/run.js', 'snapshot', '--root', root, '-o', join(dir, 's.tar.gz'), '--quiet', '--timeout', '5'], {cwd: repo, encoding: 'utf8'});
    expect(r2.status, r2.stderr).toBe(0);
    const manifest = JSON.parse(spawnSync('tar', ['-xzOf', join(dir, 's.tar.gz'), 'manifest.json'], {encoding: 'utf8'}).stdout) as {collectedAsRoot: boolean; sources: Record<string, {entries: Array<{binding: string; error?: string}>}>};
    expect(manifest.collectedAsRoot).toBe(false);
    const nm = manifest.sources['network.nm']!.entries.find((e) => e.binding.endsWith('eth0.nmconnection'));
    expect(nm?.error).toBe('permission denied (needs root)');
  }, 30_000);
});

describe('the catalogue is the single list of what runs, and all of it is read-only', () => {
  // Every command tapdoctor may run, as the exact argv prefix. Anything else fails this test.
  const READ_ONLY: string[][] = [
    ['ip', '-j', '-d', 'addr', 'show'],
    ['ip', '-j', '-4', 'route', 'show', 'table', 'main'],
    ['ip', '-j', '-6', 'route', 'show', 'table', 'main'],
    ['ip', '-j', '-4', 'rule', 'show'],
    ['ip', '-j', '-4', 'route', 'get', '{key}'],
    ['iptables-save', '-c'],
    ['ip6tables-save', '-c'],
    ['iptables-legacy-save', '-c'],
    ['nft', '-j', 'list', 'ruleset'],
    ['firewall-cmd', '--list-all-zones'],
    ['firewall-cmd', '--permanent', '--list-all-zones'],
    ['ovs-vsctl', '--timeout=5', '--format=json', '--columns=_uuid,name,ports,datapath_type,rstp_enable,stp_enable', 'list', 'bridge'],
    ['ovs-vsctl', '--timeout=5', '--format=json', '--columns=_uuid,name,interfaces,tag,vlan_mode', 'list', 'port'],
    ['ovs-vsctl', '--timeout=5', '--format=json', '--columns=_uuid,name,type,options,ofport,error,mtu,mtu_request,mac_in_use,link_state,status', 'list', 'interface'],
    ['ovs-vsctl', '--timeout=5', 'show'],
    ['ovs-ofctl', 'dump-flows', '{key}'],
    ['getcap', '{key}'],
    ['stat', '-c', '%F', '/var/lib/openqa/share/factory'],
    ['systemctl', 'list-units', '--all', '--no-legend', '--plain', '--no-pager'],
    ['journalctl', '--no-pager', '-o', 'short-iso', '-b', '-n', '300', '-u', 'os-autoinst-openvswitch.service'],
  ];
  it('runs nothing outside the allow-list', () => {
    const argvs = CATALOGUE.flatMap((s) => ('argv' in s && s.argv ? [s.argv] : []));
    for (const argv of argvs) expect(READ_ONLY, argv.join(' ')).toContainEqual(argv);
  });
  it('never reads the API key file', () => {
    const paths = CATALOGUE.flatMap((s) => (s.kind === 'files' ? s.paths : []));
    for (const p of paths) expect(p).not.toMatch(/client\.conf|shadow/);
  });
  it('leaves out only the VM taps\' own forwarding flags, never those TD009 reads', () => {
    const sysctl = CATALOGUE.find((s) => s.name === 'sysctl.runtime');
    const except = sysctl?.kind === 'files' ? sysctl.except : undefined;
    const left = ['tap0', 'tap299'].flatMap((i) => [`/proc/sys/net/ipv4/conf/${i}/forwarding`, `/proc/sys/net/ipv6/conf/${i}/accept_ra`]);
    const kept = ['all', 'default', 'br1', 'br0', 'eth0', 'gre_sys', 'tapx', 'ovs-netdev'].flatMap((i) => [`/proc/sys/net/ipv4/conf/${i}/forwarding`, `/proc/sys/net/ipv6/conf/${i}/forwarding`, `/proc/sys/net/ipv6/conf/${i}/accept_ra`]);
    expect(left.filter((p) => except?.test(p))).toEqual(left);
    expect(kept.filter((p) => except?.test(p))).toEqual([]);
    expect(except?.test('/proc/sys/net/ipv4/ip_forward')).toBe(false);
  });
});

describe('progress on stderr', () => {
  const hasScript = spawnSync('script', ['--version']).status === 0;
  // `script` gives the CLI a pseudo-terminal, as an admin's shell would.
  const onTty = (args: string) => spawnSync('script', ['-qec', `${process.execPath} bin/run.js ${args}`, '/dev/null'], {cwd: repo, encoding: 'utf8'});
  it.skipIf(!hasScript)('shows what is being collected on a terminal, and nothing with --quiet', () => {
    const root = mkdtempSync(join(work, 'root-'));
    const out = join(work, 'tty.tar.gz');
    expect(onTty(`snapshot --root ${root} -o ${out} --force`).stdout).toMatch(/\r\u001b\[K\S+ collecting \d+\/\d+ [a-z0-9.-]+/);
    expect(onTty(`snapshot --root ${root} -o ${out} --force --quiet`).stdout).not.toContain('collecting');
  }, 30_000);
  it('shows nothing when stderr is not a terminal', () => {
    const root = mkdtempSync(join(work, 'root-'));
    const r = spawnSync(process.execPath, ['bin/run.js', 'snapshot', '--root', root, '-o', join(work, 'pipe.tar.gz'), '--force'], {cwd: repo, encoding: 'utf8'});
    expect(r.status).toBe(0);
    expect(r.stderr).not.toContain('collecting');
  }, 30_000);
});
