import {Flags, TapdoctorCommand, liveFlags} from '../cli/base.js';

export default class SnapshotCommand extends TapdoctorCommand {
  static override summary = "Capture this host's state into a snapshot tarball for 'tapdoctor analyze'";
  static override description = `Collects exactly what 'tapdoctor check' reads (read-only, every command with a timeout), redacts secrets (passwords, tokens, keys in captured files; /etc/openqa/client.conf is never read) and writes a gzip'd tar, atomically and with mode 0600. Prints the file name on stdout; sources that could not be collected are listed on stderr and recorded in the snapshot. Run it as root for a complete snapshot.

Analyze it anywhere later with 'tapdoctor analyze FILE' or 'tapdoctor gate --snapshot FILE'. Exit codes: 0 written; 2 usage error, or the file exists and --force was not given.`;
  static override examples = [
    {description: 'Into the current directory as tapdoctor-<host>-<UTC timestamp>.tar.gz', command: '<%= config.bin %> snapshot'},
    {description: 'To a fixed name, replacing an older one', command: '<%= config.bin %> snapshot -o /var/tmp/worker5.tar.gz --force'},
  ];
  static override flags = {
    ...liveFlags,
    output: Flags.string({char: 'o', description: 'file to write (default: tapdoctor-<host>-<UTC timestamp>.tar.gz in the current directory)'}),
    force: Flags.boolean({description: 'replace the output file if it exists (default: refuse, exit 2)', default: false}),
    quiet: Flags.boolean({char: 'q', description: 'no progress display and no list of uncollected sources on stderr', default: false}),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(SnapshotCommand);
    const [{collectWithProgress, checkRoot}, {writeSnapshot}] = await Promise.all([import('../cli/collect.js'), import('../sources/write.js')]);
    const root = await checkRoot(flags.root);
    const snapshot = await collectWithProgress({root, timeoutSeconds: flags.timeout, quiet: flags.quiet, version: this.config.version});
    const stamp = snapshot.manifest.capturedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    const safeHost = snapshot.manifest.hostname.replace(/[^A-Za-z0-9.-]/g, '_');
    const out = flags.output ?? `tapdoctor-${safeHost}-${stamp}.tar.gz`;
    const written = await writeSnapshot(snapshot, out, {force: flags.force});
    const failed = Object.values(snapshot.manifest.sources).filter((s) => s.status === 'failed');
    process.stdout.write(`${written}\n`);
    if (!flags.quiet && failed.length > 0) {
      // One source per line: the reasons are long (a tool's own error text) and each names a different fix.
      const noun = failed.length === 1 ? 'source' : 'sources';
      process.stderr.write(`note: ${failed.length} ${noun} could not be collected (the snapshot records why; analyze reports them):\n${failed.map((s) => `  ${s.name}: ${s.reason}\n`).join('')}`);
    }
  }
}
