// Splits the arguments of an iptables-restore rule line the way iptables-restore does
// (add_param_to_argv): words separated by spaces/tabs (and stray CRs), double quotes group words, and inside quotes
// a backslash escapes `"` and `\` (iptables-save writes `--comment "a \"b\""`). Quotes may sit inside
// a word (`a"b c"` is one token `ab c`). Any other backslash stays as it is.
//
// Written for speed: one pass over char codes, tokens cut with slice() (no per-char string
// building unless a token holds quotes), results kept in reusable arrays.

// Char codes of the chars the iptables-restore word rules (here and in word-scanner.ts) look for.
export const SPACE = 32;
export const BANG = 33;
const QUOTE = 34;
const PERCENT = 37;
export const DASH = 45;
export const BACKSLASH = 92;
const LOWER_G = 103;
export const LOWER_J = 106;
const BRACE = 123;

/**
 * Space and tab separate words, as in iptables-restore. So does a CR: only a stray one can get here
 * (line splitting drops the CR of CRLF), and keeping it inside a word would make it vanish when the
 * serializer puts that word at the end of a line.
 */
export function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 13;
}

const INTERN_SLOTS = 4096; // power of two
const INTERN_MAX_LENGTH = 40;

/**
 * Reusable token buffers: `count` tokens are valid, the arrays may hold stale entries past it.
 *
 * Short unquoted tokens are interned: a ruleset repeats the same words (`-A`, `--dport`, `ACCEPT`,
 * `eth0`, `RELATED,ESTABLISHED`) hundreds of thousands of times, and handing out one shared string
 * instead of a fresh copy each time saves most of the parser's allocations (and GC time). The table
 * is a fixed-size cache keyed by a hash of the word (of all its chars where tokenize reads them one by
 * one, of its length and three chars where it cuts the word with indexOf: sampleHash), so memory
 * stays bounded; two words on one slot only cost a copy each time they alternate.
 */
export class Tokens {
  values: string[] = [];
  /** Whether the token had quotes: a quoted `!` or `-x` is a plain value, never syntax. */
  quoted: boolean[] = [];
  count = 0;
  private readonly names = new Interner();

  push(value: string, quoted: boolean): void {
    this.values[this.count] = value;
    this.quoted[this.count] = quoted;
    this.count++;
  }

  /** Pushes line[start, end) (unquoted), reusing an earlier equal string when the cache has one. */
  pushSlice(line: string, start: number, end: number, hash: number): void {
    this.push(this.names.slice(line, start, end, hash), false);
  }
}

/**
 * text.slice(start, end), handing out an earlier equal string when the cache holds one: a fixed-size
 * table keyed by a hash of the word (wordHash or sampleHash), so memory stays bounded and a hit
 * allocates nothing.
 */
class Interner {
  private readonly interned: (string | undefined)[] = new Array<string | undefined>(INTERN_SLOTS);

  slice(text: string, start: number, end: number, hash = wordHash(text, start, end)): string {
    const length = end - start;
    if (length > INTERN_MAX_LENGTH) return text.slice(start, end);
    const slot = internSlot(hash, length);
    const known = this.interned[slot];
    if (known !== undefined && known.length === length && text.startsWith(known, start)) return known;
    const value = text.slice(start, end);
    this.interned[slot] = value;
    return value;
  }
}

function internSlot(hash: number, length: number): number {
  return (hash ^ (hash >>> 12) ^ length) & (INTERN_SLOTS - 1);
}

/**
 * Chain and target names by small ids: the same few strings on 100,000 lines. A hit (the name at
 * this slot of the text equals the one remembered) allocates nothing.
 */
export class NameIds {
  readonly names: string[] = [];
  private readonly byName = new Map<string, number>();
  private readonly slots = new Int32Array(INTERN_SLOTS).fill(-1);

  id(text: string, start: number, end: number, hash: number): number {
    const length = end - start;
    const slot = internSlot(hash, length);
    const known = this.slots[slot]!;
    if (known !== -1) {
      const name = this.names[known]!;
      if (name.length === length && text.startsWith(name, start)) return known;
    }
    const name = text.slice(start, end);
    let id = this.byName.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.byName.set(name, id);
    }
    this.slots[slot] = id;
    return id;
  }
}

/** Where the next quote, tab or CR is at or after `from` (n when there is none). */
function nextSpecial(line: string, from: number, n: number): number {
  let next = n;
  for (const special of SPECIALS) {
    const at = line.indexOf(special, from);
    if (at !== -1 && at < next) next = at;
  }
  return next;
}
const SPECIALS = ['"', '\t', '\r'];

/** A hash of a word from its length and three of its chars: enough to pick an Interner slot. */
function sampleHash(text: string, start: number, end: number): number {
  const length = end - start;
  if (length === 0) return 0;
  return (Math.imul(Math.imul(Math.imul(length, 31) + text.charCodeAt(start), 31) + text.charCodeAt((start + end) >> 1), 31) + text.charCodeAt(end - 1)) | 0;
}

/** The hash tokenize() computes while it reads a word. */
export function wordHash(text: string, start: number, end: number): number {
  let hash = 0;
  for (let i = start; i < end; i++) hash = (Math.imul(hash, 31) + text.charCodeAt(i)) | 0;
  return hash;
}

