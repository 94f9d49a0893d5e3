// /etc/fstab (fstab(5)): `spec file vfstype options [freq [passno]]`, separated by blanks,
// `\040`-style escapes in spec and file, `#` comment lines and trailing `# comments` (jc sample).
// A broken line (util-linux fstab.broken: "bug", a 9-word sentence, 3 fields) is recorded as a
// problem, never thrown: mount(8) skips such lines too, and the rest of the file still counts.
import {splitLines} from './errors.js';
import {splitOptions, unescapeOctal} from './mountinfo.js';

export interface FstabEntry {
  spec: string;
  /** Mount point (or `swap`/`none`), unescaped, as written (a trailing `/` is kept). */
  file: string;
  vfsType: string;
  options: string[];
  freq: number;
  passno: number;
  line: number;
}

export interface FstabProblem {
  line: number;
  text: string;
  reason: string;
}

export interface Fstab {
  entries: FstabEntry[];
  problems: FstabProblem[];
}

export function parseFstab(text: string, _source: string): Fstab {
  const entries: FstabEntry[] = [];
  const problems: FstabProblem[] = [];
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    let fields = raw.split(/[ \t]+/).filter((f) => f !== '');
    const comment = fields.findIndex((f) => f.startsWith('#'));
    if (comment >= 0) fields = fields.slice(0, comment);
    if (fields.length === 0) continue;
    const problem = (reason: string) => problems.push({line: i + 1, text: raw, reason});
    if (fields.length < 4 || fields.length > 6) {
      problem(`expected 4 to 6 fields, found ${fields.length}`);
      continue;
    }
    const [spec, file, vfsType, options, freq = '0', passno = '0'] = fields as [string, string, string, string, string?, string?];
    if (!/^\d{1,9}$/.test(freq) || !/^\d{1,9}$/.test(passno)) {
      problem('dump and pass fields must be integers');
      continue;
    }
    entries.push({
      spec: unescapeOctal(spec),
      file: unescapeOctal(file),
      vfsType,
      options: splitOptions(options),
      freq: Number(freq),
      passno: Number(passno),
      line: i + 1,
    });
  }
  return {entries, problems};
}

/** The mount point without a trailing slash, for comparing with mountinfo (`/any/foo/` → `/any/foo`). */
export function normalizeMountPoint(file: string): string {
  let end = file.length;
  while (end > 1 && file[end - 1] === '/') end--;
  return file.slice(0, end);
}
