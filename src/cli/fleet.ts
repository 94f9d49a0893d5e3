// `tapdoctor analyze A B ...` / `analyze DIR`: every snapshot analyzed like a single one (same
// checks, settings and waivers), then the fleet checks across them; one report, one exit code.
import {UserError} from '../errors.js';
import type {TopologySetting} from '../fleet/fleet.js';
import type {FleetReport} from '../fleet/report.js';
import {summarize, type CheckResult, type Report, type Severity} from '../model.js';
import type {HostChunks} from '../fleet/chunks.js';
import type {Plan} from '../remedies/plan.js';
import type {ArchiveLimits} from '../sources/archive.js';
import type {FailOn} from './base.js';
import type {HostJob} from '../fleet/host-job.js';
import {emit, emitPieces, exitCodeFor, formatOf, recordRun, selectedChecks, settingOverrides, settingsOfRun, textOptions, useColor, type ReportFlags} from './pipeline.js';

export interface FleetFlags extends ReportFlags {
  complete?: boolean;
  topology?: string;
  'hosts-detail'?: boolean;
  jobs?: number;
  host?: string;
}

const isFleetCheck = (id: string) => /^TD2\d\d$/.test(id);

export function parseTopology(value: string | undefined): TopologySetting | undefined {
  if (value === undefined) return undefined;
  if (value === 'mesh') return {kind: 'mesh'};
  const m = /^star:(.+)$/.exec(value);
  if (m) return {kind: 'star', hub: m[1]!};
  throw new UserError(`--topology must be 'mesh' or 'star:HOST', got '${value}'`);
}

/** A fleet run's report and, when it was streamed (JSON, Prometheus, JUnit), the hosts' rendered pieces. */
export interface FleetRun {
  report: FleetReport;
  stream?: FleetStream;
}

/** A streamed format: each host's part put in the spool as the host finishes, the report written from it. */
interface FleetStream {
  chunks: HostChunks;
  spool(index: number, name: string, report: Report): void;
  write(report: FleetReport, write: (text: string) => void): void;
}

/** The stream of a format whose host parts are written as each host finishes (the run keeps no host report); none for the others. */
async function openStream(format: string): Promise<FleetStream | undefined> {
  if (format !== 'json' && format !== 'junit' && format !== 'prometheus') return undefined;
  const chunks = new (await import('../fleet/chunks.js')).SpoolChunks();
  if (format === 'json') {
    const {spoolHostJson, writeFleetJson} = await import('../report/fleet-json.js');
    return {chunks, spool: (index, _name, report) => spoolHostJson(chunks, index, report), write: (report, write) => writeFleetJson(report, chunks, write)};
  }
  if (format === 'junit') {
    const {spoolHostJunit, writeFleetJunit} = await import('../report/fleet-junit.js');
    return {chunks, spool: (index, _name, report) => spoolHostJunit(chunks, index, report), write: (report, write) => writeFleetJunit(report, chunks, write)};
  }
  const {spoolHostPrometheus, writeFleetPrometheus} = await import('../report/fleet-prometheus.js');
  // One time for every host's samples; the families' HELP texts shared by every host.
  const nowSeconds = Math.floor(Date.now() / 1000);
  const help = new Map<string, string>();
  return {
    chunks,
    spool: (index, name, report) => spoolHostPrometheus(chunks, help, index, name, report, nowSeconds),
    write: (report, write) => writeFleetPrometheus(report, chunks, help, write),
  };
}

