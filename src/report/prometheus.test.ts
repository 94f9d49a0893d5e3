import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {finding, reportOf, sampleReport} from '../../test/report/fixtures.js';
import {parseExposition} from '../../test/report/prom-grammar.js';
import type {CheckResult} from '../model.js';
import {escapeLabelValue, renderPrometheus} from './prometheus.js';

const twoChecks: CheckResult[] = [
  {id: 'TD001', slug: 'multiple-uplinks', title: 't', severity: 'warning', status: 'fail', findings: [finding({checkId: 'TD001', slug: 'multiple-uplinks', severity: 'warning', subject: 'eth1'})]},
  {id: 'TD007', slug: 'factory-share-unmounted', title: 't', severity: 'error', status: 'skip', reason: 'no mountinfo', findings: []},
];

describe('renderPrometheus', () => {
  it('renders every family with HELP and TYPE, a state set per check and the totals', () => {
    expect(renderPrometheus(reportOf(twoChecks), 1795000000, {version: '0.1.0'})).toBe(
      [
        '# HELP tapdoctor_info tapdoctor run metadata; the value is always 1.',
        '# TYPE tapdoctor_info gauge',
        'tapdoctor_info{version="0.1.0",host="worker5",mode="snapshot"} 1',
        '# HELP tapdoctor_check_status Status of each check: 1 for the status it has (pass, fail, n/a = does not apply here, skip = could not determine, error), 0 for the others.',
        '# TYPE tapdoctor_check_status gauge',
        'tapdoctor_check_status{id="TD001",slug="multiple-uplinks",status="pass"} 0',
        'tapdoctor_check_status{id="TD001",slug="multiple-uplinks",status="fail"} 1',
        'tapdoctor_check_status{id="TD001",slug="multiple-uplinks",status="n/a"} 0',
        'tapdoctor_check_status{id="TD001",slug="multiple-uplinks",status="skip"} 0',
        'tapdoctor_check_status{id="TD001",slug="multiple-uplinks",status="error"} 0',
        'tapdoctor_check_status{id="TD007",slug="factory-share-unmounted",status="pass"} 0',
        'tapdoctor_check_status{id="TD007",slug="factory-share-unmounted",status="fail"} 0',
        'tapdoctor_check_status{id="TD007",slug="factory-share-unmounted",status="n/a"} 0',
        'tapdoctor_check_status{id="TD007",slug="factory-share-unmounted",status="skip"} 1',
        'tapdoctor_check_status{id="TD007",slug="factory-share-unmounted",status="error"} 0',
        '# HELP tapdoctor_check_findings Number of findings per check.',
        '# TYPE tapdoctor_check_findings gauge',
        'tapdoctor_check_findings{id="TD001",slug="multiple-uplinks"} 1',
        'tapdoctor_check_findings{id="TD007",slug="factory-share-unmounted"} 0',
        '# HELP tapdoctor_checks Number of checks per status in the last run.',
        '# TYPE tapdoctor_checks gauge',
        'tapdoctor_checks{status="pass"} 0',
        'tapdoctor_checks{status="fail"} 1',
        'tapdoctor_checks{status="n/a"} 0',
        'tapdoctor_checks{status="skip"} 1',
        'tapdoctor_checks{status="error"} 0',
        '# HELP tapdoctor_findings Number of findings per severity in the last run.',
        '# TYPE tapdoctor_findings gauge',
        'tapdoctor_findings{severity="error"} 0',
        'tapdoctor_findings{severity="warning"} 1',
        'tapdoctor_findings{severity="info"} 0',
        '# HELP tapdoctor_findings_waived Number of findings a site waiver accepts (not counted in tapdoctor_findings).',
        '# TYPE tapdoctor_findings_waived gauge',
        'tapdoctor_findings_waived 0',
        '# HELP tapdoctor_source_problems Number of data sources that could not be collected (see the text report).',
        '# TYPE tapdoctor_source_problems gauge',
        'tapdoctor_source_problems 0',
        '# HELP tapdoctor_last_run_timestamp_seconds Unix time the report was rendered.',
        '# TYPE tapdoctor_last_run_timestamp_seconds gauge',
        'tapdoctor_last_run_timestamp_seconds 1795000000',
        '# HELP tapdoctor_captured_timestamp_seconds Unix time the analyzed data was captured.',
        '# TYPE tapdoctor_captured_timestamp_seconds gauge',
        'tapdoctor_captured_timestamp_seconds 1795304013',
        '',
      ].join('\n'),
    );
  });

  it('marks exactly one status per check and agrees with the summary', () => {
    const report = sampleReport();
    const parsed = parseExposition(renderPrometheus(report, 1795000000.25));
    expect(parsed.problems).toEqual([]);
    const status = parsed.samples.filter((s) => s.name === 'tapdoctor_check_status');
    for (const r of report.results) {
      const mine = status.filter((s) => s.labels.id === r.id);
      expect(mine.filter((s) => s.value === 1).map((s) => s.labels.status)).toEqual([r.status]);
      expect(mine).toHaveLength(5);
    }
    const get = (name: string, labels: Record<string, string> = {}) =>
      parsed.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    expect(get('tapdoctor_findings', {severity: 'error'})).toBe(3);
    expect(get('tapdoctor_checks', {status: 'fail'})).toBe(3);
    expect(get('tapdoctor_source_problems')).toBe(1);
    expect(get('tapdoctor_last_run_timestamp_seconds')).toBe(1795000000.25);
    expect(get('tapdoctor_info', {version: 'unknown'})).toBe(1);
  });

  it('leaves out the capture time when it cannot be read, and refuses a non-finite clock', () => {
    const text = renderPrometheus(reportOf(twoChecks, {capturedAt: 'yesterday'}), 1);
    expect(text).not.toContain('tapdoctor_captured_timestamp_seconds');
    expect(parseExposition(text).problems).toEqual([]);
    expect(() => renderPrometheus(reportOf(twoChecks), Number.NaN)).toThrow(RangeError);
  });

  it('escapes label values so any host name or version stays one valid line', () => {
    expect(escapeLabelValue('a\\b"c\nd\re')).toBe('a\\\\b\\"c\\nd\re');
    const host = 'h\\"x"\n}{ 1';
    const text = renderPrometheus(reportOf(twoChecks, {host}), 5, {version: '1.0 "beta"\\'});
    const parsed = parseExposition(text);
    expect(parsed.problems).toEqual([]);
    expect(parsed.samples.find((s) => s.name === 'tapdoctor_info')?.labels).toEqual({version: '1.0 "beta"\\', host, mode: 'snapshot'});
  });

  it('stays valid for arbitrary hosts, ids and slugs (property)', () => {
    fc.assert(
      fc.property(fc.string({unit: 'binary'}), fc.string(), fc.string(), (host, id, slug) => {
        const text = renderPrometheus(reportOf([{...twoChecks[0]!, id, slug}], {host}), 1700000000);
        const parsed = parseExposition(text);
        expect(parsed.problems).toEqual([]);
        expect(parsed.samples.find((s) => s.name === 'tapdoctor_info')?.labels.host).toBe(host);
      }),
      {numRuns: 200},
    );
  });
});

describe('the grammar checker itself', () => {
  it('rejects the mistakes it exists to catch', () => {
    const ok = '# HELP a x\n# TYPE a gauge\na{l="v"} 1\n';
    expect(parseExposition(ok).problems).toEqual([]);
    expect(parseExposition('a 1\n').problems).toEqual(['line 1: sample of a without TYPE', 'line 1: sample of a without HELP']);
    expect(parseExposition('# HELP a x\n# TYPE a gauge\na{l="v} 1\n').problems).toEqual(['line 3: unterminated label value: a{l="v} 1']);
    expect(parseExposition('# HELP a x\n# TYPE a gauge\na{l="\\t"} 1\n').problems).toEqual(['line 3: bad escape \\t: a{l="\\t"} 1']);
    expect(parseExposition('# HELP a x\n# TYPE a gauge\na 1 1700000000\n').problems).toEqual(['line 3: trailing fields (timestamps are not allowed): a 1 1700000000']);
    expect(parseExposition('# HELP a x\n# TYPE a gauge\na 1\na 2\n').problems).toEqual(['line 4: duplicate series a[]']);
    expect(parseExposition('# HELP a x\n# TYPE a gauge\na 1').problems).toEqual(['output does not end with a newline']);
  });
});
