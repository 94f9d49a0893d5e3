// Flag and argument definitions and their parser. The definitions keep oclif's shape (Flags.string,
// Flags.boolean, Flags.integer, Args.string, with char, options, multiple, delimiter, allowNo,
// default, min/max) so the help, man page and completions read them alike; parsing is Node's own
// util.parseArgs, so a command starts without loading a CLI framework (start-up is a target).
import {parseArgs} from 'node:util';
import {didYouMean} from './suggest.js';

interface Common {
  description?: string;
  char?: string;
  hidden?: boolean;
  helpValue?: string;
  required?: boolean;
}
export interface OptionFlag<T = string> extends Common {
  type: 'option';
  kind: 'string' | 'integer';
  options?: readonly string[];
  multiple?: boolean;
  /** Accepted for oclif compatibility: an option takes exactly one value per use anyway. */
  multipleNonGreedy?: boolean;
  delimiter?: string;
  default?: T;
  min?: number;
  max?: number;
}
export interface BooleanFlag extends Common {
  type: 'boolean';
  allowNo?: boolean;
  default?: boolean;
}
export type FlagDef = OptionFlag<unknown> | BooleanFlag;
export interface ArgDef {
  description?: string;
  required?: boolean;
  options?: readonly string[];
}

type StringOpts = Omit<OptionFlag<string>, 'type' | 'kind'>;
type IntOpts = Omit<OptionFlag<number>, 'type' | 'kind'>;

export const Flags = {
  string<O extends StringOpts>(o: O): OptionFlag<string> & O {
    return {...o, type: 'option', kind: 'string'};
  },
  integer<O extends IntOpts>(o: O): OptionFlag<number> & O {
    return {...o, type: 'option', kind: 'integer'};
  },
  boolean<O extends Omit<BooleanFlag, 'type'>>(o: O): BooleanFlag & O {
    return {...o, type: 'boolean'};
  },
};

export const Args = {
  string<O extends ArgDef>(o: O): ArgDef & O {
    return o;
  },
};

/** The parsed value type of one flag definition. */
type FlagValue<F> = F extends BooleanFlag
  ? F extends {default: boolean} ? boolean : boolean | undefined
  : F extends OptionFlag<infer T> & {multiple: true}
    ? T[] | undefined
    : F extends OptionFlag<infer T> & ({default: unknown} | {required: true})
      ? T
      : F extends OptionFlag<infer T>
        ? T | undefined
        : never;
export type FlagValues<F extends Record<string, FlagDef>> = {[K in keyof F]: FlagValue<F[K]>};
export type ArgValues<A extends Record<string, ArgDef>> = {[K in keyof A]: A[K] extends {required: true} ? string : string | undefined};

export class UsageError extends Error {}

/**
 * argv against a command's flags and args. Unknown flags, missing or surplus arguments, values
 * outside `options` or `min`/`max` are UsageErrors naming the nearest valid word. `strict: false`
 * lets any number of positionals through (in `argv`, all of them).
 */
export function parseCommandLine<F extends Record<string, FlagDef>, A extends Record<string, ArgDef>>(
  argvIn: string[],
  def: {flags?: F; args?: A; strict?: boolean},
): {flags: FlagValues<F>; args: ArgValues<A>; argv: string[]} {
  const flags = (def.flags ?? {}) as Record<string, FlagDef>;
  const argDefs = Object.entries(def.args ?? {}) as [string, ArgDef][];
  const options: Record<string, {type: 'string' | 'boolean'; short?: string; multiple?: boolean}> = {};
  for (const [name, f] of Object.entries(flags)) {
    options[name] = {type: f.type === 'boolean' ? 'boolean' : 'string', ...(f.char ? {short: f.char} : {}), multiple: f.type === 'option' ? Boolean(f.multiple) : false};
    if (f.type === 'boolean' && f.allowNo) options[`no-${name}`] = {type: 'boolean'};
  }
  const known = Object.keys(options).map((n) => `--${n}`).concat(Object.values(flags).flatMap((f) => (f.char ? [`-${f.char}`] : [])));
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({args: argvIn, options, allowPositionals: true, strict: true});
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const unknown = /Unknown option '([^']+)'/.exec(e.message)?.[1];
    if (unknown) throw new UsageError(`unknown flag '${unknown}'${didYouMean(unknown.replace(/=.*/, ''), known)}`);
    const needsValue = /Option '(?:-\w, )?(--[\w-]+) <value>' argument missing/.exec(e.message)?.[1];
    if (needsValue) throw new UsageError(`${needsValue} needs a value`);
    const noValue = /Option '(?:-\w, )?(--[\w-]+)' does not take an argument/.exec(e.message)?.[1];
    if (noValue) throw new UsageError(`${noValue} takes no value`);
    throw new UsageError(e.message.split('\n')[0]!);
  }
  const values: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(flags)) {
    const raw = parsed.values[name];
    if (f.type === 'boolean') {
      const negated = parsed.values[`no-${name}`] === true;
      if (negated && raw === true) throw new UsageError(`--${name} and --no-${name} contradict each other; give one`);
      values[name] = negated ? false : raw === true ? true : f.default;
      continue;
    }
    if (raw === undefined) {
      if (f.required) throw new UsageError(`--${name} is required`);
      values[name] = f.default;
      continue;
    }
    const list = (Array.isArray(raw) ? raw : [raw]) as string[];
    const items = f.delimiter ? list.flatMap((v) => v.split(f.delimiter!)).filter((v) => v !== '') : list;
    const converted = items.map((v) => convert(name, f, v));
    values[name] = f.multiple ? converted : converted.at(-1);
  }
  const positionals = parsed.positionals;
  const args: Record<string, string | undefined> = {};
  argDefs.forEach(([name, a], i) => {
    const v = positionals[i];
    if (v === undefined && a.required) throw new UsageError(`missing ${name.toUpperCase()}: ${a.description ?? 'an argument'}`);
    if (v !== undefined && a.options && !a.options.includes(v)) throw new UsageError(`${name.toUpperCase()} '${v}' is not one of ${a.options.join(', ')}${didYouMean(v, a.options)}`);
    args[name] = v;
  });
  if (def.strict !== false && positionals.length > argDefs.length) throw new UsageError(`unexpected argument '${positionals[argDefs.length]}'`);
  return {flags: values as FlagValues<F>, args: args as ArgValues<A>, argv: positionals};
}

function convert(name: string, f: OptionFlag<unknown>, v: string): unknown {
  if (f.options && !f.options.includes(v)) throw new UsageError(`--${name} '${v}' is not one of ${f.options.join(', ')}${didYouMean(v, f.options)}`);
  if (f.kind !== 'integer') return v;
  if (!/^-?\d+$/.test(v.trim())) throw new UsageError(`--${name} '${v}' is not a whole number`);
  const n = Number(v);
  if (f.min !== undefined && n < f.min) throw new UsageError(`--${name} ${n} is below the minimum ${f.min}`);
  if (f.max !== undefined && n > f.max) throw new UsageError(`--${name} ${n} is above the maximum ${f.max}`);
  return n;
}
