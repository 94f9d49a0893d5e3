// `tapdoctor analyze` of several snapshots, as a user runs it: fleets generated from the captured
// three-host mesh (scripts/fleet-fixture.mjs), every output format, exit codes, bad members.
import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {fleetSchemaErrors} from './helpers/report-schema.js';
import {findTool, skipWithout} from './report/tools.js';
// @ts-expect-error plain ESM helper shared with the bench
import {dropPort, meshBase, meshOfThree, setText, text} from '../scripts/fleet-fixture.mjs';
import {writeSnapshot} from '../src/sources/write.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const run = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['bin/run.js', ...args], {cwd: repo, encoding: 'utf8', env: {...process.env, NO_COLOR: '1'}});
  return {code: r.status, stdout: r.stdout, stderr: r.stderr};
};

type Snap = {manifest: {hostname: string; capturedAt: string}; contents: Map<string, Buffer>};
let dir: string;

async function writeFleet(name: string, hosts: Snap[]): Promise<string> {
  const d = join(dir, name);
  spawnSync('mkdir', ['-p', d]);
  for (const h of hosts) await writeSnapshot(h as never, join(d, `${h.manifest.hostname}-${h.manifest.capturedAt.replace(/[:.]/g, '')}.tar.gz`));
  return d;
}

interface FleetJson {
  summary: {hosts: number; unreadable: number};
  fleet: {hosts: Array<{name: string; verdict: string; reason?: string; superseded?: unknown[]}>; findings: Array<{checkId: string; subject: string; hosts: string[]; severity: string; waiver?: {reason: string}}>; waivers?: Array<{status: string; matched: number}>};
  hosts: Array<{target: {host: string; path?: string}}>;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'td-fleet-'));
});
afterAll(() => rmSync(dir, {recursive: true, force: true}));

