// oclif's parse errors as our one line: "unknown flag '--jsn'; did you mean '--json'?". oclif
// words them over several lines ("Nonexistent flag: --jsn\nSee more help with --help"); this
// keeps the fact, names the nearest valid word, and drops the rest.
import {didYouMean} from './suggest.js';

/** What the formatter needs of a command: its flags and arguments as oclif defines them. */
export interface ParseSpec {
  flags?: Record<string, {char?: string; type: string; allowNo?: boolean}>;
  args?: Record<string, {description?: string}>;
}

interface ParseErrorFields {
  message?: string;
  flags?: string[];
  args?: {name?: string; description?: string}[] | string[];
  constructor?: {name?: string};
}

/** Every oclif parse error ends so; errors of the command itself (UserError) do not. */
const OCLIF_TAIL = /\n?See more help with --help\s*$/;

/** A flag used without its value, or twice: oclif says so without the tail. */
const FLAG_USE = /^Flag --[\w-]+ (expects|can only)/;

export function isParseError(err: unknown): boolean {
  const message = (err as Error)?.message ?? '';
  return err instanceof SwitchValueError || OCLIF_TAIL.test(message) || FLAG_USE.test(message);
}

/** A switch (a boolean flag) written with a value: `--json=1`. */
export class SwitchValueError extends Error {}

/**
 * oclif reads `--json=1` as `--json` followed by the argument `1` (analyze then takes `1` for a
 * snapshot path). A switch takes no value: say so, naming its negation where it has one.
 */
export function refuseSwitchValues(argv: readonly string[], spec: ParseSpec): void {
  const end = argv.indexOf('--');
  for (const arg of end < 0 ? argv : argv.slice(0, end)) {
    const m = /^--(no-)?([\w-]+)=/.exec(arg);
    if (!m) continue;
    const flag = spec.flags?.[m[2]!];
    if (flag?.type !== 'boolean' || (m[1] && !flag.allowNo)) continue;
    const forms = flag.allowNo ? `--${m[2]} or --no-${m[2]}` : `--${m[2]} (or leave it out)`;
    throw new SwitchValueError(`--${m[1] ?? ''}${m[2]} takes no value ('${arg}'): give ${forms}`);
  }
}

/** The flag spellings a command accepts: --name, -c, --no-name. */
export function flagNames(spec: ParseSpec): string[] {
  return Object.entries(spec.flags ?? {}).flatMap(([name, f]) => [`--${name}`, ...(f.char ? [`-${f.char}`] : []), ...(f.type === 'boolean' && f.allowNo ? [`--no-${name}`] : [])]);
}

/** One line for an oclif parse error (without the "see: --help" pointer, which the caller adds). */
export function parseErrorLine(err: ParseErrorFields, spec: ParseSpec): string {
  if (err instanceof SwitchValueError) return err.message;
  const kind = err.constructor?.name;
  const message = (err.message ?? '').replace(OCLIF_TAIL, '');
  if (kind === 'NonExistentFlagsError' && err.flags) {
    const names = flagNames(spec);
    return err.flags.map((f) => `unknown flag '${f}'${didYouMean(f.replace(/=.*/, ''), names)}`).join('; ');
  }
  if (kind === 'UnexpectedArgsError' && err.args) return `unexpected argument${err.args.length > 1 ? 's' : ''} ${(err.args as string[]).map((a) => `'${a}'`).join(', ')}`;
  if (kind === 'RequiredArgsError' && err.args) {
    return (err.args as {name?: string; description?: string}[]).map((a) => `missing ${(a.name ?? 'argument').toUpperCase()}: ${a.description ?? 'an argument'}`).join('; ');
  }
  const option = /^Expected --([\w-]+)=(.*) to be one of: (.*)$/m.exec(message);
  if (option) return notOneOf(`--${option[1]} '${option[2]}'`, option[2]!, option[3]!);
  const argOption = /^Expected (.*) to be one of: (.*)$/m.exec(message);
  if (argOption) {
    const name = Object.keys(spec.args ?? {})[0]?.toUpperCase() ?? 'argument';
    return notOneOf(`${name} '${argOption[1]}'`, argOption[1]!, argOption[2]!);
  }
  // Flag value errors come as "Parsing --gre-mtu \n\t<reason>".
  const parsing = /^Parsing (--[\w-]+)\s*\n\s*([\s\S]*)$/.exec(message);
  if (parsing) return flagValueLine(parsing[1]!, parsing[2]!.trim());
  const needsValue = /^Flag (--[\w-]+) expects (?:a value|one of these values: (.*))$/m.exec(message);
  if (needsValue) return `${needsValue[1]} needs a value${needsValue[2] ? `: one of ${needsValue[2]}` : ''}`;
  const once = /^Flag (--[\w-]+) can only be specified once$/m.exec(message);
  if (once) return `${once[1]} given twice; give it once`;
  return message.replace(/\s+/g, ' ').trim() || 'failed';
}

function notOneOf(what: string, value: string, choices: string): string {
  return `${what} is not one of ${choices}${didYouMean(value, choices.split(', '))}`;
}

function flagValueLine(flag: string, reason: string): string {
  const min = /greater than or equal to (-?\d+) but received: (.*)$/.exec(reason);
  if (min) return `${flag} ${min[2]} is below the minimum ${min[1]}`;
  const max = /less than or equal to (-?\d+) but received: (.*)$/.exec(reason);
  if (max) return `${flag} ${max[2]} is above the maximum ${max[1]}`;
  const notInt = /^Expected an integer but received: (.*)$/.exec(reason);
  if (notInt) return `${flag} '${notInt[1]}' is not a whole number`;
  return `${flag}: ${reason.replace(/\s+/g, ' ')}`;
}
