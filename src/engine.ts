// The analysis pipeline after collection: snapshot -> facts -> checks -> report. Shared by
// `check`, `analyze` and `gate`, so live and offline runs give the same findings.
import type {TapdoctorConfig} from './config.js';
import type {CheckDefinition, CheckOutcome, FindingDraft} from './checks/define.js';
import {notApplicableReason} from './checks/applicability.js';
import {shortExplanation} from './checks/docs.js';
import {Facts, FactUnavailable} from './facts/facts.js';
import {summarize, type CheckResult, type Finding, type Report, type SourceProblem} from './model.js';
import {CATALOGUE, type CommandSource} from './sources/catalogue.js';
import {SnapshotView, type Snapshot} from './sources/snapshot.js';
import {buildPlan, findingRef, ownSlice, planSlices, type Plan} from './remedies/plan.js';
import type {Step} from './remedies/step.js';

export interface AnalyzeOptions {
  only?: string[];
  skip?: string[];
  mode: 'live' | 'snapshot';
  path?: string;
}

export function selectChecks(all: readonly CheckDefinition[], only?: string[], skip?: string[]): CheckDefinition[] {
  const norm = (ids?: string[]) => new Set((ids ?? []).map((i) => i.toUpperCase()));
  const o = norm(only);
  const s = norm(skip);
  return all.filter((c) => (o.size === 0 || o.has(c.id) || o.has(c.slug.toUpperCase())) && !s.has(c.id) && !s.has(c.slug.toUpperCase()));
}

/**
 * `planned`: the caller builds the report's plan (planReport), which gives every finding its fix;
 * each finding's own plan would be built only to be replaced (300 findings on a 300-tap host).
 */
export function runCheck(check: CheckDefinition, facts: Facts, opts: {planned?: boolean} = {}): CheckResult {
  const base = {id: check.id, slug: check.slug, title: check.title, severity: check.severity};
  let outcome: CheckOutcome;
  try {
    const notHere = notApplicableReason(check.appliesTo, facts);
    if (notHere) return {...base, status: 'n/a', reason: notHere, findings: []};
    const out = check.run(facts);
    outcome = Array.isArray(out) ? (out.length > 0 ? {status: 'fail', findings: out} : {status: 'pass'}) : out;
  } catch (error) {
    if (error instanceof FactUnavailable) {
      return {...base, status: error.kind === 'error' ? 'error' : 'skip', reason: error.reason, findings: []};
    }
    return {...base, status: 'error', reason: `internal error in ${check.id}: ${(error as Error).message}`, findings: []};
  }
  if (outcome.status === 'skip' || outcome.status === 'n/a') return {...base, status: outcome.status, reason: outcome.reason, findings: []};
  if (outcome.status === 'pass') return {...base, status: 'pass', ...(outcome.note ? {reason: outcome.note} : {}), findings: []};
  if (outcome.findings.length === 0) return {...base, status: 'pass', findings: []};
  try {
    return {...base, status: 'fail', findings: outcome.findings.map((d) => toFinding(check, d, opts.planned ?? false))};
  } catch (error) {
    return {...base, status: 'error', reason: `internal error in ${check.id}: ${(error as Error).message}`, findings: []};
  }
}

/** The steps each finding asked for, until the report's plan is built from them. */
const STEPS = new WeakMap<Finding, readonly Step[]>();

function toFinding(check: CheckDefinition, d: FindingDraft, planned: boolean): Finding {
  // A kind must be declared in the meta: that is what keeps it stable, documented and tested.
  const kind = d.kind === undefined ? undefined : check.kinds?.[d.kind];
  if (d.kind !== undefined && !kind) throw new Error(`${check.id} reports kind ${d.kind}, which its meta does not declare`);
  const finding: Finding = {
    checkId: check.id,
    slug: check.slug,
    kind: `${check.id}/${d.kind ?? check.slug}`,
    severity: d.severity ?? kind?.severity ?? check.severity,
    subject: d.subject,
    message: d.message,
    explanation: d.explanation ?? shortExplanation(check.id),
    fix: '',
    evidence: d.evidence,
  };
  const steps = d.fix;
  STEPS.set(finding, steps);
  // Alone, a finding's fix is its own plan; in a report (planned) it is its slice of the report's plan.
  if (!planned) finding.fix = ownSlice(findingRef(finding), steps);
  return finding;
}

