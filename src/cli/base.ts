// What every tapdoctor command shares: one-line errors with exit code 2 (never a stack trace),
// and the flags of the analyzing commands. Kept light: heavy modules load inside run().
// Subpath imports: oclif's index would load its help, plugin and run machinery, which dispatch
// (main.ts) does not use, at every start.
import {Command} from '@oclif/core/command';
import * as Flags from '@oclif/core/flags';

export {Flags};
export * as Args from '@oclif/core/args';

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
  color: Flags.boolean({description: 'colour the text output (default: only when stdout is a terminal and NO_COLOR is unset; of --color and --no-color the last one given wins)', allowNo: true}),
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

/**
 * A tapdoctor command: an oclif Command (oclif's Flags, Args and parser) whose errors become one
 * line on stderr and exit code 2, never a stack trace. main.ts creates it with its own small config
 * instead of oclif's Config, so no package.json, manifest or plugin is read at start.
 */
export abstract class TapdoctorCommand extends Command {
  static override enableJsonFlag = false;

  override async init(): Promise<void> {
    await super.init();
    const {refuseSwitchValues} = await import('./usage-error.js');
    refuseSwitchValues(this.argv, {flags: (this.constructor as typeof TapdoctorCommand).flags});
  }

  protected override async catch(err: Error & {code?: string; oclif?: {exit?: number}}): Promise<unknown> {
    // this.exit(n) throws oclif's ExitError: it passes through to main, which returns n.
    if (err.code === 'EEXIT') throw err;
    const {isParseError, parseErrorLine} = await import('./usage-error.js');
    const ctor = this.constructor as typeof TapdoctorCommand;
    const line = isParseError(err)
      ? `${parseErrorLine(err, {flags: ctor.flags, args: ctor.args})} (see: ${this.config.bin} ${(this.id ?? '').replaceAll(':', ' ')} --help)`
      : (err.message || String(err)).replace(/\s+/g, ' ').trim() || 'failed';
    process.stderr.write(`${this.config.bin}: ${line}\n`);
    if (process.env.TAPDOCTOR_DEBUG && err.stack) process.stderr.write(`${err.stack}\n`);
    return this.exit(2);
  }
}
