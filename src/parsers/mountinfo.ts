// /proc/self/mountinfo (proc(5)):
//
//   65 44 0:39 / /mnt/a\040dir rw,relatime shared:5 - tmpfs none rw,size=4k
//   id parent maj:min root mount-point mount-options [optional fields...] - fstype source super-options
//
// Space, tab, newline and backslash in paths are octal-escaped (\040 \011 \012 \134); other
// bytes (a raw CR, util-linux sample) appear as they are. Super options may be missing (jc
// sample: trailing space) or hold literal spaces (cifs `unc=\\srv\a b`, moby sample): everything
// after the source is the super options. A later entry for the same mount point is stacked on
// top of the earlier one (autofs, then the NFS mount it triggered): the last one wins.
import {ParseError, splitLines} from './errors.js';

export interface MountInfoEntry {
  id: number;
  parentId: number;
  majorMinor: string;
  /** Root of the mount inside its filesystem (bind mounts: a subdirectory). */
  root: string;
  mountPoint: string;
  /** Per-mount options (ro, nosuid, nodev, noexec, relatime, ...). */
  options: string[];
  /** Propagation tags: shared:N, master:N, propagate_from:N, unbindable. */
  optionalFields: string[];
  fsType: string;
  source: string;
  /** Filesystem options (vers=4.2, addr=..., for autofs: direct/indirect, ...). */
  superOptions: string[];
  line: number;
}

export function parseMountInfo(text: string, source: string): MountInfoEntry[] {
  const out: MountInfoEntry[] = [];
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    const fail = (detail: string): never => {
      throw new ParseError(source, i + 1, raw, detail);
    };
    const tokens = raw.split(' ').filter((t) => t !== '');
    const sep = tokens.indexOf('-', 6);
    if (tokens.length < 6 || sep < 0) fail('expected "id parent maj:min root mount-point options ... - fstype source options"');
    if (sep + 2 >= tokens.length) fail('missing filesystem type or source after "-"');
    const [id, parentId, majorMinor, root, mountPoint, options] = tokens as [string, string, string, string, string, string];
    if (!/^\d{1,10}$/.test(id) || !/^\d{1,10}$/.test(parentId)) fail('mount id and parent id must be integers');
    if (!/^\d{1,10}:\d{1,10}$/.test(majorMinor)) fail('expected major:minor');
    out.push({
      id: Number(id),
      parentId: Number(parentId),
      majorMinor,
      root: unescapeOctal(root),
      mountPoint: unescapeOctal(mountPoint),
      options: splitOptions(options),
      optionalFields: tokens.slice(6, sep),
      fsType: unescapeOctal(tokens[sep + 1]!),
      source: unescapeOctal(tokens[sep + 2]!),
      superOptions: splitOptions(tokens.slice(sep + 3).join(' ')),
      line: i + 1,
    });
  }
  return out;
}

/** One entry per mount point, the last (topmost) one, in the order the winners appear. */
export function effectiveMounts<T extends {mountPoint: string}>(entries: readonly T[]): T[] {
  const byPoint = new Map<string, T>();
  for (const e of entries) {
    byPoint.delete(e.mountPoint);
    byPoint.set(e.mountPoint, e);
  }
  return [...byPoint.values()];
}

/** Decode the kernel's/fstab's `\ooo` escapes (\040 space, \011 tab, \012 newline, \134 backslash). */
export function unescapeOctal(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 3 < s.length && /^[0-3][0-7][0-7]$/.test(s.slice(i + 1, i + 4))) {
      out += String.fromCharCode(parseInt(s.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * Split a mount option string on commas, keeping commas inside double quotes together
 * (SELinux `context="system_u:object_r:container_file_t:s0:c184,c371"`, insights sample).
 */
export function splitOptions(s: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  for (const c of s) {
    if (c === '"') quoted = !quoted;
    if (c === ',' && !quoted) {
      if (current !== '') out.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  if (current !== '') out.push(current);
  return out;
}

/** The mount a path lives on: the effective mount with the longest mount point that contains it. */
export function mountContaining<T extends {mountPoint: string}>(mounts: readonly T[], path: string): T | undefined {
  let best: T | undefined;
  for (const m of mounts) {
    if (!pathWithin(path, m.mountPoint)) continue;
    if (!best || m.mountPoint.length >= best.mountPoint.length) best = m;
  }
  return best;
}

/** `path` equals `dir` or lies below it (`/var/lib/openqa/share/factory` within `/var/lib/openqa/share`). */
export function pathWithin(path: string, dir: string): boolean {
  const d = dir.length > 1 && dir.endsWith('/') ? dir.slice(0, -1) : dir;
  if (d === '/') return path.startsWith('/');
  return path === d || path.startsWith(`${d}/`);
}
