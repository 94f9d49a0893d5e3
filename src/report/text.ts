// Human output: findings grouped by severity, each with its subject, message, why it breaks tests,
// the fix and the evidence; then the checks that could not run and why; then one summary line.
// Prose is wrapped to WIDTH columns with a hanging indent so it reads well on a terminal and in a
// ticket; commands and evidence are never wrapped (they must stay copyable and quote the source).
import {Chalk, type ChalkInstance} from 'chalk';
import {SEVERITIES, type Finding, type Report, type Severity} from '../model.js';
import {waiverLine} from '../waivers.js';

const LABEL: Record<Severity, string> = {error: 'ERRORS', warning: 'WARNINGS', info: 'INFO'};
// A distinct mark per severity, so the groups stay apart without colour (NO_COLOR, files, tickets).
const MARK: Record<Severity, string> = {error: '✖', warning: '▲', info: '●'};
export const WIDTH = 100;
/** How many lines of a source the text shows; --json has them all. */
const EVIDENCE_LINES = 12;
const SOURCE_PROBLEMS = 20;

export function renderText(report: Report, opts: {color: boolean; width?: number}): string {
  const width = opts.width ?? WIDTH;
  const c = new Chalk({level: opts.color ? 1 : 0});
  const paint: Record<Severity, ChalkInstance> = {error: c.red.bold, warning: c.yellow.bold, info: c.cyan.bold};
  const out: string[] = [renderHeader(report, opts)];

  const all = report.results.flatMap((r) => r.findings);
  const findings = all.filter((f) => !f.waiver);
  for (const sev of SEVERITIES) {
    const group = findings.filter((f) => f.severity === sev);
    if (group.length === 0) continue;
    out.push(paint[sev](`${LABEL[sev]} (${group.length})`));
    for (const f of group) out.push(...findingBlock(f, c, paint[sev], width), '');
  }

  const waived = all.filter((f) => f.waiver);
  if (waived.length > 0) {
    out.push(c.bold(`WAIVED (${waived.length})`));
    for (const f of waived) out.push(...hanging('  ', 4, `${f.checkId} ${f.subject}: ${f.message} (waived: ${f.waiver!.reason}; until ${f.waiver!.expires})`, width));
    out.push('');
  }
  const notices = (report.run?.waivers ?? []).filter((w) => w.severity);
  if (notices.length > 0) {
    out.push(c.bold(`WAIVER PROBLEMS (${notices.length})`));
    for (const w of notices) out.push(...hanging(`  ${w.severity === 'warning' ? c.yellow(MARK.warning) : c.cyan(MARK.info)} `, 4, waiverLine(w), width));
    out.push('');
  }

  const notRun = report.results.filter((r) => r.status === 'skip' || r.status === 'error');
  if (findings.length === 0) {
    // "No findings" alone would read as "healthy" even when most checks could not run (sosreports).
    const ran = report.results.length - notRun.length;
    const left = report.run?.deselected.length ?? 0;
    out.push(
      notRun.length > 0
        ? c.yellow(`No findings, but only ${ran} of ${report.results.length} checks ran: see NOT CHECKED.`)
        : left > 0
          ? c.yellow(`No findings in the ${ran} checks run; ${left} checks were left out by --only/--skip.`)
          : c.green('No findings: every check passed.'),
      '',
    );
  }

  if (notRun.length > 0) {
    out.push(c.bold(`NOT CHECKED (${notRun.length})`));
    for (const r of notRun) {
      const label = r.status === 'error' ? c.red('error') : c.dim('skip ');
      out.push(...hanging(`  ${label} `, 8, `${r.id} ${r.slug}: ${r.reason ?? ''}`, width));
    }
    out.push('');
  }
  const partial = report.results.filter((r) => r.status === 'pass' && r.reason);
  if (partial.length > 0) {
    out.push(c.bold(`PASSED WITH NOTES (${partial.length})`));
    for (const r of partial) out.push(...hanging('  ', 4, `${r.id} ${r.slug}: ${r.reason}`, width));
    out.push('');
  }
  if (report.sourceProblems.length > 0) {
    // What the host did not give us, so a partial result is never mistaken for a full one.
    const needsRoot = report.sourceProblems.filter((p) => p.problem.includes('needs root'));
    out.push(c.bold(`DATA NOT COLLECTED (${report.sourceProblems.length})`));
    for (const p of report.sourceProblems.slice(0, SOURCE_PROBLEMS)) out.push(...hanging('  ', 4, `${p.source}: ${p.problem}`, width));
    if (report.sourceProblems.length > SOURCE_PROBLEMS) out.push(`  … ${report.sourceProblems.length - SOURCE_PROBLEMS} more (see --json)`);
    if (needsRoot.length > 0) out.push(c.yellow(`  ${needsRoot.length} of these need root: run tapdoctor as root for a complete result`));
    out.push('');
  }
  out.push(summaryLine(report, c));
  return `${out.join('\n')}\n`;
}

