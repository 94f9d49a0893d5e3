// What every tapdoctor command shares: one-line errors with exit code 2 (never a stack trace),
// and the flags of the analyzing commands. Kept light: heavy modules load inside run().
import {Command, Flags} from '@oclif/core';
import {didYouMean} from './suggest.js';

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
  config: Flags.string({description: 'site settings YAML (default: /etc/tapdoctor.yaml if present: below --root for live runs, on this machine for snapshots)'}),
  'gre-mtu': Flags.integer({description: 'MTU the SUTs behind GRE tunnels must use (default 1458, or greMtu from the settings file)', min: 576, max: 9000}),
  'multi-nic': Flags.boolean({description: 'also expect the extra taps of multi-NIC jobs: tap(N-1+64) and tap(N-1+128) for worker instance N', allowNo: true}),
  'ignore-interface': Flags.string({description: 'never treat this interface as an uplink (repeatable; a trailing * matches a prefix: "wg*")', multiple: true, multipleNonGreedy: true}),
  quiet: Flags.boolean({char: 'q', description: 'errors only: the text report leaves out warning and info findings (the summary still counts them; other formats keep all); no progress display while collecting', default: false}),
};

export const liveFlags = {
  root: Flags.string({description: 'read host files (/etc, /var, /usr) below this directory instead of /; kernel state (ip, nft, /proc, /sys) still comes from where tapdoctor runs', default: '/'}),
  timeout: Flags.integer({description: 'seconds each host command may take before it is killed', default: 10, min: 1, max: 600}),
};

export abstract class TapdoctorCommand extends Command {
  static override enableJsonFlag = false;

  protected override async catch(err: Error & {code?: string; oclif?: {exit?: number}; flags?: string[]}): Promise<unknown> {
    // oclif's own exit (this.exit) passes through untouched.
    if (err.code === 'EEXIT') throw err;
    process.stderr.write(`tapdoctor: ${this.oneLine(err)}\n`);
    if (process.env.TAPDOCTOR_DEBUG && err.stack) process.stderr.write(`${err.stack}\n`);
    return this.exit(2);
  }

  /** The error as one line, with a suggestion for a mistyped flag or option value. */
  private oneLine(err: Error & {flags?: string[]}): string {
    const see = `(see: tapdoctor ${(this.id ?? '').replaceAll(':', ' ')} --help)`;
    const flags = (this.constructor as typeof Command).flags ?? {};
    const names = Object.entries(flags).flatMap(([name, f]) => [`--${name}`, ...(f.char ? [`-${f.char}`] : []), ...(f.type === 'boolean' && (f as {allowNo?: boolean}).allowNo ? [`--no-${name}`] : [])]);
    if (err.flags) return err.flags.map((f) => `unknown flag '${f}'${didYouMean(f.replace(/=.*/, ''), names)}`).join('; ') + ` ${see}`;
    const option = /^Expected --([\w-]+)=(.*) to be one of: (.*)$/m.exec(err.message);
    if (option) {
      const [, flag, value, choices] = option;
      return `--${flag} '${value}' is not one of ${choices}${didYouMean(value!, choices!.split(', '))} ${see}`;
    }
    // One line, but all of it: oclif's usage errors put the missing argument on the next lines.
    const lines = (err.message || String(err)).split('\n').map((l) => l.trim()).filter(Boolean);
    const end = lines.findIndex((l) => /^(Note:|See more help)/.test(l));
    const message = (end < 0 ? lines : [...lines.slice(0, end), see]).join(' ').replace(/\s+/g, ' ') || 'failed';
    return message.replace(/^Error:\s*/, '');
  }
}
