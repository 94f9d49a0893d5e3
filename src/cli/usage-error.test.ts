// oclif parses our flag definitions; its errors come out as our one line with the nearest word.
import {parse} from '@oclif/core/parser';
import {describe, expect, it} from 'vitest';
import {Args, Flags} from './base.js';
import {isParseError, parseErrorLine} from './usage-error.js';

const flags = {
  only: Flags.string({delimiter: ',', multiple: true, multipleNonGreedy: true}),
  format: Flags.string({options: ['text', 'json']}),
  output: Flags.string({char: 'o'}),
  color: Flags.boolean({allowNo: true}),
  json: Flags.boolean({default: false}),
  'gre-mtu': Flags.integer({min: 576, max: 9000}),
  timeout: Flags.integer({default: 10}),
};
const args = {path: Args.string({description: 'a snapshot', required: true})};
const spec = {flags, args};
const run = (argv: string[], strict = true) => parse(argv, {flags, args, strict});
const usage = async (argv: string[]) => {
  const error = await run(argv).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!error) throw new Error(`accepted ${argv.join(' ')}`);
  expect(isParseError(error), String(error)).toBe(true);
  return parseErrorLine(error as Error, spec);
};

describe('oclif parsing tapdoctor flags', () => {
  it('reads flags in every spelling, with defaults, and the argument', async () => {
    const r = await run(['snap.tgz', '--only', 'TD001,TD003', '--only=TD005', '-o', 'out.txt', '--format=json', '--gre-mtu', '1458']);
    expect(r.args.path).toBe('snap.tgz');
    expect(r.flags).toEqual({only: ['TD001', 'TD003', 'TD005'], format: 'json', output: 'out.txt', json: false, 'gre-mtu': 1458, timeout: 10});
  });
  it('takes one value per --only, so a path after it stays the argument', async () => {
    expect((await run(['--only', 'TD001', 'snap.tgz'])).args.path).toBe('snap.tgz');
  });
  it('negates --no-X flags', async () => {
    expect((await run(['p', '--no-color'])).flags.color).toBe(false);
    expect((await run(['p', '--color'])).flags.color).toBe(true);
  });
  it('names the problem in one line, with the nearest flag or value', async () => {
    expect(await usage(['p', '--jsn'])).toBe("unknown flag '--jsn'; did you mean '--json'?");
    expect(await usage(['p', '--colr'])).toBe("unknown flag '--colr'; did you mean '--color'?");
    expect(await usage(['p', '--format', 'jsn'])).toBe("--format 'jsn' is not one of text, json; did you mean 'json'?");
    expect(await usage(['p', '--gre-mtu', '100'])).toBe('--gre-mtu 100 is below the minimum 576');
    expect(await usage(['p', '--gre-mtu', '10000'])).toBe('--gre-mtu 10000 is above the maximum 9000');
    expect(await usage(['p', '--gre-mtu', '1.5'])).toBe("--gre-mtu '1.5' is not a whole number");
    expect(await usage(['p', '-o'])).toBe('--output needs a value');
    expect(await usage(['p', '--format'])).toBe('--format needs a value: one of text, json');
    expect(await usage(['p', '--format', 'json', '--format', 'text'])).toBe('--format given twice; give it once');
    expect(await usage([])).toBe('missing PATH: a snapshot');
    expect(await usage(['a', 'b'])).toBe("unexpected argument 'b'");
  });
  it('lets every positional through when not strict', async () => {
    expect(await run(['a', 'b', 'c'], false)).toMatchObject({args: {path: 'a'}, argv: ['a', 'b', 'c']});
  });
  it('leaves a command\'s own errors alone', () => {
    expect(isParseError(new Error('--no-openqa and --openqa-url contradict each other; give one'))).toBe(false);
  });
});
