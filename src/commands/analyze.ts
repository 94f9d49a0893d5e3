import {Args, Flags, TapdoctorCommand, reportFlags} from '../cli/base.js';
import {UserError} from '../errors.js';
import {CATALOGUE} from '../sources/catalogue.js';

// --input names: every catalogue source but the probes (kept in step with sources/paste.ts by a test).
const INPUT_SOURCES = CATALOGUE.filter((s) => s.kind !== 'probe').map((s) => s.name);

export default class Analyze extends TapdoctorCommand {
  static override summary = 'Run every check offline on a snapshot (tarball or unpacked directory) or a sosreport (packed or unpacked)';
  static override description = `Reads the snapshot in memory (never extracts it to disk) and analyzes it with the same code as 'tapdoctor check', so a snapshot taken with 'tapdoctor snapshot' gives the findings a live run would have given at capture time. A sosreport works too, packed (.tar.xz, .tar.gz, .tar) or unpacked; checks whose data sos does not collect are skipped with the reason. The persistence checks (TD1nn) run only in 'tapdoctor gate' ('gate --snapshot' for a snapshot).

Exit codes: 0 no finding at or above --fail-on; 1 such findings; 2 unreadable or hostile input, usage error, or no check could run. --format nagios uses the Nagios plugin codes instead (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN) and honours --fail-on (findings below it do not raise the state). Findings accepted by a waiver in the settings file are reported as waived and count for no exit code.`;
  static override examples = [
    {description: 'Analyze a snapshot taken on a worker', command: '<%= config.bin %> analyze tapdoctor-worker5-20261121T101500Z.tar.gz'},
    {description: 'The bundled broken demo worker, as JSON', command: '<%= config.bin %> analyze fixtures/demo --json'},
    {description: 'A sosreport as sos wrote it (or its unpacked directory)', command: '<%= config.bin %> analyze sosreport-worker5-2026-11-21-abcdefg.tar.xz'},
    {description: 'Pasted outputs from a ticket, no snapshot: an iptables -L -v -n paste and ip addr text', command: '<%= config.bin %> analyze --input iptables.save=iptables-L.txt --input ip.addr=ip-addr.txt --input ovs.show=ovs-show.txt'},
    {description: 'A self-contained HTML page for a ticket, whatever it finds', command: '<%= config.bin %> analyze worker5.tar.gz --fail-on never --format html --output report.html'},
  ];
  // Several paths (a fleet): argv has every path given.
  static override strict = false;
  static override args = {
    path: Args.string({description: 'snapshot tarball (.tar, .tar.gz), unpacked snapshot directory, or sosreport (.tar.xz, .tar.gz, .tar or unpacked); several, or a directory of tarballs, for a fleet', required: false}),
  };
  static override flags = {
    ...reportFlags,
    // Analyze collects nothing: its help speaks of the snapshot, not of --root or a live host.
    config: Flags.string({description: "site settings YAML (default: the host's /etc/tapdoctor.yaml captured in the snapshot, if any; the report says which was used)"}),
    quiet: Flags.boolean({char: 'q', description: 'errors only: the text report leaves out warning and info findings (the summary still counts them; other formats keep all)', default: false}),
    complete: Flags.boolean({description: 'fleet: the snapshots are every host of the network, so a tunnel to any other address is a warning (TD202)', default: false}),
    topology: Flags.string({description: "fleet: who must peer: 'mesh' or 'star:HOST' (default: openQA tap mesh when hosts carry tap, else a detected hub, else mesh)"}),
    'hosts-detail': Flags.boolean({description: "fleet text: each host's full report after the fleet findings", default: false}),
    host: Flags.string({description: "fleet, --format script: the repair plan of this host alone (default: one file with every host's plan, each host running its own part)"}),
    jobs: Flags.integer({description: 'fleet: worker threads analyzing snapshots (default: one per core)', min: 0, max: 64}),
    input: Flags.string({
      multiple: true,
      helpValue: 'SOURCE=FILE',
      description: `analyze loose files instead of a snapshot: FILE holds what SOURCE collects (repeatable; per-key sources as SOURCE[KEY]=FILE, e.g. ovs.flows[br1]=flows.txt). The format is detected: iptables-save, iptables -S or iptables -L -v -n for *tables.save; ip -j JSON or text for ip.*; nft JSON or text. Sources not given make the checks needing them skip. SOURCE is one of: ${INPUT_SOURCES.join(', ')}`,
    }),
    'max-size': Flags.integer({description: 'refuse snapshots larger than this many MiB uncompressed (default 256; one member may never exceed 64)', min: 1}),
  };

  async run(): Promise<void> {
    const {args, argv, flags} = await this.parse(Analyze);
    const [{readSnapshot}, pipeline] = await Promise.all([import('../sources/archive.js'), import('../cli/pipeline.js')]);
    pipeline.formatOf(flags);
    const maxBytes = flags['max-size'] ? flags['max-size'] * 1024 * 1024 : undefined;
    const limits = maxBytes ? {maxTotalBytes: maxBytes, maxMemberBytes: Math.min(maxBytes, 64 * 1024 * 1024)} : {};
    if (flags.input && flags.input.length > 0) {
      if (args.path !== undefined) throw new UserError('give either a snapshot path or --input SOURCE=FILE, not both');
      const paste = await import('../sources/paste.js');
      const snapshot = await paste.readPastes(flags.input.map(paste.parsePasteArg), maxBytes);
      // Loose files bring no host settings: --config or the defaults.
      const settings = await pipeline.settingsOfRun(flags);
      const analysis = await pipeline.analyze(snapshot, flags, settings, {mode: 'snapshot', path: '--input'});
      const code = await pipeline.deliver(analysis, flags);
      if (code !== 0) this.exit(code);
      return;
    }
    if (args.path === undefined) throw new UserError('missing snapshot path (or --input SOURCE=FILE); see tapdoctor analyze --help');
    const paths = (argv as string[]).length > 0 ? (argv as string[]) : [args.path];
    const {isFleetRun} = await import('../fleet/inputs.js');
    if (await isFleetRun(paths)) {
      const fleet = await import('../cli/fleet.js');
      const run = await fleet.analyzeFleet(paths, flags, limits);
      const code = await fleet.deliverFleet(run, flags);
      if (code !== 0) this.exit(code);
      return;
    }
    if (flags.host !== undefined) throw new UserError('--host picks one host of a fleet run (several snapshots); one snapshot is one host already');
    const snapshot = await readSnapshot(args.path, limits);
    const settings = await pipeline.settingsFor(flags, {snapshot});
    const analysis = await pipeline.analyze(snapshot, flags, settings, {mode: 'snapshot', path: args.path});
    const code = await pipeline.deliver(analysis, flags);
    if (code !== 0) this.exit(code);
  }
}
