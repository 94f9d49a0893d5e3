// The built tapdoctor CLI, run the way an operator runs it on a worker: `check` and `snapshot`
// inside a throwaway host (its netns, private mounts and OVS, via host.exec), `analyze` anywhere.
// Every run returns the raw result plus the parsed, schema-validated JSON report.
//
//   const {result, report} = await checkOnHost(host);
//   expect(findingKeys(report)).toEqual(['TD003 tap0 error']);
import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {reportValidator} from '../helpers/report-schema.js';
import type {LiveHost} from './host.js';
import {run, type RunResult} from './run.js';
import type {CheckResult, Finding, Report, Severity} from '../../src/model.js';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(REPO, 'bin', 'run.js');

/** The CLI runs from dist/: `npm run build` (or `npx tsc -p tsconfig.build.json`) must have run. */
export const CLI_BUILT = existsSync(join(REPO, 'dist', 'commands', 'check.js'));

/** How long one CLI run may take before the harness kills it (the machine is small and shared). */
const CLI_TIMEOUT_MS = 90_000;

// --- the JSON report (schema/report.schema.json), as far as these tests read it ----------------

// The JSON report's shape is the model's; the schema check in parseReport proves the two agree.
export type {Severity};
export type JsonCheck = Omit<CheckResult, 'title' | 'findings'>;
export type JsonFinding = Finding;

export interface JsonReport extends Pick<Report, 'target' | 'summary' | 'sourceProblems'> {
  schemaVersion: number;
  checks: JsonCheck[];
  findings: JsonFinding[];
}

export interface CliRun {
  result: RunResult;
  report: JsonReport;
}

// --- running it ----------------------------------------------------------------------------

const cliEnv = {NO_COLOR: '1'};

/** `tapdoctor check --root <host root> --json [extra]` inside the host. */
export async function checkOnHost(host: LiveHost, extra: string[] = []): Promise<CliRun> {
  const result = await host.exec([process.execPath, CLI, 'check', '--root', host.rootDir, '--json', ...extra], {env: cliEnv, timeoutMs: CLI_TIMEOUT_MS});
  return {result, report: parseReport(result)};
}

/** `tapdoctor snapshot --root <host root> -o <file> --quiet` inside the host; the file is written outside it. */
export async function snapshotOnHost(host: LiveHost, file: string): Promise<RunResult> {
  return host.exec([process.execPath, CLI, 'snapshot', '--root', host.rootDir, '-o', file, '--quiet'], {env: cliEnv, timeoutMs: CLI_TIMEOUT_MS});
}

/** `tapdoctor analyze <file> --json` in the test process: no netns, no OVS, no root dir needed. */
export async function analyzeFile(file: string): Promise<CliRun> {
  const result = await run([process.execPath, CLI, 'analyze', file, '--json'], {env: cliEnv, timeoutMs: CLI_TIMEOUT_MS});
  return {result, report: parseReport(result)};
}

/** The JSON report on stdout, validated against the schema; an error quoting stderr otherwise. */
export function parseReport(result: RunResult): JsonReport {
  const command = result.argv[result.argv.indexOf(CLI) + 1] ?? '?';
  const what = `${command} (exit ${result.code}${result.timedOut ? ', timed out' : ''})`;
  let doc: unknown;
  try {
    doc = JSON.parse(result.stdout);
  } catch {
    throw new Error(`tapdoctor ${what} printed no JSON report.\nstdout: ${result.stdout.slice(0, 2000)}\nstderr: ${result.stderr.slice(0, 2000)}`);
  }
  const validate = reportValidator();
  if (!validate(doc)) throw new Error(`tapdoctor ${what}: report does not match schema/report.schema.json: ${JSON.stringify(validate.errors)}`);
  return doc as JsonReport;
}

// --- reading it ----------------------------------------------------------------------------

/** "<checkId> <subject> <severity>" per finding, sorted: the shape scenario expectations use. */
export function findingKeys(report: JsonReport): string[] {
  return report.findings.map((f) => `${f.checkId} ${f.subject} ${f.severity}`).sort();
}

/** What must be identical between a live `check` and `analyze` of a snapshot of the same host. */
export function comparableFindings(report: JsonReport): Array<Pick<JsonFinding, 'checkId' | 'subject' | 'severity' | 'message'>> {
  return report.findings
    .map(({checkId, subject, severity, message}) => ({checkId, subject, severity, message}))
    .sort((a, b) => `${a.checkId} ${a.subject} ${a.message}`.localeCompare(`${b.checkId} ${b.subject} ${b.message}`));
}

/** Checks that skipped, with their reason: id -> reason. */
export function skipped(report: JsonReport): Record<string, string> {
  return Object.fromEntries(report.checks.filter((c) => c.status === 'skip').map((c) => [c.id, c.reason ?? '']));
}

/** Checks that do not apply to the host, with their reason: id -> reason. */
export function notApplicable(report: JsonReport): Record<string, string> {
  return Object.fromEntries(report.checks.filter((c) => c.status === 'n/a').map((c) => [c.id, c.reason ?? '']));
}

/** Checks that passed with a note (what they could not cover): id -> note. */
export function passNotes(report: JsonReport): Record<string, string> {
  return Object.fromEntries(report.checks.filter((c) => c.status === 'pass' && c.reason).map((c) => [c.id, c.reason as string]));
}

/** The exit code the default `--fail-on warning` must give for this report. */
export function expectedExitCode(report: JsonReport): 0 | 1 {
  return report.findings.some((f) => f.severity === 'error' || f.severity === 'warning') ? 1 : 0;
}
