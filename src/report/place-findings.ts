// Hangs the run's findings on the elements of the topology they name (by subject), for the HTML
// drawing; findings that name no drawn element (files, rules, settings) are listed as unplaced.
import type {Facts} from '../facts/facts.js';
import {topology, type FindingRef, type HostTopology} from '../facts/topology.js';
import type {Finding, Report} from '../model.js';

/** The run's topology (from the Facts the checks used) with the report's findings placed on it. */
export function buildTopology(facts: Facts, report: Report): HostTopology {
  return placeFindings(facts.get(topology), report);
}

/** A copy of `t` whose nodes carry the findings that name them; `t` (a cached fact) stays untouched. */
export function placeFindings(t: HostTopology, report: Report): HostTopology {
  const fresh = <N extends {findings: FindingRef[]}>(n: N): N => ({...n, findings: []});
  const out: HostTopology = {
    ...t,
    uplinks: t.uplinks.map(fresh),
    natNames: t.natNames.map(fresh),
    taps: t.taps.map(fresh),
    tunnels: t.tunnels.map(fresh),
    otherBridges: t.otherBridges.map(fresh),
    ...(t.bridge ? {bridge: fresh(t.bridge)} : {}),
  };
  out.unplaced = attachFindings(report, [...out.uplinks, ...out.natNames, ...(out.bridge ? [out.bridge] : []), ...out.taps, ...out.tunnels, ...out.otherBridges]);
  return out;
}

function attachFindings(report: Report, nodes: Array<{name: string; findings: FindingRef[]}>): FindingRef[] {
  const byName = new Map<string, Array<{findings: FindingRef[]}>>();
  for (const n of nodes) {
    const list = byName.get(n.name) ?? [];
    list.push(n);
    byName.set(n.name, list);
  }
  const unplaced: FindingRef[] = [];
  for (const r of report.results) {
    for (const f of r.findings) {
      // A waived finding is accepted: it is listed apart, not drawn as a fault.
      if (f.waiver) continue;
      const ref = toRef(f);
      const targets = byName.get(f.subject);
      if (targets) for (const t of targets) t.findings.push(ref);
      else unplaced.push(ref);
    }
  }
  return unplaced;
}

function toRef(f: Finding): FindingRef {
  return {checkId: f.checkId, slug: f.slug, severity: f.severity, subject: f.subject, message: f.message};
}
