// One plan per report: every finding's remedy merged into one ordered list of steps. A job asked
// for by several findings is done once (same key: the first asker's step wins, every asker is
// tagged); a step another step makes unnecessary is dropped (`satisfies`); steps run phase by
// phase. Each finding's "Fix" is its slice of this plan, so the per-finding advice and the
// script never disagree.
import {below, q} from './shell.js';
import {PHASES, type Step} from './step.js';

export interface PlannedStep extends Step {
  /** The findings this step serves ("TD012 tap1"). */
  findings: string[];
}

export interface Plan {
  /** Host files are named below this directory ('/' normally, --root otherwise). */
  root: string;
  steps: PlannedStep[];
}

export interface PlanInput {
  /** The finding's reference: "TD012 tap1". */
  ref: string;
  steps: readonly Step[];
}

export function findingRef(f: {checkId: string; subject: string}): string {
  return `${f.checkId} ${f.subject}`;
}

export function buildPlan(inputs: readonly PlanInput[], root = '/'): Plan {
  const all = inputs.flatMap((i) => i.steps.map((s) => ({ref: i.ref, step: s})));
  // Who makes which key unnecessary: the first step that says so.
  const satisfiedBy = new Map<string, string>();
  for (const {step} of all) for (const k of step.satisfies ?? []) if (k !== step.key && !satisfiedBy.has(k)) satisfiedBy.set(k, step.key);
  const byKey = new Map<string, PlannedStep>();
  const pending: Array<{key: string; ref: string}> = [];
  for (const {ref, step} of all) {
    const owner = resolve(step.key, satisfiedBy);
    if (owner !== step.key) {
      pending.push({key: owner, ref});
      continue;
    }
    const have = byKey.get(step.key);
    if (have) tag(have, ref);
    else byKey.set(step.key, {...step, lines: [...step.lines], findings: [ref]});
  }
  for (const p of pending) {
    const owner = byKey.get(p.key);
    if (owner) tag(owner, p.ref);
  }
  const order = (s: Step) => PHASES.indexOf(s.phase);
  const steps = [...byKey.values()].map((s, i) => ({s, i})).sort((a, b) => order(a.s) - order(b.s) || a.i - b.i).map(({s}) => s);
  return {root, steps};
}

/** Follow `satisfies` links to the step that finally does the job (cycles stop where they start). */
function resolve(key: string, satisfiedBy: Map<string, string>): string {
  const seen = new Set<string>([key]);
  let at = key;
  for (let next = satisfiedBy.get(at); next !== undefined && !seen.has(next); next = satisfiedBy.get(at)) {
    seen.add(next);
    at = next;
  }
  return at;
}

function tag(step: PlannedStep, ref: string): void {
  if (!step.findings.includes(ref)) step.findings.push(ref);
}

/** The step's lines as the host runs them: files below the root, MANUAL steps as comments. */
export function stepLines(step: Step, root: string): string[] {
  const lines = step.lines.map((l) => reroot(l, step, root));
  if (!step.manual) return lines;
  return [`# MANUAL (${step.manual}):`, ...lines.map((l) => (l.startsWith('#') ? l : `#   ${l}`))];
}

/** A fix text by itself: the plan of just these steps (a finding outside any report's plan). */
export function ownSlice(ref: string, steps: readonly Step[], root = '/'): string {
  return sliceFor(buildPlan([{ref, steps}], root), ref);
}

/** One finding's slice of the plan, as the text shown under its "Fix". */
export function sliceFor(plan: Plan, ref: string): string {
  const out: string[] = [];
  for (const s of plan.steps) if (s.findings.includes(ref)) out.push(...sliceLines(plan, s));
  return out.join('\n');
}

/**
 * Every finding's slice at once, in one pass over the steps: what sliceFor gives for each ref (a
 * report with 300 findings would otherwise scan the whole plan 300 times).
 */
export function planSlices(plan: Plan): (ref: string) => string {
  const byRef = new Map<string, string[]>();
  for (const s of plan.steps) {
    const lines = sliceLines(plan, s);
    for (const ref of s.findings) {
      const out = byRef.get(ref);
      if (out) out.push(...lines);
      else byRef.set(ref, [...lines]);
    }
  }
  return (ref) => byRef.get(ref)?.join('\n') ?? '';
}

/** A step's part of a slice: the job it waits for, then its lines. */
function sliceLines(plan: Plan, s: PlannedStep): string[] {
  const lines = stepLines(s, plan.root);
  return s.job ? [`# only once the job in ${below(plan.root, s.job)} has ended (tapdoctor's script stops here while it runs):`, ...lines] : lines;
}

function reroot(line: string, step: Step, root: string): string {
  if (root === '/' || root === '') return line;
  let out = line;
  for (const file of [...(step.files ?? [])].sort((a, b) => b.length - a.length)) {
    const re = new RegExp(`(^|[\\s'"=<>(])${escapeRe(file)}(?![\\w.\\-/])`, 'g');
    out = out.replace(re, (_m, pre: string) => `${pre}${quoteIfNeeded(below(root, file))}`);
  }
  return out;
}

function quoteIfNeeded(path: string): string {
  return q(path);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
