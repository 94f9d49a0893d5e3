// Splits the arguments of an iptables-restore rule line the way iptables-restore does
// (add_param_to_argv): words separated by spaces/tabs, double quotes group words, and inside quotes
// a backslash escapes `"` and `\` (iptables-save writes `--comment "a \"b\""`). Quotes may sit inside
// a word (`a"b c"` is one token `ab c`). Any other backslash stays as it is.
//
// Written for speed: one pass over char codes, tokens cut with slice() (no per-char string
// building unless a token holds quotes), results kept in reusable arrays.

const SPACE = 32;
const TAB = 9;
const QUOTE = 34;
const BACKSLASH = 92;
const BRACE = 123;

/** Reusable token buffers: `count` tokens are valid, the arrays may hold stale entries past it. */
export class Tokens {
  values: string[] = [];
  /** Whether the token had quotes: a quoted `!` or `-x` is a plain value, never syntax. */
  quoted: boolean[] = [];
  count = 0;

  push(value: string, quoted: boolean): void {
    this.values[this.count] = value;
    this.quoted[this.count] = quoted;
    this.count++;
  }
}

/**
 * Tokenizes `line` from index `start` into `out`. Returns null, or an error detail
 * (unterminated quote, template syntax).
 */
export function tokenize(line: string, start: number, out: Tokens): string | null {
  out.count = 0;
  const n = line.length;
  let i = start;
  while (i < n) {
    let c = line.charCodeAt(i);
    if (c === SPACE || c === TAB) {
      i++;
      continue;
    }
    const tokenStart = i;
    while (i < n) {
      c = line.charCodeAt(i);
      if (c === SPACE || c === TAB || c === QUOTE) break;
      i++;
    }
    if (i >= n || c !== QUOTE) {
      out.push(line.slice(tokenStart, i), false);
      continue;
    }
    // Rare path: the token contains quotes; build it piecewise.
    let value = line.slice(tokenStart, i);
    while (i < n) {
      c = line.charCodeAt(i);
      if (c === SPACE || c === TAB) break;
      if (c === QUOTE) {
        i++;
        let segment = i;
        let closed = false;
        while (i < n) {
          c = line.charCodeAt(i);
          if (c === BACKSLASH && i + 1 < n) {
            const next = line.charCodeAt(i + 1);
            if (next === QUOTE || next === BACKSLASH) {
              value += line.slice(segment, i);
              segment = i + 1; // keep the escaped char, drop the backslash
              i += 2;
              continue;
            }
          } else if (c === QUOTE) {
            value += line.slice(segment, i);
            i++;
            closed = true;
            break;
          }
          i++;
        }
        if (!closed) return 'unterminated quote';
      } else {
        const segment = i;
        while (i < n) {
          c = line.charCodeAt(i);
          if (c === SPACE || c === TAB || c === QUOTE) break;
          i++;
        }
        value += line.slice(segment, i);
      }
    }
    out.push(value, true);
  }
  // Jinja (`{{ var }}`, `{% if %}`) outside quotes: a template, not a ruleset. indexOf is cheap and
  // almost never finds a brace, so the careful scan below rarely runs.
  if (line.indexOf('{', start) !== -1 && hasTemplateSyntax(line, start)) {
    return 'template syntax ({{ }} or {% %}) is not iptables-restore input';
  }
  return null;
}

/** `{{` or `{%` outside double quotes. */
function hasTemplateSyntax(line: string, start: number): boolean {
  let inQuote = false;
  for (let i = start; i < line.length - 1; i++) {
    const c = line.charCodeAt(i);
    if (inQuote) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inQuote = false;
    } else if (c === QUOTE) {
      inQuote = true;
    } else if (c === BRACE) {
      const next = line.charCodeAt(i + 1);
      if (next === BRACE || next === 37 /* % */) return true;
    }
  }
  return false;
}

/** How the serializer writes one token so that tokenize() gives it back unchanged. */
export function quoteToken(value: string): string {
  if (value.length > 0 && !needsQuotes(value)) return value;
  let out = '"';
  let segment = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === QUOTE || c === BACKSLASH) {
      out += value.slice(segment, i) + '\\';
      segment = i;
    }
  }
  return out + value.slice(segment) + '"';
}

function needsQuotes(value: string): boolean {
  const first = value.charCodeAt(0);
  // A bare `-x` would read as an option, a bare `!` as negation.
  if (first === 45 /* - */ || value === '!') return true;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    // CR would be eaten at the end of a line; `{` could form template syntax with a neighbour.
    if (c === SPACE || c === TAB || c === QUOTE || c === BACKSLASH || c === 13 || c === 10 || c === BRACE) return true;
  }
  return false;
}
