// The shared tail of check / analyze / gate: settings, checks, rendering and the exit code.
import {join} from 'node:path';
import {loadSettings, snapshotSettings, type Settings, type TapdoctorConfig} from '../config.js';
import type {CheckDefinition} from '../checks/define.js';
import type {Analysis} from '../engine.js';
import type {Facts} from '../facts/facts.js';
import {UserError} from '../errors.js';
import type {Report, Severity, WaiverUse} from '../model.js';
import type {Snapshot} from '../sources/snapshot.js';
import {TOOL_VERSION} from '../version.js';
import type {FailOn, Format} from './base.js';
import {PIPE_WIDTH, outputWidth} from './terminal.js';

export interface ReportFlags {
  only?: string[];
  skip?: string[];
  'fail-on': string;
  json: boolean;
  format?: string;
  output?: string;
  color?: boolean;
  config?: string;
  'gre-mtu'?: number;
  'multi-nic'?: boolean;
  'ignore-interface'?: string[];
  quiet: boolean;
  brief?: boolean;
  force?: boolean;
}

/**
 * The site settings for this run. Live runs read the host's /etc/tapdoctor.yaml (below --root); a
 * snapshot brings its host's copy (source tapdoctor.settings), so one snapshot gives the same
 * result on every machine. --config overrides both; flags override the file.
 */
export async function settingsFor(flags: ReportFlags, where: {root: string} | {snapshot: Snapshot}): Promise<Settings> {
  const {overrides, flagNames} = settingOverrides(flags);
  if (flags.config) return loadSettings({kind: 'explicit', path: flags.config}, overrides, flagNames);
  if ('root' in where) return loadSettings({kind: 'site', path: join(where.root, 'etc/tapdoctor.yaml')}, overrides, flagNames);
  return snapshotSettings(where.snapshot, overrides, flagNames);
}

/** The settings flags (--gre-mtu, --multi-nic, --ignore-interface) and the names of those given. */
export function settingOverrides(flags: ReportFlags): {overrides: Partial<TapdoctorConfig>; flagNames: string[]} {
  const overrides = {greMtu: flags['gre-mtu'], multiNic: flags['multi-nic'], ignoreInterfaces: flags['ignore-interface']};
  const flagNames = [['--gre-mtu', overrides.greMtu], ['--multi-nic', overrides.multiNic], ['--ignore-interface', overrides.ignoreInterfaces]].filter(([, v]) => v !== undefined).map(([n]) => n as string);
  return {overrides, flagNames};
}

/** Settings that depend on no host: --config if given, else the defaults; flags override either. */
export async function settingsOfRun(flags: ReportFlags): Promise<Settings> {
  const {overrides, flagNames} = settingOverrides(flags);
  if (flags.config) return loadSettings({kind: 'explicit', path: flags.config}, overrides, flagNames);
  return loadSettings({kind: 'captured', text: undefined, origin: ''}, overrides, flagNames);
}

export async function selectedChecks(flags: ReportFlags, opts: {gate?: boolean} = {}): Promise<CheckDefinition[]> {
  const [{CHECKS}, {selectChecks}] = await Promise.all([import('../checks/registry.js'), import('../engine.js')]);
  const pool = CHECKS.filter((c) => opts.gate || !c.gate);
  const known = new Set(pool.flatMap((c) => [c.id, c.slug.toUpperCase()]));
  const gateOnly = new Set(CHECKS.filter((c) => c.gate).flatMap((c) => [c.id, c.slug.toUpperCase()]));
  for (const id of [...(flags.only ?? []), ...(flags.skip ?? [])]) {
    const key = id.trim().toUpperCase();
    if (known.has(key)) continue;
    if (gateOnly.has(key)) throw new UserError(`${id} is a persistence check: it runs in 'tapdoctor gate' only`);
    const {didYouMean} = await import('./suggest.js');
    throw new UserError(`unknown check '${id}'${didYouMean(id.trim(), pool.flatMap((c) => [c.id, c.slug]))} (see: tapdoctor checks list)`);
  }
  const chosen = selectChecks(pool, flags.only?.map((s) => s.trim()), flags.skip?.map((s) => s.trim()));
  if (chosen.length === 0) throw new UserError('no check left to run after --only/--skip');
  return chosen;
}