export async function analyzeFleet(paths: string[], flags: FleetFlags, limits: Partial<ArchiveLimits>): Promise<FleetRun> {
  const topology = parseTopology(flags.topology);
  const format = formatOf(flags);
  if (flags.host !== undefined && format !== 'script') throw new UserError(`--host selects one host's repair plan: give it with --format script`);
  const [{expandInputs}, {analyzeAll}, {hostEntries}, {runFleetChecks, remediesOf}, {FLEET_CHECKS}, {applyWaivers}, {CHECKS}, {planFleet}] = await Promise.all([
    import('../fleet/inputs.js'),
    import('../fleet/pool.js'),
    import('../fleet/report.js'),
    import('../fleet/engine.js'),
    import('../fleet/registry.js'),
    import('../waivers.js'),
    import('../checks/registry.js'),
    import('../fleet/plan.js'),
  ]);
  // Each host is analyzed with the settings its snapshot brings (as `analyze` of that snapshot
  // alone would), unless --config names one file for all; never this machine's file. The fleet
  // checks take their waivers from --config (or none): no single host speaks for the fleet.
  const settings = await settingsOfRun(flags);
  const hostSettings: HostJob['settings'] = flags.config ? {kind: 'explicit', settings} : {kind: 'captured', ...settingOverrides(flags)};
  const checks = await selectedChecks(flags);
  const files = await expandInputs(paths);
  const stream = await openStream(format);
  const failOn = flags['fail-on'] as FailOn;
  try {
    const outcomes = await analyzeAll(
      files.map((path) => ({path, checkIds: checks.map((c) => c.id), settings: hostSettings, limits, topology: format === 'html'})),
      {
        threads: flags.jobs,
        onOutcome: (o, index) => {
          if (!o.ok || !o.report) return;
          // Waivers and the run object as for one host; fleet checks take the waivers naming them.
          recordRun(o.report, flags, o.settings, checks, CHECKS, (r, w, today) => applyWaivers(r, w.filter((x) => !isFleetCheck(x.check)), today));
          if (!stream) return;
          // Written out now; the run keeps the host's counts, exit code and plan only.
          stream.spool(index, o.view.name, o.report);
          const {report, ...rest} = o;
          return {...rest, digest: {findings: report.summary.findings, exitCode: exitCodeFor(report, failOn), ...(report.plan ? {plan: report.plan} : {})}};
        },
      },
    );
    const hosts = hostEntries(outcomes);
    if (topology?.kind === 'star' && !hosts.some((h) => h.name === topology.hub)) {
      throw new UserError(`--topology star:${topology.hub}: no analyzed host is named ${topology.hub} (hosts: ${hosts.map((h) => h.name).join(', ')})`);
    }
    const views = hosts.flatMap((h) => (h.view ? [h.view] : []));
    const fleet = runFleetChecks(views, FLEET_CHECKS, {complete: flags.complete ?? false, topology});
    // Each fleet finding's steps go into the plan of the host that must carry them out.
    const plans = new Map<string, {plan?: Plan; results?: CheckResult[]}>();
    for (const h of hosts) {
      const holder = h.report ?? h.digest;
      if (holder && !plans.has(h.name)) plans.set(h.name, holder);
    }
    planFleet(plans, fleet.results.flatMap((r) => r.findings), remediesOf);
    const fleetWaivers = settings.config.waivers.filter((w) => isFleetCheck(w.check));
    const pseudo: Report = {target: {mode: 'snapshot', host: 'fleet', capturedAt: ''}, results: fleet.results, summary: summarize(fleet.results), sourceProblems: []};
    fleet.waivers = applyWaivers(pseudo, fleetWaivers, new Date().toISOString().slice(0, 10));
    return {report: {hosts, fleet, complete: flags.complete ?? false}, ...(stream ? {stream} : {})};
  } catch (error) {
    stream?.chunks.close();
    throw error;
  }
}

const RANK: Record<Severity, number> = {error: 3, warning: 2, info: 1};

/** The worst over hosts and fleet: 2 when a host could not be analyzed, 1 for findings at --fail-on. */
export function fleetExitCode(report: FleetReport, failOn: FailOn): number {
  let worst = 0;
  for (const h of report.hosts) worst = Math.max(worst, h.digest ? h.digest.exitCode : h.report ? exitCodeFor(h.report, failOn) : 2);
  const counted = [...report.fleet.results.flatMap((r) => r.findings.filter((f) => !f.waiver).map((f) => f.severity)), ...(report.fleet.waivers ?? []).flatMap((w) => (w.severity ? [w.severity] : []))];
  if (failOn !== 'never' && counted.some((s) => RANK[s] >= RANK[failOn])) worst = Math.max(worst, 1);
  return worst;
}

export async function deliverFleet({report, stream}: FleetRun, flags: FleetFlags): Promise<number> {
  const format = formatOf(flags);
  if (stream) {
    // Streamed: the pieces go out one at a time, from the spool, in host order.
    try {
      await emitPieces((write) => stream.write(report, write), flags.output, flags.force);
    } finally {
      stream.chunks.close();
    }
    return fleetExitCode(report, flags['fail-on'] as FailOn);
  }
  let text: string;
  switch (format) {
    case 'text': {
      const {renderFleetText} = await import('../report/fleet-text.js');
      text = renderFleetText(report, {...textOptions(flags), color: !flags.output && useColor(flags.color), hostsDetail: flags['hosts-detail'] ?? false});
      break;
    }
    case 'html': {
      const {renderFleetHtml} = await import('../report/fleet-html.js');
      text = renderFleetHtml(report);
      break;
    }
    case 'script': {
      const {renderFleetScript} = await import('../fleet/script.js');
      text = renderFleetScript(report, flags.host);
      break;
    }
    default:
      throw new UserError(`--format ${format} is for one host; a fleet run writes text, json, junit, prometheus, html or script`);
  }
  await emit(text, flags.output, flags.force);
  return fleetExitCode(report, flags['fail-on'] as FailOn);
}
