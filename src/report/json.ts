// The versioned JSON report. Its shape is fixed by schema/report.schema.json; bump
// SCHEMA_VERSION on any incompatible change.
import type {Finding, Report} from '../model.js';
import {TOOL_VERSION} from '../version.js';

// 2: check status `n/a` (does not apply) apart from `skip` (could not determine); summary["n/a"].
export const SCHEMA_VERSION = 2;

export function toJsonReport(report: Report): object {
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: {name: 'tapdoctor', version: TOOL_VERSION},
    target: {mode: report.target.mode, host: report.target.host, ...(report.target.path ? {path: report.target.path} : {}), capturedAt: report.target.capturedAt},
    ...(report.run ? {run: report.run} : {}),
    summary: report.summary,
    checks: report.results.map((r) => ({id: r.id, slug: r.slug, title: r.title, severity: r.severity, status: r.status, ...(r.reason ? {reason: r.reason} : {})})),
    findings: report.results.flatMap((r) => r.findings.map((f) => ({...f, kind: findingKind(f)}))),
    sourceProblems: report.sourceProblems,
    ...(report.gate ? {gate: report.gate} : {}),
  };
}

export function renderJson(report: Report): string {
  return `${JSON.stringify(toJsonReport(report), null, 2)}\n`;
}

/** A finding's stable kind (`TD010/ovsdb-server-down`); one without is the check's only kind. */
export function findingKind(f: Finding): string {
  return f.kind ?? `${f.checkId}/${f.slug}`;
}
