// The fleet report: one entry per host (its single-host report, or why its snapshot could not be
// read), the fleet checks' results, and the verdict per host. Built from the pool's outcomes.
import type {Report, Severity} from '../model.js';
import type {FleetAnalysis, FleetCheckResult} from './engine.js';
import type {FleetFinding} from './define.js';
import type {HostDigest, HostOutcome} from './host-job.js';
import type {FleetHostView} from './host-view.js';

export interface FleetHostEntry {
  /** Host name from the snapshot; the file name for an unreadable one. */
  name: string;
  path: string;
  /** Position among the snapshots analyzed (the key of its rendered chunks). */
  index: number;
  /** The host's report; absent when it was streamed out (then `digest` holds what is left). */
  report?: Report;
  digest?: HostDigest;
  view?: FleetHostView;
  /** Why the snapshot could not be analyzed. */
  unreadable?: string;
  /** The host's own wiring picture (HTML fleet reports only). */
  topologySvg?: string;
  /** Older snapshots of the same host, ignored in favour of this one. */
  superseded?: Array<{path: string; capturedAt: string}>;
}

export interface FleetReport {
  hosts: FleetHostEntry[];
  fleet: FleetAnalysis;
  complete: boolean;
}

export type HostVerdict = 'ok' | 'warning' | 'error' | 'unreadable';

/**
 * Host entries from the outcomes. Two snapshots of one host (same name, same uplink MAC, or no MAC
 * known) keep the newer; a same-named host with another uplink MAC is another machine (TD205).
 */
export function hostEntries(outcomes: readonly HostOutcome[]): FleetHostEntry[] {
  const out: FleetHostEntry[] = [];
  const byIdentity = new Map<string, FleetHostEntry>();
  for (const [index, o] of outcomes.entries()) {
    if (!o.ok) {
      out.push({name: o.path.split('/').pop() ?? o.path, path: o.path, index, unreadable: o.reason});
      continue;
    }
    const entry: FleetHostEntry = {name: o.view.name, path: o.path, index, view: o.view, ...(o.report ? {report: o.report} : {}), ...(o.digest ? {digest: o.digest} : {}), ...(o.topologySvg ? {topologySvg: o.topologySvg} : {})};
    const identity = `${o.view.name}|${o.view.uplink?.mac ?? ''}`;
    const earlier = byIdentity.get(identity);
    if (!earlier) {
      byIdentity.set(identity, entry);
      out.push(entry);
      continue;
    }
    const [newer, older] = o.view.capturedAt > earlier.view!.capturedAt ? [entry, earlier] : [earlier, entry];
    newer.superseded = [...(earlier.superseded ?? []), {path: older.path, capturedAt: older.view!.capturedAt}];
    if (newer === entry) {
      out[out.indexOf(earlier)] = entry;
      byIdentity.set(identity, entry);
    }
  }
  return out;
}

export function fleetFindings(report: FleetReport): FleetFinding[] {
  return report.fleet.results.flatMap((r: FleetCheckResult) => r.findings);
}

/** A readable host's findings per severity (waived ones left out). */
export function hostFindingCounts(entry: FleetHostEntry): Record<Severity, number> | undefined {
  return entry.digest?.findings ?? entry.report?.summary.findings;
}

export function hostVerdict(entry: FleetHostEntry): HostVerdict {
  const s = entry.unreadable ? undefined : hostFindingCounts(entry);
  if (!s) return 'unreadable';
  return s.error > 0 ? 'error' : s.warning > 0 ? 'warning' : 'ok';
}

/** Findings per severity over every host and the fleet checks. */
export function fleetSummary(report: FleetReport): {hosts: number; unreadable: number; findings: Record<Severity, number>; fleetFindings: Record<Severity, number>} {
  const findings: Record<Severity, number> = {error: 0, warning: 0, info: 0};
  const fleet: Record<Severity, number> = {error: 0, warning: 0, info: 0};
  for (const h of report.hosts) {
    const counts = hostFindingCounts(h);
    if (counts) for (const sev of ['error', 'warning', 'info'] as const) findings[sev] += counts[sev];
  }
  for (const f of fleetFindings(report)) {
    findings[f.severity] += 1;
    fleet[f.severity] += 1;
  }
  return {hosts: report.hosts.length, unreadable: report.hosts.filter((h) => h.unreadable).length, findings, fleetFindings: fleet};
}
