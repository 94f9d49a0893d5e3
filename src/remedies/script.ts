// The plan as a POSIX sh script: review it, then `sh fix.sh`. `set -eu` stops at the first failing
// command; steps that would disturb a running job come last and the script stops before each
// while its job runs.
import type {Plan} from './plan.js';
import {stepLines} from './plan.js';
import {below, q} from './shell.js';
import type {Phase} from './step.js';

export interface ScriptHeader {
  host: string;
  /** When the data was captured. */
  capturedAt: string;
  /** What was analyzed: "live host", a snapshot path. */
  source: string;
  findings: Array<{ref: string; severity: string; message: string}>;
  /** The command that checks the result ("tapdoctor check --root /x"). */
  verify: string;
}

const TITLES: Record<Phase, string> = {
  runtime: 'repair the running state',
  persist: 'make the next boot build the same',
  reload: 'reload and restart what reads those files',
  disruptive: 'steps that disturb a running job (the script stops before each while its job runs)',
  verify: 'verify',
};

export function renderScript(plan: Plan, h: ScriptHeader): string {
  const out: string[] = [
    '#!/bin/sh',
    `# tapdoctor repair plan for ${oneLine(h.host)}, from ${oneLine(h.source)} captured ${h.capturedAt}`,
    ...(plan.root !== '/' ? [`# host files below ${plan.root} (--root); kernel state is changed where this script runs`] : []),
    `# findings (${h.findings.length}):`,
    ...h.findings.map((f) => `#   ${f.ref} (${f.severity}): ${oneLine(f.message)}`),
    '# review every step, then run: sh fix.sh',
    'set -eu',
    '',
    '# A job runs in a pool directory while its qemu.pid names a live process.',
    'job_running() { [ -s "$1/qemu.pid" ] && kill -0 "$(cat "$1/qemu.pid")" 2>/dev/null; }',
  ];
  if (plan.steps.length === 0) out.push('', '# nothing to repair');
  let phase: Phase | undefined;
  for (const s of plan.steps) {
    if (s.phase !== phase) {
      phase = s.phase;
      out.push('', `# === ${TITLES[phase]} ===`);
    }
    out.push('', `# [${s.findings.join(', ')}]`);
    if (s.job) {
      const dir = below(plan.root, s.job);
      out.push(`if job_running ${q(dir)}; then`, `  echo ${q(`tapdoctor plan: stopped: a job runs in ${dir}; the steps above are done; run this script again once that job has ended`)} >&2`, '  exit 3', 'fi');
    }
    out.push(...stepLines(s, plan.root));
  }
  if (phase !== 'verify') out.push('', `# === ${TITLES.verify} ===`);
  out.push('', h.verify, '');
  return out.join('\n');
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ');
}
