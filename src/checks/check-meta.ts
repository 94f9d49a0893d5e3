// What a check states about itself (ESLint's rule `meta`, insights-core's `@rule(deps)`): each host
// check keeps it in its own `<ID>-<slug>.meta.ts` beside its code, and checks/meta.ts indexes them
// without loading any check code, so `checks list` and `explain` stay fast.
import type {Severity} from '../model.js';

export interface CheckMeta {
  id: string;
  slug: string;
  title: string;
  severity: Severity;
  /** Persistence checks: run by `tapdoctor gate` only (what the next boot will build). */
  gate?: boolean;
  /**
   * The distinct faults the check reports besides its main one (whose kind is the slug): the
   * finding's `kind` is `<ID>/<name>`, stable in JSON, each with a `### <ID>/<name>` section on the
   * check's page and a case in fixtures/cases.
   */
  kinds?: Readonly<Record<string, KindMeta>>;
  /** Preconditions the engine evaluates before running the check; unmet = status n/a with the reason. */
  appliesTo?: readonly Applicability[];
  /**
   * The sources (src/sources/catalogue.ts names) the check's facts read, the applicability's
   * included; test/check-needs.test.ts keeps it true. Host checks declare it; fleet checks read
   * per-host results instead.
   */
  needs?: readonly string[];
}

export interface KindMeta {
  severity: Severity;
  title: string;
}

/** Declared preconditions (evaluated in checks/applicability.ts). */
export type Applicability = 'tap-worker';
