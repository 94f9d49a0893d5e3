// openQA workers.ini (openQA lib/OpenQA/Worker/Settings.pm, read with Config::IniFiles).
//
// Sections: [global]; instance sections [3], [1-10], [1,3,5-8], [2 - 4]; [class:<name>];
// anything else is a web UI host section ([http://host]) whose keys apply per host.
// Lines: `KEY = value`, `KEY += value` (append, comma-separated), `#`/`;` comments.
// Like Config::IniFiles: no inline comments (`KEY = a # b` keeps `a # b`), keys are
// upper-cased as openQA does (`uc $set`), values trimmed, a key line before any section is an
// error ("parameter found outside a section", openQA t/24-worker-settings.t), and so is a line
// that is neither a section, a comment nor an assignment (an unrendered Jinja template).
//
// Resolution for instance N (openQA lib/OpenQA/Worker/Settings.pm): [global], then every instance section naming N in
// file order (later wins, `+=` appends), then [class:<c>] sections for the classes in the
// resulting WORKER_CLASS, which only fill keys not set yet (so a `+=` there acts as `=` on an
// unset key and is ignored on a set one; upstream behaviour for that case is unverified).
// Several files (workers.ini, workers.ini.d/*.ini) resolve as one file in the order given.
import {ParseError, splitLines} from './errors.js';

export type SectionKind = 'global' | 'instances' | 'class' | 'host';

export interface IniEntry {
  /** Upper-cased key, without the `+` of `+=`. */
  key: string;
  value: string;
  /** Written as `KEY += value`. */
  append: boolean;
  line: number;
}

export interface IniSection {
  name: string;
  kind: SectionKind;
  /** Instance sections: inclusive ranges ([2 - 4] → [[2, 4]]; [1,3] → [[1, 1], [3, 3]]). */
  ranges?: Array<[number, number]>;
  /** Class sections: the class name after `class:`. */
  className?: string;
  entries: IniEntry[];
  line: number;
  /** The file the section came from (the `source` given to the parser). */
  file: string;
}

export interface WorkersIni {
  file: string;
  sections: IniSection[];
}

export interface ResolvedSettings {
  settings: Record<string, string>;
  /** `file:line` of the assignment that produced each value. */
  origin: Record<string, string>;
}

export interface ResolvedInstance extends ResolvedSettings {
  instance: number;
  workerClasses: string[];
}

/** Largest instance number enumerated from ranges (a [1-1000000] typo must not allocate a million). */
export const MAX_INSTANCE = 1024;

export function parseWorkersIni(text: string, source: string): WorkersIni {
  const sections: IniSection[] = [];
  let current: IniSection | undefined;
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const lineNo = i + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    if (line.startsWith('[')) {
      if (!line.endsWith(']')) throw new ParseError(source, lineNo, raw, 'section header without closing ]');
      const name = line.slice(1, -1).trim();
      if (!name) throw new ParseError(source, lineNo, raw, 'empty section name');
      current = makeSection(name, lineNo, source, raw);
      sections.push(current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) throw new ParseError(source, lineNo, raw, 'neither a section, a comment nor KEY = value');
    if (!current) throw new ParseError(source, lineNo, raw, 'parameter found outside a section');
    let key = line.slice(0, eq).trim();
    const append = key.endsWith('+');
    if (append) key = key.slice(0, -1).trimEnd();
    if (!key) throw new ParseError(source, lineNo, raw, 'empty key');
    current.entries.push({key: key.toUpperCase(), value: line.slice(eq + 1).trim(), append, line: lineNo});
  }
  return {file: source, sections};
}

function makeSection(name: string, line: number, file: string, raw: string): IniSection {
  if (name === 'global') return {name, kind: 'global', entries: [], line, file};
  if (name.startsWith('class:')) return {name, kind: 'class', className: name.slice('class:'.length).trim(), entries: [], line, file};
  if (/^[\d\s,-]+$/.test(name)) {
    const ranges = parseInstanceSpec(name);
    if (!ranges) throw new ParseError(file, line, raw, 'invalid instance list (expected e.g. [3], [1-10], [1,3,5-8])');
    return {name, kind: 'instances', ranges, entries: [], line, file};
  }
  return {name, kind: 'host', entries: [], line, file};
}

/** `1,3,5-8` / `2 - 4` → inclusive ranges; undefined when malformed. */
export function parseInstanceSpec(spec: string): Array<[number, number]> | undefined {
  // [3], one section per instance: how a 300-instance workers.ini is written.
  if (ONE_INSTANCE.test(spec)) {
    const n = Number(spec);
    return [[n, n]];
  }
  const ranges: Array<[number, number]> = [];
  for (const part of spec.split(',')) {
    const bounds = part.split('-').map((s) => s.trim());
    if (bounds.length > 2 || bounds.some((b) => !/^\d{1,9}$/.test(b))) return undefined;
    const from = Number(bounds[0]);
    const to = Number(bounds[bounds.length - 1]);
    if (to < from) return undefined;
    ranges.push([from, to]);
  }
  return ranges;
}

