// What the two line-oriented iptables parsers (iptables-save, iptables -L) share: walking the
// text line by line without split(), cutting a line into blank-separated words, and the
// strict/tolerant way of failing.

import {clip, ParseError} from '../errors.js';
import {isBlank} from './tokenize.js';

/**
 * Calls visit for each line of text with its 1-based number. The CR of a CRLF is not part of the
 * line; `crlf` says it was there. One pass with indexOf: linear in the input, whatever it holds.
 */
export function forEachLine(text: string, visit: (line: string, lineNo: number, crlf: boolean) => void): void {
  forEachLineAt(text, (start, end, lineNo, crlf) => visit(text.slice(start, end), lineNo, crlf));
}

/** forEachLine without copying: each line is text[start, end) (its CR excluded). */
export function forEachLineAt(text: string, visit: (start: number, end: number, lineNo: number, crlf: boolean) => void): void {
  const n = text.length;
  let pos = 0;
  let lineNo = 0;
  while (pos < n) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = n;
    lineNo++;
    const crlf = end > pos && text.charCodeAt(end - 1) === 13; /* CR */
    visit(pos, crlf ? end - 1 : end, lineNo, crlf);
    pos = end + 1;
  }
}

export interface Word {
  text: string;
  start: number;
  end: number;
}

/** Up to `max` blank-separated words of line[from..], with their positions (no quoting). */
export function wordsOf(line: string, from = 0, max = Infinity): Word[] {
  const words: Word[] = [];
  let i = from;
  while (i < line.length && words.length < max) {
    while (i < line.length && isBlank(line.charCodeAt(i))) i++;
    if (i >= line.length) break;
    const start = i;
    while (i < line.length && !isBlank(line.charCodeAt(i))) i++;
    words.push({text: line.slice(start, i), start, end: i});
  }
  return words;
}

/**
 * The parsers' way to fail: strict throws the first ParseError, tolerant records each in
 * `errors` and lets the parser go on. Details quote input (names, tokens) and a token can be
 * megabytes: they are clipped like the offending text.
 */
export function failer(source: string, tolerant: boolean, errors: ParseError[]): (line: number, lineText: string, detail: string) => void {
  return (line, lineText, detail) => {
    const error = new ParseError(source, line, lineText, clip(detail, 200));
    if (!tolerant) throw error;
    errors.push(error);
  };
}
