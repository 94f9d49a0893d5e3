// Prometheus text of a fleet run, for one textfile on the controller: every host's series as the
// single-host renderer writes them, with a `host` label on every sample, plus the fleet checks
// under host="fleet" and the fleet findings that name each host. One HELP/TYPE per family, its
// samples host after host. Each host's samples are rendered when the host is analyzed and kept
// per family as chunks (fleet/chunks.ts), so a streamed fleet run never holds the reports.
import {renderHeld, type HostChunks} from '../fleet/chunks.js';
import {fleetFindings, type FleetReport} from '../fleet/report.js';
import {SEVERITIES, type Report} from '../model.js';
import {TOOL_VERSION} from '../version.js';
import {CHECK_STATUSES, escapeLabelValue, renderPrometheus, sample as sampleLine} from './prometheus.js';

/** The families' HELP texts, shared by every host (a few dozen lines whatever the fleet's size). */
export type FamilyHelp = Map<string, string>;

const FAMILIES = 'prom-families';
const familyKey = (name: string) => `prom:${name}`;

/** A host's samples, each with its host label, stored per family; the family names in the host's order. */
export function spoolHostPrometheus(chunks: HostChunks, help: FamilyHelp, index: number, host: string, report: Report, nowSeconds: number): void {
  const hostLabel = `host="${escapeLabelValue(host)}"`;
  const samples = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of renderPrometheus(report, nowSeconds, {version: TOOL_VERSION}).split('\n')) {
    if (line === '') continue;
    const h = /^# HELP (\S+) (.*)$/.exec(line);
    if (h) {
      if (!help.has(h[1]!)) help.set(h[1]!, h[2]!);
      current = samples.get(h[1]!) ?? samples.set(h[1]!, []).get(h[1]!)!;
      continue;
    }
    if (line.startsWith('#') || !current) continue;
    // Every sample gets the host label (tapdoctor_info already carries it).
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (.+)$/.exec(line)!;
    const labels = (m[3] ?? '').replace(/(^|,)host="(?:[^"\\]|\\.)*"/, '').replace(/^,/, '');
    current.push(`${m[1]}{${[hostLabel, labels].filter(Boolean).join(',')}} ${m[4]}`);
  }
  chunks.put(index, FAMILIES, [...samples.keys()].join('\n'));
  for (const [name, lines] of samples) chunks.put(index, familyKey(name), lines.join('\n'));
}

export function writeFleetPrometheus(report: FleetReport, chunks: HostChunks, help: FamilyHelp, write: (text: string) => void): void {
  const hosts = report.hosts.filter((h) => !h.unreadable);
  // Families in the order the hosts name them first.
  const order = new Set<string>();
  for (const h of hosts) for (const name of chunks.get(h.index, FAMILIES)?.split('\n') ?? []) if (name !== '') order.add(name);
  const head = (name: string, text: string) => write(`# HELP ${name} ${text}\n# TYPE ${name} gauge\n`);
  for (const name of order) {
    head(name, help.get(name) ?? name);
    for (const h of hosts) {
      const lines = chunks.get(h.index, familyKey(name));
      if (lines) write(`${lines}\n`);
    }
  }
  const sample = (name: string, labels: Record<string, string>, value: number) => write(`${sampleLine(name, labels, value)}\n`);
  head('tapdoctor_host_readable', 'Whether the host snapshot could be analyzed (1) or not (0).');
  for (const h of report.hosts) sample('tapdoctor_host_readable', {host: h.name}, h.unreadable ? 0 : 1);
  head('tapdoctor_fleet_check_status', 'Status of each fleet check: 1 for the status it has, 0 for the others.');
  for (const r of report.fleet.results) for (const s of CHECK_STATUSES) sample('tapdoctor_fleet_check_status', {host: 'fleet', id: r.id, slug: r.slug, status: s}, r.status === s ? 1 : 0);
  head('tapdoctor_fleet_findings', 'Fleet findings naming the host, per severity (host="fleet": all of them).');
  const findings = fleetFindings(report);
  for (const sev of SEVERITIES) sample('tapdoctor_fleet_findings', {host: 'fleet', severity: sev}, findings.filter((f) => f.severity === sev).length);
  for (const h of report.hosts) for (const sev of SEVERITIES) sample('tapdoctor_fleet_findings', {host: h.name, severity: sev}, findings.filter((f) => f.severity === sev && f.hosts.includes(h.name)).length);
}

/** The Prometheus text of a report that holds its hosts' reports. */
export function renderFleetPrometheus(report: FleetReport, nowSeconds: number): string {
  const help: FamilyHelp = new Map();
  return renderHeld(report, (chunks, index, name, host) => spoolHostPrometheus(chunks, help, index, name, host, nowSeconds), (chunks, write) => writeFleetPrometheus(report, chunks, help, write));
}
