// Turns the tokens after `-A CHAIN` into an IptRule's matches and target.
//
// How options are grouped: core options (-p -s -d -i -o) fill their own fields; `-m NAME` opens a
// module and `-j`/`-g NAME` the target, and the long options after them belong to the one opened
// last; long options before any `-m`/`-j`/`-g`, and unknown short options, go to `otherOptions`.
// An option's values are the tokens up to the next option (a quoted token is always a value), so
// modules we have never heard of parse too.

import {isDigits} from './numbers.js';
import type {Tokens} from './tokenize.js';
import type {AddrMatch, Counters, IfaceMatch, IptOption, IptRule} from './types.js';

/** A syntax problem in a rule; the caller turns it into a ParseError with the line. */
export class RuleSyntaxError extends Error {}

const enum Core {
  None,
  Protocol,
  Source,
  Destination,
  InIface,
  OutIface,
  Match,
  Jump,
  Goto,
  SetCounters,
  Command,
}

function coreOption(name: string): Core {
  switch (name) {
    case '-p':
    case '--protocol':
      return Core.Protocol;
    case '-s':
    case '--source':
    case '--src':
      return Core.Source;
    case '-d':
    case '--destination':
    case '--dst':
      return Core.Destination;
    case '-i':
    case '--in-interface':
      return Core.InIface;
    case '-o':
    case '--out-interface':
      return Core.OutIface;
    case '-m':
    case '--match':
      return Core.Match;
    case '-j':
    case '--jump':
      return Core.Jump;
    case '-g':
    case '--goto':
      return Core.Goto;
    case '-c':
    case '--set-counters':
      return Core.SetCounters;
    case '-A':
    case '-I':
    case '-D':
    case '-R':
    case '-N':
    case '-X':
    case '-P':
    case '-F':
    case '-Z':
    case '-E':
    case '-L':
    case '-S':
    case '--append':
    case '--insert':
    case '--delete':
    case '--replace':
    case '--new-chain':
    case '--delete-chain':
    case '--policy':
    case '--flush':
    case '--zero':
    case '--rename-chain':
    case '--list':
    case '--list-rules':
      return Core.Command;
    default:
      return Core.None;
  }
}

/** An unquoted `-x`/`--xyz`; `-1` (a negative number) and a lone `-` are values. */
export function isOptionName(tokens: Tokens, i: number): boolean {
  if (tokens.quoted[i]) return false;
  const t = tokens.values[i]!;
  if (t.length < 2 || t.charCodeAt(0) !== 45 /* - */) return false;
  const c = t.charCodeAt(1);
  return c < 48 || c > 57;
}

function isBang(tokens: Tokens, i: number): boolean {
  return !tokens.quoted[i] && tokens.values[i] === '!';
}

/**
 * Fills `rule` from tokens[from, tokens.count). Returns counters given with `-c P B`, if any.
 * Throws RuleSyntaxError.
 */
export function parseRuleArgs(tokens: Tokens, from: number, rule: IptRule): Counters | null {
  const count = tokens.count;
  const values = tokens.values;
  let counters: Counters | null = null;
  let context: IptOption[] | null = null; // where long options go: the last -m or -j/-g
  let negated = false; // a `!` seen before the next option
  let i = from;

  // The single argument of a core option, allowing the old `-o ! eth0` negation form.
  const takeValue = (option: string): {value: string; negated: boolean} => {
    let inner = false;
    if (i < count && isBang(tokens, i)) {
      if (negated) throw new RuleSyntaxError(`double negation on ${option}`);
      inner = true;
      i++;
    }
    if (i >= count || isOptionName(tokens, i) || isBang(tokens, i)) {
      throw new RuleSyntaxError(`option ${option} requires a value`);
    }
    return {value: values[i++]!, negated: negated || inner};
  };
  const noNegation = (option: string): void => {
    if (negated) throw new RuleSyntaxError(`${option} cannot be negated`);
  };

  while (i < count) {
    if (isBang(tokens, i)) {
      if (negated) throw new RuleSyntaxError('double negation "! !"');
      negated = true;
      i++;
      continue;
    }
    if (!isOptionName(tokens, i)) {
      throw new RuleSyntaxError(`unexpected argument "${values[i]}"`);
    }
    const name = values[i++]!;
    switch (coreOption(name)) {
      case Core.Protocol: {
        if (rule.protocol) throw new RuleSyntaxError('multiple -p flags');
        const v = takeValue(name);
        rule.protocol = {name: v.value, negated: v.negated};
        break;
      }
      case Core.Source:
        if (rule.source) throw new RuleSyntaxError('multiple -s flags');
        rule.source = addr(takeValue(name));
        break;
      case Core.Destination:
        if (rule.destination) throw new RuleSyntaxError('multiple -d flags');
        rule.destination = addr(takeValue(name));
        break;
      case Core.InIface:
        if (rule.inInterface) throw new RuleSyntaxError('multiple -i flags');
        rule.inInterface = iface(takeValue(name));
        break;
      case Core.OutIface:
        if (rule.outInterface) throw new RuleSyntaxError('multiple -o flags');
        rule.outInterface = iface(takeValue(name));
        break;
      case Core.Match: {
        noNegation(name);
        const module = {name: takeValue(name).value, options: [] as IptOption[]};
        rule.modules.push(module);
        context = module.options;
        break;
      }
      case Core.Jump:
      case Core.Goto: {
        noNegation(name);
        if (rule.target) throw new RuleSyntaxError('more than one target (-j/-g)');
        const kind = name === '-j' || name === '--jump' ? 'jump' : 'goto';
        rule.target = {kind, name: takeValue(name).value, options: []};
        context = rule.target.options;
        break;
      }
      case Core.SetCounters: {
        noNegation(name);
        if (counters) throw new RuleSyntaxError('multiple -c flags');
        const packets = takeValue(name).value;
        const bytes = takeValue(name).value;
        if (!isDigits(packets) || !isDigits(bytes)) throw new RuleSyntaxError(`-c needs two numbers, got "${packets} ${bytes}"`);
        counters = {packets: BigInt(packets), bytes: BigInt(bytes)};
        break;
      }
      case Core.Command:
        throw new RuleSyntaxError(`a second command ${name} in one rule`);
      default: {
        const option: IptOption = {name, values: [], negated};
        while (i < count) {
          if (isBang(tokens, i)) {
            // `--state ! NEW` (old form) negates this option; a `!` after values belongs to the next.
            if (option.values.length > 0 || option.negated) break;
            option.negated = true;
            i++;
            continue;
          }
          if (isOptionName(tokens, i)) break;
          option.values.push(values[i++]!);
        }
        const isLong = name.charCodeAt(1) === 45;
        (isLong && context ? context : rule.otherOptions).push(option);
      }
    }
    negated = false;
  }
  if (negated) throw new RuleSyntaxError('"!" at the end of the rule');
  return counters;
}

function addr(v: {value: string; negated: boolean}): AddrMatch {
  return {addr: v.value, negated: v.negated};
}

function iface(v: {value: string; negated: boolean}): IfaceMatch {
  return {name: v.value, negated: v.negated};
}
