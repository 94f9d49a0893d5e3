// Fleet checks over the host views: results in the single-host shape, findings with `hosts`.
import {shortExplanation} from '../checks/docs.js';
import type {CheckResult, WaiverUse} from '../model.js';
import type {FleetCheckDefinition, FleetFinding, HostRemedy} from './define.js';
import {Fleet, type FleetOptions, type Topology} from './fleet.js';
import type {FleetHostView} from './host-view.js';
import {standaloneFixText} from './plan.js';
import {findingRef} from '../remedies/plan.js';

export interface FleetCheckResult extends CheckResult {
  findings: FleetFinding[];
}

export interface FleetAnalysis {
  topology: Topology;
  results: FleetCheckResult[];
  /** Waivers naming fleet checks, and what became of them (set by the CLI). */
  waivers?: WaiverUse[];
}

/** Each finding's steps per host, until the hosts' plans take them (plan.ts). */
const REMEDIES = new WeakMap<FleetFinding, readonly HostRemedy[]>();

export function remediesOf(f: FleetFinding): readonly HostRemedy[] {
  return REMEDIES.get(f) ?? [];
}

export function runFleetChecks(views: readonly FleetHostView[], checks: readonly FleetCheckDefinition[], options: FleetOptions): FleetAnalysis {
  const fleet = new Fleet(views, options);
  const results = checks.map((check): FleetCheckResult => {
    const base = {id: check.id, slug: check.slug, title: check.title, severity: check.severity};
    try {
      const out = check.run(fleet);
      if (!Array.isArray(out)) return {...base, status: 'skip', reason: out.reason, findings: []};
      const findings = out.map((d): FleetFinding => {
        const finding: FleetFinding = {
          checkId: check.id,
          slug: check.slug,
          severity: d.severity ?? check.severity,
          subject: d.subject,
          message: d.message,
          explanation: shortExplanation(check.id),
          // Alone, the finding's own steps; planFleet replaces it by the slices of the hosts' plans.
          fix: standaloneFixText(findingRef({checkId: check.id, subject: d.subject}), d.fix),
          evidence: d.evidence,
          hosts: d.hosts,
        };
        REMEDIES.set(finding, d.fix);
        return finding;
      });
      return {...base, status: findings.length > 0 ? 'fail' : 'pass', findings};
    } catch (error) {
      return {...base, status: 'error', reason: `internal error in ${check.id}: ${(error as Error).message}`, findings: []};
    }
  });
  return {topology: fleet.topology, results};
}
