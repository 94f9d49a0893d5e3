// The JSON of a fleet run (schema/fleet-report.schema.json): the fleet checks and their findings
// (the single-host finding shape plus `hosts`), then one single-host report per host. The hosts'
// reports are written one at a time from their rendered chunks (fleet/chunks.ts), so a streamed
// fleet run never holds them all; the text is the same as one JSON.stringify of the whole.
import {renderHeld, type HostChunks} from '../fleet/chunks.js';
import {fleetFindings, fleetSummary, hostFindingCounts, hostVerdict, type FleetReport} from '../fleet/report.js';
import type {Report} from '../model.js';
import {TOOL_VERSION} from '../version.js';
import {SCHEMA_VERSION, toJsonReport} from './json.js';

const KEY = 'json';

/** Everything but the hosts' reports (`hosts: []`). */
function fleetHead(report: FleetReport): object {
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: {name: 'tapdoctor', version: TOOL_VERSION},
    summary: fleetSummary(report),
    fleet: {
      topology: report.fleet.topology,
      complete: report.complete,
      hosts: report.hosts.map((h) => {
        const findings = hostFindingCounts(h);
        return {
          name: h.name,
          path: h.path,
          verdict: hostVerdict(h),
          ...(h.unreadable ? {reason: h.unreadable} : {}),
          ...(findings ? {findings} : {}),
          ...(h.superseded ? {superseded: h.superseded} : {}),
        };
      }),
      checks: report.fleet.results.map((r) => ({id: r.id, slug: r.slug, title: r.title, severity: r.severity, status: r.status, ...(r.reason ? {reason: r.reason} : {})})),
      findings: fleetFindings(report),
      ...(report.fleet.waivers && report.fleet.waivers.length > 0 ? {waivers: report.fleet.waivers} : {}),
    },
    hosts: [],
  };
}

/** A host's report as the fleet JSON holds it: rendered once, when the host is analyzed. */
export function spoolHostJson(chunks: HostChunks, index: number, report: Report): void {
  chunks.put(index, KEY, JSON.stringify(toJsonReport(report), null, 2));
}

/** Write the fleet JSON in pieces: the head, then each host's report in host order. */
export function writeFleetJson(report: FleetReport, chunks: HostChunks, write: (text: string) => void): void {
  const head = JSON.stringify(fleetHead(report), null, 2);
  const hosts = report.hosts.filter((h) => !h.unreadable);
  if (hosts.length === 0) {
    write(`${head}\n`);
    return;
  }
  // The head ends in `"hosts": []\n}`: the reports go between the brackets, indented as nested there.
  write(`${head.slice(0, head.lastIndexOf('[]'))}[`);
  let first = true;
  for (const h of hosts) {
    const chunk = chunks.get(h.index, KEY);
    if (chunk === undefined) continue;
    write(`${first ? '' : ','}\n    ${chunk.replaceAll('\n', '\n    ')}`);
    first = false;
  }
  write(first ? ']\n}\n' : '\n  ]\n}\n');
}

/** The fleet JSON of a report that holds its hosts' reports. */
export function renderFleetJson(report: FleetReport): string {
  return renderHeld(report, (chunks, index, _name, host) => spoolHostJson(chunks, index, host), (chunks, write) => writeFleetJson(report, chunks, write));
}
