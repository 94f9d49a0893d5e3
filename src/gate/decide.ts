// The pre-reboot gate's decision: the report's blockers, heals and unknowns, plus whether a job
// runs now. `decide` is pure (report + safe-now answer → verdict); `decideGate` asks the web UI
// first. The command (src/commands/gate.ts) only collects or reads the snapshot, runs the checks
// and prints.
//
// Exit codes: 0 safe; 1 not safe (at least one blocker, even if other questions stayed open: one
// known blocker is enough to say no); 2 cannot tell (no blocker, but something undecided).
import type {TapdoctorConfig} from '../config.js';
import {Facts} from '../facts/facts.js';
import type {GateVerdict, Report} from '../model.js';
import {SnapshotView, type Snapshot} from '../sources/snapshot.js';
import {classifyFindings, reportUnknowns, type Blocker, type Heal, type Unknown} from './blockers.js';
import {safeNow, type OpenqaQuestion, type SafeNow} from './safe-now.js';

export type Verdict = GateVerdict['verdict'];

export interface GateDecision {
  verdict: Verdict;
  exitCode: 0 | 1 | 2;
  blockers: Blocker[];
  /** Runtime-only faults the next boot rebuilds: shown, not blocking. */
  heals: Heal[];
  unknowns: Unknown[];
  /** What was (not) asked, for the reader ("openQA http://…/: 2 workers of w5, 0 with a job"). */
  notes: string[];
  runningJobsFrom: GateVerdict['runningJobsFrom'];
}

export function decide(report: Report, now: SafeNow): GateDecision {
  const {blockers: found, heals} = classifyFindings(report);
  const blockers = [...now.blockers, ...found];
  const unknowns = [...now.unknowns, ...reportUnknowns(report)];
  const verdict: Verdict = blockers.length > 0 ? 'not-safe' : unknowns.length > 0 ? 'unknown' : 'safe';
  return {verdict, exitCode: verdict === 'safe' ? 0 : verdict === 'not-safe' ? 1 : 2, blockers, heals, unknowns, notes: now.notes, runningJobsFrom: now.runningJobsFrom};
}

export interface GateInput {
  report: Report;
  snapshot: Snapshot;
  config: TapdoctorConfig;
  mode: 'live' | 'snapshot';
  openqa: OpenqaQuestion;
}

export async function decideGate(input: GateInput): Promise<GateDecision> {
  const facts = new Facts(new SnapshotView(input.snapshot), input.config);
  // On a snapshot the pool's qemu processes alive at capture stand for running jobs too: a job
  // running then may run still, and only the web UI (asked now) can say it has ended.
  const now = await safeNow({facts, openqa: input.openqa, countQemu: true, capturedAt: input.mode === 'snapshot' ? input.snapshot.manifest.capturedAt : undefined});
  return decide(input.report, now);
}

/** The decision as every report format carries it (report.gate). */
export function toGateVerdict(d: GateDecision, line: string): GateVerdict {
  return {verdict: d.verdict, line, exitCode: d.exitCode, blockers: d.blockers, heals: d.heals, unknowns: d.unknowns, notes: d.notes, runningJobsFrom: d.runningJobsFrom};
}
