// Evidence quoted from a captured file: its path and the lines that prove a finding.
import {splitLines} from '../parsers/errors.js';
import type {Evidence} from '../model.js';
import type {Facts} from './facts.js';

/** The verbatim text of 1-based lines of a text (for evidence). */
export function linesOf(text: string, lineNumbers: readonly number[]): string[] {
  const all = splitLines(text);
  return [...new Set(lineNumbers)].sort((a, b) => a - b).flatMap((n) => (n >= 1 && n <= all.length ? [all[n - 1]!] : []));
}

/** The text of a captured file, '' when it is not in the snapshot. */
export function fileText(f: Facts, source: string, path: string): string {
  const got = f.view.file(source, path);
  return got.ok && got.value ? got.value.text : '';
}

/** Evidence from a file: its path and the given lines (every non-comment line when none are given). */
export function fileEvidence(f: Facts, source: string, path: string, lineNumbers?: readonly number[]): Evidence {
  const text = fileText(f, source, path);
  const lines = lineNumbers ? linesOf(text, lineNumbers) : splitLines(text).filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  return {source: path, lines};
}