/** The report (with the run object and the waivers applied), and the Facts of the run for renderers that draw the host. */
export async function analyze(snapshot: Snapshot, flags: ReportFlags, settings: Settings, target: {mode: 'live' | 'snapshot'; path?: string}, opts: {gate?: boolean} = {}): Promise<Analysis> {
  const checks = await selectedChecks(flags, opts);
  const [{analyzeWithFacts}, {CHECKS}, {applyWaivers}] = await Promise.all([import('../engine.js'), import('../checks/registry.js'), import('../waivers.js')]);
  const analysis = analyzeWithFacts(snapshot, checks, settings.config, {mode: target.mode, path: target.path});
  recordRun(analysis.report, flags, settings, checks, CHECKS, applyWaivers, opts);
  return analysis;
}

/**
 * Apply the waivers to a report and record the run object (selection, settings, waivers) on it.
 * The one place for it: `analyze` above, and every host of a fleet run.
 */
export function recordRun(
  report: Report,
  flags: ReportFlags,
  settings: Settings,
  checks: readonly CheckDefinition[],
  all: readonly CheckDefinition[],
  applyWaivers: (report: Report, waivers: Settings['config']['waivers'], today: string) => WaiverUse[],
  opts: {gate?: boolean} = {},
): void {
  const chosen = new Set(checks.map((c) => c.id));
  const waivers = applyWaivers(report, settings.config.waivers, new Date().toISOString().slice(0, 10));
  const {waivers: _w, ...values} = settings.config;
  report.run = {
    only: (flags.only ?? []).map((s) => s.trim()),
    skip: (flags.skip ?? []).map((s) => s.trim()),
    deselected: all.filter((c) => (opts.gate || !c.gate) && !chosen.has(c.id)).map((c) => c.id),
    settingsFrom: settings.from,
    settings: values,
    waivers,
  };
}

export function formatOf(flags: ReportFlags): Format {
  if (flags.json && flags.format && flags.format !== 'json') throw new UserError('--json and --format disagree; give one');
  const format = (flags.json ? 'json' : (flags.format ?? 'text')) as Format;
  if (flags.brief && format !== 'text') throw new UserError(`--brief shortens the text report; --format ${format} always has every detail`);
  return format;
}

const RANK: Record<Severity, number> = {error: 3, warning: 2, info: 1};

/** 0: nothing at or above --fail-on; 1: such findings; 2: nothing could be analyzed. Waived findings count for nothing; an expired waiver is a warning, an unused one info. */
export function exitCodeFor(report: Report, failOn: FailOn): 0 | 1 | 2 {
  const ran = report.results.filter((r) => r.status === 'pass' || r.status === 'fail');
  if (ran.length === 0) return 2;
  if (failOn === 'never') return 0;
  const threshold = RANK[failOn];
  return countedSeverities(report).some((s) => RANK[s] >= threshold) ? 1 : 0;
}

/** The severities that count for an exit code: unwaived findings, and waivers that expired or match nothing. */
export function countedSeverities(report: Report): Severity[] {
  const findings = report.results.flatMap((r) => r.findings.filter((f) => !f.waiver).map((f) => f.severity));
  const notices = (report.run?.waivers ?? []).flatMap((w) => (w.severity ? [w.severity] : []));
  return [...findings, ...notices];
}

export interface Rendered {
  text: string;
  /** Formats with their own exit-code convention (nagios) set it here. */
  exitCode?: number;
}

