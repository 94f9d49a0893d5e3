// `--format script`: the report's plan with a header naming the host, the time and the findings.
import type {Finding, Report} from '../model.js';
import {buildPlan, findingRef} from './plan.js';
import {renderScript} from './script.js';
import {q} from './shell.js';

export interface ScriptContext {
  /** Fleet runs: the fleet findings whose steps this host's plan carries. */
  fleetFindings?: readonly Finding[];
  /** Fleet runs: what verifies the repair (a new snapshot analyzed with the others). */
  verify?: string;
}

export function renderReportScript(report: Report, command: 'check' | 'gate', ctx: ScriptContext = {}): string {
  const plan = report.plan ?? buildPlan([]);
  const findings = [...report.results.flatMap((r) => r.findings), ...(ctx.fleetFindings ?? [])].map((f) => ({ref: findingRef(f), severity: f.severity, message: f.message}));
  const rootFlag = plan.root !== '/' ? ` --root ${q(plan.root)}` : '';
  const verify = ctx.verify ?? (report.target.mode === 'live' ? `tapdoctor ${command}${rootFlag}` : `tapdoctor ${command}   # on ${report.target.host}: the findings above must be gone`);
  return renderScript(plan, {
    host: report.target.host,
    capturedAt: report.target.capturedAt,
    source: report.target.mode === 'live' ? 'the live host' : `snapshot ${report.target.path ?? ''}`.trim(),
    findings,
    verify,
  });
}
