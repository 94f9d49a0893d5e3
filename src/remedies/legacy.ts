// Fix text of checks whose remedy is not built from steps yet: one runtime step per finding, its
// host paths moved below --root like any other. Lines that carry a placeholder an admin must fill
// in (`<handle>`, `$EDITOR`) are MANUAL.
import type {Step} from './step.js';

const PLACEHOLDER = /<[a-z][^>]*>|\$EDITOR/;

export function remedyOf(checkId: string, fix: readonly Step[] | string): readonly Step[] {
  if (typeof fix !== 'string') return fix;
  if (fix.trim() === '') return [];
  const lines = fix.split('\n');
  const steps: Step[] = [];
  let run: string[] = [];
  const flush = () => {
    if (run.length) steps.push({phase: 'runtime', key: `text:${checkId}:${run.join('\n')}`, lines: run, fromText: true});
    run = [];
  };
  for (const line of lines) {
    if (!line.startsWith('#') && PLACEHOLDER.test(line)) {
      flush();
      steps.push({phase: 'runtime', key: `text:${checkId}:${line}`, lines: [line], manual: 'fill in the value in <...> first', fromText: true});
    } else run.push(line);
  }
  flush();
  return steps;
}
