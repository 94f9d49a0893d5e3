import {Flags, TapdoctorCommand} from '../../cli/base.js';

export default class ChecksList extends TapdoctorCommand {
  static override summary = 'List every check: ID, slug, default severity and title';
  static override description = "Checks marked (gate) are persistence checks: they run only in 'tapdoctor gate'. A finding may be reported above or below the default severity when the case warrants it. 'tapdoctor explain ID' shows a check's full page.";
  static override examples = ['<%= config.bin %> checks list', '<%= config.bin %> checks list --format json'];
  static override flags = {
    json: Flags.boolean({description: 'print a JSON array of {id, slug, severity, title, gateOnly, kinds, needs} (same as --format json)', default: false}),
    format: Flags.string({description: 'output format', options: ['text', 'json']}),
    color: Flags.boolean({description: 'bold header (default: only when stdout is a terminal and NO_COLOR is unset)', allowNo: true}),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(ChecksList);
    const [{CHECK_META}, list, {UserError}] = await Promise.all([import('../../checks/meta.js'), import('../../cli/check-list.js'), import('../../errors.js')]);
    if (flags.json && flags.format === 'text') throw new UserError('--json and --format disagree; give one');
    if (flags.json || flags.format === 'json') {
      process.stdout.write(list.checkListJson(CHECK_META));
      return;
    }
    const [{useColor}, {outputWidth}] = await Promise.all([import('../../cli/pipeline.js'), import('../../cli/terminal.js')]);
    const bold = useColor(flags.color) ? (s: string) => `\x1b[1m${s}\x1b[22m` : undefined;
    process.stdout.write(list.renderCheckList(CHECK_META, outputWidth(), bold));
  }
}
