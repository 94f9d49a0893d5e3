// Shell completion scripts (bash, zsh, fish) from the same help model as --help and the man page:
// commands, each command's own flags, option values, check IDs for --only/--skip/explain, files
// for paths.
import {CHECK_META} from '../checks/meta.js';
import {commandHelp, type CommandHelp, type FlagHelp} from './help.js';
import {BIN, loadAll, shown, type CommandTable} from './main.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** What a command's first argument completes to: check IDs for explain, its options, or files. */
function argWords(h: CommandHelp): string[] | 'file' | undefined {
  if (h.id === 'explain') return CHECK_META.map((m) => m.id);
  if (h.args[0]?.options) return h.args[0].options;
  return h.args.length > 0 ? 'file' : undefined;
}

/** What a flag's value completes to. */
function valueKind(f: FlagHelp): {words: string[]} | 'file' | 'dir' | 'none' | 'any' {
  if (!f.value) return 'none';
  if (f.options) return {words: f.options};
  if (/^--(only|skip)$/.test(f.long)) return {words: CHECK_META.map((m) => m.id)};
  if (f.value === 'FILE') return 'file';
  if (f.value === 'DIR') return 'dir';
  return 'any';
}

async function model(commands: CommandTable): Promise<CommandHelp[]> {
  return Object.entries(await loadAll(commands)).map(([id, c]) => commandHelp(id, c));
}

export async function renderCompletion(shell: Shell, commands: CommandTable): Promise<string> {
  const helps = await model(commands);
  if (shell === 'bash') return bash(helps);
  if (shell === 'zsh') return zsh(helps);
  return fish(helps);
}

const firstWords = (helps: CommandHelp[]) => [...new Set([...helps.map((h) => h.id.split(':')[0]!), 'help'])].sort();
const q = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

function bash(helps: CommandHelp[]): string {
  const cases = helps.map((h) => {
    const flagWords = h.flags.flatMap((f) => [f.long, ...(f.short ? [f.short] : []), ...(f.negatable ? [`--no-${f.long.slice(2)}`] : [])]);
    const values = h.flags
      .map((f) => {
        const kind = valueKind(f);
        const names = [f.long, ...(f.short ? [f.short] : [])].join('|');
        if (kind === 'none') return undefined;
        if (kind === 'file') return `      ${names}) COMPREPLY=($(compgen -f -- "$cur")); return ;;`;
        if (kind === 'dir') return `      ${names}) COMPREPLY=($(compgen -d -- "$cur")); return ;;`;
        if (kind === 'any') return `      ${names}) return ;;`;
        return `      ${names}) COMPREPLY=($(compgen -W ${q(kind.words.join(' '))} -- "$cur")); return ;;`;
      })
      .filter(Boolean);
    const words = argWords(h);
    const args = words === 'file' ? 'compgen -f -- "$cur"' : words ? `compgen -W ${q(words.join(' '))} -- "$cur"` : 'true';
    return [`    ${q(shown(h.id))})`, '      case "$prev" in', ...values, '      esac', `      flags=${q(flagWords.join(' '))}`, `      args=$(${args})`, '      ;;'].join('\n');
  });
  const topics = [...new Set(helps.filter((h) => h.id.includes(':')).map((h) => h.id.split(':')[0]!))];
  return `# bash completion for ${BIN} (generated from its help texts)
_${BIN}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmd="\${COMP_WORDS[1]}" first=2 flags args
  case "$cmd" in
    ${topics.join('|') || '__none__'})
      if [[ $COMP_CWORD -eq 2 ]]; then
        COMPREPLY=($(compgen -W "$(${BIN}_subcommands "$cmd")" -- "$cur")); return
      fi
      cmd="$cmd \${COMP_WORDS[2]}"; first=3 ;;
  esac
  if [[ $COMP_CWORD -lt 2 ]]; then
    COMPREPLY=($(compgen -W ${q(['-h', '--help', '-v', '--version', ...firstWords(helps)].join(' '))} -- "$cur")); return
  fi
  case "$cmd" in
    help) COMPREPLY=($(compgen -W ${q(firstWords(helps).filter((w) => w !== 'help').join(' '))} -- "$cur")); return ;;
${cases.join('\n')}
    *) return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$flags --help" -- "$cur"))
  else
    COMPREPLY=($args)
  fi
}
${BIN}_subcommands() {
  case "$1" in
${topics.map((t) => `    ${t}) echo ${q(helps.filter((h) => h.id.startsWith(`${t}:`)).map((h) => h.id.split(':')[1]).join(' '))} ;;`).join('\n')}
  esac
}
complete -o filenames -F _${BIN} ${BIN}
`;
}

