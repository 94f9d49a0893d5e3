// Help texts, read from each command's own summary, description, arguments, flags and examples.
// One model (commandHelp) feeds the terminal help, the man page and the shell completions, so the
// three never disagree.
import {hanging} from '../report/text.js';
import {BIN, shown, type CommandClass} from './main.js';

export interface FlagHelp {
  /** "--output", plus "-o" when it has a short form. */
  long: string;
  short?: string;
  /** "FILE", "error|warning|info|never", or undefined for a boolean switch. */
  value?: string;
  /** --[no-]color */
  negatable: boolean;
  repeatable: boolean;
  text: string;
  options?: string[];
}

export interface CommandHelp {
  id: string;
  summary: string;
  usage: string;
  args: {name: string; text: string; required: boolean; options?: string[]}[];
  flags: FlagHelp[];
  description: string;
  examples: {description?: string; command: string}[];
}

const bin = (s: string) => s.replaceAll('<%= config.bin %>', BIN);

/** The value placeholder for a flag: its options, or a word guessed from its name. */
function valueName(name: string, flag: {type: string; options?: readonly string[]; helpValue?: string | string[]}): string | undefined {
  if (flag.type === 'boolean') return undefined;
  if (flag.helpValue) return String(flag.helpValue);
  if (flag.options) return flag.options.join('|');
  if (/output|config|snapshot|file/.test(name)) return 'FILE';
  if (/root|dir/.test(name)) return 'DIR';
  if (/url/.test(name)) return 'URL';
  if (/only|skip/.test(name)) return 'ID,...';
  return 'VALUE';
}

export function commandHelp(id: string, Cmd: CommandClass): CommandHelp {
  const flags: FlagHelp[] = Object.entries(Cmd.flags ?? {})
    .filter(([, f]) => !f.hidden)
    .map(([name, f]) => {
      const value = valueName(name, f as {type: string; options?: string[]; helpValue?: string});
      const dflt = (f as {default?: unknown}).default;
      const showDefault = f.type === 'option' && dflt !== undefined && typeof dflt !== 'function' && !String(f.description ?? '').includes('default');
      return {
        long: `--${name}`,
        short: f.char ? `-${f.char}` : undefined,
        value,
        negatable: f.type === 'boolean' && Boolean((f as {allowNo?: boolean}).allowNo),
        repeatable: Boolean((f as {multiple?: boolean}).multiple),
        text: `${f.description ?? ''}${showDefault ? ` (default: ${String(dflt)})` : ''}`,
        options: (f as {options?: string[]}).options,
      };
    })
    .sort((a, b) => a.long.localeCompare(b.long));
  const args = Object.entries(Cmd.args ?? {}).map(([name, a]) => ({name: name.toUpperCase(), text: a.description ?? '', required: Boolean(a.required), options: a.options as string[] | undefined}));
  const argWords = args.map((a) => (a.required ? a.name : `[${a.name}]`));
  const examples = (Cmd.examples ?? []).map((e) => (typeof e === 'string' ? {command: bin(e)} : {description: e.description, command: bin(e.command)}));
  return {
    id,
    summary: Cmd.summary ?? '',
    usage: [BIN, shown(id), ...argWords, ...(flags.length > 0 ? ['[FLAGS]'] : [])].join(' '),
    args,
    flags,
    description: bin(Cmd.description ?? ''),
    examples,
  };
}

export function flagLabel(f: FlagHelp): string {
  const long = f.negatable ? `--[no-]${f.long.slice(2)}` : f.long;
  const value = f.value ? `=${f.value}${f.repeatable && !f.value.endsWith('...') ? '...' : ''}` : '';
  return `${f.short ? `${f.short}, ` : '    '}${long}${value}`;
}

/** Two columns: the label, then its text wrapped beside it (or below it when the label is long). */
function table(rows: [string, string][], width: number): string[] {
  const labelWidth = Math.min(Math.max(...rows.map(([l]) => l.length)), Math.floor(width / 3));
  const out: string[] = [];
  for (const [label, text] of rows) {
    const indent = 2 + labelWidth + 2;
    if (label.length > labelWidth) {
      out.push(`  ${label}`, ...hanging(' '.repeat(indent), indent, text, width));
    } else {
      out.push(...hanging(`  ${label.padEnd(labelWidth)}  `, indent, text, width));
    }
  }
  return out;
}

export function renderCommandHelp(id: string, Cmd: CommandClass, width: number): string {
  const h = commandHelp(id, Cmd);
  const out: string[] = [...hanging('', 0, h.summary, width), '', 'USAGE', `  $ ${h.usage}`];
  if (h.args.length > 0) out.push('', 'ARGUMENTS', ...table(h.args.map((a) => [a.name, a.text]), width));
  if (h.flags.length > 0) out.push('', 'FLAGS', ...table(h.flags.map((f) => [flagLabel(f), f.text]), width));
  if (h.description) {
    out.push('', 'DESCRIPTION');
    for (const paragraph of h.description.split(/\n\s*\n/)) out.push(...hanging('  ', 2, paragraph.replace(/\s*\n\s*/g, ' '), width), '');
    out.pop();
  }
  if (h.examples.length > 0) {
    out.push('', 'EXAMPLES');
    // Commands are never wrapped: they must paste as they are.
    for (const e of h.examples) out.push(...(e.description ? hanging('  ', 2, e.description, width) : []), `    $ ${e.command}`, '');
    out.pop();
  }
  return `${out.join('\n')}\n`;
}

export function renderRootHelp(commands: Record<string, CommandClass>, width: number): string {
  const rows: [string, string][] = Object.entries(commands).map(([id, c]) => [shown(id), c.summary ?? '']);
  rows.push(['help [COMMAND]', 'show the help of tapdoctor or of one command (also: COMMAND --help)']);
  const out = [
    ...hanging('', 0, 'Diagnose openQA multi-machine (tap) worker hosts: live, from snapshots, and as a pre-reboot gate.', width),
    '',
    'USAGE',
    `  $ ${BIN} COMMAND [FLAGS]`,
    '',
    'COMMANDS',
    ...table(rows, width),
    '',
    'FLAGS',
    ...table([['-h, --help', 'show this help'], ['-v, --version', 'show the version']], width),
    '',
    ...hanging('', 0, `'${BIN} help COMMAND' shows a command's flags and examples; '${BIN} explain ID' a check's page.`, width),
  ];
  return `${out.join('\n')}\n`;
}

export function renderTopicHelp(topic: string, commands: Record<string, CommandClass>, width: number): string {
  const rows: [string, string][] = Object.entries(commands).map(([id, c]) => [shown(id), c.summary ?? '']);
  return `${['USAGE', `  $ ${BIN} ${topic} COMMAND [FLAGS]`, '', 'COMMANDS', ...table(rows, width)].join('\n')}\n`;
}
