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
  /**
   * Which distinct fault of the check, stable across versions: `TD010/ovsdb-server-down`. The
   * engine always sets it; absent (hand-made findings) means `<checkId>/<slug>`.
   */
  kind?: string;
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
  /** Set when a site waiver accepts this finding: it is shown, but counts for no exit code or gate. */
  waiver?: WaiverRef;
}

/** The waiver that accepted a finding, as the settings file states it. */
export interface WaiverRef {
  check: string;
  subject?: string;
  reason: string;
  /** YYYY-MM-DD, the last day the waiver holds. */
  expires: string;
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
  /** Findings by severity, waived ones left out (they count for nothing). */
  findings: Record<Severity, number>;
  /** Findings a site waiver accepts. */
  waived: number;
}

export interface Report {
  target: ReportTarget;
  results: CheckResult[];
  summary: Summary;
  /** Source failures worth telling the user about (e.g. "needs root", "nft not found"). */
  sourceProblems: SourceProblem[];
  /** How the run was set up (--only/--skip, settings, waivers): every format records it. */
  run?: RunInfo;
  /** Only from `tapdoctor gate`: the pre-reboot verdict, which every format shows. */
  gate?: GateVerdict;
  /** Every finding's fix merged into one ordered plan (src/remedies/plan.ts). */
  plan?: Plan;
}

export interface RunInfo {
  only: string[];
  skip: string[];
  /** Checks of the command's set that --only/--skip left out (IDs). */
  deselected: string[];
  /** Where the site settings came from: a file path, "snapshot:/etc/tapdoctor.yaml", or "defaults". */
  settingsFrom: string;
  /** The effective settings (flags over file over defaults). */
  settings: Record<string, unknown>;
  /** Every waiver of the settings and what it did in this run. */
  waivers: WaiverUse[];
}

export interface WaiverUse extends WaiverRef {
  status: 'applied' | 'expired' | 'unused';
  /** Findings it matched (for an expired waiver: the findings that count again). */
  matched: number;
  /** Expired: warning; unused: info; applied: none. */
  severity?: Severity;
}

export type GateVerdictName = 'safe' | 'not-safe' | 'unknown';

export interface GateVerdict {
  verdict: GateVerdictName;
  /** The text's last line: "NOT SAFE TO REBOOT: 2 blockers". */
  line: string;
  exitCode: 0 | 1 | 2;
  blockers: Array<{id: string; subject: string; message: string; fix: string}>;
  heals: Array<{id: string; subject: string; message: string; why: string}>;
  unknowns: Array<{what: string; reason: string}>;
  notes: string[];
  /** Who answered "is a job running?": the web UI, the pool's qemu processes, or nobody. */
  runningJobsFrom: 'openqa' | 'qemu' | 'none';
}

export interface SourceProblem {
  source: string;
  problem: string;
}

export function summarize(results: CheckResult[]): Summary {
  const summary: Summary = {pass: 0, fail: 0, 'n/a': 0, skip: 0, error: 0, findings: {error: 0, warning: 0, info: 0}, waived: 0};
  for (const r of results) {
    summary[r.status] += 1;
    for (const f of r.findings) {
      if (f.waiver) summary.waived += 1;
      else summary.findings[f.severity] += 1;
    }
  }
  return summary;
}
