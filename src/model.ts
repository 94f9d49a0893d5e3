// The shared vocabulary of tapdoctor: snapshots, results, findings and reports.
// Everything after collection speaks in these types, so a live run and an offline run
// share every line of code past the collector.

import type {Plan} from './remedies/plan.js';

export type Severity = 'error' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

/**
 * `n/a`: the check does not apply to this host (no GRE port, not a tap worker), with the reason;
 * `skip`: it applies but could not be determined, and the reason names the missing data.
 */
export type CheckStatus = 'pass' | 'fail' | 'n/a' | 'skip' | 'error';
export const CHECK_STATUSES: readonly CheckStatus[] = ['pass', 'fail', 'n/a', 'skip', 'error'];

/** One proof line set: which source, which lines of it (verbatim), optionally actual vs expected. */
export interface Evidence {
  source: string;
  lines: string[];
}

export interface Finding {
  checkId: string;
  slug: string;
  severity: Severity;
  /** What the finding is about: a device, a file, a rule, a pool dir ("tap5", "/etc/firewall.nft"). */
  subject: string;
  /** One line: the fault, with actual and expected values. */
  message: string;
  /** Why this breaks multi-machine tests. */
  explanation: string;
  /** Commands to run, one per line, naming the real subject. */
  fix: string;
  evidence: Evidence[];
}

export interface CheckResult {
  id: string;
  slug: string;
  title: string;
  severity: Severity;
  status: CheckStatus;
  /** Why a check is n/a, skipped or errored; for a pass, what it could not cover (never silent). */
  reason?: string;
  findings: Finding[];
}

export interface ReportTarget {
  mode: 'live' | 'snapshot';
  host: string;
  path?: string;
  capturedAt: string;
}

export interface Summary {
  pass: number;
  fail: number;
  'n/a': number;
  skip: number;
  error: number;
  findings: Record<Severity, number>;
}

export interface Report {
  target: ReportTarget;
  results: CheckResult[];
  summary: Summary;
  /** Source failures worth telling the user about (e.g. "needs root", "nft not found"). */
  sourceProblems: SourceProblem[];
  /** Every finding's fix merged into one ordered plan (src/remedies/plan.ts). */
  plan?: Plan;
}

export interface SourceProblem {
  source: string;
  problem: string;
}

export function summarize(results: CheckResult[]): Summary {
  const summary: Summary = {pass: 0, fail: 0, 'n/a': 0, skip: 0, error: 0, findings: {error: 0, warning: 0, info: 0}};
  for (const r of results) {
    summary[r.status] += 1;
    for (const f of r.findings) summary.findings[f.severity] += 1;
  }
  return summary;
}