/** Text for zsh's _arguments: no brackets or colons, which it would read as syntax. */
const zshText = (s: string) => s.replace(/[[\]:]/g, ' ').replace(/'/g, "'\\''").replace(/\s+/g, ' ').trim();

/** zsh: a topic ("checks") completes its subcommands, then the subcommand's own flags. */
function topicCases(helps: CommandHelp[]): string {
  const topics = [...new Set(helps.filter((h) => h.id.includes(':')).map((h) => h.id.split(':')[0]!))];
  return topics
    .map((t) => {
      const subs = helps.filter((h) => h.id.startsWith(`${t}:`)).map((h) => h.id.split(':')[1]);
      return `    ${t})\n      if (( CURRENT == 3 )); then compadd -- ${subs.join(' ')}; return; fi\n      cmd="${t}:$words[3]"; shift words; (( CURRENT-- )) ;;`;
    })
    .join('\n');
}

function zsh(helps: CommandHelp[]): string {
  const spec = (h: CommandHelp) => {
    const flags = h.flags.map((f) => {
      const kind = valueKind(f);
      const action = kind === 'none' ? '' : kind === 'file' ? ':file:_files' : kind === 'dir' ? ':directory:_files -/' : kind === 'any' ? ':value: ' : `:value:(${kind.words.join(' ')})`;
      const eq = kind === 'none' ? '' : '=';
      const text = zshText(f.text).slice(0, 120);
      const names = f.short ? `'(${f.short} ${f.long})'{${f.short},${f.long}}'${eq}` : `'${f.repeatable ? '*' : ''}${f.long}${eq}`;
      const neg = f.negatable ? ` '--no-${f.long.slice(2)}[${text}]'` : '';
      return `${names}[${text}]${action}'${neg}`;
    });
    const words = argWords(h);
    const args = words === undefined ? [] : [`'1:${h.args[0]?.name.toLowerCase() ?? 'check'}:${words === 'file' ? '_files' : `(${words.join(' ')})`}'`];
    return ['_arguments -s', ...flags, ...args].join(' \\\n        ');
  };
  const tops = firstWords(helps).map((w) => {
    const h = helps.find((x) => x.id === w);
    const text = h ? h.summary : w === 'help' ? 'show the help of a command' : `${w} commands`;
    return `'${w}:${zshText(text)}'`;
  });
  return `#compdef ${BIN}
# zsh completion for ${BIN} (generated from its help texts)
_${BIN}() {
  local -a commands
  commands=(${tops.join(' ')})
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  local cmd=$words[2]
  case $cmd in
${topicCases(helps)}
  esac
  shift words; (( CURRENT-- ))
  case $cmd in
    help) _describe 'command' commands ;;
${helps.map((h) => `    ${h.id})\n      ${spec(h)} ;;`).join('\n')}
  esac
}
_${BIN} "$@"
`;
}

function fish(helps: CommandHelp[]): string {
  const lines = [`# fish completion for ${BIN} (generated from its help texts)`, `complete -c ${BIN} -f`];
  const fishText = (s: string) => q(s.replace(/\s+/g, ' ').slice(0, 100));
  const tops = firstWords(helps);
  for (const w of tops) {
    const h = helps.find((x) => x.id === w);
    const text = h ? h.summary : w === 'help' ? 'show the help of a command' : `${w} commands`;
    lines.push(`complete -c ${BIN} -n __fish_use_subcommand -a ${w} -d ${fishText(text)}`);
  }
  for (const h of helps) {
    const [top, sub] = h.id.split(':');
    const cond = sub ? `__fish_seen_subcommand_from ${top}; and __fish_seen_subcommand_from ${sub}` : `__fish_seen_subcommand_from ${top}`;
    if (sub) lines.push(`complete -c ${BIN} -n ${q(`__fish_seen_subcommand_from ${top}; and not __fish_seen_subcommand_from ${sub}`)} -a ${sub} -d ${fishText(h.summary)}`);
    for (const f of h.flags) {
      const kind = valueKind(f);
      const value = kind === 'none' ? '' : kind === 'file' || kind === 'dir' ? ' -r -F' : kind === 'any' ? ' -x' : ` -x -a ${q(kind.words.join(' '))}`;
      lines.push(`complete -c ${BIN} -n ${q(cond)}${f.short ? ` -s ${f.short.slice(1)}` : ''} -l ${f.long.slice(2)}${value} -d ${fishText(f.text)}`);
      if (f.negatable) lines.push(`complete -c ${BIN} -n ${q(cond)} -l no-${f.long.slice(2)} -d ${fishText(f.text)}`);
    }
    const words = argWords(h);
    if (words === 'file') lines.push(`complete -c ${BIN} -n ${q(cond)} -F`);
    else if (words) lines.push(`complete -c ${BIN} -n ${q(cond)} -a ${q(words.join(' '))}`);
  }
  return `${lines.join('\n')}\n`;
}
