// Property tests: generated rule sets round-trip through serialize/parse; mutated real captures
// never make the parsers throw anything but ParseError (strict) or anything at all (tolerant);
// huge inputs finish (a quadratic step would run into the timeout).

import {readdirSync, readFileSync} from 'node:fs';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {ParseError} from '../errors.js';
import {BUILTIN_CHAINS, isBuiltinChain} from './builtins.js';
import {parseIptablesList} from './list.js';
import {parseIptablesSave} from './save.js';
import {serializeIptablesSave} from './serialize.js';
import type {Counters, IptablesDump, IptChain, IptOption, IptRule, IptTable} from './types.js';
import {modelOrParseError, mutationsOf, survives} from '../../../test/helpers/mutation.js';
import {modelOf} from '../../../test/helpers/iptables.js';

const ROOT = new URL('../../../test/samples/', import.meta.url);
const corpus = (dir: string) =>
  readdirSync(new URL(`${dir}/`, ROOT))
    .filter((name) => name.endsWith('.txt'))
    .map((name) => readFileSync(new URL(`${dir}/${name}`, ROOT), 'utf8'));
const SAVES = corpus('iptables-save');
const LISTS = corpus('iptables-list');

// --- generated rule sets ---

const CORE_LONG = new Set([
  '--protocol', '--source', '--src', '--destination', '--dst', '--in-interface', '--out-interface', '--match', '--jump',
  '--goto', '--set-counters', '--append', '--insert', '--delete', '--replace', '--new-chain', '--delete-chain', '--policy',
  '--flush', '--zero', '--rename-chain', '--list', '--list-rules',
]);
// Characters that stress quoting: blanks, quotes, backslashes, negation, dashes, template braces, NUL, CR.
const awkward = fc.string({
  unit: fc.constantFrom('a', 'Z', '0', '.', '/', ',', ' ', '\t', '"', '\\', '!', '-', '{', '%', '}', '\r', '\u0000', 'é', '✓'),
  maxLength: 8,
});
const word = fc.stringMatching(/^[A-Za-z0-9_.+:-]{1,10}$/).filter((w) => w !== '-');
const longName = fc.stringMatching(/^--[a-z][a-z0-9-]{0,10}$/).filter((n) => !CORE_LONG.has(n));
const shortName = fc.constantFrom('-f', '-w', '-x', '-v');
const counters: fc.Arbitrary<Counters | null> = fc.option(
  fc.record({packets: fc.bigInt({min: 0n, max: 2n ** 64n - 1n}), bytes: fc.bigInt({min: 0n, max: 2n ** 64n - 1n})}),
  {nil: null},
);
const option = (name: fc.Arbitrary<string>): fc.Arbitrary<IptOption> =>
  fc.record({name, values: fc.array(awkward, {maxLength: 3}), negated: fc.boolean()});
const negatable = <K extends string>(key: K) => fc.record({[key]: awkward, negated: fc.boolean()} as Record<K | 'negated', fc.Arbitrary<string | boolean>>);

function ruleArb(tableName: string, chains: string[]): fc.Arbitrary<IptRule> {
  return fc
    .record(
      {
        chain: fc.constantFrom(...chains),
        command: fc.constantFrom('A' as const, 'I' as const),
        position: fc.integer({min: 1, max: 500}),
        counters,
        protocol: negatable('name'),
        source: negatable('addr'),
        destination: negatable('addr'),
        inInterface: negatable('name'),
        outInterface: negatable('name'),
        modules: fc.array(fc.record({name: awkward, options: fc.array(option(longName), {maxLength: 3})}), {maxLength: 3}),
        otherOptions: fc.array(option(fc.oneof(longName, shortName)), {maxLength: 2}),
        target: fc.option(fc.record({kind: fc.constantFrom('jump' as const, 'goto' as const), name: awkward, options: fc.array(option(longName), {maxLength: 3})}), {nil: null}),
      },
      {requiredKeys: ['chain', 'command', 'counters', 'modules', 'otherOptions', 'target']},
    )
    .map((r) => {
      const rule = {table: tableName, line: 0, text: '', ...r} as IptRule;
      if (rule.command === 'A') delete rule.position;
      return rule;
    });
}

