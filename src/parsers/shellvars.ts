// Shell-variable files: /etc/sysconfig/*, wicked and network-scripts ifcfg-*, systemd
// EnvironmentFile= targets. They are "sourced" by shell (network-scripts) or read by a
// shell-like reader (wicked, systemd), so we accept what all of them accept in practice:
//
//   KEY='value'   KEY="value"   KEY=value   export KEY=value   KEY = value (insights sample)
//   # comment     KEY=value  # inline comment after an unquoted or quoted value
//   KEY='{"json": ["in", "single quotes"]}'   KEY='a'b"c" (adjacent words concatenate)
//
// Values are taken literally: `$VAR` is not expanded (no sysconfig file tapdoctor reads relies
// on it). Quoted values may span lines, as in shell. One left-to-right scan: linear time (a line
// the one-match fast path does not take is scanned again from its start, once).
import {ParseError} from './errors.js';

export interface ShellVar {
  name: string;
  value: string;
  /** 1-based line of the assignment. */
  line: number;
  exported: boolean;
}

export interface ShellVars {
  /** Every assignment in file order (a name may repeat). */
  entries: ShellVar[];
  /** Last assignment wins, as when the file is sourced. Null prototype: keys are file content. */
  values: Record<string, string>;
}

/** `plainLines: false` scans every line character by character (the tests compare both ways). */
export function parseShellVars(text: string, source: string, opts: {plainLines?: boolean} = {}): ShellVars {
  return new Scanner(text, source, opts.plainLines ?? true).run();
}

