// systemd: `systemctl list-units --all --no-legend --plain --no-pager` and unit files/drop-ins.
//
// list-units rows: `UNIT LOAD ACTIVE SUB DESCRIPTION...`. We also accept the header and legend
// (output without --no-legend) and the `●` marker systemd prints before failed/not-found units
// when --plain is missing. A first word that is not a unit name ("System has not been booted
// with systemd as init system") is a ParseError.
//
// Unit files (systemd.syntax(7)): `[Section]`, `Key=Value`, `#`/`;` comment lines, a trailing
// backslash continues the line. Malformed lines are recorded as problems, as systemd ignores
// them with a warning. `Environment=` holds several space-separated assignments, each possibly
// quoted ("A=1 2" 'B=3'); an empty `Environment=` or `EnvironmentFile=` resets the list so far.
import {ParseError, splitLines} from './errors.js';

export interface UnitState {
  unit: string;
  load: string;
  active: string;
  sub: string;
  description: string;
  line: number;
}

const UNIT_TYPES = ['service', 'socket', 'target', 'device', 'mount', 'automount', 'swap', 'timer', 'path', 'slice', 'scope'];

export function isUnitName(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot > 0 && UNIT_TYPES.includes(name.slice(dot + 1));
}

export function parseListUnits(text: string, source: string): UnitState[] {
  const out: UnitState[] = [];
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    let fields = raw.trim().split(/\s+/).filter((f) => f !== '');
    if (fields.length === 0) continue;
    if (fields[0] === '●' || fields[0] === '*') fields = fields.slice(1);
    if (fields[0] === 'UNIT' && fields[1] === 'LOAD') continue; // header
    if (/^(LOAD|ACTIVE|SUB)$/.test(fields[0] ?? '') && fields[1] === '=') break; // legend
    if (/^\d+$/.test(fields[0] ?? '') && fields[1] === 'loaded') break; // "N loaded units listed."
    if (fields.length < 4 || !isUnitName(fields[0]!)) throw new ParseError(source, i + 1, raw, 'expected "unit load active sub description"');
    const [unit, load, active, sub, ...description] = fields as [string, string, string, string, ...string[]];
    out.push({unit, load, active, sub, description: description.join(' '), line: i + 1});
  }
  return out;
}

export interface UnitEntry {
  section: string;
  key: string;
  value: string;
  line: number;
}

export type EnvOp = {kind: 'set'; name: string; value: string; line: number} | {kind: 'reset'; line: number};
export type EnvFileOp = {kind: 'file'; path: string; optional: boolean; line: number} | {kind: 'reset'; line: number};

export interface UnitFile {
  /** Every assignment, in file order. */
  entries: UnitEntry[];
  /** [Service] Environment= as operations in order (drop-ins continue the list). */
  environment: EnvOp[];
  /** [Service] EnvironmentFile= as operations in order. */
  environmentFiles: EnvFileOp[];
  problems: Array<{line: number; text: string; reason: string}>;
}

export function parseUnitFile(text: string, _source: string): UnitFile {
  const out: UnitFile = {entries: [], environment: [], environmentFiles: [], problems: []};
  let section: string | undefined;
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const startLine = i + 1;
    // Continuation: a trailing backslash joins the next line with a space.
    const parts = [lines[i]!.trim()];
    while (parts[parts.length - 1]!.endsWith('\\') && i + 1 < lines.length) {
      parts[parts.length - 1] = parts[parts.length - 1]!.slice(0, -1);
      parts.push(lines[++i]!.trim());
    }
    const line = parts.join(' ');
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('[')) {
      if (line.endsWith(']') && line.length > 2) section = line.slice(1, -1);
      else out.problems.push({line: startLine, text: line, reason: 'invalid section header'});
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) {
      out.problems.push({line: startLine, text: line, reason: "missing '='"});
      continue;
    }
    if (section === undefined) {
      out.problems.push({line: startLine, text: line, reason: 'assignment outside of a section'});
      continue;
    }
    const entry = {section, key: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim(), line: startLine};
    out.entries.push(entry);
    if (section !== 'Service') continue;
    if (entry.key === 'Environment') addEnvironment(out, entry);
    else if (entry.key === 'EnvironmentFile') addEnvironmentFile(out, entry);
  }
  return out;
}

function addEnvironment(out: UnitFile, entry: UnitEntry): void {
  if (entry.value === '') {
    out.environment.push({kind: 'reset', line: entry.line});
    return;
  }
  const words = splitQuotedWords(entry.value);
  if (!words) {
    out.problems.push({line: entry.line, text: entry.value, reason: 'unterminated quote in Environment='});
    return;
  }
  for (const word of words) {
    const eq = word.indexOf('=');
    const name = eq > 0 ? word.slice(0, eq) : '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      out.problems.push({line: entry.line, text: word, reason: 'invalid environment assignment'});
      continue;
    }
    out.environment.push({kind: 'set', name, value: word.slice(eq + 1), line: entry.line});
  }
}

function addEnvironmentFile(out: UnitFile, entry: UnitEntry): void {
  if (entry.value === '') {
    out.environmentFiles.push({kind: 'reset', line: entry.line});
    return;
  }
  const optional = entry.value.startsWith('-');
  out.environmentFiles.push({kind: 'file', path: optional ? entry.value.slice(1).trim() : entry.value, optional, line: entry.line});
}

/**
 * systemd word splitting with quotes anywhere in a word (`A="b c"` → `A=b c`) and C escapes
 * (\n \t \\ \" \'); undefined on an unterminated quote.
 */
export function splitQuotedWords(value: string): string[] | undefined {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && i + 1 < value.length) {
      const n = value[++i]!;
      word += n === 'n' ? '\n' : n === 't' ? '\t' : n;
      inWord = true;
      continue;
    }
    if (quote) {
      if (c === quote) quote = undefined;
      else word += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
      continue;
    }
    if (c === ' ' || c === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    word += c;
    inWord = true;
  }
  if (quote) return undefined;
  if (inWord) words.push(word);
  return words;
}

/** The last value of `key` in `section` (systemd: a later assignment overrides for single-value keys). */
export function unitValue(unit: UnitFile, section: string, key: string): string | undefined {
  let value: string | undefined;
  for (const e of unit.entries) if (e.section === section && e.key === key) value = e.value;
  return value;
}

/** `var-lib-openqa-share.mount` → `/var/lib/openqa/share` (systemd-escape --unescape --path). */
export function unitNameToPath(unit: string): string {
  const dot = unit.lastIndexOf('.');
  const base = dot > 0 ? unit.slice(0, dot) : unit;
  if (base === '-') return '/';
  let out = '';
  for (let i = 0; i < base.length; i++) {
    const c = base[i]!;
    if (c === '-') out += '/';
    else if (c === '\\' && base[i + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(base.slice(i + 2, i + 4))) {
      out += String.fromCharCode(parseInt(base.slice(i + 2, i + 4), 16));
      i += 3;
    } else out += c;
  }
  return `/${out}`;
}
