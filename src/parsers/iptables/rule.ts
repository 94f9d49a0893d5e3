// Turns the tokens after `-A CHAIN` into an IptRule's matches and target.
//
// How options are grouped: core options (-p -s -d -i -o) fill their own fields; `-m NAME` opens a
// module and `-j`/`-g NAME` the target, and the long options after them belong to the one opened
// last; long options before any `-m`/`-j`/`-g`, and unknown short options, go to `otherOptions`.
// An option's values are the tokens up to the next option (a quoted token is always a value), so
// modules we have never heard of parse too.

import {isCount} from './numbers.js';
import type {Tokens} from './tokenize.js';
import type {Counters, IptModule, IptOption, IptRule, IptTarget} from './types.js';

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

const LONG_CORE_OPTIONS: ReadonlyMap<string, Core> = new Map([
  ['--protocol', Core.Protocol],
  ['--source', Core.Source],
  ['--src', Core.Source],
  ['--destination', Core.Destination],
  ['--dst', Core.Destination],
  ['--in-interface', Core.InIface],
  ['--out-interface', Core.OutIface],
  ['--match', Core.Match],
  ['--jump', Core.Jump],
  ['--goto', Core.Goto],
  ['--set-counters', Core.SetCounters],
  ...['--append', '--insert', '--delete', '--replace', '--new-chain', '--delete-chain', '--policy', '--flush', '--zero', '--rename-chain', '--list', '--list-rules'].map(
    (command) => [command, Core.Command] as const,
  ),
]);

