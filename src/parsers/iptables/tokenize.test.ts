import {describe, expect, it} from 'vitest';
import {quoteToken, tokenize, Tokens} from './tokenize.js';

function tokens(line: string, start = 0): {value: string; quoted: boolean}[] | string {
  const out = new Tokens();
  const problem = tokenize(line, start, out);
  if (problem) return problem;
  return out.values.slice(0, out.count).map((value, i) => ({value, quoted: out.quoted[i]!}));
}

const plain = (...values: string[]) => values.map((value) => ({value, quoted: false}));

describe('tokenize', () => {
  it('splits on runs of spaces and tabs', () => {
    expect(tokens('-A  INPUT\t-j   ACCEPT  ')).toEqual(plain('-A', 'INPUT', '-j', 'ACCEPT'));
  });

  it('starts at the given index (after a [p:b] prefix)', () => {
    expect(tokens('[1:2] -A X', 5)).toEqual(plain('-A', 'X'));
  });

  it('reads the escaped quotes iptables-save writes in comments', () => {
    expect(tokens('--comment "ssh \\"admin\\" access" -j ACCEPT')).toEqual([
      {value: '--comment', quoted: false},
      {value: 'ssh "admin" access', quoted: true},
      ...plain('-j', 'ACCEPT'),
    ]);
  });

  it('unescapes \\\\ inside quotes and keeps other backslashes', () => {
    expect(tokens('"back\\\\slash" "a\\nb" c\\d')).toEqual([
      {value: 'back\\slash', quoted: true},
      {value: 'a\\nb', quoted: true},
      {value: 'c\\d', quoted: false},
    ]);
  });

  it('joins quoted parts inside one word and keeps empty quotes as an empty token', () => {
    expect(tokens('a"b c"d "" x')).toEqual([
      {value: 'ab cd', quoted: true},
      {value: '', quoted: true},
      {value: 'x', quoted: false},
    ]);
  });

  it('marks a quoted ! or -x as quoted (a value, not syntax)', () => {
    expect(tokens('! "!" "-x"')).toEqual([
      {value: '!', quoted: false},
      {value: '!', quoted: true},
      {value: '-x', quoted: true},
    ]);
  });

  it('reports an unterminated quote, also after a trailing backslash', () => {
    expect(tokens('--comment "abc')).toBe('unterminated quote');
    expect(tokens('--comment "abc\\')).toBe('unterminated quote');
  });

  it('reports Jinja syntax outside quotes but not inside', () => {
    expect(tokens('-A INPUT -s {{ ip }} -j DROP')).toBe('template syntax ({{ }} or {% %}) is not iptables-restore input');
    expect(tokens('--dport 30{% if x %}')).toBe('template syntax ({{ }} or {% %}) is not iptables-restore input');
    expect(tokens('--comment "{{ not a template here }}" x{y')).toEqual([
      {value: '--comment', quoted: false},
      {value: '{{ not a template here }}', quoted: true},
      {value: 'x{y', quoted: false},
    ]);
  });

  it('hands out the same string for repeated short words and exact copies for the rest', () => {
    const out = new Tokens();
    tokenize('-j ACCEPT', 0, out);
    const first = out.values[1];
    tokenize('-p tcp -j ACCEPT', 0, out);
    expect(out.values.slice(0, out.count)).toEqual(['-p', 'tcp', '-j', 'ACCEPT']);
    expect(out.values[3]).toBe(first);
    const long = 'x'.repeat(100);
    tokenize(`${long} ${long}y`, 0, out);
    expect(out.values.slice(0, out.count)).toEqual([long, `${long}y`]);
  });
});

describe('quoteToken', () => {
  it('leaves plain words alone', () => {
    expect(['ACCEPT', 'eth+', '10.0.0.0/8', 'RELATED,ESTABLISHED', '0x1/0xffff'].map(quoteToken)).toEqual([
      'ACCEPT',
      'eth+',
      '10.0.0.0/8',
      'RELATED,ESTABLISHED',
      '0x1/0xffff',
    ]);
  });

  it('quotes and escapes like iptables-save', () => {
    expect(quoteToken('ssh "admin" access')).toBe('"ssh \\"admin\\" access"');
    expect(quoteToken('back\\slash')).toBe('"back\\\\slash"');
    expect(quoteToken('')).toBe('""');
    expect(quoteToken('!')).toBe('"!"');
    expect(quoteToken('-x')).toBe('"-x"');
  });

  it('is undone by tokenize for awkward values', () => {
    const values = ['a b', 'tab\there', '"', '\\', '\\"', 'cr\r', '{{x}}', '{%', '-', '--', '!x', 'x!', 'ü ✓'];
    for (const value of values) {
      const out = new Tokens();
      expect(tokenize(quoteToken(value), 0, out)).toBeNull();
      expect(out.values.slice(0, out.count)).toEqual([value]);
    }
  });
});
