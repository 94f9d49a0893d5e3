// Reads the host files of a `files` source: expands `*` globs (one path segment each), reads
// below --root for host files, records symlink targets, redacts secrets, and never reads the
// files that hold API keys. Read-only: lstat, readlink, readdir, readFile.
import {closeSync, constants, fstatSync, lstatSync, openSync, readlinkSync, readSync, type Stats} from 'node:fs';
import {lstat, open, readdir, readlink, stat} from 'node:fs/promises';
import {dirname, join, posix} from 'node:path';
import {NEVER_CAPTURED, type FilesSource} from './catalogue.js';
import type {CollectContext} from './collect-context.js';
import {redactCaptured} from './redact.js';
import {filePath, type EntryRecord} from './snapshot.js';

const MAX_FILES_PER_SOURCE = 4096;
const FILES_AT_ONCE = 32;

export interface FilesResult {
  entries: EntryRecord[];
  data: Map<string, Buffer>;
  failure?: string;
}

/** Where a host path lives on this machine: below --root for host files, as-is for /proc and /sys. */
export function onDisk(hostPath: string, spec: Pick<FilesSource, 'where'>, root: string): string {
  return spec.where === 'host' && root !== '/' ? join(root, hostPath) : hostPath;
}

export async function readHostFiles(spec: FilesSource, ctx: Pick<CollectContext, 'root' | 'maxBytes' | 'isRoot'>): Promise<FilesResult> {
  const entries: EntryRecord[] = [];
  const data = new Map<string, Buffer>();
  const seen = new Set<string>();
  const wanted: {hostPath: string; explicit: boolean}[] = [];
  for (const pattern of spec.paths) {
    const paths = pattern.includes('*') ? await expandGlob(pattern, spec, ctx.root) : [pattern];
    for (const hostPath of paths) {
      if (seen.has(hostPath) || NEVER_CAPTURED.includes(hostPath)) continue;
      seen.add(hostPath);
      if (seen.size > MAX_FILES_PER_SOURCE) break;
      wanted.push({hostPath, explicit: !pattern.includes('*')});
    }
  }
  // A 300-tap host has ~900 sysfs and /proc/sys files per source: read several at a time (the
  // order of the entries stays the order of the paths).
  const results = new Array<[EntryRecord | undefined, Buffer | undefined]>(wanted.length);
  let next = 0;
  const worker = async () => {
    while (next < wanted.length) {
      const i = next++;
      results[i] = await readOne(wanted[i]!.hostPath, spec, ctx, wanted[i]!.explicit);
    }
  };
  await Promise.all(Array.from({length: Math.min(FILES_AT_ONCE, wanted.length)}, worker));
  for (const [entry, content] of results) {
    if (!entry) continue;
    entries.push(entry);
    if (content) data.set(entry.path, content);
  }
  const readable = entries.filter((e) => !e.error);
  const failure = entries.length > 0 && readable.length === 0 && entries.every((e) => e.error) ? entries[0]!.error : undefined;
  return {entries, data, ...(failure ? {failure} : {})};
}

async function readOne(hostPath: string, spec: FilesSource, ctx: Pick<CollectContext, 'root' | 'maxBytes' | 'isRoot'>, explicit: boolean): Promise<[EntryRecord | undefined, Buffer | undefined]> {
  const started = performance.now();
  const real = onDisk(hostPath, spec, ctx.root);
  const entry: EntryRecord = {path: filePath(hostPath), binding: hostPath, durationMs: 0, bytes: 0, truncated: false};
  const done = () => {
    entry.durationMs = Math.round(performance.now() - started);
    return entry;
  };
  const fs = spec.where === 'kernel' ? kernelFs : hostFs;
  let target = real;
  try {
    // lstat only matters where links are recorded; stat below follows links either way.
    if (spec.links && (await fs.lstat(real)).isSymbolicLink()) {
      entry.linkTarget = await fs.readlink(real);
      // Resolve the link inside --root: an absolute target means a host path, not one on this machine.
      target = entry.linkTarget.startsWith('/') ? onDisk(entry.linkTarget, spec, ctx.root) : join(dirname(real), entry.linkTarget);
    }
    const raw = await fs.readRegular(target, ctx.maxBytes);
    if (!raw) {
      if (entry.linkTarget) return [done(), undefined];
      return [undefined, undefined];
    }
    entry.mode = raw.mode & 0o7777;
    entry.truncated = raw.truncated;
    let content = raw.data;
    const r = redactCaptured(content, spec.redaction);
    if (r.redacted.length > 0) {
      content = r.data;
      entry.redacted = r.redacted;
    }
    entry.bytes = content.length;
    return [done(), content];
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      // A dangling link (a unit file under /usr not below --root, a removed profile): the path
      // resolves to nothing, but the link itself (systemd .wants) is what is asked about.
      if (entry.linkTarget) {
        entry.absent = true;
        return [done(), undefined];
      }
      if (!explicit) return [undefined, undefined];
      entry.absent = true;
      return [done(), undefined];
    }
    entry.error = code === 'EACCES' || code === 'EPERM' ? (ctx.isRoot ? 'permission denied' : 'permission denied (needs root)') : `cannot read: ${code ?? (error as Error).message}`;
    return [done(), undefined];
  }
}

