// The preconditions checks declare in their meta (`appliesTo`), evaluated by the engine before a
// check runs: an unmet one makes the check `n/a` with the reason, so no check hand-codes it.
import type {Facts} from '../facts/facts.js';
import {notTapWorkerReason} from '../facts/tap-worker.js';
import type {Applicability} from './check-meta.js';

/** Why the check does not apply here, or undefined when it does (or when that cannot be told). */
const RULES: Record<Applicability, (f: Facts) => string | undefined> = {
  'tap-worker': notTapWorkerReason,
};

export function notApplicableReason(appliesTo: readonly Applicability[] | undefined, f: Facts): string | undefined {
  for (const a of appliesTo ?? []) {
    const reason = RULES[a](f);
    if (reason) return reason;
  }
  return undefined;
}
