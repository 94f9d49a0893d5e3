import {Args, Flags, TapdoctorCommand} from '../cli/base.js';

export default class Explain extends TapdoctorCommand {
  static override summary = "Show a check's full page: what it detects, why it breaks tests, the fix per setup, exceptions";
  static override description = "Prints the page as Markdown (the text of docs/checks/<ID>.md), also showing the problematic and the correct state, the fixes for wicked, NetworkManager and network-scripts hosts and for nftables, iptables and firewalld, and the false-positive traps the check avoids. Without an ID it lists the checks (as 'tapdoctor checks list' does); --all prints every page.";
  static override examples = ['<%= config.bin %> explain TD001', '<%= config.bin %> explain vlan-tag-mismatch', '<%= config.bin %> explain td103 | less', '<%= config.bin %> explain --all > tapdoctor-checks.md'];
  static override args = {id: Args.string({description: 'check ID (TD001, any case) or slug (multiple-uplinks); without it, the list of checks'})};
  static override flags = {all: Flags.boolean({description: 'print the page of every check, one after the other', default: false})};

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Explain);
    const [{CHECK_META: HOST_CHECKS}, {FLEET_CHECK_META}, {readCheckPage}, {UserError}, {didYouMean}] = await Promise.all([import('../checks/meta.js'), import('../fleet/meta.js'), import('../checks/docs.js'), import('../errors.js'), import('../cli/suggest.js')]);
    // The fleet checks (TD2nn, run by `analyze` of several snapshots) have pages like the others.
    const CHECK_META = [...HOST_CHECKS, ...FLEET_CHECK_META];
    if (flags.all && args.id) throw new UserError('give a check ID or --all, not both');
    const pageOf = (id: string) => {
      const page = readCheckPage(id);
      if (!page) throw new UserError(`no page for ${id} in this installation`);
      return page.endsWith('\n') ? page : `${page}\n`;
    };
    if (flags.all) {
      process.stdout.write(CHECK_META.map((m) => pageOf(m.id)).join('\n'));
      return;
    }
    if (!args.id) {
      const [{renderCheckList}, {outputWidth}] = await Promise.all([import('../cli/check-list.js'), import('../cli/terminal.js')]);
      process.stdout.write(`${renderCheckList(CHECK_META, outputWidth())}\n'tapdoctor explain ID' shows a check's page.\n`);
      return;
    }
    const wanted = args.id.trim().toUpperCase();
    const meta = CHECK_META.find((m) => m.id === wanted || m.slug.toUpperCase() === wanted);
    if (!meta) throw new UserError(`unknown check '${args.id}'${didYouMean(args.id.trim(), CHECK_META.flatMap((m) => [m.id, m.slug]))} (see: tapdoctor checks list)`);
    process.stdout.write(pageOf(meta.id));
  }
}
