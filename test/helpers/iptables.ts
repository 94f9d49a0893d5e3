// Test helpers shared by the iptables parser tests: round-trip comparison, the strict/tolerant contract.
import {expect, it} from 'vitest';
import type {ParseError} from '../../src/parsers/errors.js';
import type {IptablesDump, ParseOptions} from '../../src/parsers/iptables/types.js';
import {parseErrorOf} from './thrown.js';

/** The model without what describes the source text (line numbers, raw lines, errors). */
export function modelOf(dump: IptablesDump) {
  return {
    ...dump,
    errors: undefined,
    tables: dump.tables.map((t) => ({
      name: t.name,
      chains: [...t.chains.values()].map(({line: _line, ...chain}) => chain),
      rules: t.rules.map(({line: _line, text: _text, ...rule}) => rule),
    })),
  };
}

/** A bad input: its name, its text, and the line and detail of the error it must give. */
export type BadInput = [name: string, text: string, line: number, detail: string];

/**
 * The contract both iptables parsers keep for a bad input: strict mode throws a ParseError naming
 * the source, line and detail; tolerant mode records that same error first instead of throwing.
 */
export function itRejectsStrictlyAndRecordsTolerantly(cases: BadInput[], parse: (text: string, source: string, opts?: ParseOptions) => {errors: ParseError[]}): void {
  it.each(cases)('strict: %s', (_name, text, line, detail) => {
    const error = parseErrorOf(() => parse(text, 'src'));
    expect({source: error.source, line: error.line, detail: error.detail}).toEqual({source: 'src', line, detail});
  });

  it.each(cases)('tolerant: %s is recorded, not thrown', (_name, text, line, detail) => {
    const result = parse(text, 'src', {tolerant: true});
    expect(result.errors.map((e) => `${e.line}: ${e.detail}`)[0]).toBe(`${line}: ${detail}`);
  });
}
