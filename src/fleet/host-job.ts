// One host of a fleet run: read its snapshot, run the single-host checks, read its fleet view.
// Runs in a worker thread (worker.ts) or in-process; takes and returns plain data only.
import type {TapdoctorConfig} from '../config.js';
import type {Report} from '../model.js';
import type {ArchiveLimits} from '../sources/archive.js';
import type {FleetHostView} from './host-view.js';

export interface HostJob {
  path: string;
  /** IDs of the single-host checks to run (definitions are code, so they are looked up here). */
  checkIds: string[];
  config: TapdoctorConfig;
  limits: Partial<ArchiveLimits>;
  /** Also draw the host's own wiring (HTML fleet report). */
  topology?: boolean;
}

export type HostOutcome = {ok: true; path: string; report: Report; view: FleetHostView; topologySvg?: string} | {ok: false; path: string; reason: string};

export async function runHostJob(job: HostJob): Promise<HostOutcome> {
  try {
    const [{readSnapshot}, {CHECKS}, {analyzeWithFacts}, {fleetHostView}] = await Promise.all([
      import('../sources/archive.js'),
      import('../checks/registry.js'),
      import('../engine.js'),
      import('./host-view.js'),
    ]);
    const snapshot = await readSnapshot(job.path, job.limits);
    const ids = new Set(job.checkIds);
    const checks = CHECKS.filter((c) => ids.has(c.id));
    const {report, facts} = analyzeWithFacts(snapshot, checks, job.config, {mode: 'snapshot', path: job.path});
    const view = fleetHostView(facts, snapshot.manifest.hostname, snapshot.manifest.capturedAt);
    if (!job.topology) return {ok: true, path: job.path, report, view};
    const [{buildTopology}, {renderTopologySvg}] = await Promise.all([import('../report/place-findings.js'), import('../report/html/index.js')]);
    return {ok: true, path: job.path, report, view, topologySvg: renderTopologySvg(buildTopology(facts, report))};
  } catch (error) {
    // A bad tarball is one unreadable host, never the end of the fleet run.
    const message = (error as Error).message ?? String(error);
    return {ok: false, path: job.path, reason: message.startsWith(`${job.path}: `) ? message.slice(job.path.length + 2) : message};
  }
}
