// The gate's text: every blocker with its fix, what stayed undecided, and the verdict as the very
// last line, so scripts can read `tail -n1` (or better, the exit code).
import {Chalk} from 'chalk';
import {WIDTH, fixLines, hanging} from '../report/text.js';
import type {GateDecision} from './decide.js';

export function verdictLine(d: GateDecision): string {
  const n = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  if (d.verdict === 'safe') return 'SAFE TO REBOOT';
  if (d.verdict === 'not-safe') return `NOT SAFE TO REBOOT: ${n(d.blockers.length, 'blocker')}`;
  return `CANNOT TELL IF SAFE TO REBOOT: ${n(d.unknowns.length, 'open question')}`;
}

export function renderGate(d: GateDecision, opts: {color: boolean; width?: number}): string {
  const width = opts.width ?? WIDTH;
  const c = new Chalk({level: opts.color ? 1 : 0});
  const out: string[] = [c.bold('Pre-reboot gate')];
  d.blockers.forEach((b, i) => {
    // Most messages begin with their subject ("tap0 has tag 6"): name it once, not "tap0: tap0 ...".
    const sentence = startsWithSubject(b.message, b.subject) ? b.message : `${b.subject}: ${b.message}`;
    const head = `  ${i + 1}. ${b.id} `;
    const text = hanging('', head.length, sentence, width);
    out.push(`${c.red.bold(head.trimEnd())} ${highlight(text[0]!, b.subject, c)}`, ...text.slice(1).map((l) => `       ${l.trimStart()}`));
    fixLines(b.fix, width - FIX_INDENT.length).forEach((line, n) => out.push(`${n === 0 ? '       fix: ' : FIX_INDENT}${c.green(line)}`));
  });
  for (const u of d.unknowns) out.push(...hanging(`  ${c.yellow('?')} `, 4, `${u.what}: ${u.reason}`, width));
  for (const note of d.notes) out.push(...hanging('  ', 4, note, width).map((l) => c.dim(l)));
  const line = verdictLine(d);
  out.push(d.verdict === 'safe' ? c.green.bold(line) : d.verdict === 'not-safe' ? c.red.bold(line) : c.yellow.bold(line));
  return `${out.join('\n')}\n`;
}

const FIX_INDENT = ' '.repeat(12);

function startsWithSubject(message: string, subject: string): boolean {
  return subject !== '' && message.startsWith(subject) && /^[\s:]/.test(message.slice(subject.length));
}

/** Underline the subject where the line starts with it, as the report does. */
function highlight(line: string, subject: string, c: InstanceType<typeof Chalk>): string {
  return line.startsWith(subject) ? `${c.underline(subject)}${line.slice(subject.length)}` : line;
}
