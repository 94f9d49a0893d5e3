// JUnit of a fleet run: a testsuite per host (its single-host checks, as renderJunit writes them),
// a testsuite per unreadable snapshot (one errored test saying why), and one for the fleet checks.
// Each host's suite is rendered when the host is analyzed and kept as a chunk (fleet/chunks.ts),
// so a streamed fleet run never holds the reports.
import {renderHeld, type HostChunks} from '../fleet/chunks.js';
import type {FleetHostEntry, FleetReport} from '../fleet/report.js';
import {summarize, type Report} from '../model.js';
import {junitSuite, writeJunit, type Counts, type JunitSuite} from './junit.js';

const SUITE = 'junit';
const COUNTS = 'junit-counts';

export function spoolHostJunit(chunks: HostChunks, index: number, report: Report): void {
  const suite = junitSuite(report);
  chunks.put(index, SUITE, suite.text);
  chunks.put(index, COUNTS, JSON.stringify(suite.counts));
}

function unreadableSuite(h: FleetHostEntry): Report {
  const results = [{id: 'snapshot', slug: 'readable', title: 'The snapshot can be read', severity: 'error' as const, status: 'error' as const, reason: h.unreadable ?? 'unreadable', findings: []}];
  return {target: {mode: 'snapshot', host: h.name, path: h.path, capturedAt: ''}, results, summary: summarize(results), sourceProblems: []};
}

export function writeFleetJunit(report: FleetReport, chunks: HostChunks, write: (text: string) => void): void {
  // A host's suite is read from the spool only when written; the others are rendered here.
  const suites: Array<{counts: Counts; text: () => string} | JunitSuite> = [];
  for (const h of report.hosts) {
    const counts = h.unreadable ? undefined : chunks.get(h.index, COUNTS);
    if (counts !== undefined) {
      suites.push({counts: JSON.parse(counts) as Counts, text: () => chunks.get(h.index, SUITE)!});
      continue;
    }
    suites.push(junitSuite(unreadableSuite(h)));
  }
  const newest = report.hosts.map((h) => h.view?.capturedAt ?? '').sort().pop() ?? '';
  const results = report.fleet.results;
  suites.push(junitSuite({target: {mode: 'snapshot', host: 'fleet', capturedAt: newest}, results, summary: summarize(results), sourceProblems: []}));
  writeJunit(suites, write);
}

/** The JUnit of a report that holds its hosts' reports. */
export function renderFleetJunit(report: FleetReport): string {
  return renderHeld(report, (chunks, index, _name, host) => spoolHostJunit(chunks, index, host), (chunks, write) => writeFleetJunit(report, chunks, write));
}
