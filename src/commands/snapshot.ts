import {Flags} from '@oclif/core';
import {TapdoctorCommand, liveFlags} from '../cli/base.js';

export default class SnapshotCommand extends TapdoctorCommand {
  static override summary = "Capture this host's state into a snapshot tarball for 'tapdoctor analyze'";
  static override description = `Collects exactly what 'tapdoctor check' reads (read-only, every command with a timeout),
redacts secrets, and writes a gzip'd tar (mode 0600, atomically). /etc/openqa/client.conf is never read.`;
  static override examples = ['<%= config.bin %> snapshot', '<%= config.bin %> snapshot -o /var/tmp/worker5.tar.gz --force'];
  static override flags = {
    ...liveFlags,
    output: Flags.string({char: 'o', description: 'file to write (default: tapdoctor-<host>-<UTC timestamp>.tar.gz in the current directory)'}),
    force: Flags.boolean({description: 'overwrite an existing file', default: false}),
    quiet: Flags.boolean({char: 'q', description: 'no progress output on stderr', default: false}),
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
      process.stderr.write(`note: ${failed.length} source(s) could not be collected: ${failed.map((s) => `${s.name} (${s.reason})`).join('; ')}\n`);
    }
  }
}
