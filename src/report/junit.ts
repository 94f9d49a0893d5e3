// JUnit XML: the format every CI system (Jenkins, GitLab, GitHub test reporters) reads. One
// <testsuite> per host, one <testcase> per check, one <failure> per finding, so a CI page lists
// each broken tap or rule by name. Schema: test/report/xsd/junit.xsd (Jenkins-style JUnit).
import type {CheckResult, Finding, GateVerdict, Report, WaiverUse} from '../model.js';
import {waiverLine} from '../waivers.js';

/**
 * Render one or more reports as a JUnit XML document (UTF-8, XML 1.0).
 * Counts on <testsuites>/<testsuite> are per check: a check with three findings is one failed test.
 */
export function renderJunit(reports: Report | readonly Report[]): string {
  const list: readonly Report[] = Array.isArray(reports) ? reports : [reports as Report];
  const out: string[] = [];
  writeJunit(list.map(junitSuite), (t) => out.push(t));
  return out.join('');
}

/** One report's <testsuite>, rendered, with the counts the <testsuites> totals add up. */
export interface JunitSuite {
  counts: Counts;
  text: string;
}

export function junitSuite(report: Report): JunitSuite {
  const counts = countResults(report);
  return {counts, text: renderSuite(report, counts)};
}

/**
 * The document from its suites, written piece by piece (a streamed fleet run reads each suite from
 * its spool when written); the totals come first, so the counts are read before the texts.
 */
export function writeJunit(suites: ReadonlyArray<{counts: Counts; text: () => string} | JunitSuite>, write: (text: string) => void): void {
  const totals = {tests: 0, failures: 0, errors: 0, skipped: 0};
  for (const {counts} of suites) {
    totals.tests += counts.tests;
    totals.failures += counts.failures;
    totals.errors += counts.errors;
    totals.skipped += counts.skipped;
  }
  write(`<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="tapdoctor" tests="${totals.tests}" failures="${totals.failures}" errors="${totals.errors}" skipped="${totals.skipped}">\n`);
  for (const s of suites) write(`${typeof s.text === 'function' ? s.text() : s.text}\n`);
  write('</testsuites>\n');
}

export interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function countResults(report: Report): Counts {
  const results = report.results;
  const c: Counts = {tests: results.length, failures: 0, errors: 0, skipped: 0};
  // The gate's verdict is a test of its own, failing unless SAFE; waiver problems are one more.
  if (report.gate) {
    c.tests += 1;
    if (report.gate.verdict !== 'safe') c.failures += 1;
  }
  if (waiverProblems(report).length > 0) {
    c.tests += 1;
    c.failures += 1;
  }
  for (const r of results) {
    // A check whose every finding is waived passes: the waivers say why.
    if (r.status === 'fail' && r.findings.some((f) => !f.waiver)) c.failures += 1;
    else if (r.status === 'error') c.errors += 1;
    else if (r.status === 'skip') c.skipped += 1;
  }
  return c;
}

function renderSuite(report: Report, c: Counts): string {
  const {target} = report;
  const out: string[] = [];
  out.push(
    `  <testsuite name="${attr(target.host)}" tests="${c.tests}" failures="${c.failures}" errors="${c.errors}" skipped="${c.skipped}" timestamp="${attr(target.capturedAt)}" hostname="${attr(target.host)}">`,
  );
  out.push('    <properties>');
  out.push(`      <property name="mode" value="${attr(target.mode)}"/>`);
  if (target.path !== undefined) out.push(`      <property name="path" value="${attr(target.path)}"/>`);
  if (report.run) {
    const run = report.run;
    out.push(`      <property name="settings" value="${attr(run.settingsFrom)}"/>`);
    if (run.only.length > 0) out.push(`      <property name="only" value="${attr(run.only.join(','))}"/>`);
    if (run.skip.length > 0) out.push(`      <property name="skip" value="${attr(run.skip.join(','))}"/>`);
    if (run.deselected.length > 0) out.push(`      <property name="deselected" value="${attr(run.deselected.join(','))}"/>`);
    for (const w of run.waivers) out.push(`      <property name="waiver" value="${attr(waiverLine(w))}"/>`);
  }
  out.push('    </properties>');
  const classname = `tapdoctor.${target.host}`;
  if (report.gate) out.push(...renderGateCase(report.gate, classname));
  for (const r of report.results) out.push(...renderCase(r, classname));
  const problems = waiverProblems(report);
  if (problems.length > 0) {
    out.push(`    <testcase classname="${attr(classname)}" name="waivers">`);
    for (const w of problems) out.push(`      <failure message="${attr(waiverLine(w))}" type="${attr(w.severity ?? 'warning')}"/>`);
    out.push('    </testcase>');
  }
  // Source problems explain skips ("needs root"); CI shows system-err next to the suite.
  if (report.sourceProblems.length > 0) {
    const lines = report.sourceProblems.map((p) => `${p.source}: ${p.problem}`);
    out.push(`    <system-err>${text(lines.join('\n'))}</system-err>`);
  }
  out.push('  </testsuite>');
  return out.join('\n');
}

