import {Flags, TapdoctorCommand, liveFlags, reportFlags} from '../cli/base.js';

// --fail-on has no meaning here: the gate's exit code is its verdict.
const {'fail-on': _failOn, ...gateReportFlags} = reportFlags;

export default class Gate extends TapdoctorCommand {
  static override summary = 'Pre-reboot gate: may this worker be rebooted now, and will the next boot rebuild a working tap setup?';
  static override description = `Runs every check plus the persistence checks (TD101-TD108: forwarding, bridge address, taps, NAT, GRE pre-up script, factory share, enabled services, spare NICs, each as the next boot will build it) and asks the openQA web UI (HOST from workers.ini, or --openqa-url) which jobs run on this host. Run it as root: the persistence checks need to read NetworkManager profiles and the firewall state.

Each finding that matters for a reboot is classed: blocks (a reboot leaves or makes it broken: error findings, every finding of a persistence check, every running job), heals at boot (a runtime-only fault that the persisted config and the enabled units rebuild: shown, not blocking), or open question (a check that errored, a persistence check that lacked data, checks left out by --only/--skip, a web UI that did not answer). Waived findings (waivers: in the settings file) count for nothing. The text lists each on one line, then the persistence steps to take before rebooting, and ends with one line: SAFE TO REBOOT, NOT SAFE TO REBOOT: N blockers, or CANNOT TELL IF SAFE TO REBOOT: N open questions.

Exit codes: 0 safe; 1 not safe; 2 cannot tell or bad usage. --format nagios uses the plugin codes: SAFE 0 (OK), NOT SAFE 2 (CRITICAL), CANNOT TELL 3 (UNKNOWN). Every format carries the verdict (JSON "gate" object, Prometheus tapdoctor_gate_verdict, a JUnit "gate" testcase, an HTML banner).

With --snapshot it judges a snapshot with the settings captured in it: the web UI is asked only with --openqa-url, and without its answer the qemu processes alive at capture count as running jobs. --only/--skip can never give SAFE: at most CANNOT TELL, naming the checks left out.`;
  static override examples = [
    {description: 'Live host; asks the web UI named in workers.ini', command: '<%= config.bin %> gate'},
    {description: 'Ask a given web UI; no progress display', command: '<%= config.bin %> gate --openqa-url https://openqa.example.org --quiet'},
    {description: 'Count the pool\'s live qemu processes instead of asking openQA; verdict as JSON', command: '<%= config.bin %> gate --no-openqa --json --output /var/tmp/gate.json'},
    {description: 'Judge a snapshot; the web UI says whether its jobs still run', command: '<%= config.bin %> gate --snapshot tapdoctor-worker5-20261121T101500Z.tar.gz --openqa-url https://openqa.example.org'},
  ];
  static override flags = {
    ...liveFlags,
    ...gateReportFlags,
    output: Flags.string({char: 'o', description: 'write the report to this file (an existing one only with --force); for text the gate section still prints on stdout'}),
    // gate judges a live host or a snapshot: the default settings file depends on which.
    config: Flags.string({description: "site settings YAML (default: the host's /etc/tapdoctor.yaml if present: below --root live, the copy captured in the snapshot with --snapshot; the report says which was used)"}),
    snapshot: Flags.string({description: 'judge this snapshot (tarball or directory) instead of the live host; --root and --timeout are then unused'}),
    'openqa-url': Flags.string({description: 'openQA web UI to ask which jobs run here (default: HOST from workers.ini)'}),
    openqa: Flags.boolean({description: 'ask the openQA web UI which jobs run on this host (default); --no-openqa: do not ask, live runs count the pool\'s qemu processes instead', allowNo: true, default: true}),
    'openqa-timeout': Flags.integer({description: 'seconds the whole web UI exchange may take', default: 10, min: 1, max: 300}),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(Gate);
    const [pipeline, {decideGate, toGateVerdict}, {renderGate, verdictLine}, {UserError}] = await Promise.all([
      import('../cli/pipeline.js'),
      import('../gate/decide.js'),
      import('../gate/render.js'),
      import('../errors.js'),
    ]);
    if (!flags.openqa && flags['openqa-url']) throw new UserError('--no-openqa and --openqa-url contradict each other; give one');
    const reportFlagValues = {...flags, 'fail-on': 'never'};
    const format = pipeline.formatOf(reportFlagValues);

    const mode = flags.snapshot ? 'snapshot' : 'live';
    let snapshot;
    let settings;
    if (flags.snapshot) {
      const {readSnapshot} = await import('../sources/archive.js');
      snapshot = await readSnapshot(flags.snapshot);
      settings = await pipeline.settingsFor(reportFlagValues, {snapshot});
    } else {
      const {checkRoot, collectWithProgress} = await import('../cli/collect.js');
      const root = await checkRoot(flags.root);
      settings = await pipeline.settingsFor(reportFlagValues, {root});
      snapshot = await collectWithProgress({root, timeoutSeconds: flags.timeout, quiet: flags.quiet, version: this.config.version});
    }
    const config = settings.config;
    const {report, facts} = await pipeline.analyze(snapshot, reportFlagValues, settings, {mode, path: flags.snapshot}, {gate: true});

    const {hostname} = await import('node:os');
    const openqa = !flags.openqa
      ? {ask: false as const, why: '--no-openqa: the web UI was not asked which jobs run here'}
      : mode === 'snapshot' && !flags['openqa-url']
        ? {ask: false as const, why: `snapshot: the web UI was not asked (give --openqa-url to ask it about ${snapshot.manifest.hostname} now)`}
        : {ask: true as const, url: flags['openqa-url'], hostname: mode === 'live' ? hostname() : snapshot.manifest.hostname, timeoutMs: flags['openqa-timeout'] * 1000};
    const decision = await decideGate({report, snapshot, config, mode, openqa});
    report.gate = toGateVerdict(decision, verdictLine(decision));

    // Text is the gate's own short form (header, one line per blocker / heal / open question, the
    // persistence steps, the verdict last); every other format is the full report with the verdict in it.
    const color = format === 'text' && pipeline.useColor(flags.color);
    let body: string;
    let exitCode: number = decision.exitCode;
    let stdoutToo: string | undefined;
    if (format === 'text') {
      const {renderHeader} = await import('../report/text.js');
      // On stdout the text fits the terminal; in the --output file it is 80 columns wide.
      const text = (c: boolean, width: number) => `${renderHeader(report, {color: c, width})}\n${renderGate(decision, {color: c, width}, report)}`;
      body = text(color && !flags.output, pipeline.textOptions(flags).width);
      if (flags.output) stdoutToo = text(color, pipeline.textOptions({}).width);
    } else {
      const rendered = await pipeline.render(report, format, {color: false, facts, command: 'gate'});
      body = rendered.text;
      // Nagios has its own codes: SAFE 0, NOT SAFE 2 (CRITICAL), CANNOT TELL 3 (UNKNOWN).
      if (rendered.exitCode !== undefined) exitCode = rendered.exitCode;
    }
    await pipeline.emit(body, flags.output, flags.force);
    // With --output the text also goes to the terminal, once the file is written.
    if (stdoutToo) process.stdout.write(stdoutToo);
    if (exitCode !== 0) this.exit(exitCode);
  }
}
