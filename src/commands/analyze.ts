import {Args, Flags} from '@oclif/core';
import {TapdoctorCommand, reportFlags} from '../cli/base.js';

export default class Analyze extends TapdoctorCommand {
  static override summary = 'Run every check offline on a snapshot (tarball or unpacked directory)';
  static override description = `Reads the snapshot in memory (never extracts it to disk), analyzes it with the same code as
'tapdoctor check', and reports. Exit codes: 0 no finding at or above --fail-on, 1 such findings,
2 unreadable or hostile input, usage error, or nothing could be analyzed.`;
  static override examples = [
    '<%= config.bin %> analyze tapdoctor-worker5-20261121T101500Z.tar.gz',
    '<%= config.bin %> analyze fixtures/demo --json',
    '<%= config.bin %> analyze snap.tar.gz --fail-on never --format html --output report.html',
  ];
  static override args = {
    path: Args.string({description: 'snapshot tarball (.tar, .tar.gz) or unpacked snapshot directory', required: true}),
  };
  static override flags = {
    ...reportFlags,
    'max-size': Flags.integer({description: 'largest snapshot (MiB, uncompressed) tapdoctor will read', min: 1}),
  };

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Analyze);
    const [{readSnapshot}, pipeline] = await Promise.all([import('../sources/archive.js'), import('../cli/pipeline.js')]);
    pipeline.formatOf(flags);
    const config = await pipeline.settingsFor(flags, '/');
    const maxBytes = flags['max-size'] ? flags['max-size'] * 1024 * 1024 : undefined;
    const limits = maxBytes ? {maxTotalBytes: maxBytes, maxMemberBytes: Math.min(maxBytes, 64 * 1024 * 1024)} : {};
    const snapshot = await readSnapshot(args.path, limits);
    const report = await pipeline.analyze(snapshot, flags, config, {mode: 'snapshot', path: args.path});
    const code = await pipeline.deliver(report, flags, snapshot, config);
    if (code !== 0) this.exit(code);
  }
}
