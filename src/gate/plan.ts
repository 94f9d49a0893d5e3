// The persistence part of the repair plan, as the gate prints it: what to change in the files the
// next boot reads (phase persist) and the reloads that apply them (phase reload), for the
// blockers only. The plan itself (src/remedies/plan.ts) is the one source of repair steps; a
// report without a plan (built by hand in a test) falls back to the blockers' own fixes.
import type {Report} from '../model.js';
import {findingRef, stepLines} from '../remedies/plan.js';
import type {Blocker} from './blockers.js';
import {isGateCheck} from './blockers.js';

export interface PersistStep {
  /** The blockers it serves: "TD103 tap1". */
  ref: string;
  lines: string[];
}

export function persistenceSteps(blockers: readonly Blocker[], report?: Report): PersistStep[] {
  const refs = new Set(blockers.map((b) => findingRef({checkId: b.id, subject: b.subject})));
  const plan = report?.plan;
  if (!plan) return blockers.filter((b) => isGateCheck(b.id)).map((b) => ({ref: `${b.id} ${b.subject}`, lines: b.fix.split('\n')}));
  return plan.steps
    .filter((s) => (s.phase === 'persist' || s.phase === 'reload') && s.findings.some((f) => refs.has(f)))
    .map((s) => ({ref: s.findings.filter((f) => refs.has(f)).join(', '), lines: stepLines(s, plan.root)}));
}
