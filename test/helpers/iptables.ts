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

/** iptables-save inputs each parser mode must refuse, with the line and detail of the error. */
export const SAVE_BAD_INPUTS: BadInput[] = [
  ['command not found', 'bash: iptables-save: command not found\n', 1, 'not an iptables-save line (expected *table, :chain, a rule, COMMIT or # comment)'],
  ['rule outside a table', '-A INPUT -j ACCEPT\n', 1, 'rule outside a table (no *table before it)'],
  ['chain outside a table', ':INPUT ACCEPT [0:0]\n', 1, 'chain line outside a table (no *table before it)'],
  ['COMMIT outside a table', 'COMMIT\n', 1, 'COMMIT outside a table'],
  ['unknown table', '*filtre\nCOMMIT\n', 1, 'unknown table "filtre" (known: filter, nat, mangle, raw, security)'],
  ['missing COMMIT', '# x\n*filter\n:INPUT ACCEPT [0:0]\n', 2, 'table filter is never closed by COMMIT'],
  ['table inside a table', '*filter\n*nat\nCOMMIT\n', 2, 'COMMIT expected before a new table (table filter is still open)'],
  ['chain without policy', '*filter\n:INPUT\nCOMMIT\n', 2, 'chain policy missing (use - for a user chain)'],
  ['bad chain counters', '*filter\n:INPUT ACCEPT [1:x]\nCOMMIT\n', 2, 'bad chain counters "[1:x]" (expected [packets:bytes])'],
  ['duplicate chain', '*filter\n:X - [0:0]\n:X - [0:0]\nCOMMIT\n', 3, 'chain X declared twice in table filter'],
  ['policy on a user chain', '*filter\n:X ACCEPT [0:0]\nCOMMIT\n', 2, 'policy ACCEPT on X, which is not a built-in chain of filter'],
  ['bad rule counters', '*filter\n[12] -A INPUT -j ACCEPT\nCOMMIT\n', 2, 'bad rule counters (expected [packets:bytes] before the rule)'],
  ['counter beyond 64 bits', '*filter\n[123456789012345678901:0] -A INPUT\nCOMMIT\n', 2, 'bad rule counters (expected [packets:bytes] before the rule)'],
  ['counters alone', '*filter\n[1:2]\nCOMMIT\n', 2, 'counters without a rule'],
  ['counters twice', '*filter\n[1:2] -A INPUT -c 3 4 -j ACCEPT\nCOMMIT\n', 2, 'counters given twice ([p:b] prefix and -c)'],
  ['missing chain name', '*filter\n-A -j ACCEPT\nCOMMIT\n', 2, 'chain name missing after -A'],
  ['unsupported command', '*filter\n-D INPUT -j ACCEPT\nCOMMIT\n', 2, 'unsupported command "-D" (this parser models -A, -I, -N and -P)'],
  ['undeclared user chain', '*filter\n-A TD -j ACCEPT\nCOMMIT\n', 2, 'chain TD is not declared in table filter (no :TD line)'],
  ['built-in chain of another table', '*filter\n-A POSTROUTING -j MASQUERADE\nCOMMIT\n', 2, 'chain POSTROUTING is not declared in table filter (no :POSTROUTING line)'],
  ['unterminated quote', '*filter\n-A INPUT -m comment --comment "x -j ACCEPT\nCOMMIT\n', 2, 'unterminated quote'],
  ['bare word', '*filter\n-A INPUT ACCEPT\nCOMMIT\n', 2, 'unexpected argument "ACCEPT"'],
  ['missing value', '*filter\n-A INPUT -s\nCOMMIT\n', 2, 'option -s requires a value'],
  ['option as value', '*filter\n-A INPUT -j -m\nCOMMIT\n', 2, 'option -j requires a value'],
  ['duplicate -s', '*filter\n-A INPUT -s 1.1.1.1 -s 2.2.2.2\nCOMMIT\n', 2, 'multiple -s flags'],
  ['two targets', '*filter\n-A INPUT -j ACCEPT -g X\nCOMMIT\n', 2, 'more than one target (-j/-g)'],
  ['negated target', '*filter\n-A INPUT ! -j ACCEPT\nCOMMIT\n', 2, '-j cannot be negated'],
  ['double negation', '*filter\n-A INPUT ! ! -s 1.1.1.1\nCOMMIT\n', 2, 'double negation "! !"'],
  ['both negation forms', '*filter\n-A INPUT ! -s ! 1.1.1.1\nCOMMIT\n', 2, 'double negation on -s'],
  ['trailing !', '*filter\n-A INPUT -j ACCEPT !\nCOMMIT\n', 2, '"!" at the end of the rule'],
  ['second command', '*filter\n-A INPUT -A FORWARD\nCOMMIT\n', 2, 'a second command -A in one rule'],
  ['bad -c', '*filter\n-A INPUT -c 1 x\nCOMMIT\n', 2, '-c needs two numbers, got "1 x"'],
  ['bad insert position', '*filter\n-I INPUT 0 -j ACCEPT\nCOMMIT\n', 2, 'bad insert position 0'],
  ['-P without policy', '*filter\n-P INPUT\nCOMMIT\n', 2, 'policy missing after -P CHAIN'],
  ['template line', '*filter\n{{ rule }}\nCOMMIT\n', 2, 'template syntax ({{ }} or {% %}) is not iptables-restore input'],
  ['COMMIT with junk', '*filter\nCOMMITTED\nCOMMIT\n', 2, 'not an iptables-save line (expected *table, :chain, a rule, COMMIT or # comment)'],
];

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
