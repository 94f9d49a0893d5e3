// The NOT CHECKED section of the text report. Checks that could not run because a source is
// missing are grouped by the sources they lack, so a sosreport's long "not collected by
// sosreport: ..." sentence is not repeated per check: one line names the missing sources and
// the checks; why each source is missing is said once under DATA NOT COLLECTED. Other reasons
// are listed per check. JSON keeps every check's own reason.
import type {ChalkInstance} from 'chalk';
import type {CheckResult, Report} from '../model.js';

/** Sources a reason says could not be collected, when missing data is what the reason is about. */
export function missingSources(reason: string | undefined): string[] {
  if (!reason?.startsWith('could not collect ')) return [];
  const out = new Set<string>();
  for (const m of reason.matchAll(/could not collect ([A-Za-z0-9_.-]+)(?: \[[^\]]*\])?: /g)) out.add(m[1]!);
  return [...out].sort();
}

type Wrap = (prefix: string, indent: number, text: string, width: number) => string[];

export function notCheckedLines(notRun: CheckResult[], report: Report, c: ChalkInstance, width: number, hanging: Wrap): string[] {
  const out = [c.bold(`NOT CHECKED (${notRun.length})`)];
  const groups = new Map<string, CheckResult[]>();
  for (const r of notRun) {
    const missing = r.status === 'skip' ? missingSources(r.reason) : [];
    if (missing.length === 0) continue;
    const key = missing.join(', ');
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const grouped = new Set([...groups.values()].flat());
  for (const r of notRun) {
    if (grouped.has(r)) continue;
    const label = r.status === 'error' ? c.red('error') : c.dim('skip ');
    out.push(...hanging(`  ${label} `, 8, `${r.id} ${r.slug}: ${r.reason ?? ''}`, width));
  }
  for (const [sources, checks] of groups) {
    const who = fromSosreport(report, sources.split(', ')) ? 'sosreport lacks' : 'missing data';
    const ids = checks.map((r) => r.id).join(', ');
    out.push(...hanging(`  ${c.dim('skip ')} `, 8, `${who} ${sources}: ${ids} could not run`, width));
  }
  if (groups.size > 0) out.push(c.dim('  (why each source is missing: DATA NOT COLLECTED below; every reason in --json)'));
  return out;
}

/** Whether the sources are missing because the input is a sosreport (their problems say so). */
function fromSosreport(report: Report, sources: string[]): boolean {
  return sources.every((s) => report.sourceProblems.some((p) => p.source === s && /sosreport|\bsos\b/.test(p.problem)));
}