/**
 * Tokenizes `line` from index `start` into `out`. Returns null, or an error detail
 * (unterminated quote, template syntax).
 */
export function tokenize(line: string, start: number, out: Tokens): string | null {
  out.count = 0;
  const n = line.length;
  // Up to the next quote, tab or CR a word is everything up to a space: found with indexOf, which
  // runs natively even before the optimizing compiler has seen this function (a run of tapdoctor
  // parses a few thousand rules, too few for the compiler to catch up with a loop per char).
  let special = nextSpecial(line, start, n);
  let i = start;
  while (i < n) {
    let c = line.charCodeAt(i);
    if (isBlank(c)) {
      i++;
      continue;
    }
    const tokenStart = i;
    if (i > special) special = nextSpecial(line, i, n);
    if (i < special) {
      let end = line.indexOf(' ', i);
      if (end === -1) end = n;
      if (end <= special) {
        out.pushSlice(line, tokenStart, end, sampleHash(line, tokenStart, end));
        i = end;
        continue;
      }
    }
    let hash = 0;
    while (i < n) {
      c = line.charCodeAt(i);
      if (isBlank(c) || c === QUOTE) break;
      hash = (Math.imul(hash, 31) + c) | 0;
      i++;
    }
    if (i >= n || c !== QUOTE) {
      out.pushSlice(line, tokenStart, i, hash);
      continue;
    }
    // Rare path: the token contains quotes; build it piecewise.
    let value = line.slice(tokenStart, i);
    while (i < n) {
      c = line.charCodeAt(i);
      if (isBlank(c)) break;
      if (c === QUOTE) {
        const close = closingQuote(line, i, n);
        if (close === -1) return 'unterminated quote';
        // Keep the escaped char, drop the backslash.
        value += line.slice(i + 1, close).replace(ESCAPED, '$1');
        i = close + 1;
      } else {
        const segment = i;
        while (i < n) {
          c = line.charCodeAt(i);
          if (isBlank(c) || c === QUOTE) break;
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

/** Inside quotes, a backslash escapes `"` and `\\` (and only those). */
const ESCAPED = /\\(["\\])/g;

/**
 * The index of the quote closing the one at text[open], before `end`; -1 when it is never closed.
 * Inside, `\"` and `\\` are escapes (iptables-restore's add_param_to_argv).
 */
function closingQuote(text: string, open: number, end: number): number {
  for (let i = open + 1; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH && i + 1 < end) {
      const next = text.charCodeAt(i + 1);
      if (next === QUOTE || next === BACKSLASH) i++;
    } else if (c === QUOTE) {
      return i;
    }
  }
  return -1;
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
      if (next === BRACE || next === PERCENT) return true;
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
  if (first === DASH || value === '!') return true;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    // CR would be eaten at the end of a line; `{` could form template syntax with a neighbour.
    if (isBlank(c) || c === QUOTE || c === BACKSLASH || c === 10 || c === BRACE) return true;
  }
  return false;
}

/** Where scanRuleWords found the rule's target word (-1: the rule has no -j/-g). */
export interface TargetSpan {
  start: number;
  end: number;
}

/**
 * The words of text[from, to) by tokenize()'s rules, read without building them, for a reader that
 * parses a rule only when asked. Returns false when the words are anything but plain: whatever
 * tokenize() would refuse (an unterminated quote, template syntax), a quoted target, one starting
 * with `-` or `!`, a second target or a -j/-g without one. Such a line is parsed at once, so its problem is reported as the
 * full parse reports it. Otherwise `target` holds the word after the one -j/-g/--jump/--goto (an
 * unquoted `-j` is always an option, never a value: see RuleArgsParser).
 */
export function scanRuleWords(text: string, from: number, to: number, target: TargetSpan): boolean {
  target.start = -1;
  target.end = -1;
  let expectTarget = false;
  let i = from;
  while (i < to) {
    let c = text.charCodeAt(i);
    if (isBlank(c)) {
      i++;
      continue;
    }
    const start = i;
    let quoted = false;
    while (i < to) {
      c = text.charCodeAt(i);
      if (isBlank(c)) break;
      if (c === QUOTE) {
        quoted = true;
        const close = closingQuote(text, i, to);
        if (close === -1) return false;
        i = close + 1;
        continue;
      }
      if (c === BRACE && i + 1 < to) {
        const next = text.charCodeAt(i + 1);
        if (next === BRACE || next === PERCENT) return false;
      }
      i++;
    }
    if (expectTarget) {
      // `-j "X"`, `-j -m` (no value) or `-j ! X`: for the parser to judge.
      const first = text.charCodeAt(start);
      if (quoted || first === DASH || first === BANG) return false;
      target.start = start;
      target.end = i;
      expectTarget = false;
    } else if (!quoted && isJumpWord(text, start, i)) {
      if (target.start !== -1) return false;
      expectTarget = true;
    }
  }
  return !expectTarget;
}

/** text[start, end) is `-j`, `-g`, `--jump` or `--goto`. */
function isJumpWord(text: string, start: number, end: number): boolean {
  if (text.charCodeAt(start) !== DASH) return false;
  const length = end - start;
  if (length === 2) {
    const c = text.charCodeAt(start + 1);
    return c === LOWER_J || c === LOWER_G;
  }
  return length === 6 && (text.startsWith('--jump', start) || text.startsWith('--goto', start));
}
