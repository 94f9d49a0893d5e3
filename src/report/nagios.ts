// Nagios/Icinga/Checkmk plugin output: a status line with performance data, then one line per
// finding (the "long text"), and the plugin exit code: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
import {SEVERITIES, type Finding, type Report} from '../model.js';

export type NagiosExitCode = 0 | 1 | 2 | 3;

export interface NagiosOutput {
  text: string;
  exitCode: NagiosExitCode;
}

const STATE_NAMES = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;

export function renderNagios(report: Report): NagiosOutput {
  const {summary} = report;
  // A check that does not apply was answered; only skips and errors leave a question open.
  const analyzed = summary.pass + summary.fail + summary['n/a'];
  const exitCode: NagiosExitCode =
    summary.findings.error > 0 ? 2 : summary.findings.warning > 0 ? 1 : analyzed === 0 ? 3 : 0;

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
  return {text: `${[status, ...long].join('\n')}\n`, exitCode};
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
