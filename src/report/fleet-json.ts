// The JSON of a fleet run (schema/fleet-report.schema.json): the fleet checks and their findings
// (the single-host finding shape plus `hosts`), then one single-host report per host.
import {fleetFindings, fleetSummary, hostVerdict, type FleetReport} from '../fleet/report.js';
import {TOOL_VERSION} from '../version.js';
import {SCHEMA_VERSION, toJsonReport} from './json.js';

export function toFleetJson(report: FleetReport): object {
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: {name: 'tapdoctor', version: TOOL_VERSION},
    summary: fleetSummary(report),
    fleet: {
      topology: report.fleet.topology,
      complete: report.complete,
      hosts: report.hosts.map((h) => ({
        name: h.name,
        path: h.path,
        verdict: hostVerdict(h),
        ...(h.unreadable ? {reason: h.unreadable} : {}),
        ...(h.report ? {findings: h.report.summary.findings} : {}),
        ...(h.superseded ? {superseded: h.superseded} : {}),
      })),
      checks: report.fleet.results.map((r) => ({id: r.id, slug: r.slug, title: r.title, severity: r.severity, status: r.status, ...(r.reason ? {reason: r.reason} : {})})),
      findings: fleetFindings(report),
      ...(report.fleet.waivers && report.fleet.waivers.length > 0 ? {waivers: report.fleet.waivers} : {}),
    },
    hosts: report.hosts.flatMap((h) => (h.report ? [toJsonReport(h.report)] : [])),
  };
}

export function renderFleetJson(report: FleetReport): string {
  return `${JSON.stringify(toFleetJson(report), null, 2)}\n`;
}
