// The gate's text: one line per blocker, per fault the next boot heals and per open question, then
// the persistence part of the repair plan, and the verdict as the very last line, so scripts can
// read `tail -n1` (or better, the exit code). The findings themselves (why, evidence, every fix)
// are in `tapdoctor check` / `analyze` and in --json; the gate does not repeat them.
import {Chalk} from 'chalk';
import type {Report} from '../model.js';
import {fixLines, WIDTH} from '../report/text.js';
import type {GateDecision} from './decide.js';
import {persistenceSteps} from './plan.js';

export function verdictLine(d: Pick<GateDecision, 'verdict' | 'blockers' | 'unknowns'>): string {
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  if (d.verdict === 'safe') return 'SAFE TO REBOOT';
  if (d.verdict === 'not-safe') return `NOT SAFE TO REBOOT: ${n(d.blockers.length, 'blocker')}`;
  return `CANNOT TELL IF SAFE TO REBOOT: ${n(d.unknowns.length, 'open question')}`;
}

export interface GateTextOptions {
  color: boolean;
  width?: number;
}

export function renderGate(d: GateDecision, opts: GateTextOptions, report?: Report): string {
  const width = opts.width ?? WIDTH;
  const c = new Chalk({level: opts.color ? 1 : 0});
  const out: string[] = [c.bold('Pre-reboot gate')];
  const section = (title: string, n: number) => out.push(c.bold(`${title} (${n})`));
  if (d.blockers.length > 0) {
    section('BLOCKS REBOOT', d.blockers.length);
    for (const b of d.blockers) out.push(`  ${c.red('✖')} ${c.red.bold(b.id)} ${sentence(b.subject, b.message)}`);
  }
  if (d.heals.length > 0) {
    section('HEALS AT BOOT', d.heals.length);
    for (const h of d.heals) out.push(`  ${c.cyan('↻')} ${c.bold(h.id)} ${sentence(h.subject, h.message)} ${c.dim(`— at boot: ${h.why}`)}`);
  }
  if (d.unknowns.length > 0) {
    section('OPEN QUESTIONS', d.unknowns.length);
    for (const u of d.unknowns) out.push(`  ${c.yellow('?')} ${u.what}: ${u.reason}`);
  }
  for (const note of d.notes) out.push(c.dim(`  ${note}`));
  if (report) {
    const other = report.results.flatMap((r) => r.findings).filter((f) => !f.waiver && f.severity !== 'error' && !d.blockers.some((b) => b.id === f.checkId && b.subject === f.subject));
    if (other.length > 0) out.push(c.dim(`  ${other.length === 1 ? '1 more finding (a warning or info) does' : `${other.length} more findings (warnings, info) do`} not block a reboot: tapdoctor check or --json shows them`));
  }
  const steps = persistenceSteps(d.blockers, report);
  if (steps.length > 0) {
    out.push(c.bold('PERSIST BEFORE REBOOTING'));
    for (const s of steps) {
      out.push(c.dim(`  # ${s.ref}`));
      for (const line of fixLines(s.lines.join('\n'), width - 2)) out.push(`  ${c.green(line)}`);
    }
  }
  const line = verdictLine(d);
  out.push(d.verdict === 'safe' ? c.green.bold(line) : d.verdict === 'not-safe' ? c.red.bold(line) : c.yellow.bold(line));
  return `${out.join('\n')}\n`;
}

/** Most messages begin with their subject ("tap0 has tag 6"): name it once, not "tap0: tap0 ...". */
function sentence(subject: string, message: string): string {
  const starts = subject !== '' && message.startsWith(subject) && /^[\s:]/.test(message.slice(subject.length));
  return (starts ? message : `${subject}: ${message}`).replace(/\s*\n\s*/g, ' ');
}
