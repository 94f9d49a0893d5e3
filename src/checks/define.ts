// How a check is written: its metadata is its own <ID>-<slug>.meta.ts, its `run` is a pure function of facts.
// A check returns findings (none = pass), or `pass`/`n/a`/`skip` with a reason; a fact it needs that
// is missing makes the engine skip it with that fact's reason. `n/a` is "does not apply here" (no GRE
// port, NAT-only ruleset); `skip` is "could not determine" and names the missing data. Applicability
// that several checks share ("tap workers only") is declared in the meta (`appliesTo`), not coded.
import type {Facts} from '../facts/facts.js';
import type {Evidence, Severity} from '../model.js';
import type {Remedy} from '../remedies/step.js';
import type {CheckMeta} from './check-meta.js';

export interface FindingDraft {
  /** The distinct fault (`ovsdb-server-down`); the finding's kind is `<ID>/<kind>`. Defaults to the check's slug. */
  kind?: string;
  subject: string;
  message: string;
  /** The remedy: steps built by src/remedies/. */
  fix: Remedy;
  evidence: Evidence[];
  /** Defaults to the check's severity. */
  severity?: Severity;
  /** Defaults to the short explanation of the check's docs page. */
  explanation?: string;
}

export type CheckOutcome =
  | {status: 'pass'; note?: string}
  | {status: 'skip'; reason: string}
  | {status: 'n/a'; reason: string}
  | {status: 'fail'; findings: FindingDraft[]};

export interface CheckDefinition extends CheckMeta {
  run(facts: Facts): CheckOutcome | FindingDraft[];
}

export function defineCheck(meta: CheckMeta, run: CheckDefinition['run']): CheckDefinition {
  return {...meta, run};
}

export const pass = (note?: string): CheckOutcome => ({status: 'pass', note});
export const skip = (reason: string): CheckOutcome => ({status: 'skip', reason});
export const notApplicable = (reason: string): CheckOutcome => ({status: 'n/a', reason});

/** Evidence helper: one source, its proving lines. */
export function evidence(source: string, ...lines: string[]): Evidence {
  return {source, lines};
}
