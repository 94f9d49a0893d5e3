// `analyze A B C --format script`: the repair plans of a fleet run. Each host's plan holds its own
// findings' steps and the steps of the fleet findings it must carry out (plan.ts). `--host NAME`
// prints that host's plan alone; without it, one file for a rolling fix: copy it to every host
// and run it there; the host's name (uname -n, or TAPDOCTOR_HOST) picks its part.
import {UserError} from '../errors.js';
import type {Finding} from '../model.js';
import {findingRef} from '../remedies/plan.js';
import {renderReportScript} from '../remedies/report-script.js';
import {q} from '../remedies/shell.js';
import {fleetFindings, type FleetHostEntry, type FleetReport} from './report.js';

export function renderFleetScript(report: FleetReport, host?: string): string {
  const seen = new Set<string>();
  const entries = report.hosts.filter((h) => h.report && !seen.has(h.name) && seen.add(h.name));
  if (host !== undefined) {
    const entry = entries.find((h) => h.name === host);
    if (!entry) throw new UserError(`--host ${host}: no analyzed host has that name (hosts: ${entries.map((h) => h.name).join(', ') || 'none'})`);
    return hostScript(entry, report);
  }
  const out = [
    '#!/bin/sh',
    `# tapdoctor repair plans for ${entries.length} host${entries.length === 1 ? '' : 's'} of a fleet run, one part per host.`,
    '# Copy this file to every host and review it, then run it there: sh fix.sh',
    '# The part run is the one of the host name (uname -n); TAPDOCTOR_HOST=NAME picks another.',
    '# One host alone: tapdoctor analyze ... --format script --host NAME',
    'set -eu',
  ];
  for (const [i, h] of entries.entries()) {
    // The host's own script, shebang dropped, as a function: every part keeps its set -eu and stops.
    const body = hostScript(h, report).split('\n').slice(1).join('\n').trimEnd();
    out.push('', `tapdoctor_plan_${i + 1}() {`, body, '}');
  }
  out.push('', 'tapdoctor_host=${TAPDOCTOR_HOST:-$(uname -n)}', 'case "$tapdoctor_host" in');
  for (const [i, h] of entries.entries()) out.push(`  ${q(h.name)}) tapdoctor_plan_${i + 1} ;;`);
  out.push(`  *) echo "tapdoctor plan: no plan for host $tapdoctor_host (hosts: ${entries.map((h) => h.name).join(' ')}); set TAPDOCTOR_HOST" >&2; exit 2 ;;`, 'esac', '');
  return out.join('\n');
}

function hostScript(entry: FleetHostEntry, report: FleetReport): string {
  const r = entry.report!;
  const refs = new Set((r.plan?.steps ?? []).flatMap((s) => s.findings));
  const fleet: Finding[] = fleetFindings(report).filter((f) => refs.has(findingRef(f)));
  return renderReportScript(r, 'check', {
    fleetFindings: fleet,
    verify: `tapdoctor snapshot   # on ${entry.name}; then analyze it with the other hosts' snapshots again: the findings above must be gone`,
  });
}