/** One plan from every finding's remedy; each finding's fix becomes its slice of it. */
export function planReport(results: readonly CheckResult[], root: string): Plan {
  // Only findings made by runCheck have steps; any other keeps the fix text it came with.
  const findings = results.flatMap((r) => r.findings).filter((f) => STEPS.has(f));
  const stepsOf = (f: Finding) => STEPS.get(f) ?? [];
  // Info findings are no fault (e.g. a share that is optional here): their advice is theirs alone,
  // never run by the repair script.
  const faults = findings.filter((f) => f.severity !== 'info');
  const plan = buildPlan(faults.map((f) => ({ref: findingRef(f), steps: stepsOf(f)})), root);
  const sliceOf = planSlices(plan);
  for (const f of faults) f.fix = sliceOf(findingRef(f));
  for (const f of findings.filter((x) => x.severity === 'info')) f.fix = ownSlice(findingRef(f), stepsOf(f), root);
  return plan;
}

/** The report and the Facts its checks read: renderers that draw the host (HTML) reuse those facts. */
export interface Analysis {
  report: Report;
  facts: Facts;
}

export function analyzeSnapshot(snapshot: Snapshot, checks: readonly CheckDefinition[], config: TapdoctorConfig, opts: AnalyzeOptions): Report {
  return analyzeWithFacts(snapshot, checks, config, opts).report;
}

/** The report and the facts it was computed from (fleet analysis and the HTML drawing read more from the same facts). */
export function analyzeWithFacts(snapshot: Snapshot, checks: readonly CheckDefinition[], config: TapdoctorConfig, opts: AnalyzeOptions): Analysis {
  const view = new SnapshotView(snapshot);
  const facts = new Facts(view, config);
  const results = checks.map((c) => runCheck(c, facts, {planned: true}));
  const plan = planReport(results, snapshot.manifest.root ?? '/');
  return {facts, report: {
    plan,
    target: {mode: opts.mode, host: snapshot.manifest.hostname, path: opts.path, capturedAt: snapshot.manifest.capturedAt},
    results,
    summary: summarize(results),
    // Lines the facts' tolerant parsers skipped: noted while the checks ran, so after them.
    sourceProblems: [...sourceProblems(snapshot), ...facts.parseProblems()],
  }};
}

function sourceProblems(snapshot: Snapshot): SourceProblem[] {
  const out: SourceProblem[] = [];
  for (const rec of Object.values(snapshot.manifest.sources)) {
    if (notInUse(snapshot, rec.name, rec.reason)) continue;
    if (rec.status === 'failed') out.push({source: rec.name, problem: rec.reason ?? 'failed'});
    else for (const e of rec.entries) if (e.error) out.push({source: `${rec.name}${e.key ? ` [${e.key}]` : ` ${e.binding}`}`, problem: e.error});
  }
  return out;
}

/**
 * A tool the host does not use is not installed (firewall-cmd on an nft host; iptables-save where
 * nft answered): no collection problem.
 */
function notInUse(snapshot: Snapshot, name: string, reason: string | undefined): boolean {
  const spec = commandSpec(name);
  if (!spec || reason !== `${spec.argv[0]} not found`) return false;
  if (spec.absentMeansUnused) return true;
  const group = spec.alternatives;
  return group !== undefined && Object.values(snapshot.manifest.sources).some((r) => r.status !== 'failed' && commandSpec(r.name)?.alternatives === group);
}

function commandSpec(name: string): CommandSource | undefined {
  return CATALOGUE.find((s): s is CommandSource => s.name === name && s.kind === 'command');
}