describe('analyze a fleet', () => {
  it('a healthy mesh: one line per host, no fleet finding, exit 0, JSON valid against the fleet schema', async () => {
    const d = await writeFleet('healthy', meshOfThree(await meshBase(), {prefix: 'worker', net: '192.0.2', loc: 'nue'}));
    const t = run('analyze', d);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^ {2}worker1 +ok +0 errors, 0 warnings$/m);
    expect(t.stdout).toContain('No fleet findings');
    const j = run('analyze', d, '--json');
    const doc = JSON.parse(j.stdout) as FleetJson;
    expect(fleetSchemaErrors(doc)).toEqual([]);
    expect(doc.hosts.map((h) => h.target.host)).toEqual(['worker1', 'worker2', 'worker3']);
    expect(doc.fleet.findings).toEqual([]);
  });

  it('faults across hosts: exactly the injected findings, exit 1; the host that must change is named first', async () => {
    const hosts = meshOfThree(await meshBase(), {prefix: 'worker', net: '192.0.2', loc: 'nue'}) as Snap[];
    dropPort(hosts[1], 'gre2'); // worker2 -> worker3 gone: one way
    const ifaces = 'commands/ovs.interfaces';
    setText(hosts[0], ifaces, text(hosts[0], ifaces).replace('"192.0.2.30"', '"192.0.2.99"')); // worker1's port to worker3 is stale
    const d = await writeFleet('faults', hosts);
    const r = run('analyze', ...['worker1', 'worker2', 'worker3'].map((n) => join(d, `${n}-${hosts[0]!.manifest.capturedAt.replace(/[:.]/g, '')}.tar.gz`)), '--json');
    const doc = JSON.parse(r.stdout) as FleetJson;
    expect(r.code).toBe(1);
    expect(fleetSchemaErrors(doc)).toEqual([]);
    expect(doc.fleet.findings.map((f) => `${f.checkId} ${f.subject} ${f.hosts.join(',')}`).sort()).toEqual(['TD201 worker2 -> worker3 worker2,worker3', 'TD202 worker1: gre2 worker1,worker3']);
  });

  it('an unreadable snapshot is reported with its reason, the rest analyzed; exit 2', async () => {
    const d = await writeFleet('broken', meshOfThree(await meshBase(), {prefix: 'worker', net: '192.0.2', loc: 'nue'}));
    writeFileSync(join(d, 'garbage.tar.gz'), 'not a tarball');
    const r = run('analyze', d, '--json');
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout) as FleetJson;
    expect(fleetSchemaErrors(doc)).toEqual([]);
    expect(doc.summary).toMatchObject({hosts: 4, unreadable: 1});
    const bad = doc.fleet.hosts.find((h) => h.verdict === 'unreadable')!;
    expect(bad.name).toBe('garbage.tar.gz');
    expect(bad.reason).toMatch(/gzip|tar|snapshot/i);
    expect(run('analyze', d).stdout).toMatch(/garbage\.tar\.gz +unreadable/);
  });

  it('two snapshots of the same host: the newer counts and the report says so', async () => {
    const base = await meshBase();
    const older = meshOfThree(base, {prefix: 'worker', net: '192.0.2', loc: 'nue', capturedAt: '2026-01-01T00:00:00.000Z'}) as Snap[];
    const newer = meshOfThree(base, {prefix: 'worker', net: '192.0.2', loc: 'nue', capturedAt: '2026-02-01T00:00:00.000Z'}) as Snap[];
    dropPort(older[1], 'gre2'); // a fault only the old snapshot has
    const d = await writeFleet('twice', [...older, newer[1]]);
    const doc = JSON.parse(run('analyze', d, '--json').stdout) as FleetJson;
    expect(doc.fleet.findings).toEqual([]);
    const w2 = doc.fleet.hosts.find((h) => h.name === 'worker2')!;
    expect(w2.superseded).toHaveLength(1);
    expect(doc.fleet.hosts).toHaveLength(3);
    // The JSON is streamed host by host: the ignored older snapshot's report is not in it.
    expect(doc.hosts.map((h) => `${h.target.host} ${h.target.path?.includes('2026-02-01') ? 'newer' : 'older'}`).sort()).toEqual(['worker1 older', 'worker2 newer', 'worker3 older']);
    expect(run('analyze', d, '--json', '--jobs', '0').stdout).toBe(run('analyze', d, '--json', '--jobs', '2').stdout);
    expect(run('analyze', d).stdout).toContain('newer snapshot counts; ignored');
  });

  it('junit: a testsuite per host and one for the fleet; prometheus: a host label on every sample; html: the mesh', async () => {
    const hosts = meshOfThree(await meshBase(), {prefix: 'worker', net: '192.0.2', loc: 'nue'}) as Snap[];
    dropPort(hosts[1], 'gre2');
    const d = await writeFleet('formats', hosts);
    const junit = run('analyze', d, '--format', 'junit').stdout;
    expect([...junit.matchAll(/<testsuite name="([^"]+)"/g)].map((m) => m[1])).toEqual(['worker1', 'worker2', 'worker3', 'fleet']);
    expect(junit).toContain('<testcase classname="tapdoctor.fleet" name="TD201 gre-peer-missing">');
    const prom = run('analyze', d, '--format', 'prometheus').stdout;
    const samples = prom.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(samples.length).toBeGreaterThan(50);
    for (const s of samples) expect(s).toMatch(/\{host="[^"]+"/);
    expect(prom).toContain('tapdoctor_fleet_findings{host="worker2",severity="error"} 1');
    // One HELP per family even with three hosts.
    expect(prom.match(/^# HELP tapdoctor_check_status /gm)).toHaveLength(1);
    const html = run('analyze', d, '--format', 'html').stdout;
    expect(html).toContain('data-kind="one-way"');
    expect(html).toContain('data-from="worker3" data-to="worker2"');
    expect(html.match(/data-kind="both"/g)).toHaveLength(2);
    expect(html).toContain('id="host-worker2"');
  });

  const xmllint = findTool('xmllint', 'XMLLINT');
  const promtool = findTool('promtool', 'PROMTOOL');
  it.skipIf(skipWithout('xmllint', xmllint !== undefined, 'apt-get install libxml2-utils') && skipWithout('promtool', promtool !== undefined, 'the prometheus package, or PROMTOOL=/path'))(
    'the fleet JUnit validates against the JUnit XSD and the fleet Prometheus text passes promtool',
    async () => {
      const hosts = meshOfThree(await meshBase(), {prefix: 'worker', net: '192.0.2', loc: 'nue'}) as Snap[];
      dropPort(hosts[1], 'gre2');
      const d = await writeFleet('validate', hosts);
      if (xmllint) {
        const file = join(dir, 'fleet.xml');
        expect(run('analyze', d, '--format', 'junit', '-o', file).code).toBe(1);
        const v = spawnSync(xmllint, ['--noout', '--schema', join(repo, 'test/report/xsd/junit.xsd'), file], {encoding: 'utf8'});
        expect(v.status, v.stderr).toBe(0);
      }
      if (promtool) {
        const prom = run('analyze', d, '--format', 'prometheus').stdout;
        const v = spawnSync(promtool, ['check', 'metrics'], {input: prom, encoding: 'utf8'});
        expect(v.status, v.stdout + v.stderr).toBe(0);
      }
    },
  );

  it('waivers from --config apply to host and fleet findings as for one host', async () => {
    const hosts = meshOfThree(await meshBase(), {prefix: 'worker', net: '192.0.2', loc: 'nue'}) as Snap[];
    dropPort(hosts[1], 'gre2');
    const d = await writeFleet('waived', hosts);
    const cfg = join(dir, 'waivers.yaml');
    writeFileSync(cfg, 'waivers:\n  - check: TD201\n    subject: "worker2 -> *"\n    reason: worker3 is being decommissioned\n    expires: "2099-12-31"\n');
    const before = run('analyze', d, '--json');
    expect(before.code).toBe(1);
    const r = run('analyze', d, '--json', '--config', cfg);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as FleetJson;
    expect(fleetSchemaErrors(doc)).toEqual([]);
    expect(doc.fleet.findings.map((f) => f.waiver?.reason)).toEqual(['worker3 is being decommissioned']);
    expect(doc.fleet.waivers).toMatchObject([{status: 'applied', matched: 1}]);
    expect(run('analyze', d, '--config', cfg).stdout).toContain('(waived until 2099-12-31: worker3 is being decommissioned)');
  });

  it("each host is analyzed with its own captured settings unless --config names one file for all", async () => {
    const hosts = meshOfThree(await meshBase(), {prefix: 'worker', net: '192.0.2', loc: 'nue'}) as Snap[];
    const own = hosts[0]!;
    setText(own, 'files/etc/tapdoctor.yaml', 'ignoreInterfaces: [eth9]\n');
    const sources = (own.manifest as unknown as {sources: Record<string, unknown>}).sources;
    sources['tapdoctor.settings'] = {name: 'tapdoctor.settings', status: 'ok', entries: [{path: 'files/etc/tapdoctor.yaml', binding: '/etc/tapdoctor.yaml', durationMs: 0, bytes: 24, truncated: false, mode: 0o644}]};
    const d = await writeFleet('own-settings', hosts);
    type Run = {target: {host: string}; run: {settingsFrom: string; settings: {ignoreInterfaces: string[]}}};
    const byHost = (stdout: string) => Object.fromEntries((JSON.parse(stdout) as {hosts: Run[]}).hosts.map((h) => [h.target.host, h.run]));
    const r = run('analyze', d, '--json');
    expect(r.code, r.stderr).toBe(0);
    const runs = byHost(r.stdout);
    expect(runs.worker1).toMatchObject({settingsFrom: 'snapshot:/etc/tapdoctor.yaml', settings: {ignoreInterfaces: ['eth9']}});
    expect(runs.worker2).toMatchObject({settingsFrom: 'defaults (no /etc/tapdoctor.yaml on the captured host)', settings: {ignoreInterfaces: []}});
    const cfg = join(dir, 'all.yaml');
    writeFileSync(cfg, 'ignoreInterfaces: [eth8]\n');
    const forced = byHost(run('analyze', d, '--json', '--config', cfg).stdout);
    for (const name of ['worker1', 'worker2', 'worker3']) expect(forced[name]).toMatchObject({settingsFrom: cfg, settings: {ignoreInterfaces: ['eth8']}});
  });

  it('--format script: one file whose parts run on their hosts, or --host NAME for one plan; --host elsewhere is a usage error', async () => {
    const hosts = meshOfThree(await meshBase(), {prefix: 'worker', net: '192.0.2', loc: 'nue'}) as Snap[];
    dropPort(hosts[1], 'gre2'); // worker2 -> worker3 gone
    const d = await writeFleet('script', hosts);
    const all = run('analyze', d, '--format', 'script');
    expect(all.code).toBe(1);
    expect(spawnSync('sh', ['-n'], {input: all.stdout}).status).toBe(0);
    expect(all.stdout).toMatch(/^ {2}worker2\) tapdoctor_plan_2 ;;$/m);
    const w2 = run('analyze', d, '--format', 'script', '--host', 'worker2');
    expect(w2.stdout).toContain('#   TD201 worker2 -> worker3 (error)');
    expect(w2.stdout).toContain('ovs-vsctl --may-exist add-port br1 gre2 -- set interface gre2 type=gre options:remote_ip=192.0.2.30');
    // Only the host missing the port changes: worker3's plan has nothing for the one-way tunnel.
    expect(run('analyze', d, '--format', 'script', '--host', 'worker3').stdout).toContain('# nothing to repair');
    for (const args of [['--host', 'worker2'], ['--format', 'script', '--host', 'nohost']]) {
      const r = run('analyze', d, ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(run('analyze', join(d, `worker1-${hosts[0]!.manifest.capturedAt.replace(/[:.]/g, '')}.tar.gz`), '--format', 'script', '--host', 'worker1').code).toBe(2);
  });

  it('fleet text honours --brief and --quiet, and is laid out for 80 columns when piped', async () => {
    const hosts = meshOfThree(await meshBase(), {prefix: 'worker', net: '192.0.2', loc: 'nue'}) as Snap[];
    dropPort(hosts[1], 'gre2'); // TD201 error
    const ini = 'files/etc/openqa/workers.ini';
    setText(hosts[2], ini, text(hosts[2], ini).replace('[1]\n', '[1]\nMM_MTU = 1400\n')); // TD203 warning: 1400 vs the default 1380
    const d = await writeFleet('text-flags', hosts);
    const full = run('analyze', d);
    expect(full.stdout).toContain('  Fix:');
    // Piped: 80 columns; only the fix lines (never wrapped) and the summary may be longer.
    let inFix = false;
    const over = full.stdout.split('\n').filter((l) => {
      if (l === '  Fix:') inFix = true;
      else if (l.startsWith('  Evidence')) inFix = false;
      return l.length > 80 && !inFix && !l.startsWith('Summary:');
    });
    expect(over).toEqual([]);
    const brief = run('analyze', d, '--brief');
    expect(brief.code).toBe(1);
    expect(brief.stdout).not.toContain('Fix:');
    expect(brief.stdout.split('\n').filter((l) => l.startsWith('✖ TD201'))).toEqual([expect.stringContaining('✖ TD201 gre-peer-missing worker2 -> worker3 [worker2, worker3]: one-way tunnel')]);
    expect(full.stdout).toContain('FLEET WARNINGS (2)');
    const quiet = run('analyze', d, '--quiet');
    expect(quiet.stdout).toContain('TD201 gre-peer-missing');
    expect(quiet.stdout).not.toContain('TD203');
    expect(quiet.stdout).toContain('fleet: 1 error, 2 warnings, 0 info (2 not shown: --quiet)');
  });

  it("TD203's fix edits the line that sets MM_MTU, as TD006's does on the host (one repair, one way)", async () => {
    const hosts = meshOfThree(await meshBase(), {prefix: 'worker', net: '192.0.2', loc: 'nue'}) as Snap[];
    const ini = 'files/etc/openqa/workers.ini';
    const edited = text(hosts[2], ini).replace('[1]\n', '[1]\nMM_MTU = 1400\n');
    setText(hosts[2], ini, edited);
    const line = edited.split('\n').indexOf('MM_MTU = 1400') + 1;
    const d = await writeFleet('td203-fix', hosts);
    const r = run('analyze', d, '--format', 'script', '--host', 'worker3');
    expect(r.stdout).toContain(`# /etc/openqa/workers.ini:${line}: set MM_MTU = 1380`);
    expect(r.stdout).toMatch(new RegExp(`sed -i[^\\n]*'${line}s/.*/MM_MTU = 1380/'[^\\n]*/etc/openqa/workers.ini`));
    expect(r.stdout).not.toContain('MANUAL (workers.ini is edited by hand');
  });

  it('a bad --topology is a one-line usage error', async () => {
    const d = await writeFleet('topo', meshOfThree(await meshBase(), {prefix: 'worker', net: '192.0.2', loc: 'nue'}));
    const r = run('analyze', d, '--topology', 'ring');
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(run('analyze', d, '--topology', 'star:nohost').stderr).toContain('no analyzed host is named nohost');
  });
});
