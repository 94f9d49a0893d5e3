// Human output: findings grouped by severity, each with its subject, message, why it breaks tests,
// the fix and the evidence; then the checks that could not run and why; then one summary line.
import {Chalk, type ChalkInstance} from 'chalk';
import {SEVERITIES, type CheckResult, type Finding, type Report, type Severity} from '../model.js';

const LABEL: Record<Severity, string> = {error: 'ERROR', warning: 'WARNING', info: 'INFO'};

export function renderText(report: Report, opts: {color: boolean}): string {
  const c = new Chalk({level: opts.color ? 1 : 0});
  const paint: Record<Severity, ChalkInstance> = {error: c.red.bold, warning: c.yellow.bold, info: c.cyan.bold};
  const out: string[] = [];
  const t = report.target;
  out.push(c.bold(`tapdoctor: ${t.host} (${t.mode === 'live' ? 'live host' : `snapshot ${t.path ?? ''}`.trim()}, captured ${t.capturedAt})`), '');

  const findings = report.results.flatMap((r) => r.findings);
  for (const sev of SEVERITIES) {
    const group = findings.filter((f) => f.severity === sev);
    if (group.length === 0) continue;
    out.push(paint[sev](`${LABEL[sev]}S (${group.length})`));
    for (const f of group) out.push(...findingBlock(f, c, paint[sev]), '');
  }
  if (findings.length === 0) out.push(c.green('No findings.'), '');

  const notRun = report.results.filter((r) => r.status === 'skip' || r.status === 'error');
  if (notRun.length > 0) {
    out.push(c.bold('Not checked'));
    for (const r of notRun) out.push(`  ${r.status === 'error' ? c.red('error') : c.dim('skip ')} ${r.id} ${r.slug}: ${r.reason ?? ''}`);
    out.push('');
  }
  const partial = report.results.filter((r) => r.status === 'pass' && r.reason);
  if (partial.length > 0) {
    out.push(c.bold('Passed with limits'));
    for (const r of partial) out.push(`  ${r.id} ${r.slug}: ${r.reason}`);
    out.push('');
  }
  if (report.sourceProblems.length > 0) {
    // What the host did not give us, so a partial result is never mistaken for a full one.
    const needsRoot = report.sourceProblems.filter((p) => p.problem.includes('needs root'));
    out.push(c.bold(`Data that could not be collected (${report.sourceProblems.length})`));
    for (const p of report.sourceProblems.slice(0, 20)) out.push(`  ${p.source}: ${p.problem}`);
    if (report.sourceProblems.length > 20) out.push(`  … ${report.sourceProblems.length - 20} more (see --json)`);
    if (needsRoot.length > 0) out.push(c.yellow(`  ${needsRoot.length} of these need root: run tapdoctor as root for a complete result`));
    out.push('');
  }
  out.push(summaryLine(report, c));
  return `${out.join('\n')}\n`;
}

function findingBlock(f: Finding, c: ChalkInstance, sevPaint: ChalkInstance): string[] {
  const lines = [`${sevPaint(`✖ ${f.checkId}`)} ${c.bold(f.slug)}  ${c.underline(f.subject)}`, `  ${f.message}`];
  if (f.explanation) lines.push(`  ${c.bold('Why:')} ${f.explanation}`);
  lines.push(`  ${c.bold('Fix:')}`, ...f.fix.split('\n').map((l) => `    ${c.green(l)}`));
  for (const e of f.evidence) {
    lines.push(`  ${c.bold('Evidence')} ${c.dim(`(${e.source})`)}:`);
    for (const l of e.lines.slice(0, 12)) lines.push(`    ${c.dim(l)}`);
    if (e.lines.length > 12) lines.push(`    ${c.dim(`… ${e.lines.length - 12} more lines`)}`);
  }
  return lines;
}

export function summaryLine(report: Report, c: ChalkInstance = new Chalk({level: 0})): string {
  const s = report.summary;
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  const findings = `${n(s.findings.error, 'error')}, ${n(s.findings.warning, 'warning')}, ${s.findings.info} info`;
  const checks = `${s.pass} passed, ${s.fail} failed, ${s.skip} skipped, ${s.error} errored`;
  return `${c.bold('Summary:')} ${findings} — checks: ${checks}`;
}

export function resultLine(r: CheckResult): string {
  return `${r.id} ${r.slug}: ${r.status}${r.reason ? ` (${r.reason})` : ''}`;
}