function renderCase(r: CheckResult, classname: string): string[] {
  const open = `    <testcase classname="${attr(classname)}" name="${attr(`${r.id} ${r.slug}`)}"`;
  const body: string[] = [];
  if (r.status === 'fail') {
    for (const f of r.findings) {
      if (f.waiver) continue;
      body.push(`      <failure message="${attr(failureMessage(f))}" type="${attr(f.severity)}">${text(failureBody(f))}</failure>`);
    }
    const waived = r.findings.filter((f) => f.waiver);
    if (waived.length > 0) body.push(`      <system-out>${text(waived.map((f) => `waived: ${f.subject}: ${f.message} (${f.waiver!.reason}; until ${f.waiver!.expires})`).join('\n'))}</system-out>`);
  } else if (r.status === 'skip') {
    body.push(`      <skipped message="${attr(r.reason ?? 'skipped')}"/>`);
  } else if (r.status === 'error') {
    body.push(`      <error message="${attr(r.reason ?? 'check failed to run')}"/>`);
  } else if (r.status === 'n/a') {
    // Not applicable is no gap in coverage: CI counts it as passed, the property says why.
    body.push(
      '      <properties>',
      '        <property name="tapdoctor.status" value="n/a"/>',
      `        <property name="tapdoctor.reason" value="${attr(r.reason ?? 'not applicable')}"/>`,
      '      </properties>',
    );
  } else if (r.reason) {
    // A pass that could not cover everything says so; never silent.
    body.push(`      <system-out>${text(r.reason)}</system-out>`);
  }
  if (body.length === 0) return [`${open}/>`];
  return [`${open}>`, ...body, '    </testcase>'];
}

/** The gate as a test: passes only when SAFE; each blocker a failure, or the open questions as one. */
function renderGateCase(gate: GateVerdict, classname: string): string[] {
  const out = [`    <testcase classname="${attr(classname)}" name="gate">`];
  for (const b of gate.blockers) out.push(`      <failure message="${attr(`${b.id} ${b.subject}: ${b.message}`)}" type="blocker">${text(b.fix)}</failure>`);
  if (gate.verdict === 'unknown') out.push(`      <failure message="${attr(gate.line)}" type="cannot-tell">${text(gate.unknowns.map((u) => `${u.what}: ${u.reason}`).join('\n'))}</failure>`);
  const info = [gate.line, ...gate.heals.map((h) => `heals at boot: ${h.id} ${h.subject}: ${h.message} (${h.why})`), ...(gate.verdict === 'not-safe' ? gate.unknowns.map((u) => `open question: ${u.what}: ${u.reason}`) : []), ...gate.notes];
  out.push(`      <system-out>${text(info.join('\n'))}</system-out>`, '    </testcase>');
  return out;
}

function waiverProblems(report: Report): WaiverUse[] {
  return (report.run?.waivers ?? []).filter((w) => w.status !== 'applied');
}

/** The one line CI lists: the message, prefixed with the subject unless it already names it. */
function failureMessage(f: Finding): string {
  return f.message.includes(f.subject) ? f.message : `${f.subject}: ${f.message}`;
}

/** The text CI shows when a finding is expanded: everything needed to act on it. */
export function failureBody(f: Finding): string {
  const parts = [`${f.checkId} ${f.slug} [${f.severity}] ${f.subject}`, f.message, '', 'Why:', f.explanation, '', 'Fix:', f.fix];
  if (f.evidence.length > 0) {
    parts.push('', 'Evidence:');
    for (const e of f.evidence) {
      parts.push(`  ${e.source}:`);
      for (const line of e.lines) parts.push(`    ${line}`);
    }
  }
  return parts.join('\n');
}

// --- XML escaping ------------------------------------------------------------------------------

/**
 * Make a string storable in XML 1.0: characters the spec forbids outright (C0 controls other than
 * tab/LF/CR, U+FFFE/U+FFFF, lone surrogates) cannot even be written as character references, so
 * they become visible `\xNN` / `\uNNNN` text instead of silently vanishing from evidence.
 */
export function xmlSafe(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
        continue;
      }
      out += `\\u${hex(c, 4)}`;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      out += `\\u${hex(c, 4)}`;
    } else if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0xfffe || c === 0xffff) {
      out += c < 0x100 ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`;
    } else {
      out += s[i];
    }
  }
  return out;
}

function hex(n: number, width: number): string {
  return n.toString(16).toUpperCase().padStart(width, '0');
}

/**
 * Element content: & and < must go; > too, so `]]>` can never appear. CR becomes a reference
 * because parsers fold a literal CR/CRLF into LF (end-of-line handling).
 */
export function text(s: string): string {
  return xmlSafe(s).replace(/[&<>\r]/g, (ch) => ATTR_ESCAPES[ch]!);
}

/**
 * Attribute value in double quotes. Tab, LF and CR become character references because an XML
 * parser normalises literal ones to spaces (attribute-value normalisation) and the text would change.
 */
export function attr(s: string): string {
  return xmlSafe(s).replace(/[&<>"\t\n\r]/g, (ch) => ATTR_ESCAPES[ch]!);
}

const ATTR_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};
