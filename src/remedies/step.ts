// A remedy is a list of steps; each step does one job on the host, named by its key, so the plan
// can keep one step per job however many findings ask for it.

/** The order a plan runs in: repairs of the running state, then the files the next boot reads,
 *  then reloads and restarts that apply those files, then steps that disturb a running job
 *  (guarded), then a verification run. */
export const PHASES = ['runtime', 'persist', 'reload', 'disruptive', 'verify'] as const;
export type Phase = (typeof PHASES)[number];

export interface Step {
  phase: Phase;
  /** The job this step does ("ifcfg:/etc/sysconfig/network/ifcfg-br1:STARTMODE"): one step per key in a plan. */
  key: string;
  /** Shell lines: commands, or comments starting with '#'. */
  lines: string[];
  /** Host files the lines name: they move below --root (paths of kernel state, mount points, stay). */
  files?: string[];
  /** Keys of steps this one makes unnecessary (a sed that already fixed what an append would add). */
  satisfies?: string[];
  /** Not automatable: the reason; the lines are printed as comments marked MANUAL. */
  manual?: string;
  /** Disturbs the job running in this pool directory: the script stops before it while that job runs. */
  job?: string;
}

export type Remedy = Step[];

export function step(phase: Phase, key: string, lines: string[], more: Omit<Step, 'phase' | 'key' | 'lines'> = {}): Step {
  return {phase, key, lines, ...more};
}

/** Advice a script cannot carry out: an admin decision or a value tapdoctor cannot know. */
export function manual(key: string, reason: string, lines: string[], phase: Phase = 'persist'): Step {
  return {phase, key, lines, manual: reason};
}
