// JUnit of a fleet run: a testsuite per host (its single-host checks, as renderJunit writes them),
// a testsuite per unreadable snapshot (one errored test saying why), and one for the fleet checks.
import type {FleetReport} from '../fleet/report.js';
import {summarize, type Report} from '../model.js';
import {renderJunit} from './junit.js';

export function renderFleetJunit(report: FleetReport): string {
  const suites: Report[] = [];
  for (const h of report.hosts) {
    if (h.report) {
      suites.push(h.report);
      continue;
    }
    const results = [{id: 'snapshot', slug: 'readable', title: 'The snapshot can be read', severity: 'error' as const, status: 'error' as const, reason: h.unreadable ?? 'unreadable', findings: []}];
    suites.push({target: {mode: 'snapshot', host: h.name, path: h.path, capturedAt: ''}, results, summary: summarize(results), sourceProblems: []});
  }
  const newest = report.hosts.map((h) => h.view?.capturedAt ?? '').sort().pop() ?? '';
  const results = report.fleet.results;
  suites.push({target: {mode: 'snapshot', host: 'fleet', capturedAt: newest}, results, summary: summarize(results), sourceProblems: []});
  return renderJunit(suites);
}
