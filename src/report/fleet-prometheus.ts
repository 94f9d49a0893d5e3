// Prometheus text of a fleet run, for one textfile on the controller: every host's series as the
// single-host renderer writes them, with a `host` label on every sample, plus the fleet checks
// under host="fleet" and the fleet findings that name each host. One HELP/TYPE per family.
import {fleetFindings, type FleetReport} from '../fleet/report.js';
import {SEVERITIES} from '../model.js';
import {TOOL_VERSION} from '../version.js';
import {CHECK_STATUSES, escapeLabelValue, renderPrometheus} from './prometheus.js';

interface Family {
  head: string[];
  samples: string[];
}

export function renderFleetPrometheus(report: FleetReport, nowSeconds: number): string {
  const families = new Map<string, Family>();
  const family = (name: string, help: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = {head: [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`], samples: []}));
    return f;
  };
  const add = (name: string, labels: Record<string, string>, value: number) => {
    const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
    families.get(name)!.samples.push(`${name}{${pairs.join(',')}} ${value}`);
  };

  for (const h of report.hosts) {
    if (!h.report) continue;
    let current: Family | undefined;
    const text = renderPrometheus(h.report, nowSeconds, {version: TOOL_VERSION});
    const hostLabel = `host="${escapeLabelValue(h.name)}"`;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const help = /^# HELP (\S+) (.*)$/.exec(line);
      if (help) {
        current = family(help[1]!, help[2]!);
        continue;
      }
      if (line.startsWith('#') || !current) continue;
      // Every sample gets the host label (tapdoctor_info already carries it).
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (.+)$/.exec(line)!;
      const labels = (m[3] ?? '').replace(/(^|,)host="(?:[^"\\]|\\.)*"/, '').replace(/^,/, '');
      current.samples.push(`${m[1]}{${[hostLabel, labels].filter(Boolean).join(',')}} ${m[4]}`);
    }
  }

  family('tapdoctor_host_readable', 'Whether the host snapshot could be analyzed (1) or not (0).');
  for (const h of report.hosts) add('tapdoctor_host_readable', {host: h.name}, h.report ? 1 : 0);
  family('tapdoctor_fleet_check_status', 'Status of each fleet check: 1 for the status it has, 0 for the others.');
  for (const r of report.fleet.results) for (const s of CHECK_STATUSES) add('tapdoctor_fleet_check_status', {host: 'fleet', id: r.id, slug: r.slug, status: s}, r.status === s ? 1 : 0);
  family('tapdoctor_fleet_findings', 'Fleet findings naming the host, per severity (host="fleet": all of them).');
  const findings = fleetFindings(report);
  for (const sev of SEVERITIES) add('tapdoctor_fleet_findings', {host: 'fleet', severity: sev}, findings.filter((f) => f.severity === sev).length);
  for (const h of report.hosts) for (const sev of SEVERITIES) add('tapdoctor_fleet_findings', {host: h.name, severity: sev}, findings.filter((f) => f.severity === sev && f.hosts.includes(h.name)).length);

  const out: string[] = [];
  for (const f of families.values()) out.push(...f.head, ...f.samples);
  return `${out.join('\n')}\n`;
}
