// `tapdoctor analyze A B ...` / `analyze DIR`: every snapshot analyzed like a single one (same
// checks, settings and waivers), then the fleet checks across them; one report, one exit code.
import {UserError} from '../errors.js';
import type {TopologySetting} from '../fleet/fleet.js';
import type {FleetReport} from '../fleet/report.js';
import {summarize, type Report, type Severity} from '../model.js';
import type {ArchiveLimits} from '../sources/archive.js';
import type {FailOn} from './base.js';
import type {HostJob} from '../fleet/host-job.js';
import {emit, exitCodeFor, formatOf, recordRun, selectedChecks, settingOverrides, settingsOfRun, textOptions, useColor, type ReportFlags} from './pipeline.js';

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

export async function analyzeFleet(paths: string[], flags: FleetFlags, limits: Partial<ArchiveLimits>): Promise<FleetReport> {
  const topology = parseTopology(flags.topology);
  if (flags.host !== undefined && formatOf(flags) !== 'script') throw new UserError(`--host selects one host's repair plan: give it with --format script`);
  const [{expandInputs}, {analyzeAll}, {hostEntries}, {runFleetChecks}, {FLEET_CHECKS}] = await Promise.all([
    import('../fleet/inputs.js'),
    import('../fleet/pool.js'),
    import('../fleet/report.js'),
    import('../fleet/engine.js'),
    import('../fleet/registry.js'),
  ]);
  // Each host is analyzed with the settings its snapshot brings (as `analyze` of that snapshot
  // alone would), unless --config names one file for all; never this machine's file. The fleet
  // checks take their waivers from --config (or none): no single host speaks for the fleet.
  const settings = await settingsOfRun(flags);
  const hostSettings: HostJob['settings'] = flags.config ? {kind: 'explicit', settings} : {kind: 'captured', ...settingOverrides(flags)};
  const checks = await selectedChecks(flags);
  const files = await expandInputs(paths);
  const outcomes = await analyzeAll(
    files.map((path) => ({path, checkIds: checks.map((c) => c.id), settings: hostSettings, limits, topology: formatOf(flags) === 'html'})),
    {threads: flags.jobs},
  );
  const hosts = hostEntries(outcomes);
  // Waivers and the run object as for one host; fleet checks take the waivers naming them.
  const [{applyWaivers}, {CHECKS}] = await Promise.all([import('../waivers.js'), import('../checks/registry.js')]);
  const settingsOf = new Map(outcomes.flatMap((o) => (o.ok ? [[o.report, o.settings] as const] : [])));
  for (const h of hosts) {
    if (!h.report) continue;
    recordRun(h.report, flags, settingsOf.get(h.report) ?? settings, checks, CHECKS, (r, w, today) => applyWaivers(r, w.filter((x) => !isFleetCheck(x.check)), today));
  }
  if (topology?.kind === 'star' && !hosts.some((h) => h.name === topology.hub)) {
    throw new UserError(`--topology star:${topology.hub}: no analyzed host is named ${topology.hub} (hosts: ${hosts.map((h) => h.name).join(', ')})`);
  }
  const views = hosts.flatMap((h) => (h.view ? [h.view] : []));
  const fleet = runFleetChecks(views, FLEET_CHECKS, {complete: flags.complete ?? false, topology});
  // Each fleet finding's steps go into the plan of the host that must carry them out.
  const [{planFleet}, {remediesOf}] = await Promise.all([import('../fleet/plan.js'), import('../fleet/engine.js')]);
  const reports = new Map<string, Report>();
  for (const h of hosts) if (h.report && !reports.has(h.name)) reports.set(h.name, h.report);
  planFleet(reports, fleet.results.flatMap((r) => r.findings), remediesOf);
  const fleetWaivers = settings.config.waivers.filter((w) => isFleetCheck(w.check));
  const pseudo: Report = {target: {mode: 'snapshot', host: 'fleet', capturedAt: ''}, results: fleet.results, summary: summarize(fleet.results), sourceProblems: []};
  fleet.waivers = applyWaivers(pseudo, fleetWaivers, new Date().toISOString().slice(0, 10));
  return {hosts, fleet, complete: flags.complete ?? false};
}

const RANK: Record<Severity, number> = {error: 3, warning: 2, info: 1};

/** The worst over hosts and fleet: 2 when a host could not be analyzed, 1 for findings at --fail-on. */
export function fleetExitCode(report: FleetReport, failOn: FailOn): number {
  let worst = 0;
  for (const h of report.hosts) worst = Math.max(worst, h.report ? exitCodeFor(h.report, failOn) : 2);
  const counted = [...report.fleet.results.flatMap((r) => r.findings.filter((f) => !f.waiver).map((f) => f.severity)), ...(report.fleet.waivers ?? []).flatMap((w) => (w.severity ? [w.severity] : []))];
  if (failOn !== 'never' && counted.some((s) => RANK[s] >= RANK[failOn])) worst = Math.max(worst, 1);
  return worst;
}

export async function deliverFleet(report: FleetReport, flags: FleetFlags): Promise<number> {
  const format = formatOf(flags);
  let text: string;
  switch (format) {
    case 'json': {
      const {renderFleetJson} = await import('../report/fleet-json.js');
      text = renderFleetJson(report);
      break;
    }
    case 'text': {
      const {renderFleetText} = await import('../report/fleet-text.js');
      text = renderFleetText(report, {...textOptions(flags), color: !flags.output && useColor(flags.color), hostsDetail: flags['hosts-detail'] ?? false});
      break;
    }
    case 'junit': {
      const {renderFleetJunit} = await import('../report/fleet-junit.js');
      text = renderFleetJunit(report);
      break;
    }
    case 'prometheus': {
      const {renderFleetPrometheus} = await import('../report/fleet-prometheus.js');
      text = renderFleetPrometheus(report, Math.floor(Date.now() / 1000));
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
