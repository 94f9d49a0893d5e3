import {TapdoctorCommand, liveFlags, reportFlags} from '../cli/base.js';

export default class Check extends TapdoctorCommand {
  static override summary = 'Run every check against the live host tapdoctor runs on';
  static override description = `Collects the host's state read-only (every command with a timeout), analyzes it and reports.
Exit codes: 0 no finding at or above --fail-on, 1 such findings, 2 usage error or nothing could be analyzed.`;
  static override examples = [
    '<%= config.bin %> check',
    '<%= config.bin %> check --only TD001,TD003 --fail-on error',
    '<%= config.bin %> check --format junit --output /var/tmp/tapdoctor.xml',
    'OVS_RUNDIR=/run/openvswitch <%= config.bin %> check --root /srv/chroot --json',
  ];
  static override flags = {...liveFlags, ...reportFlags};

  async run(): Promise<void> {
    const {flags} = await this.parse(Check);
    const [{collectWithProgress}, pipeline] = await Promise.all([import('../cli/collect.js'), import('../cli/pipeline.js')]);
    const root = await (await import('../cli/collect.js')).checkRoot(flags.root);
    const config = await pipeline.settingsFor(flags, root);
    pipeline.formatOf(flags);
    const snapshot = await collectWithProgress({root, timeoutSeconds: flags.timeout, quiet: flags.quiet, version: this.config.version});
    const report = await pipeline.analyze(snapshot, flags, config, {mode: 'live'});
    const code = await pipeline.deliver(report, flags, snapshot, config);
    if (code !== 0) this.exit(code);
  }
}
