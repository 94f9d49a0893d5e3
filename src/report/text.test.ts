import {describe, expect, it} from 'vitest';
import {summarize, type CheckResult, type Report} from '../model.js';
import {renderText} from './text.js';

const finding = {
  checkId: 'TD003',
  slug: 'vlan-tag-mismatch',
  severity: 'error' as const,
  subject: 'tap5',
  message: 'tap5 has tag 13, expected 12',
  explanation: 'The VLAN tag puts an SUT into its cluster network.',
  fix: 'ovs-vsctl set port tap5 tag=12\nsecond line',
  evidence: [{source: 'ovs.ports', lines: ['tap5 13']}],
};
const results: CheckResult[] = [
  {id: 'TD003', slug: 'vlan-tag-mismatch', title: 't', severity: 'error', status: 'fail', findings: [finding]},
  {id: 'TD005', slug: 'forward-counters-zero', title: 't', severity: 'warning', status: 'skip', reason: 'no filter FORWARD chain', findings: []},
  {id: 'TD010', slug: 'ovs-flows-missing', title: 't', severity: 'error', status: 'pass', reason: 'service state unknown', findings: []},
];
const report: Report = {
  target: {mode: 'snapshot', host: 'w5', path: 'x.tar.gz', capturedAt: '2026-11-21T10:00:00.000Z'},
  results,
  summary: summarize(results),
  sourceProblems: [{source: 'nft.ruleset', problem: 'needs root (nft exited 1: Operation not permitted)'}],
};

describe('renderText', () => {
  it('shows each finding with message, why, every fix line and evidence, then what was not checked', () => {
    const text = renderText(report, {color: false});
    const lines = text.split('\n');
    expect(lines[0]).toBe('tapdoctor: w5 (snapshot x.tar.gz, captured 2026-11-21T10:00:00.000Z)');
    expect(text).toContain('ERRORS (1)\n✖ TD003 vlan-tag-mismatch  tap5\n  tap5 has tag 13, expected 12\n  Why: The VLAN tag');
    expect(text).toContain('  Fix:\n    ovs-vsctl set port tap5 tag=12\n    second line\n');
    expect(text).toContain('  Evidence (ovs.ports):\n    tap5 13\n');
    expect(text).toContain('Not checked\n  skip  TD005 forward-counters-zero: no filter FORWARD chain\n');
    expect(text).toContain('Passed with limits\n  TD010 ovs-flows-missing: service state unknown\n');
    expect(text).toContain('  nft.ruleset: needs root (nft exited 1: Operation not permitted)\n  1 of these need root');
    expect(lines.at(-2)).toBe('Summary: 1 error, 0 warnings, 0 info — checks: 1 passed, 1 failed, 1 skipped, 0 errored');
    expect(text).not.toContain('\u001b[');
  });
  it('colours only when asked', () => {
    expect(renderText(report, {color: true})).toContain('\u001b[');
  });
});
