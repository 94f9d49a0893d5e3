// Nagios/Icinga/Checkmk plugin output: a status line with performance data, then one line per
// finding (the "long text"), and the plugin exit code: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
// --fail-on is honoured: findings below it do not raise the state (`never`: OK whatever is found).
// A gate report states its verdict instead: SAFE OK (0), NOT SAFE CRITICAL (2), CANNOT TELL UNKNOWN (3).
import {SEVERITIES, type Finding, type GateVerdict, type Report, type Severity} from '../model.js';

export type NagiosExitCode = 0 | 1 | 2 | 3;

export interface NagiosOutput {
  text: string;
  exitCode: NagiosExitCode;
}

const STATE_NAMES = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;

export interface NagiosOptions {
  /** Lowest severity that raises the state (default warning: errors CRITICAL, warnings WARNING). */
  failOn?: Severity | 'never';
}

const RANK: Record<Severity | 'never', number> = {error: 3, warning: 2, info: 1, never: 4};

export function renderNagios(report: Report, opts: NagiosOptions = {}): NagiosOutput {
  if (report.gate) return renderGateNagios(report, report.gate);
  const {summary} = report;
  // A check that does not apply was answered; only skips and errors leave a question open.
  const analyzed = summary.pass + summary.fail + summary['n/a'];
  const threshold = RANK[opts.failOn ?? 'warning'];
  const counted = new Set<Severity>([
    ...report.results.flatMap((r) => r.findings.filter((f) => !f.waiver).map((f) => f.severity)),
    ...(report.run?.waivers ?? []).flatMap((w) => (w.severity ? [w.severity] : [])),
  ]);
  const raised = [...counted].filter((sev) => RANK[sev] >= threshold);
  const exitCode: NagiosExitCode = analyzed === 0 && raised.length === 0 ? 3 : raised.includes('error') ? 2 : raised.length > 0 ? 1 : 0;

  const perf = [
    `errors=${summary.findings.error};;;0`,
    `warnings=${summary.findings.warning};;;0`,
    `info=${summary.findings.info};;;0`,
    `checks_failed=${summary.fail};;;0`,
    `checks_passed=${summary.pass};;;0`,
    `checks_not_applicable=${summary['n/a']};;;0`,
    `checks_skipped=${summary.skip};;;0`,
    `checks_errored=${summary.error};;;0`,
  ].join(' ');

  const status = `TAPDOCTOR ${STATE_NAMES[exitCode]} - ${headline(report, exitCode)} | ${perf}`;

  const long: string[] = [];
  // Most severe first: the first lines are what a pager or a narrow web UI shows.
  const findings = report.results.flatMap((r) => r.findings);
  for (const sev of SEVERITIES) for (const f of findings) if (f.severity === sev) long.push(findingLine(f));
  // Checks that could not run are part of the answer: a monitoring user must see what was not covered.
  for (const r of report.results) {
    if (r.status === 'error') long.push(oneLine(`[check error] ${r.id} ${r.slug}: ${r.reason ?? 'check failed to run'}`));
  }
  for (const r of report.results) {
    if (r.status === 'skip') long.push(oneLine(`[skipped] ${r.id} ${r.slug}: ${r.reason ?? 'skipped'}`));
  }
  for (const r of report.results) {
    if (r.status === 'n/a') long.push(oneLine(`[n/a] ${r.id} ${r.slug}: ${r.reason ?? 'not applicable'}`));
  }
  long.push(...runLines(report));
  return {text: `${[status, ...long].join('\n')}\n`, exitCode};
}

/** The gate's verdict as a plugin state: the blockers first, then what heals and what stayed open. */
function renderGateNagios(report: Report, gate: GateVerdict): NagiosOutput {
  const exitCode: NagiosExitCode = gate.verdict === 'safe' ? 0 : gate.verdict === 'not-safe' ? 2 : 3;
  const perf = [`blockers=${gate.blockers.length};;;0`, `heals_at_boot=${gate.heals.length};;;0`, `open_questions=${gate.unknowns.length};;;0`, `waived=${report.summary.waived};;;0`].join(' ');
  const long = [
    ...gate.blockers.map((b) => oneLine(`[blocks] ${b.id} ${b.subject}: ${b.message}`)),
    ...gate.heals.map((h) => oneLine(`[heals at boot] ${h.id} ${h.subject}: ${h.message} (${h.why})`)),
    ...gate.unknowns.map((u) => oneLine(`[open question] ${u.what}: ${u.reason}`)),
    ...gate.notes.map((n) => oneLine(`[note] ${n}`)),
    ...runLines(report),
  ];
  return {text: `${[`TAPDOCTOR GATE ${STATE_NAMES[exitCode]} - ${oneLine(gate.line)} | ${perf}`, ...long].join('\n')}\n`, exitCode};
}

/** Waived findings, waiver notices and deselected checks: part of the answer, never hidden. */
function runLines(report: Report): string[] {
  const out: string[] = [];
  for (const f of report.results.flatMap((r) => r.findings)) {
    if (f.waiver) out.push(oneLine(`[waived] ${f.checkId} ${f.slug} ${f.subject}: ${f.message} (waiver: ${f.waiver.reason}; until ${f.waiver.expires})`));
  }
  for (const w of report.run?.waivers ?? []) {
    if (w.status === 'expired') out.push(oneLine(`[warning] waiver ${w.check}${w.subject ? ` ${w.subject}` : ''} expired on ${w.expires} ("${w.reason}"): it waives nothing`));
    if (w.status === 'unused') out.push(oneLine(`[info] waiver ${w.check}${w.subject ? ` ${w.subject}` : ''} ("${w.reason}") matches no finding`));
  }
  if (report.run && report.run.deselected.length > 0) out.push(oneLine(`[deselected] --only/--skip left out ${report.run.deselected.join(', ')}`));
  return out;
}

function headline(report: Report, exitCode: NagiosExitCode): string {
  const {summary} = report;
  if (exitCode === 3) {
    const total = report.results.length;
    return total === 0
      ? 'no checks ran'
      : `nothing could be analyzed: ${plural(summary.skip, 'check')} skipped, ${plural(summary.error, 'check')} could not run`;
  }
  const parts: string[] = [];
  if (exitCode === 0) {
    parts.push(`${plural(summary.pass, 'check')} passed`);
    const below = summary.findings.error + summary.findings.warning;
    if (below > 0) parts.push(`${plural(summary.findings.error, 'error')} and ${plural(summary.findings.warning, 'warning')} below --fail-on`);
    if (summary.findings.info > 0) parts.push(`${summary.findings.info} info`);
  } else {
    parts.push(plural(summary.findings.error, 'error'), plural(summary.findings.warning, 'warning'));
  }
  if (summary['n/a'] > 0) parts.push(`${summary['n/a']} n/a`);
  if (summary.skip > 0) parts.push(`${summary.skip} skipped`);
  if (summary.error > 0) parts.push(`${summary.error} could not run`);
  return parts.join(', ');
}

function findingLine(f: Finding): string {
  return oneLine(`[${f.severity}] ${f.checkId} ${f.slug} ${f.subject}: ${f.message}`);
}

/**
 * Nagios reads `|` as the start of performance data and splits lines on LF, so a message must
 * contain neither; CR and other controls would garble the web UI.
 */
function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\|/g, '/').replace(/[\u0000-\u001f\u007f]+/g, ' ');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
