// indexIptablesSave: the parser for readers that need some chains only. What it must keep: asked for
// everything it is parseIptablesSave (tolerant), rule for rule and problem for problem; every
// line-level problem is reported whatever is asked for; a rule's options are judged when it is read.
import {readdirSync, readFileSync} from 'node:fs';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {mutationsOf} from '../../../test/helpers/mutation.js';
import {SAVE_BAD_INPUTS, type BadInput} from '../../../test/helpers/iptables.js';
import {indexIptablesSave, parseIptablesSave} from './save.js';
import {scanRuleWords, Tokens, tokenize} from './tokenize.js';
import {RuleWordScanner} from './word-scanner.js';
import type {IptablesDump} from './types.js';
// The generator behind `npm run bench` (the 100k-rule snapshot): a realistic rule set of any size.
import {generate} from '../../../scripts/iptables-rules.mjs';

const ROOT = new URL('../../../test/samples/iptables-save/', import.meta.url);
const SAVES = readdirSync(ROOT)
  .filter((name) => name.endsWith('.txt'))
  .map((name) => [name, readFileSync(new URL(name, ROOT), 'utf8')] as const);

const all = () => true;
const none = () => false;
/** Problems as line + detail, in line order (a whole parse records "never closed" last). */
const problems = (dump: IptablesDump) => dump.errors.map((e) => `${e.line}: ${e.detail}`).sort((a, b) => parseInt(a) - parseInt(b));
const sameAsWholeParse = (text: string) => {
  const whole = parseIptablesSave(text, 'src', {tolerant: true});
  const selected = indexIptablesSave(text, 'src').select(all);
  expect({...selected, errors: problems(selected)}).toEqual({...whole, errors: problems(whole)});
};

describe('indexIptablesSave, asked for every rule', () => {
  it.each(SAVES)('is the whole parse of %s', (_name, text) => sameAsWholeParse(text));

  it('is the whole parse of the benchmark rule set (comments, negations, goto, NAT)', () => sameAsWholeParse(generate(3000)));

  it('is the whole parse of mutated real captures, problems included', () => {
    const specials = ['-A ', '-j ', '-g ', '--jump ', ' "', '\\"', '! ', '{{ x }}', '[1:2] ', ':X - [0:0]\n', 'COMMIT\n', '\t', '\r'];
    fc.assert(
      fc.property(mutationsOf(SAVES.map(([, text]) => text), {specials}), (text) => sameAsWholeParse(text)),
      {numRuns: 400},
    );
  });
});

describe('indexIptablesSave, asked for some rules', () => {
  const text = generate(3000);
  const index = indexIptablesSave(text, 'src');
  const whole = parseIptablesSave(text, 'src', {tolerant: true});

  it('gives exactly the rules asked for, in file order, parsed as the whole parse parses them', () => {
    const want = (t: {name: string}, chain: string, target: string | undefined) => (t.name === 'filter' && chain === 'FORWARD') || target === 'MASQUERADE';
    const picked = index.select(want);
    const expected = whole.tables.map((t) => t.rules.filter((r) => want(t, r.chain, r.target?.name)));
    expect(picked.tables.map((t) => t.rules)).toEqual(expected);
    expect(expected.flat().length).toBeGreaterThan(40);
    // The tables and their chains are whole whatever is asked for.
    expect(picked.tables.map((t) => [t.name, [...t.chains.keys()]])).toEqual(whole.tables.map((t) => [t.name, [...t.chains.keys()]]));
  });

  it('knows every table, rule count, rule chain and target without parsing a rule', () => {
    expect(index.tables.map((t) => [t.name, t.ruleCount, [...t.ruleChains].sort(), [...t.targets].sort()])).toEqual(
      whole.tables.map((t) => [t.name, t.rules.length, [...new Set(t.rules.map((r) => r.chain))].sort(), [...new Set(t.rules.flatMap((r) => (r.target ? [r.target.name] : [])))].sort()]),
    );
  });

  it('keeps memory linear in the lines when a dump holds thousands of one-rule table blocks', () => {
    const block = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\n-A INPUT -s 10.0.0.1 -j X\nCOMMIT\n';
    const before = process.memoryUsage().arrayBuffers;
    const many = indexIptablesSave(block.repeat(20_000), 'src');
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(many.tables).toHaveLength(20_000);
    // 40,000 lines of five ints are 0.8 MB; a store per block took 80 KiB each (1.6 GB).
    expect(grown).toBeLessThan(16 * 1024 * 1024);
    expect(many.tables[19_999]!.ruleCount).toBe(2);
    sameAsWholeParse(block.repeat(50));
  });

  it('hands out the same rule objects when asked twice, and records a problem once', () => {
    const text2 = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 10.0.0.1 -s 10.0.0.2 -j ACCEPT\n-A INPUT -j DROP\nCOMMIT\n';
    const i2 = indexIptablesSave(text2, 'src');
    const first = i2.select(all);
    const again = i2.select(all);
    expect(again.tables[0]!.rules[0]).toBe(first.tables[0]!.rules[0]);
    expect(problems(again)).toEqual(['3: multiple -s flags']);
  });
});

