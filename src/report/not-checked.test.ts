// Missing data is said once: checks skipped for the same missing sources share one line.
import {describe, expect, it} from 'vitest';
import {summarize, type CheckResult, type Report} from '../model.js';
import {renderJson} from './json.js';
import {missingSources} from './not-checked.js';
import {renderText} from './text.js';

const SOS = 'sosreport has only iptables -L listings, which cannot be turned back into iptables-save: capture with `tapdoctor snapshot` on the host';
const NFT = 'not collected by sosreport: capture with `tapdoctor snapshot` on the host';
const skip = (id: string, reason: string): CheckResult => ({id, slug: `slug-${id}`, title: 't', severity: 'error', status: 'skip', reason, findings: []});
const results: CheckResult[] = [
  skip('TD002', `could not collect iptables.save: ${SOS}; could not collect nft.ruleset: ${NFT}`),
  skip('TD005', `could not collect nft.ruleset: ${NFT}; could not collect iptables.save: ${SOS}`),
  skip('TD008', `could not collect iptables.save: ${SOS}; could not collect nft.ruleset: ${NFT}`),
  skip('TD006', 'no GRE port on br1: single-host multi-machine setup'),
  skip('TD013', 'could not collect tap.sysfs: needs root'),
];
const report: Report = {
  target: {mode: 'snapshot', host: 'w5', path: 'sosreport-w5.tar.xz', capturedAt: '2026-11-21T10:00:00.000Z'},
  results,
  summary: summarize(results),
  sourceProblems: [
    {source: 'iptables.save', problem: SOS},
    {source: 'nft.ruleset', problem: NFT},
    {source: 'tap.sysfs', problem: 'needs root'},
  ],
};

describe('NOT CHECKED groups checks by the sources they lack', () => {
  it('says each group once, keeps other reasons per check, and each source reason once below', () => {
    const text = renderText(report, {color: false, width: 200});
    const section = text.slice(text.indexOf('NOT CHECKED ('), text.indexOf('\nDATA NOT COLLECTED (') + 1);
    expect(section).toBe(
      [
        'NOT CHECKED (5)',
        '  skip  TD006 slug-TD006: no GRE port on br1: single-host multi-machine setup',
        '  skip  sosreport lacks iptables.save, nft.ruleset: TD002, TD005, TD008 could not run',
        '  skip  missing data tap.sysfs: TD013 could not run',
        '  (why each source is missing: DATA NOT COLLECTED below; every reason in --json)',
        '',
        '',
      ].join('\n'),
    );
    expect(text.split(SOS).length - 1).toBe(1);
  });

  it('JSON keeps every check its own reason', () => {
    const doc = JSON.parse(renderJson(report)) as {checks: Array<{id: string; reason?: string}>};
    expect(doc.checks.find((c) => c.id === 'TD005')!.reason).toBe(results[1]!.reason);
  });

  it('reads the sources only from a reason that is about missing data', () => {
    expect(missingSources('could not collect ovs.flows [br1]: timed out; could not collect ovs.show: x')).toEqual(['ovs.flows', 'ovs.show']);
    expect(missingSources('no filter FORWARD chain (could not collect nft.ruleset: x)')).toEqual([]);
    expect(missingSources(undefined)).toEqual([]);
  });
});
