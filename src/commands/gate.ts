import {Flags} from '@oclif/core';
import {TapdoctorCommand, liveFlags, reportFlags} from '../cli/base.js';

// --fail-on has no meaning here: the gate's exit code is its verdict.
const {'fail-on': _failOn, ...gateReportFlags} = reportFlags;

export default class Gate extends TapdoctorCommand {
  static override summary = 'Pre-reboot gate: may this worker be rebooted now, and will the next boot rebuild a working tap setup?';
  static override description = `Runs every check plus the persistence checks (TD101-TD108: forwarding, bridge address, taps, NAT, GRE pre-up script, factory share, enabled services, spare NICs, each as the next boot will build it) and asks the openQA web UI (HOST from workers.ini, or --openqa-url) which jobs run on this host. Run it as root: the persistence checks need to read NetworkManager profiles and the firewall state.

Blockers: every error finding, every finding of a persistence check, every running job. The report is followed by the gate section (each blocker with its fix) and one last line: SAFE TO REBOOT, NOT SAFE TO REBOOT: N blockers, or CANNOT TELL IF SAFE TO REBOOT: N open questions.

Exit codes: 0 safe; 1 not safe; 2 cannot tell (the web UI could not be asked, a persistence check lacked data, bad usage). The exit code is the verdict with every --format; --json adds a "gate" object with the verdict.

With --snapshot it judges a snapshot minus the live-only parts: the web UI is asked only with --openqa-url, and qemu processes of capture time do not count as running jobs.`;
  static override examples = [
    {description: 'Live host; asks the web UI named in workers.ini', command: '<%= config.bin %> gate'},
    {description: 'Ask a given web UI; no progress display', command: '<%= config.bin %> gate --openqa-url https://openqa.example.org --quiet'},
    {description: 'Count the pool\'s live qemu processes instead of asking openQA; verdict as JSON', command: '<%= config.bin %> gate --no-openqa --json --output /var/tmp/gate.json'},
    {description: 'Judge a snapshot; running jobs are not asked about', command: '<%= config.bin %> gate --snapshot tapdoctor-worker5-20261121T101500Z.tar.gz --no-openqa'},
  ];
  static override flags = {
    ...liveFlags,
    ...gateReportFlags,
    output: Flags.string({char: 'o', description: 'write the report (with the gate section, for text) to this file; the gate section still prints on stdout'}),
    snapshot: Flags.string({description: 'judge this snapshot (tarball or directory) instead of the live host; --root and --timeout are then unused'}),
    'openqa-url': Flags.string({description: 'openQA web UI to ask which jobs run here (default: HOST from workers.ini)'}),
    openqa: Flags.boolean({description: 'ask the openQA web UI which jobs run on this host (default); --no-openqa: do not ask, live runs count the pool\'s qemu processes instead', allowNo: true, default: true}),
    'openqa-timeout': Flags.integer({description: 'seconds the whole web UI exchange may take', default: 10, min: 1, max: 300}),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(Gate);
    const [pipeline, {decideGate}, {renderGate, verdictLine}, {UserError}] = await Promise.all([
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
    let config;
    if (flags.snapshot) {
      const {readSnapshot} = await import('../sources/archive.js');
      config = await pipeline.settingsFor(reportFlagValues, '/');
      snapshot = await readSnapshot(flags.snapshot);
    } else {
      const {checkRoot, collectWithProgress} = await import('../cli/collect.js');
      const root = await checkRoot(flags.root);
      config = await pipeline.settingsFor(reportFlagValues, root);
      snapshot = await collectWithProgress({root, timeoutSeconds: flags.timeout, quiet: flags.quiet, version: this.config.version});
    }
    const {report, facts} = await pipeline.analyze(snapshot, reportFlagValues, config, {mode, path: flags.snapshot}, {gate: true});

    const {hostname} = await import('node:os');
    const openqa = !flags.openqa
      ? {ask: false as const, why: '--no-openqa: the web UI was not asked which jobs run here'}
      : mode === 'snapshot' && !flags['openqa-url']
        ? {ask: false as const, why: `snapshot: running jobs are a live question, not asked (give --openqa-url to ask the web UI about ${snapshot.manifest.hostname} now)`}
        : {ask: true as const, url: flags['openqa-url'], hostname: mode === 'live' ? hostname() : snapshot.manifest.hostname, timeoutMs: flags['openqa-timeout'] * 1000};
    const decision = await decideGate({report, snapshot, config, mode, openqa});

    // The report as usual (json etc. unchanged); for text the gate section follows it, verdict last.
    const color = format === 'text' && pipeline.useColor(flags.color);
    // JSON carries the verdict too, so scripts need not parse the text's last line.
    const rendered =
      format === 'json'
        ? {text: (await import('../report/json.js')).renderJson(report, {verdict: decision.verdict, line: verdictLine(decision), exitCode: decision.exitCode, blockers: decision.blockers, unknowns: decision.unknowns, notes: decision.notes})}
        : await pipeline.render(report, format, {...pipeline.textOptions(flags), color: format === 'text' && !flags.output && color, facts, command: 'gate'});
    // The gate section on stdout fits the terminal; in the --output file it is 80 columns wide.
    const gateText = renderGate(decision, {color, width: pipeline.textOptions({}).width});
    // Text carries the gate section after the report; the gate section also goes to stdout with --output.
    const body = format === 'text' ? `${rendered.text}\n${flags.output ? renderGate(decision, {color: false}) : gateText}` : rendered.text;
    await pipeline.emit(body, flags.output, flags.force);
    if (flags.output) process.stdout.write(gateText);
    if (decision.exitCode !== 0) this.exit(decision.exitCode);
  }
}
