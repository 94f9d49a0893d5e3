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
    expect(text).toContain('NOT CHECKED (1)\n  skip  TD005 forward-counters-zero: no filter FORWARD chain\n');
    expect(text).toContain('PASSED WITH NOTES (1)\n  TD010 ovs-flows-missing: service state unknown\n');
    expect(text).toContain('DATA NOT COLLECTED (1)\n');
    expect(text).toContain('  nft.ruleset: needs root (nft exited 1: Operation not permitted)\n  1 of these need root');
    expect(lines.at(-2)).toBe('Summary: 1 error, 0 warnings, 0 info — checks: 1 passed, 1 failed, 0 n/a, 1 skipped, 0 errored');
    expect(text).not.toContain('\u001b[');
  });
  it('marks warnings apart from errors, so the groups stay distinct without colour', () => {
    const warning = {...finding, checkId: 'TD001', slug: 'multiple-uplinks', severity: 'warning' as const, subject: 'eth1'};
    const r: CheckResult[] = [{id: 'TD001', slug: 'multiple-uplinks', title: 't', severity: 'warning', status: 'fail', findings: [warning]}];
    expect(renderText({...report, results: r, summary: summarize(r)}, {color: false})).toContain('WARNINGS (1)\n▲ TD001 multiple-uplinks  eth1\n');
  });

  it('wraps prose under a hanging indent but never a command or an evidence line', () => {
    const long = {
      ...finding,
      message: `tap5 ${'has a long message '.repeat(8).trim()}`,
      explanation: 'why '.repeat(40).trim(),
      fix: `ovs-vsctl set port tap5 tag=12 ${'--x '.repeat(30).trim()}\nsystemctl restart os-autoinst-openvswitch   # ${'note '.repeat(25).trim()}`,
      evidence: [{source: 'ovs.show', lines: ['e'.repeat(150)]}],
    };
    const r: CheckResult[] = [
      {id: 'TD003', slug: 'vlan-tag-mismatch', title: 't', severity: 'error', status: 'fail', findings: [long]},
      {id: 'TD005', slug: 'forward-counters-zero', title: 't', severity: 'warning', status: 'skip', reason: 'because '.repeat(20).trim(), findings: []},
    ];
    const lines = renderText({...report, results: r, summary: summarize(r), sourceProblems: []}, {color: false}).split('\n');
    const at = (start: string) => lines.findIndex((l) => l.startsWith(start));
    // message: two lines of at most 100 columns, the second indented like the first
    expect(lines.slice(at('  tap5 has'), at('  Why:')).map((l) => [l.length <= 100, l.startsWith('  ') && !l.startsWith('   ')])).toEqual([[true, true], [true, true]]);
    // Why: continuation lines line up under the text after "Why: "
    expect(lines[at('  Why:') + 1]).toMatch(/^ {7}why why/);
    // the over-long command stays whole; the trailing comment of the other moves above it, wrapped
    expect(lines).toContain(`    ovs-vsctl set port tap5 tag=12 ${'--x '.repeat(30).trim()}`);
    expect(lines[at('    # note') + 2]).toBe('    systemctl restart os-autoinst-openvswitch');
    expect(lines[at('    # note') + 1]).toMatch(/^ {4}# note/);
    expect(lines).toContain(`    ${'e'.repeat(150)}`);
    expect(lines[at('  skip  TD005') + 1]).toMatch(/^ {8}because/);
  });

  it('says how many checks ran when there is no finding', () => {
    const skipped: CheckResult[] = [
      {id: 'TD005', slug: 'forward-counters-zero', title: 't', severity: 'warning', status: 'skip', reason: 'not collected', findings: []},
      {id: 'TD009', slug: 'ip-forward-disabled', title: 't', severity: 'error', status: 'pass', findings: []},
    ];
    expect(renderText({...report, results: skipped, summary: summarize(skipped)}, {color: false})).toContain('\nNo findings, but only 1 of 2 checks ran: see NOT CHECKED.\n');
    const passed = skipped.slice(1);
    expect(renderText({...report, results: passed, summary: summarize(passed)}, {color: false})).toContain('\nNo findings: every check passed.\n');
    // n/a is no gap: it is listed apart from NOT CHECKED and the headline says only the applicable checks passed.
    const withNa: CheckResult[] = [...passed, {id: 'TD006', slug: 'gre-mtu', title: 't', severity: 'error', status: 'n/a', reason: 'no GRE port on br1', findings: []}];
    const out = renderText({...report, results: withNa, summary: summarize(withNa)}, {color: false});
    expect(out).toContain('\nNo findings: every check that applies here passed.\n');
    expect(out).toContain('\nNOT APPLICABLE (1)\n  n/a   TD006 gre-mtu: no GRE port on br1\n');
    expect(out).not.toContain('NOT CHECKED');
    expect(out).toContain('checks: 1 passed, 0 failed, 1 n/a, 0 skipped, 0 errored');
  });

  it('colours only when asked', () => {
    expect(renderText(report, {color: true})).toContain('\u001b[');
  });
});
