// `/proc/mounts` (= /proc/self/mounts, fstab layout) and `mount` output, turned into
// /proc/self/mountinfo lines so the mount facts read them unchanged. What these forms lose
// against mountinfo is said in MOUNTS_LOSS, which becomes the entry's note:
//  - no mount or parent ids and no device numbers (each line gets its own made-up id);
//  - no root inside the filesystem: a bind mount looks like a mount of its source's root;
//  - per-mount and filesystem options are one list (both fields get it whole);
//  - no propagation (shared/master) tags.
// Paths in /proc/mounts are octal-escaped like mountinfo's and kept as they are; `mount` prints
// them raw, so blanks are escaped here (\040).
import {ParseError, splitLines} from './errors.js';

export const MOUNTS_LOSS =
  'no mount ids, device numbers, bind-mount roots or propagation tags, and per-mount and filesystem options are one list';

export type MountsFormat = 'mountinfo' | 'proc-mounts' | 'mount';

/** Which of the three a text is, by its first non-blank line; undefined when none fits. */
export function detectMountsFormat(text: string): MountsFormat | undefined {
  const first = splitLines(text).find((l) => l.trim() !== '');
  if (first === undefined) return undefined;
  if (/^\d+ \d+ \d+:\d+ \S+ \S+ \S+( \S+)* - \S+/.test(first)) return 'mountinfo';
  if (/^\S+ on .+ type \S+ \(.*\)\s*$/.test(first)) return 'mount';
  if (/^\S+ \S+ \S+ \S+ \d+ \d+\s*$/.test(first)) return 'proc-mounts';
  return undefined;
}

const escape = (path: string) => path.replace(/\\/g, '\\134').replace(/ /g, '\\040').replace(/\t/g, '\\011');

function line(id: number, mountPoint: string, options: string, fsType: string, source: string): string {
  return `${id} 1 0:0 / ${mountPoint} ${options} - ${fsType} ${source} ${options}`;
}

/** /proc/mounts lines (`src mnt fstype opts 0 0`) as mountinfo lines. */
export function mountinfoFromProcMounts(text: string, source: string): string {
  const out: string[] = [];
  splitLines(text).forEach((raw, i) => {
    if (raw.trim() === '') return;
    const f = raw.trim().split(/\s+/);
    if (f.length !== 6 || !/^\d+$/.test(f[4]!) || !/^\d+$/.test(f[5]!)) throw new ParseError(source, i + 1, raw, 'expected "source mount-point type options 0 0" (/proc/mounts)');
    out.push(line(out.length + 1, f[1]!, f[3]!, f[2]!, f[0]!));
  });
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}

/** `mount` output lines (`src on /mnt type fstype (opts)`) as mountinfo lines. */
export function mountinfoFromMountOutput(text: string, source: string): string {
  const out: string[] = [];
  splitLines(text).forEach((raw, i) => {
    if (raw.trim() === '') return;
    const m = /^(\S+) on (.+) type (\S+) \((.*)\)(?: \[[^\]]*\])?\s*$/.exec(raw);
    if (!m) throw new ParseError(source, i + 1, raw, 'expected "source on mount-point type fstype (options)" (mount)');
    out.push(line(out.length + 1, escape(m[2]!), m[4]!.replace(/\s+/g, '') || 'rw', m[3]!, escape(m[1]!)));
  });
  return out.length > 0 ? `${out.join('\n')}\n` : '';
}