/** Which core option `name` (an option token) is. Short options by char code: this runs per option. */
function coreOption(name: string): Core {
  if (name.length !== 2) return LONG_CORE_OPTIONS.get(name) ?? Core.None;
  switch (name.charCodeAt(1)) {
    case 112 /* p */:
      return Core.Protocol;
    case 115 /* s */:
      return Core.Source;
    case 100 /* d */:
      return Core.Destination;
    case 105 /* i */:
      return Core.InIface;
    case 111 /* o */:
      return Core.OutIface;
    case 109 /* m */:
      return Core.Match;
    case 106 /* j */:
      return Core.Jump;
    case 103 /* g */:
      return Core.Goto;
    case 99 /* c */:
      return Core.SetCounters;
    case 65 /* A */:
    case 73 /* I */:
    case 68 /* D */:
    case 82 /* R */:
    case 78 /* N */:
    case 88 /* X */:
    case 80 /* P */:
    case 70 /* F */:
    case 90 /* Z */:
    case 69 /* E */:
    case 76 /* L */:
    case 83 /* S */:
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
  const t = tokens.values[i]!;
  return t.length === 1 && t.charCodeAt(0) === 33 /* ! */ && !tokens.quoted[i];
}

// Shared and frozen empty lists: most rules have no otherOptions, many no module, most targets no
// options. A list is created on its first element, so an empty one costs no allocation.
export const NO_OPTIONS: IptOption[] = Object.freeze([]) as unknown as IptOption[];
export const NO_MODULES: IptModule[] = Object.freeze([]) as unknown as IptModule[];
const NO_VALUES: string[] = Object.freeze([]) as unknown as string[];

// A list is started as a one-element literal: push() on an empty array would reserve 17 slots.
function addOtherOption(rule: IptRule, option: IptOption): void {
  if (rule.otherOptions === NO_OPTIONS) rule.otherOptions = [option];
  else rule.otherOptions.push(option);
}

function addTargetOption(target: IptTarget, option: IptOption): void {
  if (target.options === NO_OPTIONS) target.options = [option];
  else target.options.push(option);
}

function addModuleOption(module: IptModule, option: IptOption): void {
  if (module.options === NO_OPTIONS) module.options = [option];
  else module.options.push(option);
}

/**
 * Fills a rule's matches and target from tokens. One instance per parse, reused for every rule:
 * no closures or temporary objects per rule.
 */
export class RuleArgsParser {
  private tokens!: Tokens;
  private i = 0;
  /** A `!` seen before the next option. */
  private negated = false;
  /** Set by takeValue: whether the value was negated (either form). */
  private valueNegated = false;

  /**
   * Fills `rule` from tokens[from, tokens.count). Returns counters given with `-c P B`, if any.
   * Throws RuleSyntaxError.
   */
  parse(tokens: Tokens, from: number, rule: IptRule): Counters | null {
    this.tokens = tokens;
    this.i = from;
    this.negated = false;
    const count = tokens.count;
    const values = tokens.values;
    let counters: Counters | null = null;
    // Where long options go: the module of the last -m, or the target after -j/-g.
    let module: IptModule | null = null;
    let inTarget = false;

    while (this.i < count) {
      if (isBang(tokens, this.i)) {
        if (this.negated) throw new RuleSyntaxError('double negation "! !"');
        this.negated = true;
        this.i++;
        continue;
      }
      if (!isOptionName(tokens, this.i)) {
        throw new RuleSyntaxError(`unexpected argument "${values[this.i]}"`);
      }
      const name = values[this.i++]!;
      switch (coreOption(name)) {
        case Core.Protocol: {
          if (rule.protocol) throw new RuleSyntaxError('multiple -p flags');
          const value = this.takeValue(name);
          rule.protocol = {name: value, negated: this.valueNegated};
          break;
        }
        case Core.Source:
          if (rule.source) throw new RuleSyntaxError('multiple -s flags');
          rule.source = {addr: this.takeValue(name), negated: this.valueNegated};
          break;
        case Core.Destination:
          if (rule.destination) throw new RuleSyntaxError('multiple -d flags');
          rule.destination = {addr: this.takeValue(name), negated: this.valueNegated};
          break;
        case Core.InIface:
          if (rule.inInterface) throw new RuleSyntaxError('multiple -i flags');
          rule.inInterface = {name: this.takeValue(name), negated: this.valueNegated};
          break;
        case Core.OutIface:
          if (rule.outInterface) throw new RuleSyntaxError('multiple -o flags');
          rule.outInterface = {name: this.takeValue(name), negated: this.valueNegated};
          break;
        case Core.Match: {
          this.noNegation(name);
          module = {name: this.takeValue(name), options: NO_OPTIONS};
          if (rule.modules === NO_MODULES) rule.modules = [module];
          else rule.modules.push(module);
          inTarget = false;
          break;
        }
        case Core.Jump:
        case Core.Goto: {
          this.noNegation(name);
          if (rule.target) throw new RuleSyntaxError('more than one target (-j/-g)');
          const kind = name === '-j' || name === '--jump' ? 'jump' : 'goto';
          rule.target = {kind, name: this.takeValue(name), options: NO_OPTIONS};
          module = null;
          inTarget = true;
          break;
        }
        case Core.SetCounters: {
          this.noNegation(name);
          if (counters) throw new RuleSyntaxError('multiple -c flags');
          const packets = this.takeValue(name);
          const bytes = this.takeValue(name);
          if (!isCount(packets) || !isCount(bytes)) throw new RuleSyntaxError(`-c needs two numbers, got "${packets} ${bytes}"`);
          counters = {packets: BigInt(packets), bytes: BigInt(bytes)};
          break;
        }
        case Core.Command:
          throw new RuleSyntaxError(`a second command ${name} in one rule`);
        default: {
          const option: IptOption = {name, values: NO_VALUES, negated: this.negated};
          while (this.i < count) {
            if (isBang(tokens, this.i)) {
              // `--state ! NEW` (old form) negates this option. A `!` after its values, or one
              // followed by an option (`--strict ! --reqid 1`), belongs to the next option.
              if (option.values.length > 0 || option.negated) break;
              if (this.i + 1 < count && isOptionName(tokens, this.i + 1)) break;
              option.negated = true;
              this.i++;
              continue;
            }
            if (isOptionName(tokens, this.i)) break;
            if (option.values === NO_VALUES) option.values = [values[this.i++]!];
            else option.values.push(values[this.i++]!);
          }
          if (name.charCodeAt(1) !== 45 /* a short option */) addOtherOption(rule, option);
          else if (module) addModuleOption(module, option);
          else if (inTarget) addTargetOption(rule.target!, option);
          else addOtherOption(rule, option);
        }
      }
      this.negated = false;
    }
    if (this.negated) throw new RuleSyntaxError('"!" at the end of the rule');
    return counters;
  }

  /** The single argument of a core option, allowing the old `-o ! eth0` negation form. */
  private takeValue(option: string): string {
    const tokens = this.tokens;
    let inner = false;
    if (this.i < tokens.count && isBang(tokens, this.i)) {
      if (this.negated) throw new RuleSyntaxError(`double negation on ${option}`);
      inner = true;
      this.i++;
    }
    if (this.i >= tokens.count || isOptionName(tokens, this.i) || isBang(tokens, this.i)) {
      throw new RuleSyntaxError(`option ${option} requires a value`);
    }
    this.valueNegated = this.negated || inner;
    return tokens.values[this.i++]!;
  }

  private noNegation(option: string): void {
    if (this.negated) throw new RuleSyntaxError(`${option} cannot be negated`);
  }
}
