// The fleet findings' steps in the plans of the hosts that must change: merged with the host's own
// steps by the one plan builder, fix texts as slices of those plans, and the fleet script that
// runs each host's part on that host only (run for real with stand-in commands).
import {spawnSync} from 'node:child_process';
import {chmodSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {gre, host, mesh} from '../../test/helpers/fleet-views.js';
import {useTempDir} from '../../test/helpers/temp-dir.js';
import {summarize, type Finding, type Report} from '../model.js';
import {persistTunnel} from '../remedies/network.js';
import {defaultGreScriptPath} from '../facts/tunnel-boot.js';
import {buildPlan, findingRef, sliceFor} from '../remedies/plan.js';
import {remediesOf, runFleetChecks} from './engine.js';
import type {FleetHostView} from './host-view.js';
import {planFleet} from './plan.js';
import {FLEET_CHECKS} from './registry.js';
import type {FleetReport} from './report.js';
import {renderFleetScript} from './script.js';

function report(name: string, root = '/', findings: Array<{f: Finding; steps: Parameters<typeof buildPlan>[0][number]['steps']}> = []): Report {
  const results = findings.length === 0 ? [] : [{id: 'TD105', slug: 'gre-not-persisted', title: 't', severity: 'warning' as const, status: 'fail' as const, findings: findings.map((x) => x.f)}];
  return {
    target: {mode: 'snapshot', host: name, path: `${name}.tar.gz`, capturedAt: '2026-12-06T10:00:00.000Z'},
    results,
    summary: summarize(results),
    sourceProblems: [],
    plan: buildPlan(findings.map((x) => ({ref: findingRef(x.f), steps: x.steps})), root),
  };
}

function fleetRun(views: FleetHostView[], reports: Map<string, Report>): FleetReport {
  const fleet = runFleetChecks(views, FLEET_CHECKS, {complete: false});
  planFleet(reports, fleet.results.flatMap((r) => r.findings), remediesOf);
  return {hosts: views.map((v, index) => ({index, name: v.name, path: `${v.name}.tar.gz`, view: v, report: reports.get(v.name)!})), fleet, complete: false};
}

const keys = (r: Report) => (r.plan?.steps ?? []).map((s) => `${s.phase} ${s.key} [${s.findings.join(', ')}]`);
const reportsOf = (views: FleetHostView[], root = '/') => new Map(views.map((v) => [v.name, report(v.name, root)]));

describe('fleet findings in the hosts\' plans', () => {
  const dir = useTempDir('td-fleet-plan-');
  it('a one-way tunnel: only the host missing the port gets steps; its fix text is its plan\'s slice', () => {
    const views = mesh(3, (h) => {
      if (h.name === 'w2') h.tunnels = h.tunnels.filter((t) => t.remoteIp !== '192.0.2.30');
    });
    const reports = reportsOf(views);
    const run = fleetRun(views, reports);
    expect(keys(reports.get('w3')!)).toEqual([]);
    expect(keys(reports.get('w1')!)).toEqual([]);
    const ref = 'TD201 w2 -> w3';
    expect(keys(reports.get('w2')!)).toEqual([
      `runtime tunnel-to:br1:192.0.2.30 [${ref}]`,
      `persist file:/etc/wicked/scripts/gre_tunnel_preup.sh [${ref}]`,
      `persist gre-preup:/etc/wicked/scripts/gre_tunnel_preup.sh:gre2 [${ref}]`,
      `persist var:/etc/sysconfig/network/ifcfg-br1:PRE_UP_SCRIPT [${ref}]`,
      `persist salt-gre-peers [${ref}]`,
    ]);
    const f = run.fleet.results[0]!.findings[0]!;
    expect(f.fix).toBe(`# on w2:\n${sliceFor(reports.get('w2')!.plan!, ref)}`);
  });

  it('a new host missing two peers: two ports with their own names, one boot script written once', () => {
    const views = [...mesh(2), host('w3', '192.0.2.30')];
    const reports = reportsOf(views);
    fleetRun(views, reports);
    const both = 'TD201 w1 <-> w3, TD201 w2 <-> w3';
    expect(keys(reports.get('w3')!)).toEqual([
      'runtime tunnel-to:br1:192.0.2.10 [TD201 w1 <-> w3]',
      'runtime tunnel-to:br1:192.0.2.20 [TD201 w2 <-> w3]',
      `persist file:/etc/wicked/scripts/gre_tunnel_preup.sh [${both}]`,
      'persist gre-preup:/etc/wicked/scripts/gre_tunnel_preup.sh:gre1 [TD201 w1 <-> w3]',
      `persist var:/etc/sysconfig/network/ifcfg-br1:PRE_UP_SCRIPT [${both}]`,
      `persist salt-gre-peers [${both}]`,
      'persist gre-preup:/etc/wicked/scripts/gre_tunnel_preup.sh:gre2 [TD201 w2 <-> w3]',
    ]);
    const lines = reports.get('w3')!.plan!.steps.flatMap((s) => s.lines).join('\n');
    expect(lines).toContain('add-port br1 gre1 -- set interface gre1 type=gre options:remote_ip=192.0.2.10');
    expect(lines).toContain('add-port br1 gre2 -- set interface gre2 type=gre options:remote_ip=192.0.2.20');
    // w1 and w2 each add one port towards w3.
    expect(keys(reports.get('w1')!)[0]).toBe('runtime tunnel-to:br1:192.0.2.30 [TD201 w1 <-> w3]');
  });

  it("TD105's boot script and a fleet port on one host: one script written, each port appended once, TD105's fix is still its slice", () => {
    const views = [...mesh(2), host('w3', '192.0.2.30', {tunnels: [gre('gre1', '192.0.2.77')]})];
    const path = defaultGreScriptPath('wicked');
    const td105: Finding = {checkId: 'TD105', slug: 'gre-not-persisted', severity: 'warning', subject: 'gre1', message: 'm', explanation: 'e', fix: '', evidence: []};
    const steps = persistTunnel({path, exists: false, setup: 'wicked', bridge: 'br1', ifcfg: '/etc/sysconfig/network/ifcfg-br1'}, 'gre1', 'gre', '192.0.2.77');
    const reports = reportsOf(views);
    reports.set('w3', report('w3', '/', [{f: td105, steps}]));
    fleetRun(views, reports);
    const plan = reports.get('w3')!.plan!;
    const files = plan.steps.filter((s) => s.key === `file:${path}`);
    expect(files).toHaveLength(1);
    expect(files[0]!.findings[0]).toBe('TD105 gre1');
    // The fleet's new ports do not reuse gre1 and come after the script is written.
    const appends = plan.steps.filter((s) => s.key.startsWith(`gre-preup:${path}:`)).map((s) => s.key.split(':').pop());
    expect(appends).toEqual(['gre1', 'gre2', 'gre3']);
    expect(plan.steps.findIndex((s) => s.key === `file:${path}`)).toBeLessThan(plan.steps.findIndex((s) => s.key === `gre-preup:${path}:gre2`));
    expect(td105.fix).toBe(sliceFor(plan, 'TD105 gre1'));
    expect(td105.fix).toContain('options:remote_ip=192.0.2.77');
  });

  it('a stale remote_ip the boot script also names: the script line is rewritten, nothing appended (for real with sed)', () => {
    const views = mesh(3, (h) => {
      if (h.name !== 'w1') return;
      h.tunnels[1]!.remoteIp = '192.0.2.99';
      h.boot = {path: '/etc/wicked/scripts/gre_tunnel_preup.sh', exists: true, setup: 'wicked', bridge: 'br1', remoteLines: ['ovs-vsctl --may-exist add-port $bridge gre2 -- set interface gre2 type=gre options:remote_ip=192.0.2.99']};
    });
    const reports = reportsOf(views, dir());
    fleetRun(views, reports);
    const plan = reports.get('w1')!.plan!;
    expect(keys(reports.get('w1')!)).toEqual(['runtime tunnel-remote:gre2 [TD202 w1: gre2]', 'persist gre-retarget:/etc/wicked/scripts/gre_tunnel_preup.sh:192.0.2.99 [TD202 w1: gre2]', 'persist salt-gre-peers [TD202 w1: gre2]']);
    const script = join(dir(), 'etc/wicked/scripts/gre_tunnel_preup.sh');
    mkdirSync(join(dir(), 'etc/wicked/scripts'), {recursive: true});
    writeFileSync(script, 'ovs-vsctl add-port br1 gre2 -- set interface gre2 type=gre options:remote_ip=192.0.2.99\novs-vsctl add-port br1 gre3 -- set interface gre3 type=gre options:remote_ip="192.0.2.990"\n');
    const sed = sliceFor(plan, 'TD202 w1: gre2').split('\n').find((l) => l.startsWith('sed '))!;
    const r = spawnSync('sh', ['-c', sed], {encoding: 'utf8'});
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(script, 'utf8')).toBe('ovs-vsctl add-port br1 gre2 -- set interface gre2 type=gre options:remote_ip=192.0.2.30\novs-vsctl add-port br1 gre3 -- set interface gre3 type=gre options:remote_ip="192.0.2.990"\n');
  });

  it('info findings stay out of the plans (as on one host); their advice is their own', () => {
    const views = mesh(2, (h) => {
      if (h.name === 'w1') h.tunnels.push(gre('gre9', '198.51.100.7'));
    });
    const reports = reportsOf(views);
    const run = fleetRun(views, reports);
    expect(keys(reports.get('w1')!)).toEqual([]);
    const f = run.fleet.results[1]!.findings[0]!;
    expect(f.severity).toBe('info');
    expect(f.fix).toContain('# MANUAL (only if 198.51.100.7 is no longer a worker of this network):');
    expect(f.fix).toContain('#   ovs-vsctl --if-exists del-port br1 gre9');
  });
});

