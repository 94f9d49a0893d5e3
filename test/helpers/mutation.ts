// Random edits of real captures, for the parsers' robustness properties: whatever is done to a
// real input, a parser answers with a model or a ParseError, never a TypeError or a hang.
//
//   fc.assert(fc.property(mutationsOf(inputs, {specials: ['[', ']', '=']}), (text) => survives(() => parse(text, 's'))));
//
// One edit model for every parser test, so a new edit kind strengthens them all. Each test adds
// the strings that matter to its format (quotes, brackets, keywords) to COMMON_SPECIALS.
import fc from 'fast-check';
import {modelOrParseError} from '../../src/parsers/errors.js';

/** One edit; `at` and `line` are taken modulo the current length, so every number lands inside. */
export type Edit =
  | {kind: 'insert'; at: number; text: string}
  /** Overwrite text.length characters (keeps the length: a value or a delimiter changes in place). */
  | {kind: 'replace'; at: number; text: string}
  | {kind: 'delete' | 'dup'; at: number; len: number}
  | {kind: 'truncate'; at: number}
  | {kind: 'dropLine'; line: number}
  | {kind: 'dupLine'; line: number};

/** What trips parsers of every format: NUL, CR/LF, blanks and a 5000-character run. */
export const COMMON_SPECIALS: readonly string[] = ['\0', '\r', '\n', '\r\n', ' ', '\t', 'x'.repeat(5000)];

export interface EditOptions {
  /** Strings of the format under test, inserted besides COMMON_SPECIALS and random binary strings. */
  specials?: readonly string[];
  /** A further generator of inserted text (a test's own noise). */
  text?: fc.Arbitrary<string>;
}

/** Up to six edits (none at all keeps the real input as it is). */
export function edits({specials = [], text}: EditOptions = {}): fc.Arbitrary<Edit[]> {
  const inserted = fc.oneof(fc.string({unit: 'binary'}), fc.constantFrom(...COMMON_SPECIALS, ...specials), ...(text ? [text] : []));
  const at = fc.nat();
  const edit: fc.Arbitrary<Edit> = fc.oneof(
    {arbitrary: fc.record({kind: fc.constant('insert' as const), at, text: inserted}), weight: 3},
    {arbitrary: fc.record({kind: fc.constant('replace' as const), at, text: inserted}), weight: 2},
    {arbitrary: fc.record({kind: fc.constantFrom('delete' as const, 'dup' as const), at, len: fc.nat(300)}), weight: 3},
    {arbitrary: fc.record({kind: fc.constant('truncate' as const), at}), weight: 1},
    {arbitrary: fc.record({kind: fc.constantFrom('dropLine' as const, 'dupLine' as const), line: fc.nat()}), weight: 2},
  );
  return fc.array(edit, {maxLength: 6});
}

export function applyEdits(text: string, ops: readonly Edit[]): string {
  return ops.reduce(applyEdit, text);
}

function applyEdit(s: string, op: Edit): string {
  if (op.kind === 'dropLine' || op.kind === 'dupLine') {
    const lines = s.split('\n');
    const i = op.line % lines.length;
    lines.splice(i, op.kind === 'dropLine' ? 1 : 0, ...(op.kind === 'dupLine' ? [lines[i]!] : []));
    return lines.join('\n');
  }
  const at = op.at % (s.length + 1);
  switch (op.kind) {
    case 'insert':
      return s.slice(0, at) + op.text + s.slice(at);
    case 'replace':
      return s.slice(0, at) + op.text + s.slice(at + op.text.length);
    case 'delete':
      return s.slice(0, at) + s.slice(at + op.len);
    case 'dup':
      return s.slice(0, at) + s.slice(at, at + op.len) + s.slice(at);
    case 'truncate':
      return s.slice(0, at);
  }
}

/** One of the inputs with random edits applied. */
export function mutationsOf(inputs: readonly string[], options: EditOptions = {}): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...inputs), edits(options)).map(([text, ops]) => applyEdits(text, ops));
}

/** What parse returned, or the ParseError it threw; anything else it throws fails the test. */
export {modelOrParseError};

/** parse may return or throw a ParseError; anything else it throws fails the test. */
export function survives(parse: () => unknown): void {
  modelOrParseError(parse);
}
