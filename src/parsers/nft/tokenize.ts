// Tokenizer of nft text (`nft list ruleset` output and config files).
import {ParseError, splitLines} from '../errors.js';

export type TokKind = 'word' | 'string' | '{' | '}' | ';' | ',' | 'nl' | 'comment';

export interface Tok {
  kind: TokKind;
  /** Word or string content (without quotes), comment text (with `#`). */
  value: string;
  line: number;
  start: number;
  end: number;
}

const PUNCT = new Set(['{', '}', ';', ',']);

/** Linear scan; strings may span lines (nft accepts `"eth0<newline>eth1"`). */
export function tokenize(text: string, source: string): Tok[] {
  const toks: Tok[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (c === '\n') {
      toks.push({kind: 'nl', value: '', line, start: i, end: i + 1});
      line++;
      i++;
    } else if (c === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) {
      // backslash-newline continues a statement on the next line
      i += text[i + 1] === '\n' ? 2 : 3;
      line++;
    } else if (c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      i++;
    } else if (c === '#') {
      let j = text.indexOf('\n', i);
      if (j < 0) j = n;
      toks.push({kind: 'comment', value: text.slice(i, j), line, start: i, end: j});
      i = j;
    } else if (c === '"') {
      const j = text.indexOf('"', i + 1);
      if (j < 0) {
        const lineText = splitLines(text)[line - 1] ?? '';
        throw new ParseError(source, line, lineText, 'unterminated string');
      }
      const value = text.slice(i + 1, j);
      toks.push({kind: 'string', value, line, start: i, end: j + 1});
      for (let k = i + 1; k < j; k++) if (text.charCodeAt(k) === 10) line++;
      i = j + 1;
    } else if (PUNCT.has(c)) {
      toks.push({kind: c as TokKind, value: c, line, start: i, end: i + 1});
      i++;
    } else {
      let j = i + 1;
      while (j < n && !isWordEnd(text[j]!)) j++;
      toks.push({kind: 'word', value: text.slice(i, j), line, start: i, end: j});
      i = j;
    }
  }
  return toks;
}

function isWordEnd(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '"' || c === '#' || c === '{' || c === '}' || c === ';' || c === ',' || c === '\f' || c === '\v';
}
