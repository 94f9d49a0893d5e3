// Which findings of a report block a reboot, and what the report leaves undecided.
//
// Blockers: every finding of severity error from any check, and every finding of a persistence
// check (TD1nn, meta `gate: true`) whatever its severity. Warnings and info of the ordinary checks
// do not block: they describe things worth fixing that a reboot neither causes nor makes worse.
//
// Unknowns: a persistence check that skipped or errored (the next boot could not be predicted),
// and any check that errored (its parser failed, so an error finding may be hidden). An ordinary
// check that skipped is "not applicable" or lacks data the report already names; it is not an
// unknown of the gate.
import {CHECK_META} from '../checks/meta.js';
import type {Report} from '../model.js';

export interface Blocker {
  /** A check ID (TD101), or 'openQA' / 'qemu' for jobs running now. */
  id: string;
  subject: string;
  message: string;
  fix: string;
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

export function findingBlockers(report: Report): Blocker[] {
  return report.results.flatMap((r) =>
    r.findings.filter((f) => f.severity === 'error' || isGateCheck(r.id)).map((f) => ({id: f.checkId, subject: f.subject, message: f.message, fix: f.fix})),
  );
}

export function reportUnknowns(report: Report): Unknown[] {
  const out: Unknown[] = report.results
    .filter((r) => r.status === 'error' || (r.status === 'skip' && isGateCheck(r.id)))
    .map((r) => ({what: `${r.id} ${r.slug}`, reason: `${r.status === 'error' ? 'errored' : 'skipped'}: ${r.reason ?? 'no reason given'}`}));
  if (!report.results.some((r) => r.status === 'pass' || r.status === 'fail')) out.push({what: 'checks', reason: 'no check could run on this data'});
  return out;
}