/**
 * The first lines of every text report: host and data, then how the run was set up (settings
 * used, checks left out, waivers), so a result is never read without its conditions.
 */
export function renderHeader(report: Report, opts: {color: boolean; width?: number}): string {
  const width = opts.width ?? WIDTH;
  const c = new Chalk({level: opts.color ? 1 : 0});
  const t = report.target;
  const out = [c.bold(`tapdoctor: ${t.host} (${t.mode === 'live' ? 'live host' : `snapshot ${t.path ?? ''}`.trim()}, captured ${t.capturedAt})`)];
  const run = report.run;
  if (run) {
    out.push(...hanging('  ', 4, `settings: ${run.settingsFrom}`, width).map((l) => c.dim(l)));
    if (run.deselected.length > 0) {
      const how = [run.only.length > 0 ? `--only ${run.only.join(',')}` : '', run.skip.length > 0 ? `--skip ${run.skip.join(',')}` : ''].filter(Boolean).join(' ');
      out.push(...hanging('  ', 4, `checks: ${how} left out ${run.deselected.join(', ')}`, width).map((l) => c.yellow(l)));
    }
    if (run.waivers.length > 0) {
      const n = (s: string) => run.waivers.filter((w) => w.status === s).length;
      out.push(c.dim(`  waivers: ${run.waivers.length} (${n('applied')} applied, ${n('expired')} expired, ${n('unused')} unused)`));
    }
  }
  return `${out.join('\n')}\n`;
}

function findingBlock(f: Finding, c: ChalkInstance, sevPaint: ChalkInstance, width: number): string[] {
  const lines = [`${sevPaint(`${MARK[f.severity]} ${f.checkId}`)} ${c.bold(f.slug)}  ${c.underline(f.subject)}`];
  lines.push(...hanging('  ', 2, f.message, width));
  if (f.explanation) lines.push(...hanging(`  ${c.bold('Why:')} `, 7, f.explanation, width));
  lines.push(`  ${c.bold('Fix:')}`, ...fixLines(f.fix, width - 4).map((l) => `    ${c.green(l)}`));
  for (const e of f.evidence) {
    lines.push(`  ${c.bold('Evidence')} ${c.dim(`(${e.source})`)}:`);
    for (const l of e.lines.slice(0, EVIDENCE_LINES)) lines.push(`    ${c.dim(l)}`);
    if (e.lines.length > EVIDENCE_LINES) lines.push(`    ${c.dim(`… ${e.lines.length - EVIDENCE_LINES} more lines (see --json)`)}`);
  }
  return lines;
}

/**
 * `prefix` then `text` wrapped so every line fits `width`; continuation lines are indented by
 * `indent` spaces. `indent` is also the prefix's visible width (the prefix may carry colour codes).
 */
export function hanging(prefix: string, indent: number, text: string, width: number): string[] {
  const pad = ' '.repeat(indent);
  const out: string[] = [];
  for (const [p, paragraph] of text.split('\n').entries()) {
    wrapWords(paragraph, Math.max(width - indent, 20)).forEach((seg, i) => out.push(`${p === 0 && i === 0 ? prefix : pad}${seg}`));
  }
  return out;
}

/**
 * Greedy word wrap on single spaces. A word longer than the width (a path, a URL, a rule) stays
 * whole on its own line rather than being cut. Linear in the text's length.
 */
export function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines;
}

/**
 * A finding's fix, one shell line each. Commands are never wrapped (they must paste as they are);
 * an over-long line's trailing `  # comment` moves above its command, and long comment lines wrap
 * as further comment lines.
 */
export function fixLines(fix: string, width: number): string[] {
  const out: string[] = [];
  for (const line of fix.split('\n')) {
    if (line.length <= width) {
      out.push(line);
      continue;
    }
    const lead = /^\s*/.exec(line)![0];
    const body = line.slice(lead.length);
    if (body.startsWith('# ')) {
      out.push(...wrapWords(body.slice(2), Math.max(width - lead.length - 2, 20)).map((s) => `${lead}# ${s}`));
      continue;
    }
    const comment = / {2,}# /.exec(body);
    if (comment && !body.startsWith('#')) {
      const command = body.slice(0, comment.index);
      const note = body.slice(comment.index + comment[0].length);
      out.push(...wrapWords(note, Math.max(width - lead.length - 2, 20)).map((s) => `${lead}# ${s}`), `${lead}${command}`);
      continue;
    }
    out.push(line);
  }
  return out;
}

export function summaryLine(report: Report, c: ChalkInstance = new Chalk({level: 0})): string {
  const s = report.summary;
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  const findings = `${n(s.findings.error, 'error')}, ${n(s.findings.warning, 'warning')}, ${s.findings.info} info${s.waived > 0 ? `, ${s.waived} waived` : ''}`;
  const checks = `${s.pass} passed, ${s.fail} failed, ${s.skip} skipped, ${s.error} errored`;
  return `${c.bold('Summary:')} ${findings} — checks: ${checks}`;
}
