// Which findings of a report block a reboot, which the next boot heals, and what the report
// leaves undecided.
//
// Blockers: every finding of severity error from any check, and every finding of a persistence
// check (TD1nn, meta `gate: true`) whatever its severity, unless the next boot rebuilds it
// (heals.ts). Warnings and info of the ordinary checks do not block: they describe things worth
// fixing that a reboot neither causes nor makes worse. Waived findings count for nothing.
//
// Unknowns: any check that skipped (it could not determine what it checks: a blocker may hide
// there; a check that does not apply reports n/a instead), any check that errored (its parser
// failed), and every check --only/--skip left out (the gate cannot vouch for what it did not see).
import {CHECK_META} from '../checks/meta.js';
import type {Report} from '../model.js';
import {healsAtBoot} from './heals.js';

export interface Blocker {
  /** A check ID (TD101), or 'openQA' / 'qemu' for jobs running now. */
  id: string;
  subject: string;
  message: string;
  fix: string;
}

export interface Heal {
  id: string;
  subject: string;
  message: string;
  /** Why the next boot rebuilds it. */
  why: string;
}

export interface Unknown {
  /** What could not be decided: a check (`TD104 nat-not-persisted`) or `openQA http://…/`. */
  what: string;
  reason: string;
}

const GATE_IDS = new Set(CHECK_META.filter((m) => m.gate).map((m) => m.id));

export function isGateCheck(id: string): boolean {
  return GATE_IDS.has(id);
}

/** The findings that matter for a reboot, split into blockers and faults the next boot heals. */
export function classifyFindings(report: Report): {blockers: Blocker[]; heals: Heal[]} {
  const blockers: Blocker[] = [];
  const heals: Heal[] = [];
  for (const r of report.results) {
    for (const f of r.findings) {
      if (f.waiver || (f.severity !== 'error' && !isGateCheck(r.id))) continue;
      const why = healsAtBoot(report, f);
      if (why) heals.push({id: f.checkId, subject: f.subject, message: f.message, why});
      else blockers.push({id: f.checkId, subject: f.subject, message: f.message, fix: f.fix});
    }
  }
  return {blockers, heals};
}

export function findingBlockers(report: Report): Blocker[] {
  return classifyFindings(report).blockers;
}

export function reportUnknowns(report: Report): Unknown[] {
  const out: Unknown[] = report.results
    .filter((r) => r.status === 'error' || r.status === 'skip')
    .map((r) => ({what: `${r.id} ${r.slug}`, reason: `${r.status === 'error' ? 'errored' : 'skipped'}: ${r.reason ?? 'no reason given'}`}));
  const left = report.run?.deselected ?? [];
  if (left.length > 0) out.push({what: 'deselected checks', reason: `--only/--skip left out ${left.join(', ')}: the gate cannot vouch for what they check`});
  if (!report.results.some((r) => r.status === 'pass' || r.status === 'fail')) out.push({what: 'checks', reason: 'no check could run on this data'});
  return out;
}
