// scanRuleWords for a whole iptables-save text read front to back (indexIptablesSave): the same
// answer for every line, found by searching for the few chars that can change it instead of reading
// every char. In a rule only a quote (it groups words), a `j` or a `g` (the jump words -j, -g,
// --jump, --goto) and a space (it ends a word) matter; a line holding anything rarer that tokenize()
// treats specially (a tab, a stray CR, a brace) is handed to scanRuleWords itself. indexOf() of one
// char runs natively over the text, so a 14 MB dump costs a few searches instead of 14 million
// charCodeAt() calls: that scan was most of indexIptablesSave's time.

import {BACKSLASH, BANG, DASH, LOWER_J, SPACE, scanRuleWords, type TargetSpan} from './tokenize.js';

/**
 * Where a char next occurs in a text, for queries whose start never moves backwards: each
 * occurrence is searched for once. `at(from)` is the first index >= from, or text.length.
 */
class NextChar {
  private known = -1;

  constructor(
    private readonly text: string,
    private readonly char: string,
  ) {}

  at(from: number): number {
    if (this.known >= from) return this.known;
    const i = this.text.indexOf(this.char, from);
    this.known = i === -1 ? this.text.length : i;
    return this.known;
  }
}

/** NextChar for several chars: the first index >= from of any of them. */
class NextOfAny {
  private known = -1;

  constructor(private readonly each: readonly NextChar[]) {}

  at(from: number): number {
    // Nothing of these lies in [the last query, known): so known is also the answer for a later `from`.
    if (this.known >= from) return this.known;
    let next = Infinity;
    for (const c of this.each) next = Math.min(next, c.at(from));
    this.known = next;
    return next;
  }
}

/**
 * scanRuleWords over the lines of one text, called with ranges in text order (each `from` at or after
 * the previous range's end).
 */
export class RuleWordScanner {
  private readonly quote: NextChar;
  /** The `j` or `g` of a jump word (-j, -g, --jump, --goto). */
  private readonly jumpLetter: NextOfAny;
  /** Chars that make a line one for scanRuleWords: blanks other than space, and `{` (template syntax). */
  private readonly rare: NextOfAny;

  constructor(private readonly text: string) {
    this.quote = new NextChar(text, '"');
    this.jumpLetter = new NextOfAny([new NextChar(text, 'j'), new NextChar(text, 'g')]);
    this.rare = new NextOfAny(['\t', '\r', '{'].map((c) => new NextChar(text, c)));
  }

  /** Whether text[from, to) holds no quote and nothing rare (a word scan() would read as plain). */
  isPlain(from: number, to: number): boolean {
    return this.quote.at(from) >= to && this.rare.at(from) >= to;
  }

  /** scanRuleWords(text, from, to, target). */
  scan(from: number, to: number, target: TargetSpan): boolean {
    const text = this.text;
    if (this.rare.at(from) < to) return scanRuleWords(text, from, to, target);
    // From here on the only blank is a space.
    target.start = -1;
    target.end = -1;
    let pos = from;
    for (;;) {
      const quote = this.quote.at(pos);
      const hit = this.jumpLetter.at(pos);
      if (quote < to && quote < hit) {
        const close = this.closingQuote(quote, to);
        if (close === -1) return false; // unterminated
        pos = close + 1;
        continue;
      }
      if (hit >= to) return true;
      pos = hit + 1;
      const wordEnd = jumpWordEnd(text, from, to, hit);
      if (wordEnd === -1) continue;
      if (target.start !== -1) return false; // a second target
      let start = wordEnd;
      while (start < to && text.charCodeAt(start) === SPACE) start++;
      if (start === to) return false; // -j without a target
      const first = text.charCodeAt(start);
      if (first === DASH || first === BANG) return false;
      let end = text.indexOf(' ', start);
      if (end === -1 || end > to) end = to;
      if (this.quote.at(start) < end) return false; // a quoted target
      target.start = start;
      target.end = end;
      pos = end;
    }
  }

  /** closingQuote(): inside quotes `\"` and `\\` are escapes, so a quote after an odd run of backslashes is escaped. */
  private closingQuote(open: number, to: number): number {
    const text = this.text;
    for (let at = open; ; ) {
      at = this.quote.at(at + 1);
      if (at >= to) return -1;
      let backslashes = 0;
      while (text.charCodeAt(at - 1 - backslashes) === BACKSLASH) backslashes++;
      if ((backslashes & 1) === 0) return at;
    }
  }
}

/**
 * With text[at] a `j` or `g` outside quotes: the end of the word when that word is `-j`, `-g`,
 * `--jump` or `--goto` (words start at `from` or after a space, and end at `to` or a space), else -1.
 */
function jumpWordEnd(text: string, from: number, to: number, at: number): number {
  let start = at - 1;
  if (start < from || text.charCodeAt(start) !== DASH) return -1;
  let end = at + 1;
  if (start > from && text.charCodeAt(start - 1) !== SPACE) {
    start--;
    if (start < from || text.charCodeAt(start) !== DASH) return -1;
    if (start > from && text.charCodeAt(start - 1) !== SPACE) return -1;
    end = at + 4;
    if (end > to || !text.startsWith(text.charCodeAt(at) === LOWER_J ? 'ump' : 'oto', at + 1)) return -1;
  }
  return end === to || text.charCodeAt(end) === SPACE ? end : -1;
}
