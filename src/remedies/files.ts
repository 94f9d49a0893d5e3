// Edits of host config files, one way each. GNU `sed -i` replaces a symlink by a file, so every
// sed here runs with --follow-symlinks: the edit reaches the link's target (and every device that
// shares it, as the setup scripts intend). Every edit is idempotent: sed on a known line, grep
// before append, whole files written from scratch.
import {bre, printfLines, q, sedReplacement} from './shell.js';
import {step, type Phase, type Step} from './step.js';

export type AssignStyle = 'quoted' | 'bare';

/** `NAME='value'` (wicked ifcfg, sysconfig) or `NAME=value` (ifcfg-rh). */
export function assignment(name: string, value: string, style: AssignStyle = 'quoted'): string {
  return style === 'quoted' ? `${name}='${value}'` : `${name}=${value}`;
}

/** Make a shell-style config file say NAME=value: change the line that sets it, else append one. */
export function setVar(path: string, name: string, value: string, opts: {style?: AssignStyle; note?: string} = {}): Step {
  const line = assignment(name, value, opts.style);
  const f = q(path);
  return step(
    'persist',
    `var:${path}:${name}`,
    [
      ...(opts.note ? [`# ${opts.note}`] : []),
      `if grep -q '^${name}=' ${f}; then sed -i --follow-symlinks ${q(`s/^${name}=.*/${sedReplacement(line)}/`)} ${f}; else echo ${q(line)} >> ${f}; fi`,
    ],
    {files: [path]},
  );
}

/** Remove the lines that set these variables (a separate prefix that would override IPADDR's /NN). */
export function deleteVars(path: string, names: readonly string[]): Step {
  return step('persist', `delete-vars:${path}:${[...names].sort().join(',')}`, [`sed -i --follow-symlinks ${q(names.map((n) => `/^${n}=/d`).join(';'))} ${q(path)}`], {files: [path]});
}

/**
 * Write a whole file (a link there is replaced by a file of its own); it settles every variable it
 * sets. One printf line rather than a here-document: a fix is pasted from an indented report, and
 * an indented `EOF` would never end a here-document.
 */
export function writeFile(path: string, lines: readonly string[], opts: {mode?: string; settles?: string[]} = {}): Step {
  const f = q(path);
  const vars = lines.map((l) => /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(l)?.[1]).filter((v): v is string => v !== undefined);
  // A link there is replaced (rm), not written through: the file is this device's own.
  return step('persist', `file:${path}`, [`mkdir -p ${q(dirOf(path))}`, `rm -f ${f}`, `${printfLines(lines)} > ${f}`, ...(opts.mode ? [`chmod ${opts.mode} ${f}`] : [])], {
    files: [path, dirOf(path)],
    satisfies: [...vars.map((v) => `var:${path}:${v}`), ...(opts.settles ?? [])],
  });
}

/** Append a line unless the file already has it verbatim. */
export function appendLine(path: string, line: string, opts: {key?: string; phase?: Phase; note?: string; mkdir?: boolean} = {}): Step {
  const f = q(path);
  return step(
    opts.phase ?? 'persist',
    opts.key ?? `line:${path}:${line}`,
    [...(opts.note ? [`# ${opts.note}`] : []), ...(opts.mkdir ? [`mkdir -p ${q(dirOf(path))}`] : []), `grep -qxF -e ${q(line)} ${f} 2>/dev/null || echo ${q(line)} >> ${f}`],
    {files: opts.mkdir ? [path, dirOf(path)] : [path]},
  );
}

/** Replace text on one known line of a file (the line the evidence names). */
export function editLine(path: string, line: number, from: string, to: string, opts: {note?: string; satisfies?: string[]} = {}): Step {
  return step(
    'persist',
    `edit:${path}:${line}`,
    [...(opts.note ? [`# ${opts.note}`] : []), `sed -i --follow-symlinks ${q(`${line}s/${bre(from)}/${sedReplacement(to)}/`)} ${q(path)}`],
    {files: [path], ...(opts.satisfies ? {satisfies: opts.satisfies} : {})},
  );
}

/** Replace a whole known line of a file. */
export function replaceLine(path: string, line: number, text: string, opts: {note?: string; satisfies?: string[]} = {}): Step {
  return step(
    'persist',
    `edit:${path}:${line}`,
    [...(opts.note ? [`# ${opts.note}`] : []), `sed -i --follow-symlinks ${q(`${line}s/.*/${sedReplacement(text)}/`)} ${q(path)}`],
    {files: [path], ...(opts.satisfies ? {satisfies: opts.satisfies} : {})},
  );
}

/** Make an INI file's [section] say `name = value`: any line setting it there goes, one line follows
 *  the section header (a missing section is added at the end). */
export function setIniKey(path: string, section: string, name: string, value: string, opts: {note?: string} = {}): Step {
  const f = q(path);
  const header = `[${section}]`;
  const at = `/^${bre(header)}[[:space:]]*$/`;
  return step(
    'persist',
    `ini:${path}:${section}:${name}`,
    [
      ...(opts.note ? [`# ${opts.note}`] : []),
      `grep -q ${q(`^${bre(header)}[[:space:]]*$`)} ${f} 2>/dev/null || echo ${q(header)} >> ${f}`,
      `sed -i --follow-symlinks -e ${q(`${at},/^\\[/{/^${bre(name)}[[:space:]]*=/d;}`)} -e ${q(`${at}a ${name} = ${value}`)} ${f}`,
    ],
    {files: [path]},
  );
}

/** Set a file's permission bits (`0755`, `go-w`). */
export function chmodFile(path: string, mode: string): Step {
  return step('persist', `chmod:${path}:${mode}`, [`chmod ${mode} ${q(path)}`], {files: [path]});
}

function dirOf(path: string): string {
  return path.replace(/\/[^/]*$/, '') || '/';
}

/** A sed substitution with a pattern of the caller's (already a BRE) on one known line. */
export function editLinePattern(path: string, line: number, pattern: string, replacement: string, opts: {note?: string; satisfies?: string[]} = {}): Step {
  return step(
    'persist',
    `edit:${path}:${line}`,
    [...(opts.note ? [`# ${opts.note}`] : []), `sed -i --follow-symlinks ${q(`${line}s/${pattern}/${sedReplacement(replacement)}/`)} ${q(path)}`],
    {files: [path], ...(opts.satisfies ? {satisfies: opts.satisfies} : {})},
  );
}
