import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {FIXTURES} from '../../test/helpers/fixture.js';
import {CHECKS} from '../checks/registry.js';
import {DEFAULT_CONFIG} from '../config.js';
import {analyzeSnapshot} from '../engine.js';
import {readSnapshot} from '../sources/archive.js';
import {buildPlan, planSlices, sliceFor, stepLines} from './plan.js';
import {renderReportScript} from './report-script.js';
import {renderScript} from './script.js';
import {PHASES, step} from './step.js';

const commands = (lines: readonly string[]) => lines.filter((l) => l.trim() !== '' && !l.startsWith('#'));

describe('buildPlan', () => {
  it('one step per key, tagged with every finding that asked for it; first asker wins', () => {
    const a = step('persist', 'k', ['echo a']);
    const b = step('persist', 'k', ['echo b']);
    const plan = buildPlan([
      {ref: 'TD012 tap1', steps: [a]},
      {ref: 'TD103 tap1', steps: [b]},
    ]);
    expect(plan.steps).toHaveLength(1);
    expect(plan.steps[0]).toMatchObject({lines: ['echo a'], findings: ['TD012 tap1', 'TD103 tap1']});
  });

  it('a step another one satisfies is dropped, its finding tagged on the satisfier, whatever the order', () => {
    const append = step('persist', 'nat-persist:/etc/firewall.nft:ip:eth0', ['printf ... >> /etc/firewall.nft']);
    const sed = step('persist', 'edit:/etc/firewall.nft:4', ["sed -i '4s/eth2/eth0/' /etc/firewall.nft"], {satisfies: ['nat-persist:/etc/firewall.nft:ip:eth0']});
    const plan = buildPlan([
      {ref: 'TD104 eth0', steps: [append]},
      {ref: 'TD008 eth0', steps: [sed]},
    ]);
    expect(plan.steps.map((s) => [s.key, s.findings])).toEqual([['edit:/etc/firewall.nft:4', ['TD008 eth0', 'TD104 eth0']]]);
  });

  it('orders by phase, keeping the findings\' order inside a phase', () => {
    const plan = buildPlan([
      {ref: 'A', steps: [step('verify', 'v', ['# v']), step('reload', 'r', ['systemctl restart x']), step('disruptive', 'd', ['ip link delete tap0'], {job: '/var/lib/openqa/pool/1'})]},
      {ref: 'B', steps: [step('persist', 'p', ['echo p >> /etc/x']), step('runtime', 'n', ['sysctl -w a=1'])]},
    ]);
    expect(plan.steps.map((s) => s.phase)).toEqual(['runtime', 'persist', 'reload', 'disruptive', 'verify']);
  });

  it('with --root, host files lie below it and kernel-state commands stay as they are', () => {
    const s = step('persist', 'var', ['sed -i x /etc/sysconfig/network/ifcfg-br1', 'ip link set br1 up', 'echo "/etc/fstab is not touched here"'], {files: ['/etc/sysconfig/network/ifcfg-br1']});
    expect(stepLines(s, '/srv/root')).toEqual(['sed -i x /srv/root/etc/sysconfig/network/ifcfg-br1', 'ip link set br1 up', 'echo "/etc/fstab is not touched here"']);
    // A mount point is kernel state: `umount /var/lib/openqa/share` stays as it is.
    expect(stepLines(step('runtime', 'umount', ['umount /var/lib/openqa/share']), '/r')).toEqual(['umount /var/lib/openqa/share']);
  });

  it('a finding\'s slice names the job a disruptive step waits for; the script guards it', () => {
    const plan = buildPlan([{ref: 'TD013 tap0', steps: [step('disruptive', 'tap:tap0', ['ip link delete tap0'], {job: '/var/lib/openqa/pool/1'})]}]);
    expect(sliceFor(plan, 'TD013 tap0').split('\n')[0]).toBe("# only once the job in /var/lib/openqa/pool/1 has ended (tapdoctor's script stops here while it runs):");
    const script = renderScript(plan, {host: 'w1', capturedAt: 'T', source: 'the live host', findings: [{ref: 'TD013 tap0', severity: 'error', message: 'm'}], verify: 'tapdoctor check'});
    expect(script).toContain('set -eu');
    expect(script).toContain("if job_running /var/lib/openqa/pool/1; then\n  echo 'tapdoctor plan: stopped: a job runs in /var/lib/openqa/pool/1;");
  });
});

