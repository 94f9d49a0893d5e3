// Real captures are messy around the edges: a paste starts with the prompt and the command, a
// support tool's capture starts with "Message truncated" lines (insights-core's `ip addr` test
// data), a terminal copy ends with a scroll marker. Such lines before the first line the format
// can start with, and after the last line that belongs to it, are skipped - and said, so nothing
// disappears silently. Junk in the middle is left to the parser, which refuses it.
import {clip, splitLines} from './errors.js';

export interface JunkFormat {
  /** What the output is, for the note ("`ip -d address` output"). */
  what: string;
  /** A line the output can start with (`1: lo: <LOOPBACK,...>`, `Chain INPUT (policy ...`). */
  start: (line: string) => boolean;
  /** A line that belongs to the output after its start (continuations, rules, blank lines). */
  body: (line: string) => boolean;
}

export interface Trimmed {
  text: string;
  /** One sentence about what was skipped, undefined when nothing was. */
  note?: string;
  skippedLeading: number;
  skippedTrailing: number;
}

export function skipJunk(text: string, format: JunkFormat): Trimmed {
  const lines = splitLines(text);
  let first = lines.findIndex((l) => format.start(l));
  if (first < 0) first = 0; // nothing recognisable: leave it all to the parser, which says why
  let last = lines.length - 1;
  while (last > first && !(format.start(lines[last]!) || format.body(lines[last]!))) last--;
  const leading = lines.slice(0, first).filter((l) => l.trim() !== '');
  const trailing = lines.slice(last + 1).filter((l) => l.trim() !== '');
  if (leading.length === 0 && trailing.length === 0) return {text, skippedLeading: 0, skippedTrailing: 0};
  const parts: string[] = [];
  if (leading.length > 0) parts.push(`${leading.length} leading line${leading.length === 1 ? '' : 's'} (${quoteLine(leading[0]!)}${leading.length > 1 ? ', …' : ''})`);
  if (trailing.length > 0) parts.push(`${trailing.length} trailing line${trailing.length === 1 ? '' : 's'} (${quoteLine(trailing[0]!)}${trailing.length > 1 ? ', …' : ''})`);
  return {
    text: `${lines.slice(first, last + 1).join('\n')}\n`,
    note: `skipped ${parts.join(' and ')} that are not ${format.what}`,
    skippedLeading: leading.length,
    skippedTrailing: trailing.length,
  };
}

function quoteLine(line: string): string {
  return `"${clip(line.trim(), 60)}"`;
}
