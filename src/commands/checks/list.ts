import {Flags} from '@oclif/core';
import {TapdoctorCommand} from '../../cli/base.js';

export default class ChecksList extends TapdoctorCommand {
  static override summary = 'List every check: ID, slug, default severity and title';
  static override description = "Checks marked (gate) are persistence checks: they run only in 'tapdoctor gate'. A finding may be reported above or below the default severity when the case warrants it. 'tapdoctor explain ID' shows a check's full page.";
  static override examples = ['<%= config.bin %> checks list', '<%= config.bin %> checks list --json'];
  static override flags = {
    json: Flags.boolean({description: 'print a JSON array of {id, slug, severity, title, gateOnly}', default: false}),
    color: Flags.boolean({description: 'colour the table borders and header (default: only when stdout is a terminal and NO_COLOR is unset)', allowNo: true}),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(ChecksList);
    const {CHECK_META} = await import('../../checks/meta.js');
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(CHECK_META.map((m) => ({id: m.id, slug: m.slug, severity: m.severity, title: m.title, gateOnly: Boolean(m.gate)})), null, 2)}\n`);
      return;
    }
    const [{default: Table}, {useColor}] = await Promise.all([import('cli-table3'), import('../../cli/pipeline.js')]);
    const color = useColor(flags.color);
    const table = new Table({head: ['ID', 'Slug', 'Severity', 'Title'], style: {compact: true, ...(color ? {} : {head: [], border: []})}});
    for (const m of CHECK_META) table.push([m.id, m.slug, m.severity, `${m.title}${m.gate ? ' (gate)' : ''}`]);
    process.stdout.write(`${table.toString()}\n`);
  }
}
