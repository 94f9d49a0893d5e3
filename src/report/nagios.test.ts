import {describe, expect, it} from 'vitest';
import {finding, reportOf, sampleReport} from '../../test/report/fixtures.js';
import type {CheckResult} from '../model.js';
import {renderNagios} from './nagios.js';

const pass = (id: string): CheckResult => ({id, slug: `slug-${id}`, title: 't', severity: 'error', status: 'pass', findings: []});
const skip = (id: string): CheckResult => ({id, slug: `slug-${id}`, title: 't', severity: 'error', status: 'skip', reason: 'not collected', findings: []});
const na = (id: string): CheckResult => ({id, slug: `slug-${id}`, title: 't', severity: 'error', status: 'n/a', reason: 'no GRE port', findings: []});
const err = (id: string): CheckResult => ({id, slug: `slug-${id}`, title: 't', severity: 'error', status: 'error', reason: 'cannot parse', findings: []});
const fail = (id: string, severity: 'error' | 'warning' | 'info', subject = 'tap5'): CheckResult => ({
  id,
  slug: `slug-${id}`,
  title: 't',
  severity,
  status: 'fail',
  findings: [finding({checkId: id, slug: `slug-${id}`, severity, subject, message: `${subject} is wrong`})],
});

describe('renderNagios', () => {
  it('is CRITICAL with errors: status line, perfdata, findings most severe first, then what did not run', () => {
    expect(renderNagios(sampleReport())).toEqual({
      exitCode: 2,
      text: [
        'TAPDOCTOR CRITICAL - 3 errors, 1 warning, 1 skipped, 1 could not run | errors=3;;;0 warnings=1;;;0 info=0;;;0 checks_failed=3;;;0 checks_passed=2;;;0 checks_not_applicable=0;;;0 checks_skipped=1;;;0 checks_errored=1;;;0',
        '[error] TD003 vlan-tag-mismatch tap5: tap5 has tag 13, job 6 expects NICVLAN 12',
        '[error] TD003 vlan-tag-mismatch tap69: tap69 is untagged, job 6 expects NICVLAN 12',
        '[error] TD008 masquerade-wrong-uplink /etc/sysconfig/iptables: masquerade names "eth9" <not the uplink eth0> & nothing else',
        '[warning] TD001 multiple-uplinks eth1: eth1 is up with carrier and 192.168.5.7/24 besides the uplink eth0',
        '[check error] TD010 ovs-flows-missing: cannot parse ovs.flows line 3: "garbage"',
        '[skipped] TD007 factory-share-unmounted: mountinfo not collected',
        '',
      ].join('\n'),
    });
  });

  it('is WARNING with warnings only', () => {
    const out = renderNagios(reportOf([fail('TD001', 'warning', 'eth1'), pass('TD009')]));
    expect(out.exitCode).toBe(1);
    expect(out.text.split('\n')[0]).toBe(
      'TAPDOCTOR WARNING - 0 errors, 1 warning | errors=0;;;0 warnings=1;;;0 info=0;;;0 checks_failed=1;;;0 checks_passed=1;;;0 checks_not_applicable=0;;;0 checks_skipped=0;;;0 checks_errored=0;;;0',
    );
  });

  it('is OK when everything passed, and with info findings only', () => {
    expect(renderNagios(reportOf([pass('TD009'), pass('TD011'), skip('TD007'), na('TD006')]))).toEqual({
      exitCode: 0,
      text: [
        'TAPDOCTOR OK - 2 checks passed, 1 n/a, 1 skipped | errors=0;;;0 warnings=0;;;0 info=0;;;0 checks_failed=0;;;0 checks_passed=2;;;0 checks_not_applicable=1;;;0 checks_skipped=1;;;0 checks_errored=0;;;0',
        '[skipped] TD007 slug-TD007: not collected',
        '[n/a] TD006 slug-TD006: no GRE port',
        '',
      ].join('\n'),
    });
    const info = renderNagios(reportOf([fail('TD003', 'info')]));
    expect(info.exitCode).toBe(0);
    expect(info.text.split('\n').slice(0, 2)).toEqual([
      'TAPDOCTOR OK - 0 checks passed, 1 info | errors=0;;;0 warnings=0;;;0 info=1;;;0 checks_failed=1;;;0 checks_passed=0;;;0 checks_not_applicable=0;;;0 checks_skipped=0;;;0 checks_errored=0;;;0',
      '[info] TD003 slug-TD003 tap5: tap5 is wrong',
    ]);
  });

  it('is UNKNOWN when nothing could be analyzed', () => {
    const out = renderNagios(reportOf([skip('TD007'), err('TD010')]));
    expect(out.exitCode).toBe(3);
    expect(out.text.split('\n')[0]).toBe(
      'TAPDOCTOR UNKNOWN - nothing could be analyzed: 1 check skipped, 1 check could not run | errors=0;;;0 warnings=0;;;0 info=0;;;0 checks_failed=0;;;0 checks_passed=0;;;0 checks_not_applicable=0;;;0 checks_skipped=1;;;0 checks_errored=1;;;0',
    );
    expect(renderNagios(reportOf([])).text.split('\n')[0]).toMatch(/^TAPDOCTOR UNKNOWN - no checks ran \| /);
    // A check that does not apply was answered: a host where nothing applies is OK, not UNKNOWN.
    expect(renderNagios(reportOf([na('TD006')])).exitCode).toBe(0);
  });

  it('keeps one line per finding and never a stray perfdata separator', () => {
    const r = reportOf([fail('TD001', 'error', 'eth|1\nx')]);
    r.results[0]!.findings[0]!.message = 'line1\nline2 | a=1\r\u0007';
    const lines = renderNagios(r).text.split('\n');
    expect(lines).toEqual([expect.stringMatching(/^TAPDOCTOR CRITICAL - 1 error, 0 warnings \| /), '[error] TD001 slug-TD001 eth/1 x: line1 line2 / a=1 ', '']);
  });

  it('honours --fail-on: findings below it do not raise the state; never is OK whatever is found', () => {
    const r = reportOf([fail('TD001', 'warning', 'eth1'), fail('TD003', 'error', 'tap0'), pass('TD009')]);
    expect(renderNagios(r).exitCode).toBe(2);
    expect(renderNagios(r, {failOn: 'error'}).exitCode).toBe(2);
    const never = renderNagios(r, {failOn: 'never'});
    expect(never.exitCode).toBe(0);
    expect(never.text.split('\n')[0]).toMatch(/^TAPDOCTOR OK - 1 check passed, 1 error and 1 warning below --fail-on \| /);
    const warnOnly = reportOf([fail('TD001', 'warning', 'eth1'), pass('TD009')]);
    expect(renderNagios(warnOnly, {failOn: 'error'}).exitCode).toBe(0);
    expect(renderNagios(reportOf([fail('TD003', 'info')]), {failOn: 'info'}).exitCode).toBe(1);
  });
});
