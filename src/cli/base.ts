// What every tapdoctor command shares: one-line errors with exit code 2 (never a stack trace),
// and the flags of the analyzing commands. Kept light: heavy modules load inside run().
import {Flags, UsageError, parseCommandLine, type ArgDef, type ArgValues, type FlagDef, type FlagValues} from './flags.js';

export const FAIL_ON = ['error', 'warning', 'info', 'never'] as const;
export type FailOn = (typeof FAIL_ON)[number];
export const FORMATS = ['text', 'json', 'junit', 'prometheus', 'nagios', 'html', 'script'] as const;
export type Format = (typeof FORMATS)[number];

export const reportFlags = {
  only: Flags.string({description: 'run only these checks: IDs or slugs, comma-separated or repeated (TD003,tap-inventory)', delimiter: ',', multiple: true, multipleNonGreedy: true}),
  skip: Flags.string({description: 'skip these checks: IDs or slugs, comma-separated or repeated', delimiter: ',', multiple: true, multipleNonGreedy: true}),
  'fail-on': Flags.string({description: 'lowest finding severity that makes the exit code 1 (never: exit 0 whatever is found)', options: [...FAIL_ON], default: 'warning'}),
  json: Flags.boolean({description: 'print the versioned JSON report (same as --format json)', default: false}),
  format: Flags.string({description: 'output format (nagios also sets the exit code by the Nagios plugin convention; script prints the repair plan as a POSIX sh script)', options: [...FORMATS]}),
  output: Flags.string({char: 'o', description: 'write the report to this file instead of stdout (atomically, mode 0644); an existing file only with --force'}),
  force: Flags.boolean({description: 'let --output replace an existing file (default: refuse, exit 2)', default: false}),
  brief: Flags.boolean({description: 'text report in short: one line per finding, what did not run, the summary', default: false}),
  color: Flags.boolean({description: 'colour the text output (default: only when stdout is a terminal and NO_COLOR is unset)', allowNo: true}),
  config: Flags.string({description: "site settings YAML (default: the host's /etc/tapdoctor.yaml below --root, if present; the report says which was used)"}),
  'gre-mtu': Flags.integer({description: 'MTU the SUTs behind GRE tunnels must use (default 1458, or greMtu from the settings file)', min: 576, max: 9000}),
  'multi-nic': Flags.boolean({description: 'also expect the extra taps of multi-NIC jobs: tap(N-1+64) and tap(N-1+128) for worker instance N', allowNo: true}),
  'ignore-interface': Flags.string({description: 'never treat this interface as an uplink (repeatable; a trailing * matches a prefix: "wg*")', multiple: true, multipleNonGreedy: true}),
  quiet: Flags.boolean({char: 'q', description: 'errors only: the text report leaves out warning and info findings (the summary still counts them; other formats keep all); no progress display while collecting', default: false}),
};

export const liveFlags = {
  root: Flags.string({description: 'read host files (/etc, /var, /usr) below this directory instead of /; kernel state (ip, nft, /proc, /sys) still comes from where tapdoctor runs', default: '/'}),
  timeout: Flags.integer({description: 'seconds each host command may take before it is killed', default: 10, min: 1, max: 600}),
};

/** Thrown by `this.exit(code)`: ends the command with that exit code (main turns it into one). */
export class CommandExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}

export interface CommandConfig {
  bin: string;
  version: string;
}

/**
 * A tapdoctor command: static summary, description, examples, flags and args (read by help, man
 * page and completions), and run(). Errors become one line on stderr and exit code 2.
 */
export abstract class TapdoctorCommand {
  static id?: string;
  static summary?: string;
  static description?: string;
  static examples?: (string | {description?: string; command: string})[];
  static flags?: Record<string, FlagDef>;
  static args?: Record<string, ArgDef>;
  static strict?: boolean;
  static hidden?: boolean;

  constructor(
    readonly argv: string[],
    readonly config: CommandConfig,
  ) {}

  abstract run(): Promise<void>;

  get id(): string {
    return (this.constructor as typeof TapdoctorCommand).id ?? '';
  }

  protected async parse<F extends Record<string, FlagDef>, A extends Record<string, ArgDef>>(def: {flags?: F; args?: A; strict?: boolean}): Promise<{flags: FlagValues<F>; args: ArgValues<A>; argv: string[]}> {
    return parseCommandLine(this.argv, def);
  }

  protected exit(code = 0): never {
    throw new CommandExit(code);
  }

  /** Runs the command; resolves to its exit code. */
  async execute(): Promise<number> {
    try {
      await this.run();
      return 0;
    } catch (error) {
      if (error instanceof CommandExit) return error.exitCode;
      const err = error as Error;
      const see = `(see: ${this.config.bin} ${this.id.replaceAll(':', ' ')} --help)`;
      const message = (err.message || String(err)).replace(/\s+/g, ' ').trim() || 'failed';
      process.stderr.write(`${this.config.bin}: ${message}${err instanceof UsageError ? ` ${see}` : ''}\n`);
      if (process.env.TAPDOCTOR_DEBUG && err.stack) process.stderr.write(`${err.stack}\n`);
      return 2;
    }
  }
}
