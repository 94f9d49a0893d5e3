import {Args} from '@oclif/core';
import {TapdoctorCommand} from '../cli/base.js';

export default class Explain extends TapdoctorCommand {
  static override summary = "Show a check's full page: what it detects, why it breaks tests, the fix per setup, exceptions";
  static override description = "Prints the page as Markdown (the text of docs/checks/<ID>.md), also showing the problematic and the correct state, the fixes for wicked, NetworkManager and network-scripts hosts and for nftables, iptables and firewalld, and the false-positive traps the check avoids. 'tapdoctor checks list' lists the IDs.";
  static override examples = ['<%= config.bin %> explain TD001', '<%= config.bin %> explain vlan-tag-mismatch', '<%= config.bin %> explain td103 | less'];
  static override args = {id: Args.string({description: 'check ID (TD001, any case) or slug (multiple-uplinks)', required: true})};

  async run(): Promise<void> {
    const {args} = await this.parse(Explain);
    const [{CHECK_META}, {readCheckPage}, {UserError}] = await Promise.all([import('../checks/meta.js'), import('../checks/docs.js'), import('../errors.js')]);
    const wanted = args.id.trim().toUpperCase();
    const meta = CHECK_META.find((m) => m.id === wanted || m.slug.toUpperCase() === wanted);
    if (!meta) throw new UserError(`unknown check '${args.id}' (see: tapdoctor checks list)`);
    const page = readCheckPage(meta.id);
    if (!page) throw new UserError(`no page for ${meta.id} in this installation`);
    process.stdout.write(page.endsWith('\n') ? page : `${page}\n`);
  }
}