const tableArb: fc.Arbitrary<IptTable> = fc.constantFrom(...Object.keys(BUILTIN_CHAINS)).chain((name) =>
  fc
    .record({
      builtins: fc.subarray([...BUILTIN_CHAINS[name]!]),
      users: fc.uniqueArray(word.filter((w) => !isBuiltinChain(name, w)), {maxLength: 4}),
      policy: fc.constantFrom('ACCEPT', 'DROP', null),
      counters,
    })
    .chain(({builtins, users, policy, counters: c}) => {
      const chains = new Map<string, IptChain>();
      for (const b of builtins) chains.set(b, {name: b, builtin: true, policy, counters: c, line: 0});
      for (const u of users) chains.set(u, {name: u, builtin: false, policy: null, counters: null, line: 0});
      return fc
        .array(ruleArb(name, [...BUILTIN_CHAINS[name]!, ...users]), {maxLength: 6})
        .map((rules): IptTable => ({name, line: 0, chains, rules}));
    }),
);

const dumpArb: fc.Arbitrary<IptablesDump> = fc
  .record(
    {
      version: fc.stringMatching(/^[0-9][0-9.]{0,6}$/),
      backend: fc.constantFrom('nf_tables' as const, 'legacy' as const),
      family: fc.constantFrom('ipv4' as const, 'ipv6' as const),
      legacyTablesPresent: fc.constant(true),
      crlf: fc.constant(true),
      tables: fc.array(tableArb, {maxLength: 3}),
    },
    {requiredKeys: ['tables']},
  )
  .map((d) => {
    const dump: IptablesDump = {...d, errors: []};
    if (dump.version === undefined) {
      delete dump.backend;
      delete dump.family;
    }
    return dump;
  });

describe('round trip', () => {
  it('parse(serialize(model)) gives the model back, and serializing again gives the same text', () => {
    fc.assert(
      fc.property(dumpArb, (dump) => {
        const text = serializeIptablesSave(dump);
        const parsed = parseIptablesSave(text, 'generated');
        expect(modelOf(parsed)).toEqual(modelOf(dump));
        expect(serializeIptablesSave(parsed)).toBe(text);
      }),
      {numRuns: 300},
    );
  });
});

// --- mutated real captures ---

// The noise inserted: iptables syntax fragments and runs of its special characters.
const SPECIALS = ['-A ', '-m ', '-j ', '! ', 'COMMIT\n', '*nat\n', ':X - [0:0]\n', '[1:2] ', '{{ x }}', 'Chain X (1 references)\n', '/* ', ' */'];
const charSoup = fc.string({unit: fc.constantFrom('"', '\\', '!', '-', ' ', '\t', '\r', '\n', '\u0000', '[', ']', ':', '*', '#', '{', '%', '+', '/', 'x', '0'), minLength: 1, maxLength: 4});
const mutationsOfAll = (inputs: string[]) => mutationsOf(inputs, {specials: SPECIALS, text: charSoup});

const lineCount = (text: string) => text.split('\n').length;

function checkErrors(errors: ParseError[], text: string): void {
  for (const error of errors) {
    expect(error).toBeInstanceOf(ParseError);
    expect(error.line).toBeGreaterThanOrEqual(1);
    expect(error.line).toBeLessThanOrEqual(lineCount(text));
  }
}

describe('mutated real captures', () => {
  it('iptables-save: strict throws only ParseError, tolerant never throws, and what parses round-trips', () => {
    fc.assert(
      fc.property(mutationsOfAll(SAVES), (text) => {
        const strict = modelOrParseError(() => parseIptablesSave(text, 'fuzz'));
        const tolerant = parseIptablesSave(text, 'fuzz', {tolerant: true});
        checkErrors(tolerant.errors, text);
        if (strict instanceof ParseError) {
          expect(tolerant.errors[0]!.message).toBe(strict.message);
        } else {
          expect(tolerant.errors).toEqual([]);
          expect(modelOf(parseIptablesSave(serializeIptablesSave(strict), 'again'))).toEqual(modelOf(strict));
        }
      }),
      {numRuns: 400},
    );
  });

  it('iptables -L: strict throws only ParseError, tolerant never throws', () => {
    fc.assert(
      fc.property(mutationsOfAll(LISTS), (text) => {
        survives(() => parseIptablesList(text, 'fuzz'));
        checkErrors(parseIptablesList(text, 'fuzz', {tolerant: true}).errors, text);
      }),
      {numRuns: 300},
    );
  });

  it('random bytes alone', () => {
    fc.assert(
      fc.property(fc.string({unit: 'binary', maxLength: 200}), (text) => {
        checkErrors(parseIptablesSave(text, 'fuzz', {tolerant: true}).errors, text);
        checkErrors(parseIptablesList(text, 'fuzz', {tolerant: true}).errors, text);
      }),
      {numRuns: 300},
    );
  });
});

