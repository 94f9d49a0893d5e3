import {describe, expect, it} from 'vitest';
import {Args, Flags, UsageError, parseCommandLine} from './flags.js';

const flags = {
  only: Flags.string({delimiter: ',', multiple: true}),
  format: Flags.string({options: ['text', 'json']}),
  output: Flags.string({char: 'o'}),
  color: Flags.boolean({allowNo: true}),
  json: Flags.boolean({default: false}),
  'gre-mtu': Flags.integer({min: 576, max: 9000}),
  timeout: Flags.integer({default: 10}),
};
const args = {path: Args.string({required: true})};
const parse = (argv: string[], strict = true) => parseCommandLine(argv, {flags, args, strict});
const usage = (argv: string[]) => {
  try {
    parse(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`accepted ${argv.join(' ')}`);
};

describe('parseCommandLine', () => {
  it('reads flags in every spelling, with defaults, and the argument', () => {
    const r = parse(['snap.tgz', '--only', 'TD001,TD003', '--only=TD005', '-o', 'out.txt', '--format=json', '--gre-mtu', '1458']);
    expect(r.args.path).toBe('snap.tgz');
    expect(r.flags).toEqual({only: ['TD001', 'TD003', 'TD005'], format: 'json', output: 'out.txt', color: undefined, json: false, 'gre-mtu': 1458, timeout: 10});
  });
  it('takes one value per option use, so a path after --only stays the argument', () => {
    expect(parse(['--only', 'TD001', 'snap.tgz']).args.path).toBe('snap.tgz');
  });
  it('negates --no-X flags and refuses both', () => {
    expect(parse(['p', '--no-color']).flags.color).toBe(false);
    expect(parse(['p', '--color']).flags.color).toBe(true);
    expect(usage(['p', '--color', '--no-color'])).toMatch(/contradict/);
  });
  it('names the problem in one line, with the nearest flag or value', () => {
    expect(usage(['p', '--jsn'])).toBe("unknown flag '--jsn'; did you mean '--json'?");
    expect(usage(['p', '--format', 'jsn'])).toBe("--format 'jsn' is not one of text, json; did you mean 'json'?");
    expect(usage(['p', '--gre-mtu', '100'])).toBe('--gre-mtu 100 is below the minimum 576');
    expect(usage(['p', '--gre-mtu', '1.5'])).toBe("--gre-mtu '1.5' is not a whole number");
    expect(usage(['p', '-o'])).toBe('--output needs a value');
    expect(usage([])).toBe('missing PATH: an argument');
    expect(usage(['a', 'b'])).toBe("unexpected argument 'b'");
  });
  it('lets every positional through when not strict', () => {
    expect(parse(['a', 'b', 'c'], false)).toMatchObject({args: {path: 'a'}, argv: ['a', 'b', 'c']});
  });
});