describe("the demo gate's plan", async () => {
  const report = analyzeSnapshot(await readSnapshot(join(FIXTURES, 'demo')), CHECKS, DEFAULT_CONFIG, {mode: 'snapshot'});
  const plan = report.plan!;
  const all = plan.steps.flatMap((s) => commands(s.lines));
  const text = all.join('\n');
  const findings = report.results.flatMap((r) => r.findings);

  it('planSlices gives every finding the slice sliceFor gives it, here and below a --root', () => {
    const refs = findings.map((f) => `${f.checkId} ${f.subject}`);
    expect(refs.length).toBeGreaterThan(5);
    for (const p of [plan, {...plan, root: '/srv/root'}]) {
      const sliceOf = planSlices(p);
      expect(refs.map(sliceOf)).toEqual(refs.map((r) => sliceFor(p, r)));
      expect(refs.filter((r) => sliceOf(r).includes('only once the job')).length).toBeGreaterThan(0);
    }
    expect(planSlices(plan)('TD999 nothing')).toBe(sliceFor(plan, 'TD999 nothing'));
  });

  it('has no file edit and no service action twice', () => {
    const acts = all.filter((l) => /sed -i|>>|> \/|systemctl|wicked|nmcli|permctl|setcap/.test(l));
    expect(acts.length).toBeGreaterThan(5);
    expect(acts.filter((l, i) => acts.indexOf(l) !== i)).toEqual([]);
  });

  it('has no contradiction of issue 13: one owner per tap file, one bridge-port line, no second nat table, one nft reload', () => {
    expect(text).not.toMatch(/ln -s/); // TD103 linked ifcfg-tap1 to tap0's file and its wrong owner
    expect(plan.steps.filter((s) => s.lines.join('\n').includes("OVS_BRIDGE_PORT_DEVICE_2='tap1'"))).toHaveLength(1);
    expect(plan.steps.filter((s) => s.key === 'file:/etc/sysconfig/network/ifcfg-tap1')[0]!.findings).toEqual(['TD012 tap1', 'TD103 tap1']);
    expect(text).not.toMatch(/table ip nat \{/); // TD008's sed already fixed both tables
    expect(all.filter((l) => /nftables/.test(l) && /systemctl/.test(l))).toEqual(['systemctl restart nftables.service']);
    expect(text).not.toMatch(/^nft -c/m);
    // TD001 turns eth1 off one way: its STARTMODE line, then wicked ifdown.
    expect(all.filter((l) => /ifcfg-eth1/.test(l))).toEqual([
      `if grep -q '^STARTMODE=' /etc/sysconfig/network/ifcfg-eth1; then sed -i --follow-symlinks "s/^STARTMODE=.*/STARTMODE='off'/" /etc/sysconfig/network/ifcfg-eth1; else echo "STARTMODE='off'" >> /etc/sysconfig/network/ifcfg-eth1; fi`,
    ]);
    expect(text).not.toMatch(/wicked ifup/);
  });

  it('is ordered, serves every finding, and keeps the running job safe', () => {
    const order = plan.steps.map((s) => PHASES.indexOf(s.phase));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    for (const f of findings) expect(f.fix, `${f.checkId} ${f.subject}`).not.toBe('');
    expect(plan.steps.filter((s) => s.phase === 'disruptive').map((s) => [s.key, s.job])).toEqual([['tap:tap0', '/var/lib/openqa/pool/1']]);
    // Each finding's fix is its slice of this plan.
    const td103 = findings.find((f) => f.checkId === 'TD103')!;
    expect(td103.fix).toBe(sliceFor(plan, 'TD103 tap1'));
  });

  it('--format script: a POSIX sh script with host, time and findings in its header, ending in the verification run', () => {
    const script = renderReportScript(report, 'gate');
    const lines = script.split('\n');
    expect(lines.slice(0, 2)).toEqual(['#!/bin/sh', '# tapdoctor repair plan for openqaworker-demo7, from snapshot captured 2026-11-21T10:15:00.000Z']);
    for (const f of findings.filter((x) => x.severity !== 'info')) expect(script).toContain(`#   ${f.checkId} ${f.subject} (${f.severity}): `);
    expect(lines).toContain('set -eu');
    expect(lines.filter((l) => l.trim() !== '').at(-1)).toBe('tapdoctor gate   # on openqaworker-demo7: the findings above must be gone');
    // Every finding's steps are in it, under a tag naming the findings they serve.
    for (const s of plan.steps) expect(script).toContain(`# [${s.findings.join(', ')}]\n`);
  });
});

