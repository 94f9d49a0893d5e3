import {describe, expect, it} from 'vitest';
import {closest, didYouMean, editDistance} from './suggest.js';

describe('did you mean', () => {
  it('counts a swapped pair as one edit', () => {
    expect(editDistance('chekc', 'check')).toBe(1);
    expect(editDistance('chek', 'check')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });
  it('suggests the nearest command for typos and prefixes', () => {
    const commands = ['analyze', 'check', 'checks list', 'explain', 'gate', 'snapshot'];
    expect(closest('chek', commands)).toBe('check');
    expect(closest('expl', commands)).toBe('explain');
    expect(closest('anaylze', commands)).toBe('analyze');
    expect(closest('checks lst', commands)).toBe('checks list');
  });
  it('suggests nothing for a word that is not close to any', () => {
    expect(closest('foo', ['analyze', 'check', 'gate'])).toBeUndefined();
    expect(closest('x', ['explain'])).toBeUndefined();
    expect(didYouMean('zzzzzz', ['check'])).toBe('');
  });
  it('matches case-insensitively and keeps the candidate spelling', () => {
    expect(closest('td01', ['TD001', 'TD002'])).toBe('TD001');
    expect(didYouMean('--jsn', ['--json', '--only'])).toBe("; did you mean '--json'?");
  });
});