const isBlank = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v';
// Sticky patterns for the runs the scanner skips or takes whole (one match instead of a loop per
// character: ~300 ifcfg files on a 300-tap host). Still one left-to-right pass, no backtracking.
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const BLANKS = /[ \t\r\f\v]*/y;
/** An unquoted part of a word: up to a blank, newline, `;`, a quote or a backslash. */
const UNQUOTED = /[^ \t\r\f\v\n;'"\\]*/y;
/**
 * A whole line as nearly every ifcfg and sysconfig line is, taken in one match: blank, a comment,
 * or `[export ]KEY=value` with one single-quoted, double-quoted (no backslash) or unquoted value,
 * then at most blanks and a comment. Groups: 1 export, 2 name, 3/4/5 the value. Anything else
 * (`;`, adjacent quoted parts, escapes, a quote spanning lines, an error) goes to the scanner from
 * the line's start, so both give the same result. The lookaheads keep the match from choices the
 * scanner never makes: `export =1` is its error, not a variable named export; the blanks after `=`
 * are all skipped before the value (`KEY = #c` is the value `#c`, not an empty one and a comment).
 */
const PLAIN_LINE =
  /[ \t\r\f\v]*(?:(?:(export)[ \t\r\f\v]+)?(?!export[ \t\r\f\v])([A-Za-z_][A-Za-z0-9_]*)[ \t\r\f\v]*=[ \t\r\f\v]*(?![ \t\r\f\v])(?:'([^'\n]*)'|"([^"\\\n]*)"|([^ \t\r\f\v\n;'"\\]*))(?:[ \t\r\f\v]+(?:#[^\n]*)?)?|(?:#[^\n]*)?)(?:\n|$)/y;

class Scanner {
  private pos = 0;
  private line = 1;
  private lineStart = 0;

  constructor(
    private readonly text: string,
    private readonly source: string,
    private readonly plainLines: boolean,
  ) {}

  run(): ShellVars {
    const entries: ShellVar[] = [];
    const values: Record<string, string> = Object.create(null);
    const t = this.text;
    while (this.pos < t.length) {
      if (this.plainLines && this.pos === this.lineStart) {
        PLAIN_LINE.lastIndex = this.pos;
        const m = PLAIN_LINE.exec(t);
        if (m) {
          const name = m[2];
          if (name !== undefined) {
            const value = m[3] ?? m[4] ?? m[5]!;
            entries.push({name, value, line: this.line, exported: m[1] !== undefined});
            values[name] = value;
          }
          this.pos = PLAIN_LINE.lastIndex;
          if (t.charCodeAt(this.pos - 1) === 10) this.newlineAt(this.pos);
          continue;
        }
      }
      this.skipBlanks();
      if (this.pos >= t.length) break;
      const c = t[this.pos]!;
      if (c === '\n') {
        this.newline();
        continue;
      }
      if (c === '#') {
        this.skipToEol();
        continue;
      }
      if (c === ';') {
        this.pos++;
        continue;
      }
      const startLine = this.line;
      let name = this.readName();
      let exported = false;
      if (name === 'export' && isBlank(t[this.pos] ?? '')) {
        this.skipBlanks();
        exported = true;
        name = this.readName();
      }
      if (!name) this.fail('not a variable assignment');
      this.skipBlanks(); // `KEY = value` is not shell, but real files have it (insights sample)
      if (t[this.pos] !== '=') this.fail(`expected '=' after ${name}`);
      this.pos++;
      this.skipBlanks();
      const value = this.readWord();
      entries.push({name, value, line: startLine, exported});
      values[name] = value;
      this.endOfStatement();
    }
    return {entries, values};
  }

  private readName(): string {
    NAME.lastIndex = this.pos;
    const m = NAME.exec(this.text);
    if (!m) return '';
    this.pos = NAME.lastIndex;
    return m[0];
  }

  /** One shell word: quoted and unquoted parts concatenated, up to unquoted whitespace. */
  private readWord(): string {
    const t = this.text;
    const parts: string[] = [];
    while (this.pos < t.length) {
      const c = t[this.pos]!;
      if (isBlank(c) || c === '\n' || c === ';') break;
      if (c === "'") {
        const open = this.line;
        const end = t.indexOf("'", this.pos + 1);
        // On failure the error names the opening line, which is where this.line still is.
        if (end < 0) this.fail(`unterminated single quote (opened on line ${open})`);
        this.countNewlines(this.pos + 1, end);
        parts.push(t.slice(this.pos + 1, end));
        this.pos = end + 1;
      } else if (c === '"') {
        parts.push(this.readDoubleQuoted());
      } else if (c === '\\') {
        const next = t[this.pos + 1];
        if (next === undefined) {
          this.pos++;
        } else if (next === '\n') {
          this.pos += 2; // line continuation
          this.newlineAt(this.pos);
        } else {
          parts.push(next);
          this.pos += 2;
        }
      } else {
        UNQUOTED.lastIndex = this.pos;
        parts.push(UNQUOTED.exec(t)![0]);
        this.pos = UNQUOTED.lastIndex;
      }
    }
    return parts.join('');
  }

  private readDoubleQuoted(): string {
    const t = this.text;
    const open = this.line;
    const openStart = this.lineStart;
    this.pos++; // opening quote
    let out = '';
    let chunk = this.pos;
    while (this.pos < t.length) {
      const c = t[this.pos]!;
      if (c === '"') {
        out += t.slice(chunk, this.pos);
        this.pos++;
        return out;
      }
      if (c === '\\') {
        const next = t[this.pos + 1];
        // Inside double quotes a backslash only escapes these; elsewhere it is literal.
        if (next === '"' || next === '\\' || next === '$' || next === '`') {
          out += t.slice(chunk, this.pos) + next;
          this.pos += 2;
          chunk = this.pos;
          continue;
        }
        if (next === '\n') {
          out += t.slice(chunk, this.pos);
          this.pos += 2;
          this.newlineAt(this.pos);
          chunk = this.pos;
          continue;
        }
      }
      if (c === '\n') this.newlineAt(this.pos + 1);
      this.pos++;
    }
    this.line = open;
    this.lineStart = openStart;
    return this.fail(`unterminated double quote (opened on line ${open})`);
  }

  /** After a value: blanks, then end of line, a comment or `;`. */
  private endOfStatement(): void {
    this.skipBlanks();
    const c = this.text[this.pos];
    if (c === undefined || c === '\n' || c === ';') return;
    if (c === '#') {
      this.skipToEol();
      return;
    }
    this.fail('unexpected text after the value (unquoted space?)');
  }

  private skipBlanks(): void {
    BLANKS.lastIndex = this.pos;
    BLANKS.test(this.text);
    this.pos = BLANKS.lastIndex;
  }

  private skipToEol(): void {
    const end = this.text.indexOf('\n', this.pos);
    this.pos = end < 0 ? this.text.length : end;
  }

  private newline(): void {
    this.pos++;
    this.newlineAt(this.pos);
  }

  private newlineAt(nextLineStart: number): void {
    this.line++;
    this.lineStart = nextLineStart;
  }

  private countNewlines(from: number, to: number): void {
    for (let i = from; i < to; i++) if (this.text[i] === '\n') this.newlineAt(i + 1);
  }

  private fail(detail: string): never {
    const end = this.text.indexOf('\n', this.lineStart);
    const lineText = this.text.slice(this.lineStart, end < 0 ? undefined : end);
    throw new ParseError(this.source, this.line, lineText, detail);
  }
}