const ONE_INSTANCE = /^\d{1,9}$/;

export function sectionCovers(section: IniSection, instance: number): boolean {
  return section.kind === 'instances' && (section.ranges ?? []).some(([a, b]) => instance >= a && instance <= b);
}

/** WORKER_CLASS value → class names (comma-separated, blanks dropped). */
export function splitWorkerClasses(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function sectionsOf(files: readonly WorkersIni[]): IniSection[] {
  return files.flatMap((f) => f.sections);
}

function apply(target: ResolvedSettings, section: IniSection, entry: IniEntry): void {
  const {settings, origin} = target;
  const previous = settings[entry.key];
  settings[entry.key] = entry.append && previous ? appendList(previous, entry.value) : entry.value;
  origin[entry.key] = `${section.file}:${entry.line}`;
}

/** `a,b` += `c` → `a,b,c`; tolerate a comma written either side (`+= ,c`). */
function appendList(previous: string, value: string): string {
  if (value === '') return previous;
  if (previous.endsWith(',') || value.startsWith(',')) return previous + value;
  return `${previous},${value}`;
}

function empty(): ResolvedSettings {
  return {settings: Object.create(null), origin: Object.create(null)};
}

/** Settings of [global] alone. */
export function resolveGlobal(files: readonly WorkersIni[]): ResolvedSettings {
  return globalOf(sectionsOf(files));
}

function globalOf(sections: readonly IniSection[]): ResolvedSettings {
  const out = empty();
  for (const s of sections) if (s.kind === 'global') for (const e of s.entries) apply(out, s, e);
  return out;
}

/** Effective settings of one worker instance. */
export function resolveInstance(files: readonly WorkersIni[], instance: number): ResolvedInstance {
  return instanceResolver(files)(instance);
}

/**
 * Effective settings of many instances: the sections are sorted out once, so a host with 300
 * instance sections does not walk every section of every file 300 times.
 */
export function instanceResolver(files: readonly WorkersIni[]): (instance: number) => ResolvedInstance {
  const sections = sectionsOf(files);
  const global = globalOf(sections);
  const instanceSections = sections.filter((s) => s.kind === 'instances');
  const classSections = sections.filter((s) => s.kind === 'class');
  // The sections naming each instance up to MAX_INSTANCE, in file order (ranges are capped there,
  // as in configuredInstances); a higher instance number is looked up section by section.
  const naming: Array<IniSection[] | undefined> = new Array(MAX_INSTANCE + 1);
  for (const s of instanceSections) {
    for (const [a, b] of s.ranges ?? []) {
      for (let n = Math.max(a, 1); n <= Math.min(b, MAX_INSTANCE); n++) {
        const list = (naming[n] ??= []);
        if (list.at(-1) !== s) list.push(s);
      }
    }
  }
  return (instance) => {
    // [global] resolved once; each instance starts from a copy (same keys, same order).
    const out: ResolvedSettings = {settings: Object.assign(Object.create(null), global.settings), origin: Object.assign(Object.create(null), global.origin)};
    const mine = instance >= 1 && instance <= MAX_INSTANCE ? (naming[instance] ?? []) : instanceSections.filter((s) => sectionCovers(s, instance));
    for (const s of mine) for (const e of s.entries) apply(out, s, e);
    const workerClasses = splitWorkerClasses(out.settings.WORKER_CLASS);
    const classes = new Set(workerClasses);
    for (const s of classSections) {
      if (!classes.has(s.className ?? '')) continue;
      for (const e of s.entries) if (!(e.key in out.settings)) apply(out, s, {...e, append: false});
    }
    return {settings: out.settings, origin: out.origin, instance, workerClasses};
  };
}

/** Instance numbers named by instance sections (ranges enumerated up to MAX_INSTANCE), ascending. */
export function configuredInstances(files: readonly WorkersIni[]): number[] {
  // Difference array: O(ranges + MAX_INSTANCE) however many overlapping ranges a file has.
  const delta = new Int32Array(MAX_INSTANCE + 2);
  for (const s of sectionsOf(files)) {
    for (const [a, b] of s.ranges ?? []) {
      const from = Math.max(a, 1);
      const to = Math.min(b, MAX_INSTANCE);
      if (from > to) continue;
      delta[from]! += 1;
      delta[to + 1]! -= 1;
    }
  }
  const out: number[] = [];
  let depth = 0;
  for (let n = 1; n <= MAX_INSTANCE; n++) {
    depth += delta[n]!;
    if (depth > 0) out.push(n);
  }
  return out;
}

/** Web UI host sections: host → settings (last assignment wins, `+=` appends). */
export function hostSettings(files: readonly WorkersIni[]): Record<string, Record<string, string>> {
  const out: Record<string, ResolvedSettings> = Object.create(null);
  for (const s of sectionsOf(files)) {
    if (s.kind !== 'host') continue;
    const target = (out[s.name] ??= empty());
    for (const e of s.entries) apply(target, s, e);
  }
  const result: Record<string, Record<string, string>> = Object.create(null);
  for (const [host, r] of Object.entries(out)) result[host] = r.settings;
  return result;
}