describe('the fleet script', () => {
  const dir = useTempDir('td-fleet-script-');

  function standIns(): {bin: string; log: string} {
    const bin = join(dir(), 'bin');
    const log = join(dir(), 'calls.log');
    mkdirSync(bin, {recursive: true});
    for (const cmd of ['ovs-vsctl', 'tapdoctor']) {
      writeFileSync(join(bin, cmd), `#!/bin/sh\necho "${cmd} $*" >> ${log}\n`);
      chmodSync(join(bin, cmd), 0o755);
    }
    return {bin, log};
  }

  it('runs the part of the host it runs on, and only that part; an unknown host stops with exit 2', () => {
    const views = mesh(3, (h) => {
      if (h.name === 'w2') h.tunnels = h.tunnels.filter((t) => t.remoteIp !== '192.0.2.30');
    });
    const root = join(dir(), 'root');
    const reports = reportsOf(views, root);
    const script = renderFleetScript(fleetRun(views, reports));
    writeFileSync(join(dir(), 'fix.sh'), script);
    const {bin, log} = standIns();
    mkdirSync(join(root, 'etc/sysconfig/network'), {recursive: true});
    writeFileSync(join(root, 'etc/sysconfig/network/ifcfg-br1'), "STARTMODE='auto'\n");
    const sh = (hostName: string) => spawnSync('sh', [join(dir(), 'fix.sh')], {encoding: 'utf8', env: {PATH: `${bin}:${process.env.PATH}`, TAPDOCTOR_HOST: hostName}});

    const w1 = sh('w1');
    expect(w1.status, w1.stderr).toBe(0);
    expect(readFileSync(log, 'utf8')).toBe('tapdoctor snapshot\n');
    writeFileSync(log, '');
    const w2 = sh('w2');
    expect(w2.status, w2.stderr).toBe(0);
    expect(readFileSync(log, 'utf8')).toBe('ovs-vsctl --may-exist add-port br1 gre2 -- set interface gre2 type=gre options:remote_ip=192.0.2.30\ntapdoctor snapshot\n');
    // The boot script below the snapshot's root got the port, and ifcfg-br1 names it.
    expect(readFileSync(join(root, 'etc/wicked/scripts/gre_tunnel_preup.sh'), 'utf8')).toContain('options:remote_ip=192.0.2.30');
    expect(readFileSync(join(root, 'etc/sysconfig/network/ifcfg-br1'), 'utf8')).toBe("STARTMODE='auto'\nPRE_UP_SCRIPT='wicked:gre_tunnel_preup.sh'\n");
    const other = sh('w9');
    expect(other.status).toBe(2);
    expect(other.stderr).toContain('no plan for host w9 (hosts: w1 w2 w3)');
  });

  it('--host prints one host\'s plan, headed by its fleet findings; an unknown name is a usage error', () => {
    const views = mesh(3, (h) => {
      if (h.name === 'w2') h.tunnels = h.tunnels.filter((t) => t.remoteIp !== '192.0.2.30');
    });
    const run = fleetRun(views, reportsOf(views));
    const w2 = renderFleetScript(run, 'w2');
    expect(w2).toMatch(/^#!\/bin\/sh\n# tapdoctor repair plan for w2, /);
    expect(w2).toContain('#   TD201 w2 -> w3 (error): one-way tunnel');
    expect(renderFleetScript(run, 'w3')).toContain('# nothing to repair');
    expect(() => renderFleetScript(run, 'w7')).toThrow('--host w7: no analyzed host has that name (hosts: w1, w2, w3)');
  });
});