describe('problems of lines nobody asked for', () => {
  // The parser's own bad inputs (SAVE_BAD_INPUTS). A line whose shape is wrong is parsed at once and
  // reported whatever is asked for; a plain `-A CHAIN ...` line whose options are wrong is reported
  // when its rule is read. These are the latter:
  const OPTION_PROBLEMS = new Set(['counters twice', 'bare word', 'missing value', 'duplicate -s', 'negated target', 'double negation', 'both negation forms', 'trailing !', 'second command', 'bad -c']);
  const cases: BadInput[] = [
    ...SAVE_BAD_INPUTS,
    ['template in a rule', '*filter\n-A INPUT -s {{ peer }} -j ACCEPT\nCOMMIT\n', 2, 'template syntax ({{ }} or {% %}) is not iptables-restore input'],
    ['quoted target', '*filter\n-A INPUT -j "ACC"EPT -s\nCOMMIT\n', 2, 'option -s requires a value'],
  ];

  it.each(cases)('%s: reported at once by its shape, or when its rule is read', (name, text, line, detail) => {
    const index = indexIptablesSave(text, 'src');
    const unread = problems(index.select(none));
    if (OPTION_PROBLEMS.has(name)) expect(unread).toEqual([]);
    else expect(unread[0]).toBe(`${line}: ${detail}`);
    expect(problems(index.select(all))[0]).toBe(`${line}: ${detail}`);
  });
});

describe('scanRuleWords', () => {
  // Words that stress the rules: quotes, escapes, blanks, braces, bangs, dashes and the jump words.
  const piece = fc.constantFrom('-j', '-g', '--jump', '--goto', '-m', '--comment', 'ACCEPT', 'MASQUERADE', 'X', '!', '"', '\\"', '\\\\', '\\', ' ', '\t', '\r', '{', '{{', '{%', '%', 'a b', '-', '--', '-1');
  const line = fc.array(piece, {maxLength: 14}).map((parts) => parts.join(''));

  it('accepts only what tokenize() accepts, and finds the target the parser reads', () => {
    fc.assert(
      fc.property(line, (args) => {
        const target = {start: -1, end: -1};
        if (!scanRuleWords(args, 0, args.length, target)) return;
        const tokens = new Tokens();
        expect(tokenize(args, 0, tokens)).toBeNull();
        const rule = parseIptablesSave(`*filter\n-A INPUT ${args}\nCOMMIT\n`, 'src', {tolerant: true}).tables[0]!.rules[0];
        // A rule whose options are wrong does not parse; one that does has the target found.
        if (rule) expect(rule.target?.name).toBe(target.start === -1 ? undefined : args.slice(target.start, target.end));
      }),
      {numRuns: 2000},
    );
  });

  it('RuleWordScanner gives scanRuleWords answer for every line of a text read front to back', () => {
    // Lines share the scanner's remembered positions: a quote, j or g of one line must not leak
    // into the next. Each line is read from a random point inside it (as after `-A CHAIN`).
    const text = fc.array(fc.tuple(line, fc.nat()), {minLength: 1, maxLength: 8});
    fc.assert(
      fc.property(text, (lines) => {
        const joined = lines.map(([l]) => l).join('\n');
        const scanner = new RuleWordScanner(joined);
        let start = 0;
        for (const [l, cut] of lines) {
          const from = start + (l.length === 0 ? 0 : cut % (l.length + 1));
          const to = start + l.length;
          const fast = {start: -1, end: -1};
          const exact = {start: -1, end: -1};
          const ok = scanRuleWords(joined, from, to, exact);
          expect({ok: scanner.scan(from, to, fast), ...(ok ? fast : {})}).toEqual({ok, ...(ok ? exact : {})});
          start = to + 1;
        }
      }),
      {numRuns: 3000},
    );
  });

  it('reads a line in place: only text[from, to) counts', () => {
    const text = 'xx -j DROP" -A INPUT -j ACCEPT\n-j REJECT';
    const target = {start: -1, end: -1};
    const from = text.indexOf('-A INPUT') + 8;
    expect(scanRuleWords(text, from, text.indexOf('\n'), target)).toBe(true);
    expect(text.slice(target.start, target.end)).toBe('ACCEPT');
  });
});
