import {describe, expect, it} from 'vitest';
import {summarize, type CheckResult, type Finding, type Report, type Severity} from '../model.js';
import {classifyFindings, findingBlockers, isGateCheck, reportUnknowns} from './blockers.js';
import {decide} from './decide.js';

function finding(checkId: string, severity: Severity, subject: string): Finding {
  return {checkId, slug: 'x', severity, subject, message: `${subject} is wrong`, explanation: 'why', fix: `fix ${subject}`, evidence: []};
}
function result(id: string, status: CheckResult['status'], findings: Finding[] = [], reason?: string): CheckResult {
  return {id, slug: 'x', title: 't', severity: 'error', status, findings, ...(reason ? {reason} : {})};
}
function report(results: CheckResult[]): Report {
  return {target: {mode: 'snapshot', host: 'h', capturedAt: '2026-11-21T00:00:00.000Z'}, results, summary: summarize(results), sourceProblems: []};
}

describe('gate blockers', () => {
  it('knows the gate checks from meta.ts', () => {
    expect(isGateCheck('TD101')).toBe(true);
    expect(isGateCheck('TD108')).toBe(true);
    expect(isGateCheck('TD009')).toBe(false);
  });

  it('blocks on error findings of any check and on every finding of a gate check, not on ordinary warnings', () => {
    const r = report([
      result('TD001', 'fail', [finding('TD001', 'warning', 'eth1')]),
      result('TD009', 'fail', [finding('TD009', 'error', 'net.ipv4.ip_forward')]),
      result('TD004', 'fail', [finding('TD004', 'info', '/usr/bin/qemu-system-x86_64')]),
      result('TD103', 'fail', [finding('TD103', 'warning', 'tap1')]),
    ]);
    expect(findingBlockers(r)).toEqual([
      {id: 'TD009', subject: 'net.ipv4.ip_forward', message: 'net.ipv4.ip_forward is wrong', fix: 'fix net.ipv4.ip_forward'},
      {id: 'TD103', subject: 'tap1', message: 'tap1 is wrong', fix: 'fix tap1'},
    ]);
  });

  it('leaves every check that skipped or errored as an open question; a check that does not apply (n/a) is none', () => {
    const r = report([
      result('TD010', 'skip', [], 'could not collect ovs.flows: database connection failed'),
      result('TD002', 'error', [], 'cannot parse nft.ruleset:1: …'),
      result('TD104', 'skip', [], 'could not collect firewall.files: permission denied'),
      result('TD006', 'n/a', [], 'no GRE port'),
      result('TD101', 'pass'),
    ]);
    expect(reportUnknowns(r)).toEqual([
      {what: 'TD010 x', reason: 'skipped: could not collect ovs.flows: database connection failed'},
      {what: 'TD002 x', reason: 'errored: cannot parse nft.ruleset:1: …'},
      {what: 'TD104 x', reason: 'skipped: could not collect firewall.files: permission denied'},
    ]);
    expect(reportUnknowns(report([result('TD101', 'skip', [], 'a'), result('TD102', 'skip', [], 'b')])).at(-1)).toEqual({what: 'checks', reason: 'no check could run on this data'});
  });

  it('decides: a blocker wins over open questions; open questions alone cannot tell', () => {
    const now = {blockers: [], unknowns: [{what: 'openQA http://o/', reason: 'could not ask openQA: …'}], notes: [], runningJobsFrom: 'none' as const};
    expect(decide(report([result('TD101', 'pass')]), now)).toMatchObject({verdict: 'unknown', exitCode: 2});
    expect(decide(report([result('TD103', 'fail', [finding('TD103', 'error', 'tap1')])]), now)).toMatchObject({verdict: 'not-safe', exitCode: 1});
    expect(decide(report([result('TD101', 'pass')]), {blockers: [], unknowns: [], notes: [], runningJobsFrom: 'openqa'})).toMatchObject({verdict: 'safe', exitCode: 0});
  });

  it('never says SAFE when --only/--skip left checks out: the deselected checks are an open question', () => {
    const r = report([result('TD101', 'pass')]);
    r.run = {only: ['TD101'], skip: [], deselected: ['TD102', 'TD103'], settingsFrom: 'defaults', settings: {}, waivers: []};
    const d = decide(r, {blockers: [], unknowns: [], notes: [], runningJobsFrom: 'openqa'});
    expect(d.verdict).toBe('unknown');
    expect(d.unknowns).toEqual([{what: 'deselected checks', reason: '--only/--skip left out TD102, TD103: the gate cannot vouch for what they check'}]);
    // A known blocker still says no.
    r.results.push(result('TD103', 'fail', [finding('TD103', 'error', 'tap1')]));
    expect(decide(r, {blockers: [], unknowns: [], notes: [], runningJobsFrom: 'openqa'}).verdict).toBe('not-safe');
  });

  it('classes a runtime fault as healing at boot only when every persistence check vouching for it passed', () => {
    const flows = finding('TD010', 'error', 'br1');
    const healed = report([result('TD010', 'fail', [flows]), result('TD102', 'pass'), result('TD107', 'pass')]);
    expect(classifyFindings(healed)).toEqual({blockers: [], heals: [{id: 'TD010', subject: 'br1', message: 'br1 is wrong', why: expect.stringContaining('enabled switch service') as string}]});
    // The switch unit is not enabled: the next boot does not rebuild the flows.
    const notEnabled = report([result('TD010', 'fail', [flows]), result('TD102', 'pass'), result('TD107', 'fail', [finding('TD107', 'error', 'os-autoinst-openvswitch.service')])]);
    expect(classifyFindings(notEnabled).blockers.map((b) => `${b.id} ${b.subject}`)).toEqual(['TD010 br1', 'TD107 os-autoinst-openvswitch.service']);
    // TD107 did not run (deselected or skipped): not proven, so it blocks.
    expect(classifyFindings(report([result('TD010', 'fail', [flows]), result('TD102', 'pass')])).blockers.map((b) => b.id)).toEqual(['TD010']);
  });

  it('leaves waived findings out of blockers and heals', () => {
    const f = {...finding('TD103', 'error', 'tap1'), waiver: {check: 'TD103', reason: 'spare', expires: '2099-01-01'}};
    expect(classifyFindings(report([result('TD103', 'fail', [f])]))).toEqual({blockers: [], heals: []});
  });
});
