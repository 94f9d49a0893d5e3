// Prometheus text exposition for node_exporter's textfile collector (write the output to
// <dir>/tapdoctor.prom atomically; node_exporter adds the instance label). No sample timestamps:
// the textfile collector rejects them.
//
// Encoding of a check's status (a "state set"): each check has one series per possible status,
// value 1 for the status it has and 0 for the others, e.g.
//   tapdoctor_check_status{id="TD003",slug="vlan-tag-mismatch",status="fail"} 1
//   tapdoctor_check_status{id="TD003",slug="vlan-tag-mismatch",status="pass"} 0
// so series never disappear when a status changes and an alert is simply
//   tapdoctor_check_status{status="fail"} == 1
import {CHECK_STATUSES, SEVERITIES, type Report} from '../model.js';

export {CHECK_STATUSES};

export interface PrometheusOptions {
  /** tapdoctor's version, for tapdoctor_info. */
  version?: string;
}

/**
 * Render the report as metrics. `nowSeconds` is the run's wall-clock time (Unix seconds), passed in
 * so the function stays pure.
 */
export function renderPrometheus(report: Report, nowSeconds: number, options: PrometheusOptions = {}): string {
  if (!Number.isFinite(nowSeconds)) throw new RangeError(`nowSeconds must be a finite number, got ${nowSeconds}`);
  const out: string[] = [];
  const family = (name: string, help: string, samples: string[]) => {
    out.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} gauge`, ...samples);
  };

  family(
    'tapdoctor_info',
    'tapdoctor run metadata; the value is always 1.',
    [sample('tapdoctor_info', {version: options.version ?? 'unknown', host: report.target.host, mode: report.target.mode, ...runLabels(report)}, 1)],
  );

  if (report.gate) {
    // A state set like tapdoctor_check_status: alert on tapdoctor_gate_verdict{verdict!="safe"} == 1.
    const names = {safe: 'safe', 'not-safe': 'not_safe', unknown: 'cannot_tell'} as const;
    family(
      'tapdoctor_gate_verdict',
      'Pre-reboot gate verdict: 1 for the verdict given (safe, not_safe, cannot_tell), 0 for the others.',
      (Object.keys(names) as Array<keyof typeof names>).map((v) => sample('tapdoctor_gate_verdict', {verdict: names[v]}, report.gate!.verdict === v ? 1 : 0)),
    );
    family('tapdoctor_gate_blockers', 'Number of blockers: what a reboot would leave or make broken, and running jobs.', [sample('tapdoctor_gate_blockers', {}, report.gate.blockers.length)]);
    family('tapdoctor_gate_heals_at_boot', 'Number of runtime-only faults the persisted config and enabled units rebuild at boot (not blocking).', [
      sample('tapdoctor_gate_heals_at_boot', {}, report.gate.heals.length),
    ]);
    family('tapdoctor_gate_open_questions', 'Number of questions the gate could not answer (each makes it cannot_tell when nothing blocks).', [
      sample('tapdoctor_gate_open_questions', {}, report.gate.unknowns.length),
    ]);
  }

  const statusSamples: string[] = [];
  for (const r of report.results) {
    for (const s of CHECK_STATUSES) statusSamples.push(sample('tapdoctor_check_status', {id: r.id, slug: r.slug, status: s}, r.status === s ? 1 : 0));
  }
  family('tapdoctor_check_status', 'Status of each check: 1 for the status it has (pass, fail, n/a = does not apply here, skip = could not determine, error), 0 for the others.', statusSamples);

  family(
    'tapdoctor_check_findings',
    'Number of findings per check.',
    report.results.map((r) => sample('tapdoctor_check_findings', {id: r.id, slug: r.slug}, r.findings.length)),
  );

  family(
    'tapdoctor_checks',
    'Number of checks per status in the last run.',
    CHECK_STATUSES.map((s) => sample('tapdoctor_checks', {status: s}, report.summary[s])),
  );

  family(
    'tapdoctor_findings',
    'Number of findings per severity in the last run.',
    SEVERITIES.map((s) => sample('tapdoctor_findings', {severity: s}, report.summary.findings[s])),
  );

  family('tapdoctor_findings_waived', 'Number of findings a site waiver accepts (not counted in tapdoctor_findings).', [sample('tapdoctor_findings_waived', {}, report.summary.waived)]);

  const waivers = report.run?.waivers ?? [];
  if (waivers.length > 0) {
    family(
      'tapdoctor_waiver',
      'Site waivers and what each did: status applied, expired (a warning) or unused (info); the value is the number of findings it matched.',
      waivers.map((w) => sample('tapdoctor_waiver', {check: w.check, subject: w.subject ?? '*', reason: w.reason, expires: w.expires, status: w.status}, w.matched)),
    );
  }

  family('tapdoctor_source_problems', 'Number of data sources that could not be collected (see the text report).', [
    sample('tapdoctor_source_problems', {}, report.sourceProblems.length),
  ]);

  family('tapdoctor_last_run_timestamp_seconds', 'Unix time the report was rendered.', [sample('tapdoctor_last_run_timestamp_seconds', {}, nowSeconds)]);

  // In analyze mode the data can be days old; say when it was captured.
  const captured = Date.parse(report.target.capturedAt);
  if (Number.isFinite(captured)) {
    family('tapdoctor_captured_timestamp_seconds', 'Unix time the analyzed data was captured.', [
      sample('tapdoctor_captured_timestamp_seconds', {}, captured / 1000),
    ]);
  }

  return `${out.join('\n')}\n`;
}

/** How the run was set up, as info labels: settings used and checks left out (empty when none). */
function runLabels(report: Report): Record<string, string> {
  const run = report.run;
  if (!run) return {};
  return {settings: run.settingsFrom, only: run.only.join(','), skip: run.skip.join(','), deselected: run.deselected.join(',')};
}

/** One sample line: the name, its labels (escaped), the value. */
export function sample(name: string, labels: Record<string, string>, value: number): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  return `${name}${pairs.length > 0 ? `{${pairs.join(',')}}` : ''} ${formatValue(value)}`;
}

/** Label values: backslash, double quote and line feed are the only escapes the format knows. */
export function escapeLabelValue(s: string): string {
  return s.replace(/[\\"\n]/g, (ch) => (ch === '\\' ? '\\\\' : ch === '"' ? '\\"' : '\\n'));
}

/** HELP text: backslash and line feed. */
function escapeHelp(s: string): string {
  return s.replace(/[\\\n]/g, (ch) => (ch === '\\' ? '\\\\' : '\\n'));
}

function formatValue(v: number): string {
  // Integers print without exponent; Go's ParseFloat reads what JS prints for the rest.
  return Number.isInteger(v) && Math.abs(v) < 1e21 ? v.toFixed(0) : String(v);
}