export interface RenderOptions {
  color: boolean;
  /** The Facts of the run: the HTML drawing reads the host from them. */
  facts: Facts;
  /** Text only: the terminal's width, 80 when piped or written to a file. */
  width?: number;
  brief?: boolean;
  quiet?: boolean;
  /** Nagios: the lowest severity that raises the plugin state. */
  failOn?: FailOn;
  /** Script only: the command whose run verifies the repair (check, or gate). */
  command?: 'check' | 'gate';
}

export async function render(report: Report, format: Format, opts: RenderOptions): Promise<Rendered> {
  switch (format) {
    case 'script': {
      const {renderReportScript} = await import('../remedies/report-script.js');
      return {text: renderReportScript(report, opts.command ?? 'check')};
    }
    case 'json': {
      const {renderJson} = await import('../report/json.js');
      return {text: renderJson(report)};
    }
    case 'text': {
      const {renderText} = await import('../report/text.js');
      return {text: renderText(report, {color: opts.color, width: opts.width, brief: opts.brief, quiet: opts.quiet})};
    }
    case 'junit': {
      const {renderJunit} = await import('../report/junit.js');
      return {text: renderJunit(report)};
    }
    case 'prometheus': {
      const {renderPrometheus} = await import('../report/prometheus.js');
      return {text: renderPrometheus(report, Math.floor(Date.now() / 1000), {version: TOOL_VERSION})};
    }
    case 'nagios': {
      const {renderNagios} = await import('../report/nagios.js');
      const out = renderNagios(report, {failOn: opts.failOn});
      return {text: out.text, exitCode: out.exitCode};
    }
    case 'html': {
      const [{renderHtml}, {buildTopology}] = await Promise.all([import('../report/html/index.js'), import('../report/place-findings.js')]);
      return {text: renderHtml(report, buildTopology(opts.facts, report))};
    }
  }
}

export function useColor(flag: boolean | undefined, stream: NodeJS.WriteStream = process.stdout): boolean {
  if (flag !== undefined) return flag;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR && process.env.FORCE_COLOR !== '0') return true;
  return Boolean(stream.isTTY);
}

/** Print or write the rendered report; returns the exit code the command should end with. */
export async function deliver({report, facts}: Analysis, flags: ReportFlags): Promise<number> {
  const format = formatOf(flags);
  const rendered = await render(report, format, {...textOptions(flags), color: format === 'text' && !flags.output && useColor(flags.color), facts, failOn: flags['fail-on'] as FailOn});
  await emit(rendered.text, flags.output, flags.force);
  return rendered.exitCode ?? exitCodeFor(report, flags['fail-on'] as FailOn);
}

/** How the text report is laid out for these flags: the terminal's width, or 80 for files and pipes. */
export function textOptions(flags: Partial<Pick<ReportFlags, 'output' | 'brief' | 'quiet'>>): {width: number; brief?: boolean; quiet?: boolean} {
  return {width: flags.output ? PIPE_WIDTH : outputWidth(), brief: flags.brief, quiet: flags.quiet};
}

/**
 * Write a rendered report to --output (atomically, mode 0644), or print it with a final newline.
 * An existing file is replaced only with --force (textfile collectors and CI jobs pass it).
 */
export async function emit(text: string, output: string | undefined, force = false): Promise<void> {
  if (output) {
    const {writeFileAtomic} = await import('../sources/write.js');
    await writeFileAtomic(output, Buffer.from(text), force, 0o644);
    return;
  }
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/**
 * The same for a report written piece by piece (a streamed fleet report): to --output atomically,
 * or to stdout, whose writes are synchronous for files and pipes on Linux, so no piece waits in memory.
 */
export async function emitPieces(produce: (write: (text: string) => void) => void, output: string | undefined, force = false): Promise<void> {
  if (output) {
    const {writeFileAtomic} = await import('../sources/write.js');
    await writeFileAtomic(output, produce, force, 0o644);
  } else {
    produce((text) => process.stdout.write(text));
  }
}
