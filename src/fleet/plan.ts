// Each host's repair plan in a fleet run: the host's own findings' steps and the steps of every
// fleet finding that host must carry out, merged by the one plan builder (src/remedies/plan.ts:
// one step per job, `satisfies`, phases). A fleet finding's fix text is, per host it names, that
// host's slice of its plan, so the fleet report, the host's script and its own findings agree.
import type {CheckResult} from '../model.js';
import {buildPlan, findingRef, ownSlice, planSlices, type Plan, type PlanInput} from '../remedies/plan.js';
import type {FleetFinding, HostRemedy} from './define.js';

/** A host's plan and, when still held, its check results (their findings' fix texts follow the plan). */
export interface PlanHolder {
  plan?: Plan;
  results?: readonly CheckResult[];
}

/** A plan back into the inputs that build it again: each step asked for by its findings, in plan order. */
function planInputs(plan: Plan): PlanInput[] {
  return plan.steps.flatMap(({findings, ...step}) => findings.map((ref) => ({ref, steps: [step]})));
}

/** The fix text of a fleet finding: per host, `# on HOST:` and its slice of that host's plan. */
function fleetFixText(ref: string, remedies: readonly HostRemedy[], sliceOf: (host: string) => string): string {
  return remedies
    .map((r) => {
      const slice = sliceOf(r.host);
      return slice === '' ? '' : `# on ${r.host}:\n${slice}`;
    })
    .filter((t) => t !== '')
    .join('\n');
}

/** Alone (no host plan yet, e.g. in a unit test), a finding's fix is a plan of its own steps. */
export function standaloneFixText(ref: string, remedies: readonly HostRemedy[], rootOf: (host: string) => string = () => '/'): string {
  return fleetFixText(ref, remedies, (host) => hostOwnSlice(ref, remedies, host, rootOf(host)));
}

/** The finding's steps for one host as a plan of their own. */
function hostOwnSlice(ref: string, remedies: readonly HostRemedy[], host: string, root: string): string {
  return ownSlice(ref, remedies.filter((r) => r.host === host).flatMap((r) => r.steps), root);
}

/**
 * Merge the fleet findings' steps into the reports of the hosts that must carry them out (info
 * findings are no fault: their advice stays theirs, as on one host), then set every fix text from
 * the merged plans. `reports`: the host reports by host name (the first of a name).
 */
export function planFleet(reports: ReadonlyMap<string, PlanHolder>, findings: readonly FleetFinding[], remediesOf: (f: FleetFinding) => readonly HostRemedy[]): void {
  // Each host's plan is sliced for all its findings at once (planSlices), not once per finding.
  const slicers = new Map<Plan, (ref: string) => string>();
  const slicesOf = (plan: Plan) => {
    let sliceOf = slicers.get(plan);
    if (!sliceOf) slicers.set(plan, (sliceOf = planSlices(plan)));
    return sliceOf;
  };
  const extra = new Map<string, PlanInput[]>();
  for (const f of findings) {
    if (f.severity === 'info') continue;
    for (const r of remediesOf(f)) {
      if (!reports.has(r.host)) continue;
      extra.set(r.host, [...(extra.get(r.host) ?? []), {ref: findingRef(f), steps: r.steps}]);
    }
  }
  for (const [host, inputs] of extra) {
    const report = reports.get(host)!;
    const own = report.plan ?? buildPlan([]);
    const plan = buildPlan([...planInputs(own), ...inputs], own.root);
    report.plan = plan;
    // The host's own findings: their fix is their slice of the merged plan (a fleet step may do their job).
    const planned = new Set(own.steps.flatMap((s) => s.findings));
    const sliceOf = slicesOf(plan);
    for (const f of (report.results ?? []).flatMap((r) => r.findings)) if (planned.has(findingRef(f))) f.fix = sliceOf(findingRef(f));
  }
  const rootOf = (host: string) => reports.get(host)?.plan?.root ?? '/';
  for (const f of findings) {
    const ref = findingRef(f);
    const remedies = remediesOf(f);
    const sliceOf = (host: string) => {
      const plan = reports.get(host)?.plan;
      return plan ? slicesOf(plan)(ref) : hostOwnSlice(ref, remedies, host, rootOf(host));
    };
    f.fix = f.severity === 'info' ? standaloneFixText(ref, remedies, rootOf) : fleetFixText(ref, remedies, sliceOf);
  }
}
