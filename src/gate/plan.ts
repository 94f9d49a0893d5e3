// The persistence part of the repair plan, as the gate prints it: what to change in the files the
// next boot reads before rebooting. Seam: the plan (src/remedies/, phases runtime / persist /
// reload / …) is the one source of repair steps; until the gate reads its persist and reload
// phases, this takes the fix of every blocker of a persistence check (TD1nn), the part of the
// findings' advice that is about the next boot.
import type {Blocker} from './blockers.js';
import {isGateCheck} from './blockers.js';

export interface PersistStep {
  /** The blocker it removes: "TD103 tap1". */
  ref: string;
  lines: string[];
}

export function persistenceSteps(blockers: readonly Blocker[]): PersistStep[] {
  return blockers.filter((b) => isGateCheck(b.id)).map((b) => ({ref: `${b.id} ${b.subject}`, lines: b.fix.split('\n')}));
}
