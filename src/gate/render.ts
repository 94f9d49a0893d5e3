// The gate's text: every blocker with its fix, what stayed undecided, and the verdict as the very
// last line, so scripts can read `tail -n1` (or better, the exit code).
import {Chalk} from 'chalk';
import type {GateDecision} from './decide.js';

export function verdictLine(d: GateDecision): string {
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  if (d.verdict === 'safe') return 'SAFE TO REBOOT';
  if (d.verdict === 'not-safe') return `NOT SAFE TO REBOOT: ${n(d.blockers.length, 'blocker')}`;
  return `CANNOT TELL IF SAFE TO REBOOT: ${n(d.unknowns.length, 'open question')}`;
}

export function renderGate(d: GateDecision, opts: {color: boolean}): string {
  const c = new Chalk({level: opts.color ? 1 : 0});
  const out: string[] = [c.bold('Pre-reboot gate')];
  d.blockers.forEach((b, i) => {
    out.push(`  ${c.red.bold(`${i + 1}. ${b.id}`)} ${c.underline(b.subject)}: ${b.message}`);
    b.fix.split('\n').forEach((line, n) => out.push(`${n === 0 ? '       fix: ' : '            '}${c.green(line)}`));
  });
  for (const u of d.unknowns) out.push(`  ${c.yellow('?')} ${u.what}: ${u.reason}`);
  for (const note of d.notes) out.push(`  ${c.dim(note)}`);
  const line = verdictLine(d);
  out.push(d.verdict === 'safe' ? c.green.bold(line) : d.verdict === 'not-safe' ? c.red.bold(line) : c.yellow.bold(line));
  return `${out.join('\n')}\n`;
}
