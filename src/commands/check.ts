import {TapdoctorCommand, liveFlags, reportFlags} from '../cli/base.js';

export default class Check extends TapdoctorCommand {
  static override summary = 'Run every check against the live host tapdoctor runs on';
  static override description = `Collects the host's state read-only (every command with a timeout), analyzes it and reports: findings by severity, each with why it breaks multi-machine tests and the commands that fix it. Run it as root: without root some sources (firewall rules, NetworkManager profiles) cannot be read, and the report says which.

Exit codes: 0 no finding at or above --fail-on; 1 such findings; 2 usage error or no check could run. --format nagios uses the Nagios plugin codes instead (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN) and honours --fail-on (findings below it do not raise the state). Findings accepted by a waiver in the settings file are reported as waived and count for no exit code.`;
  static override examples = [
    {description: 'Every check, as text', command: '<%= config.bin %> check'},
    {description: 'Two checks; only errors fail the run', command: '<%= config.bin %> check --only TD001,TD003 --fail-on error'},
    {description: 'Everything but the FORWARD counter check', command: '<%= config.bin %> check --skip forward-counters-zero'},
    {description: 'A JUnit file for CI, replacing the last one', command: '<%= config.bin %> check --format junit --output /var/tmp/tapdoctor.xml --force'},
    {description: 'One line per finding; errors only', command: '<%= config.bin %> check --brief --quiet'},
    {description: 'Metrics for the node_exporter textfile collector', command: '<%= config.bin %> check --fail-on never --format prometheus --output /var/lib/node_exporter/textfile/tapdoctor.prom --force'},
    {description: 'Host files from a chroot; kernel state, and OVS through its socket dir, from this host', command: 'OVS_RUNDIR=/run/openvswitch <%= config.bin %> check --root /srv/chroot --json'},
  ];
  static override flags = {...liveFlags, ...reportFlags};

  async run(): Promise<void> {
    const {flags} = await this.parse(Check);
    const [{collectWithProgress}, pipeline] = await Promise.all([import('../cli/collect.js'), import('../cli/pipeline.js')]);
    const root = await (await import('../cli/collect.js')).checkRoot(flags.root);
    const settings = await pipeline.settingsFor(flags, {root});
    pipeline.formatOf(flags);
    const snapshot = await collectWithProgress({root, timeoutSeconds: flags.timeout, quiet: flags.quiet, version: this.config.version});
    const analysis = await pipeline.analyze(snapshot, flags, settings, {mode: 'live'});
    const code = await pipeline.deliver(analysis, flags);
    if (code !== 0) this.exit(code);
  }
}
