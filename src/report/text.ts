// Human output: findings grouped by severity, each with its subject, message, why it breaks tests,
// the fix and the evidence; then the checks that could not run and why; then one summary line.
// Prose is wrapped to the output width (the terminal's, 80 when piped) with a hanging indent so it
// reads well on a terminal and in a ticket; fix lines are never wrapped, not even comments (they
// must paste as they are); evidence lines longer than the width are cut with a marker (--json has
// them whole). --brief: one line per finding; --quiet: errors only (like ESLint's --quiet).
import {Chalk, type ChalkInstance} from 'chalk';
import {SEVERITIES, type Finding, type Report, type Severity} from '../model.js';
import {waiverLine} from '../waivers.js';
import {notCheckedLines} from './not-checked.js';

const LABEL: Record<Severity, string> = {error: 'ERRORS', warning: 'WARNINGS', info: 'INFO'};
// A distinct mark per severity, so the groups stay apart without colour (NO_COLOR, files, tickets).
const MARK: Record<Severity, string> = {error: '✖', warning: '▲', info: '●'};
export const WIDTH = 80;
const CUT = '…';
/** How many lines of a source the text shows; --json has them all. */
const EVIDENCE_LINES = 12;
const SOURCE_PROBLEMS = 20;

export interface TextOptions {
  color: boolean;
  width?: number;
  /** One line per finding, then what did not run and the summary. */
  brief?: boolean;
  /** Error findings only; the summary still counts every finding. */
  quiet?: boolean;
}

export function renderText(report: Report, opts: TextOptions): string {
  const width = opts.width ?? WIDTH;
  const c = new Chalk({level: opts.color ? 1 : 0});
  const paint = severityPaint(c);
  const out: string[] = [renderHeader(report, opts)];

  const all = report.results.flatMap((r) => r.findings);
  const findings = all.filter((f) => !f.waiver);
  const shown = opts.quiet ? findings.filter((f) => f.severity === 'error') : findings;
  const notRun = report.results.filter((r) => r.status === 'skip' || r.status === 'error');
  if (opts.brief) return briefText(report, shown, notRun, c, findings.length - shown.length);
  for (const sev of SEVERITIES) {
    const group = shown.filter((f) => f.severity === sev);
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

  if (findings.length === 0) {
    // "No findings" alone would read as "healthy" even when most checks could not run (sosreports).
    const ran = report.results.length - notRun.length;
    const left = report.run?.deselected.length ?? 0;
    out.push(
      notRun.length > 0
        ? c.yellow(`No findings, but only ${ran} of ${report.results.length} checks ran: see NOT CHECKED.`)
        : left > 0
          ? c.yellow(`No findings in the ${ran} checks run; ${left} checks were left out by --only/--skip.`)
          : c.green(report.summary['n/a'] > 0 ? 'No findings: every check that applies here passed.' : 'No findings: every check passed.'),
      '',
    );
  }

  if (notRun.length > 0) out.push(...notCheckedLines(notRun, report, c, width, hanging), '');
  // Does not apply here: no gap in coverage, so apart from NOT CHECKED and not in its count.
  const notApplicable = report.results.filter((r) => r.status === 'n/a');
  if (notApplicable.length > 0) {
    out.push(c.bold(`NOT APPLICABLE (${notApplicable.length})`));
    for (const r of notApplicable) out.push(...hanging(`  ${c.dim('n/a  ')} `, 8, `${r.id} ${r.slug}: ${r.reason ?? ''}`, width));
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
  out.push(summaryLine(report, c, findings.length - shown.length));
  return `${out.join('\n')}\n`;
}

function briefText(report: Report, shown: Finding[], notRun: Report['results'], c: ChalkInstance, hidden: number): string {
  const out = shown.map((f) => briefLine(f, c));
  // What did not run stays visible: a short report must not read as a clean one.
  if (notRun.length > 0) out.push(`${c.yellow('?')} not checked: ${notRun.map((r) => r.id).join(', ')} (run without --brief for why)`);
  out.push(summaryLine(report, c, hidden));
  return `${out.join('\n')}\n`;
}

/** The colour of each severity's marks and headings. */
export function severityPaint(c: ChalkInstance): Record<Severity, ChalkInstance> {
  return {error: c.red.bold, warning: c.yellow.bold, info: c.cyan.bold};
}

/** A finding in one line (--brief); `tag` follows the subject (a fleet finding's hosts). */
export function briefLine(f: Finding, c: ChalkInstance, tag = ''): string {
  return `${severityPaint(c)[f.severity](`${MARK[f.severity]} ${f.checkId}`)} ${f.slug} ${f.subject}${tag}: ${f.message}`;
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

/** A finding in full: title, message, why, fix (never wrapped), evidence (cut to the width). `tag` follows the title. */
export function findingBlock(f: Finding, c: ChalkInstance, sevPaint: ChalkInstance, width: number, tag = ''): string[] {
  const lines = [`${sevPaint(`${MARK[f.severity]} ${f.checkId}`)} ${c.bold(f.slug)}  ${c.underline(f.subject)}${tag}`];
  lines.push(...hanging('  ', 2, f.message, width));
  if (f.explanation) lines.push(...hanging(`  ${c.bold('Why:')} `, 7, f.explanation, width));
  lines.push(`  ${c.bold('Fix:')}`, ...fixLines(f.fix, width - 4).map((l) => `    ${c.green(l)}`));
  for (const e of f.evidence) {
    lines.push(`  ${c.bold('Evidence')} ${c.dim(`(${e.source})`)}:`);
    for (const l of e.lines.slice(0, EVIDENCE_LINES)) lines.push(`    ${c.dim(cut(l, width - 4))}`);
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

/** A line cut to `width` columns, the cut marked. */
export function cut(line: string, width: number): string {
  return line.length <= width ? line : `${line.slice(0, Math.max(width - CUT.length, 1))}${CUT}`;
}

/**
 * A finding's fix, one shell line each. No line is wrapped, not even a comment (comments name
 * alternative commands: '# NetworkManager: nmcli ...'); an over-long command's trailing
 * `  # comment` moves to its own line above the command.
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
    const comment = / {2,}# /.exec(body);
    if (comment && !body.startsWith('#')) {
      out.push(`${lead}# ${body.slice(comment.index + comment[0].length)}`, `${lead}${body.slice(0, comment.index)}`);
      continue;
    }
    out.push(line);
  }
  return out;
}

export function summaryLine(report: Report, c: ChalkInstance = new Chalk({level: 0}), hidden = 0): string {
  const s = report.summary;
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  const findings = `${n(s.findings.error, 'error')}, ${n(s.findings.warning, 'warning')}, ${s.findings.info} info${s.waived > 0 ? `, ${s.waived} waived` : ''}`;
  const checks = `${s.pass} passed, ${s.fail} failed, ${s['n/a']} n/a, ${s.skip} skipped, ${s.error} errored`;
  return `${c.bold('Summary:')} ${findings}${hidden > 0 ? ` (${hidden} not shown: --quiet)` : ''} — checks: ${checks}`;
}
