// CheckTester (ESLint's RuleTester for our checks): runs one check on a host described by the test
// and states the outcome as cases. `valid`: no finding, with the status (pass by default; n/a and
// skip name their reason). `invalid`: the exact findings, in order, by kind and subject, plus what
// else the case cares about (severity, message, fix, evidence). A mismatch fails with one diff of
// every finding; `assert` takes what a case must check beyond that.
import {describe, expect, it} from 'vitest';
import type {CheckDefinition} from '../../src/checks/define.js';
import {DEFAULT_CONFIG, type TapdoctorConfig} from '../../src/config.js';
import {analyzeSnapshot} from '../../src/engine.js';
import type {CheckResult, Evidence, Severity} from '../../src/model.js';
import type {Snapshot} from '../../src/sources/snapshot.js';

/** A value as toEqual takes it; a RegExp matches a string, an array of them every line of a text. */
type Match<T> = T | RegExp | ReturnType<typeof expect.stringContaining>;

export interface ExpectedFinding {
  /** `ip-forward-off` or `TD009/ip-forward-off`; left out: the check's main kind (`<ID>/<slug>`). */
  kind?: string;
  subject: string;
  severity?: Severity;
  message?: Match<string>;
  /** The whole fix text, or its lines. */
  fix?: Match<string> | Array<Match<string>>;
  evidence?: Evidence[] | ReturnType<typeof expect.arrayContaining>;
  explanation?: Match<string>;
}

interface Case<H> {
  name: string;
  host: H;
  config?: Partial<TapdoctorConfig>;
  /** Assertions beyond the declared ones, on the check's result. */
  assert?: (result: CheckResult) => void;
}

export interface ValidCase<H> extends Case<H> {
  /** Default: pass. */
  status?: 'pass' | 'n/a' | 'skip';
  /** The status's reason (a pass's note): text, a RegExp, or undefined for "no reason given". */
  reason?: Match<string> | undefined;
}

export interface InvalidCase<H> extends Case<H> {
  findings: ExpectedFinding[];
}

const asMatcher = (v: unknown): unknown => (v instanceof RegExp ? expect.stringMatching(v) : v);

export class CheckTester<H> {
  constructor(
    readonly check: CheckDefinition,
    /** Builds the snapshot the check reads from the test's host description. */
    readonly snapshotOf: (host: H) => Snapshot,
  ) {}

  /** The check's result on that host. */
  result(host: H, config: Partial<TapdoctorConfig> = {}): CheckResult {
    return analyzeSnapshot(this.snapshotOf(host), [this.check], {...DEFAULT_CONFIG, ...config}, {mode: 'snapshot'}).results[0]!;
  }

  verifyValid(c: ValidCase<H>): CheckResult {
    const r = this.result(c.host, c.config);
    const actual: Record<string, unknown> = {status: r.status, findings: r.findings.map((f) => `${f.kind} ${f.subject}: ${f.message}`)};
    const expected: Record<string, unknown> = {status: c.status ?? 'pass', findings: []};
    if ('reason' in c) {
      actual.reason = r.reason;
      expected.reason = asMatcher(c.reason);
    }
    expect(actual, c.name).toEqual(expected);
    c.assert?.(r);
    return r;
  }

  verifyInvalid(c: InvalidCase<H>): CheckResult {
    const r = this.result(c.host, c.config);
    const expected = c.findings.map((e) => this.expectedOf(e));
    // Each finding shown with the fields its expectation names (the first one's past the end).
    const actual = r.findings.map((f, i) => {
      const e = c.findings[i] ?? c.findings[0] ?? {subject: ''};
      const shown: Record<string, unknown> = {kind: f.kind, subject: f.subject};
      if (e.severity !== undefined) shown.severity = f.severity;
      if (e.message !== undefined) shown.message = f.message;
      if (e.fix !== undefined) shown.fix = Array.isArray(e.fix) ? f.fix.split('\n') : f.fix;
      if (e.evidence !== undefined) shown.evidence = f.evidence;
      if (e.explanation !== undefined) shown.explanation = f.explanation;
      return shown;
    });
    expect({status: r.status, ...(r.status === 'fail' ? {} : {reason: r.reason}), findings: actual}, c.name).toEqual({status: 'fail', findings: expected});
    c.assert?.(r);
    return r;
  }

  /** One `it` per case, inside a describe named after the check. */
  run(cases: {valid?: ValidCase<H>[]; invalid?: InvalidCase<H>[]}): void {
    describe(`${this.check.id} ${this.check.slug}`, () => {
      for (const c of cases.valid ?? []) it(`valid: ${c.name}`, () => void this.verifyValid(c));
      for (const c of cases.invalid ?? []) it(`invalid: ${c.name}`, () => void this.verifyInvalid(c));
    });
  }

  private expectedOf(e: ExpectedFinding): Record<string, unknown> {
    const kind = e.kind === undefined ? `${this.check.id}/${this.check.slug}` : e.kind.includes('/') ? e.kind : `${this.check.id}/${e.kind}`;
    const out: Record<string, unknown> = {kind, subject: e.subject};
    if (e.severity !== undefined) out.severity = e.severity;
    if (e.message !== undefined) out.message = asMatcher(e.message);
    if (e.fix !== undefined) out.fix = Array.isArray(e.fix) ? e.fix.map(asMatcher) : asMatcher(e.fix);
    if (e.evidence !== undefined) out.evidence = e.evidence;
    if (e.explanation !== undefined) out.explanation = asMatcher(e.explanation);
    return out;
  }
}