interface FileAccess {
  lstat(path: string): Promise<Stats>;
  readlink(path: string): Promise<string>;
  /** A regular file's mode and first maxBytes; undefined when the path is not a regular file. */
  readRegular(path: string, maxBytes: number): Promise<Read | undefined>;
}

interface Read {
  data: Buffer;
  truncated: boolean;
  mode: number;
}

// Read at most maxBytes + 1 bytes: a huge file costs no more memory than the limit, and /proc
// and /sys files (which report size 0 or 4096 whatever they hold) are read to their end. The
// first read asks for one page (what a sysfs or /proc/sys value fits in), later ones for 64 KiB.
const FIRST_READ = 4096;
const LATER_READS = 64 * 1024;
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

function limited(chunks: Buffer[], maxBytes: number, mode: number): Read {
  const data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  return data.length > maxBytes ? {data: data.subarray(0, maxBytes), truncated: true, mode} : {data, truncated: false, mode};
}

/** Host files (below --root, possibly on slow or network storage): through libuv's thread pool. */
const hostFs: FileAccess = {
  lstat,
  readlink: (path) => readlink(path),
  async readRegular(path, maxBytes) {
    // stat before open: opening a device node can have effects (a tape rewinds).
    const st = await stat(path);
    if (!st.isFile()) return undefined;
    const fh = await open(path, OPEN_FLAGS);
    try {
      const chunks: Buffer[] = [];
      let total = 0;
      for (;;) {
        const want = Math.min(chunks.length === 0 ? FIRST_READ : LATER_READS, maxBytes + 1 - total);
        if (want <= 0) break;
        const buf = Buffer.allocUnsafe(want);
        const {bytesRead} = await fh.read(buf, 0, want, null);
        if (bytesRead === 0) break;
        chunks.push(buf.subarray(0, bytesRead));
        total += bytesRead;
      }
      return limited(chunks, maxBytes, st.mode);
    } finally {
      await fh.close();
    }
  },
};

/**
 * /proc and /sys: the kernel answers from memory, so synchronous calls take microseconds, while
 * a 300-tap host's ~1,800 such files through the thread pool cost thousands of queue round trips.
 */
const kernelFs: FileAccess = {
  lstat: async (path) => lstatSync(path),
  readlink: async (path) => readlinkSync(path),
  async readRegular(path, maxBytes) {
    // /proc and /sys hold no device nodes: open first, then fstat the open file (one path lookup
    // through sysfs's symlinks instead of two).
    const fd = openSync(path, OPEN_FLAGS);
    try {
      const mode = fstatSync(fd).mode;
      if ((mode & constants.S_IFMT) !== constants.S_IFREG) return undefined;
      const chunks: Buffer[] = [];
      let total = 0;
      for (;;) {
        const want = Math.min(chunks.length === 0 ? FIRST_READ : LATER_READS, maxBytes + 1 - total);
        if (want <= 0) break;
        const buf = Buffer.allocUnsafe(want);
        const bytesRead = readSync(fd, buf, 0, want, null);
        if (bytesRead === 0) break;
        chunks.push(buf.subarray(0, bytesRead));
        total += bytesRead;
      }
      return limited(chunks, maxBytes, mode);
    } finally {
      closeSync(fd);
    }
  },
};

/** Expand `*` in each path segment; returns absolute host paths in sorted order. */
export async function expandGlob(pattern: string, spec: Pick<FilesSource, 'where'>, root: string): Promise<string[]> {
  const segments = pattern.split('/').filter(Boolean);
  let prefixes = ['/'];
  for (const seg of segments) {
    const next: string[] = [];
    for (const prefix of prefixes) {
      if (!seg.includes('*')) {
        next.push(childPath(prefix, seg));
        continue;
      }
      const re = globSegment(seg);
      let names: string[] = [];
      try {
        names = await readdir(onDisk(prefix, spec, root));
      } catch {
        continue;
      }
      for (const n of names.sort()) if (re.test(n)) next.push(childPath(prefix, n));
    }
    prefixes = next;
    if (prefixes.length === 0) break;
  }
  return prefixes;
}

/** prefix/name without path.join's normalising pass (thousands of /sys paths per run). */
function childPath(prefix: string, name: string): string {
  if (name === '.' || name === '..') return posix.join(prefix, name);
  return prefix.endsWith('/') ? prefix + name : `${prefix}/${name}`;
}

function globSegment(seg: string): RegExp {
  const escaped = seg.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('[^/]*')}$`);
}
