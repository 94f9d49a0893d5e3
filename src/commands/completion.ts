import {Args, TapdoctorCommand} from '../cli/base.js';

export default class Completion extends TapdoctorCommand {
  static override summary = 'Print the shell completion script for bash, zsh or fish';
  static override description = 'Completes commands, each command\'s flags, option values, check IDs and file names. The RPM installs the scripts where each shell finds them; otherwise load one as the examples show.';
  static override examples = [
    {description: 'bash, for this shell', command: 'source <(<%= config.bin %> completion bash)'},
    {description: 'zsh, for every shell (a directory in $fpath)', command: '<%= config.bin %> completion zsh > ~/.zfunc/_tapdoctor'},
    {description: 'fish', command: '<%= config.bin %> completion fish > ~/.config/fish/completions/tapdoctor.fish'},
  ];
  static override args = {shell: Args.string({description: 'bash, zsh or fish', required: true, options: ['bash', 'zsh', 'fish']})};

  async run(): Promise<void> {
    const {args} = await this.parse(Completion);
    const [{renderCompletion}, {commandTable}] = await Promise.all([import('../cli/completion.js'), import('../cli/main.js')]);
    process.stdout.write(await renderCompletion(args.shell as 'bash' | 'zsh' | 'fish', commandTable()));
  }
}
