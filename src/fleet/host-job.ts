// One host of a fleet run: read its snapshot, run the single-host checks, read its fleet view.
// Runs in a worker thread (worker.ts) or in-process; takes and returns plain data only.
import type {Settings, TapdoctorConfig} from '../config.js';
import type {Report, Severity} from '../model.js';
import type {ArchiveLimits} from '../sources/archive.js';
import type {FleetHostView} from './host-view.js';
import type {Plan} from '../remedies/plan.js';

export interface HostJob {
  path: string;
  /** IDs of the single-host checks to run (definitions are code, so they are looked up here). */
  checkIds: string[];
  /**
   * The settings: `explicit` (--config given: the same for every host), or the host's own
   * captured /etc/tapdoctor.yaml with the flags' overrides, as `analyze` of that one snapshot does.
   */
  settings: {kind: 'explicit'; settings: Settings} | {kind: 'captured'; overrides: Partial<TapdoctorConfig>; flagNames: string[]};
  limits: Partial<ArchiveLimits>;
  /** Also draw the host's own wiring (HTML fleet report). */
  topology?: boolean;
}

/**
 * What a fleet report needs of a host whose report was written out as it arrived (streamed JSON
 * and Prometheus): its counts, its exit code alone, and its repair plan (fleet steps join it).
 */
export interface HostDigest {
  findings: Record<Severity, number>;
  exitCode: number;
  plan?: Plan;
}

/**
 * What a host's analysis gives. The CLI may replace `report` by a `digest` once it has written the
 * report out (streamed JSON/Prometheus), so the pool keeps only the small part.
 */
export type HostOutcome =
  | {ok: true; path: string; report?: Report; digest?: HostDigest; settings: Settings; view: FleetHostView; topologySvg?: string}
  | {ok: false; path: string; reason: string};

export async function runHostJob(job: HostJob): Promise<HostOutcome> {
  try {
    const [{readSnapshot}, {CHECKS}, {analyzeWithFacts}, {fleetHostView}, {snapshotSettings}] = await Promise.all([
      import('../sources/archive.js'),
      import('../checks/registry.js'),
      import('../engine.js'),
      import('./host-view.js'),
      import('../config.js'),
    ]);
    const snapshot = await readSnapshot(job.path, job.limits);
    const ids = new Set(job.checkIds);
    const checks = CHECKS.filter((c) => ids.has(c.id));
    const settings = job.settings.kind === 'explicit' ? job.settings.settings : await snapshotSettings(snapshot, job.settings.overrides, job.settings.flagNames);
    const {report, facts} = analyzeWithFacts(snapshot, checks, settings.config, {mode: 'snapshot', path: job.path});
    const view = fleetHostView(facts, snapshot.manifest.hostname, snapshot.manifest.capturedAt);
    if (!job.topology) return {ok: true, path: job.path, report, settings, view};
    const [{buildTopology}, {renderTopologySvg}] = await Promise.all([import('../report/place-findings.js'), import('../report/html/index.js')]);
    return {ok: true, path: job.path, report, settings, view, topologySvg: renderTopologySvg(buildTopology(facts, report))};
  } catch (error) {
    // A bad tarball is one unreadable host, never the end of the fleet run.
    const message = (error as Error).message ?? String(error);
    return {ok: false, path: job.path, reason: message.startsWith(`${job.path}: `) ? message.slice(job.path.length + 2) : message};
  }
}