// --- huge inputs: linear time ---

describe('huge inputs', () => {
  const MB10 = 10_000_000;
  const rule = (body: string) => `*filter\n-A INPUT ${body}\nCOMMIT\n`;
  const inputs: [string, string][] = [
    ['a 10 MB comment', rule(`-m comment --comment "${'x'.repeat(MB10)}" -j ACCEPT`)],
    ['a 10 MB comment of escaped quotes', rule(`-m comment --comment "${'\\"'.repeat(MB10 / 2)}"`)],
    ['one option with a million values', rule(`-m set --match-set ${'abcdefghi '.repeat(MB10 / 10)}`)],
    ['300,000 options', rule(`-m foo ${'--opt 1234567 '.repeat(MB10 / 14 / 2.5)}`)],
    ['a 10 MB word', rule('y'.repeat(MB10))],
    ['10 MB of braces', rule('{'.repeat(MB10))],
    ['10 MB of quotes', rule('"'.repeat(MB10))],
    ['10 MB of !', rule('! '.repeat(MB10 / 2))],
    ['10 MB of newlines', '\n'.repeat(MB10)],
    ['10 MB of CRLF blank lines', '\r\n'.repeat(MB10 / 2)],
    ['a 10 MB chain line', `*filter\n:${'C'.repeat(MB10)} - [0:0]\nCOMMIT\n`],
    ['a 10 MB counter', `*filter\n[${'1'.repeat(MB10)}:1] -A INPUT\nCOMMIT\n`],
    ['a 10 MB -c counter', rule(`-c ${'1'.repeat(MB10)} 1`)],
  ];

  it.each(inputs)('iptables-save: %s', (_name, text) => {
    const dump = parseIptablesSave(text, 'huge', {tolerant: true});
    checkErrors(dump.errors, text);
    try {
      parseIptablesSave(text, 'huge');
    } catch (error) {
      expect(error).toBeInstanceOf(ParseError);
    }
  }, 60_000);

  it('iptables -L: a 10 MB match column and a 10 MB garbage line', () => {
    const head = 'Chain INPUT (policy ACCEPT 0 packets, 0 bytes)\n pkts bytes target prot opt in out source destination\n';
    const listing = parseIptablesList(`${head}    0     0 ACCEPT all -- * * 0.0.0.0/0 0.0.0.0/0 /* ${'[goto] /* '.repeat(MB10 / 10)} */\n`);
    expect(listing.chains[0]!.rules[0]!.goto).toBe(false);
    expect(parseIptablesList(`${head}${'z '.repeat(MB10 / 2)}\n`, 'huge', {tolerant: true}).errors).toHaveLength(1);
  }, 60_000);

  it('a 100,000-rule dump', () => {
    const lines = ['*filter', ':INPUT ACCEPT [0:0]'];
    for (let i = 0; i < 100_000; i++) lines.push(`[${i}:${i * 60}] -A INPUT -s 10.${i >> 16}.${(i >> 8) & 255}.${i & 255}/32 -p tcp -m tcp --dport ${i % 65536} -m comment --comment "rule \\"${i}\\"" -j ACCEPT`);
    lines.push('COMMIT');
    const dump = parseIptablesSave(lines.join('\n'));
    expect(dump.tables[0]!.rules).toHaveLength(100_000);
    expect(dump.tables[0]!.rules[99_999]!.modules[1]!.options[0]!.values).toEqual(['rule "99999"']);
  }, 60_000);
});
