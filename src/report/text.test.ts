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
    // message: several lines of at most 80 columns, each indented like the first
    const message = lines.slice(at('  tap5 has'), at('  Why:'));
    expect(message.length).toBeGreaterThan(1);
    expect(message.map((l) => [l.length <= 80, l.startsWith('  ') && !l.startsWith('   ')])).toEqual(message.map(() => [true, true]));
    // Why: continuation lines line up under the text after "Why: "
    expect(lines[at('  Why:') + 1]).toMatch(/^ {7}why why/);
    // the over-long command stays whole; the trailing comment of the other moves above it, whole too
    expect(lines).toContain(`    ovs-vsctl set port tap5 tag=12 ${'--x '.repeat(30).trim()}`);
    expect(lines[at('    # note')]).toBe(`    # ${'note '.repeat(25).trim()}`);
    expect(lines[at('    # note') + 1]).toBe('    systemctl restart os-autoinst-openvswitch');
    // evidence is cut at the width, and the cut is marked
    expect(lines).toContain(`    ${'e'.repeat(75)}…`);
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

  it('never wraps a comment fix line, even one that names a command', () => {
    const nm = `# NetworkManager: nmcli connection modify br1 ipv4.addresses 10.0.2.2/15 ipv4.method manual ${'x'.repeat(40)}`;
    const r: CheckResult[] = [{...results[0]!, findings: [{...finding, fix: nm}]}];
    expect(renderText({...report, results: r, summary: summarize(r)}, {color: false}).split('\n')).toContain(`    ${nm}`);
  });

  it('follows the width it is given', () => {
    const long = {...finding, explanation: 'why '.repeat(60).trim()};
    const r: CheckResult[] = [{...results[0]!, findings: [long]}];
    const lines = renderText({...report, results: r, summary: summarize(r), sourceProblems: []}, {color: false, width: 120}).split('\n');
    const why = lines.filter((l) => /^ {2}Why:| {7}why/.test(l));
    expect(why.every((l) => l.length <= 120)).toBe(true);
    expect(why.some((l) => l.length > 100)).toBe(true);
  });

  it('--brief: one line per finding, what did not run, and the summary', () => {
    const lines = renderText(report, {color: false, brief: true}).trimEnd().split('\n');
    expect(lines).toEqual([
      '✖ TD003 vlan-tag-mismatch tap5: tap5 has tag 13, expected 12',
      '? not checked: TD005 (run without --brief for why)',
      expect.stringMatching(/^Summary: 1 error, 0 warnings, 0 info — checks: /),
    ]);
  });

  it('--quiet: error findings only, the summary still counts the others', () => {
    const warning = {...finding, checkId: 'TD001', slug: 'multiple-uplinks', severity: 'warning' as const, subject: 'eth1'};
    const r: CheckResult[] = [{...results[0]!}, {id: 'TD001', slug: 'multiple-uplinks', title: 't', severity: 'warning', status: 'fail', findings: [warning]}];
    const text = renderText({...report, results: r, summary: summarize(r)}, {color: false, quiet: true});
    expect(text).toContain('✖ TD003 vlan-tag-mismatch');
    expect(text).not.toContain('TD001');
    expect(text).toMatch(/Summary: 1 error, 1 warning, 0 info \(1 not shown: --quiet\)/);
  });

  it('colours only when asked', () => {
    expect(renderText(report, {color: true})).toContain('\u001b[');
  });
});
