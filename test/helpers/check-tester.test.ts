// The tester itself must fail when a check's outcome differs from a case: otherwise every check
// test built on it would pass whatever the check did.
import {inspect} from 'node:util';
import {describe, expect, it} from 'vitest';
import {defineCheck, skip, type CheckOutcome} from '../../src/checks/define.js';
import {checkMeta} from '../../src/checks/meta.js';
import {CheckTester} from './check-tester.js';
import {makeSnapshot} from './snapshot.js';

// A stand-in for TD009 whose outcome is whatever the host says.
const probe = defineCheck(checkMeta('TD009'), (f) => {
  const out = JSON.parse(f.command('probe').text) as CheckOutcome;
  return out;
});
const tester = new CheckTester(probe, (out: CheckOutcome | ReturnType<typeof skip>) => makeSnapshot({commands: {probe: JSON.stringify(out)}, files: {'openqa.workers-ini': {'/etc/openqa/workers.ini': '[1]\nWORKER_CLASS = tap\n'}}}));
const finding = (subject: string, kind?: string) => ({kind, subject, message: `${subject} is wrong`, fix: [], evidence: [{source: 'probe', lines: ['x']}]});
const fail = (...findings: ReturnType<typeof finding>[]): CheckOutcome => ({status: 'fail', findings});

/** What the failure shows (message and diff), or 'no failure'. */
function failure(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    // vitest draws the diff from these when it reports the failure.
    const e = error as Error & {actual?: unknown; expected?: unknown};
    return `${e.message}\n${inspect(e.actual, {depth: 9})}\n${inspect(e.expected, {depth: 9})}`;
  }
  return 'no failure';
}

describe('CheckTester', () => {
  it('accepts a matching valid and invalid case', () => {
    expect(tester.verifyValid({name: 'pass', host: {status: 'pass'}}).status).toBe('pass');
    expect(tester.verifyValid({name: 'skip', host: skip('no data'), status: 'skip', reason: /no data/}).status).toBe('skip');
    expect(tester.verifyInvalid({name: 'two', host: fail(finding('tap0'), finding('tap1')), findings: [{subject: 'tap0', message: 'tap0 is wrong'}, {subject: 'tap1', severity: 'error'}]}).findings).toHaveLength(2);
  });
  it('fails a valid case on a finding, another status or another reason', () => {
    expect(failure(() => tester.verifyValid({name: 'x', host: fail(finding('tap0'))}))).toMatch(/tap0/);
    expect(failure(() => tester.verifyValid({name: 'x', host: skip('no data')}))).toMatch(/skip/);
    expect(failure(() => tester.verifyValid({name: 'x', host: skip('no data'), status: 'skip', reason: 'other'}))).toMatch(/no data/);
  });
  it('fails an invalid case on another subject, count, kind, severity or message', () => {
    expect(failure(() => tester.verifyInvalid({name: 'x', host: fail(finding('tap0')), findings: [{subject: 'tap1'}]}))).toMatch(/tap1/);
    expect(failure(() => tester.verifyInvalid({name: 'x', host: fail(finding('tap0'), finding('tap1')), findings: [{subject: 'tap0'}]}))).toMatch(/tap1/);
    expect(failure(() => tester.verifyInvalid({name: 'x', host: fail(finding('tap0')), findings: [{subject: 'tap0', kind: 'accept-ra-ignored'}]}))).toMatch(/TD009\/accept-ra-ignored/);
    expect(failure(() => tester.verifyInvalid({name: 'x', host: fail(finding('tap0')), findings: [{subject: 'tap0', severity: 'warning'}]}))).toMatch(/warning/);
    expect(failure(() => tester.verifyInvalid({name: 'x', host: fail(finding('tap0')), findings: [{subject: 'tap0', message: /tap9/}]}))).toMatch(/tap0 is wrong/);
    expect(failure(() => tester.verifyInvalid({name: 'x', host: {status: 'pass'}, findings: [{subject: 'tap0'}]}))).toMatch(/pass/);
  });
  it('runs a case\'s own assertions', () => {
    expect(failure(() => tester.verifyInvalid({name: 'x', host: fail(finding('tap0')), findings: [{subject: 'tap0'}], assert: (r) => expect(r.findings[0]!.fix).toBe('nope')}))).toMatch(/nope/);
  });
});
