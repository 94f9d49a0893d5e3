// Reads the host files of a `files` source: expands `*` globs (one path segment each), reads
// below --root for host files, records symlink targets, redacts secrets, and never reads the
// files that hold API keys. Read-only: lstat, readlink, readdir, readFile.
import {closeSync, constants, lstatSync, openSync, readdirSync, readlinkSync, readSync, statSync, type Stats} from 'node:fs';
import {dirname, join, posix} from 'node:path';
import {NEVER_CAPTURED, type FilesSource} from './catalogue.js';
import type {CollectContext} from './collect-context.js';
import {redactCaptured} from './redact.js';
import {filePath, type EntryRecord} from './snapshot.js';

const MAX_FILES_PER_SOURCE = 4096;

export interface FilesResult {
  entries: EntryRecord[];
  data: Map<string, Buffer>;
  failure?: string;
}

/** Where a host path lives on this machine: below --root for host files, as-is for /proc and /sys. */
export function onDisk(hostPath: string, spec: Pick<FilesSource, 'where'>, root: string): string {
  if (spec.where !== 'host' || root === '/') return hostPath;
  // Catalogue paths and glob matches are already normal: appending is what join would do, without
  // normalising each of a 300-tap host's ~1,500 host paths again. Anything else (a link target) is joined.
  return NORMAL_ABSOLUTE.test(hostPath) && !root.endsWith('/') ? root + hostPath : join(root, hostPath);
}

/** `/a/b/c`: absolute, no empty, `.` or `..` segment, no trailing slash. */
const NORMAL_ABSOLUTE = /^(?:\/(?!\.\.?(?:\/|$))[^/]+)+$/;

export async function readHostFiles(spec: FilesSource, ctx: Pick<CollectContext, 'root' | 'maxBytes' | 'isRoot'>): Promise<FilesResult> {
  const entries: EntryRecord[] = [];
  const data = new Map<string, Buffer>();
  const seen = new Set<string>();
  const listings = new Map<string, string[]>();
  for (const pattern of spec.paths) {
    const glob = pattern.includes('*');
    const paths = glob ? await expandGlob(pattern, spec, ctx.root, listings) : [pattern];
    for (const hostPath of paths) {
      if (seen.has(hostPath) || NEVER_READ.has(hostPath)) continue;
      if (glob && spec.except?.test(hostPath)) continue;
      seen.add(hostPath);
      if (seen.size > MAX_FILES_PER_SOURCE) break;
      const entry = readOne(hostPath, spec, ctx, !glob, data);
      if (entry) entries.push(entry);
    }
  }
  const failure = entries.length > 0 && entries.every((e) => e.error) ? entries[0]!.error : undefined;
  return {entries, data, ...(failure ? {failure} : {})};
}

const NEVER_READ = new Set(NEVER_CAPTURED);

// Synchronous reads, on purpose. These are small local files (/etc, the pool's vars.json, sysfs,
// /proc/sys): a synchronous call takes microseconds, while each step through libuv's thread pool
// is a hand-over between threads that a loaded worker host makes cost far more (a 300-tap host
// reads ~1,500 files; measured with npm run bench). The commands were started before the files
// are read (sources/live.ts), so they run meanwhile. No read has a deadline either way: a file on
// a hung NFS mount would hang the thread-pool version as well. (Reading on a worker thread instead
// was measured too: a thread busy with file calls makes each fork of this one ~1.8x slower, and
// this thread forks every command; it came out no faster.) The per-file path is kept lean: no
// closures, tuples or object spreads per file, one Stats per file at most, since on a 300-tap host
// it runs ~1,500 times in code that has not been optimized yet.

/** Read one path into `data`; its entry, or undefined for a glob match that is gone or not a file. */
function readOne(hostPath: string, spec: FilesSource, ctx: Pick<CollectContext, 'root' | 'maxBytes' | 'isRoot'>, explicit: boolean, data: Map<string, Buffer>): EntryRecord | undefined {
  // Whole milliseconds are what the entry keeps: Date.now() is a builtin, performance.now() a call
  // into process.hrtime that allocates (twice per file, ~1,500 files on a 300-tap host).
  const started = Date.now();
  const entry: EntryRecord = {path: filePath(hostPath), binding: hostPath, durationMs: 0, bytes: 0, truncated: false};
  const got = readInto(entry, hostPath, spec, ctx);
  if (got === 'absent') {
    // No such path: an explicitly named file is recorded absent (that is data); a glob match that
    // vanished is left out; a dangling link (a unit file under /usr not below --root, a removed
    // profile) is recorded absent, since the link itself (systemd .wants) is what is asked about.
    if (!entry.linkTarget && !explicit) return undefined;
    entry.absent = true;
  } else if (got === 'not a file' && !entry.linkTarget) {
    return undefined;
  } else if (typeof got !== 'string') {
    data.set(entry.path, got);
  }
  entry.durationMs = Math.max(0, Date.now() - started); // (the wall clock may step back)
  return entry;
}

/**
 * Read one path into its entry (link target, mode, size, redactions, or the error): the content,
 * or why there is none ('error': recorded in the entry).
 */
function readInto(entry: EntryRecord, hostPath: string, spec: FilesSource, ctx: Pick<CollectContext, 'root' | 'maxBytes' | 'isRoot'>): Buffer | 'absent' | 'not a file' | 'error' {
  const real = onDisk(hostPath, spec, ctx.root);
  let target = real;
  // What lstat said of a path that is no link: stat would say the same.
  let known: Stats | undefined;
  try {
    // lstat only matters where links are recorded; the read below follows links either way.
    if (spec.links) {
      const st = lstatSync(real, {throwIfNoEntry: false});
      if (!st) return 'absent';
      if (st.isSymbolicLink()) {
        entry.linkTarget = readlinkSync(real);
        // The link alone (recorded as a link whose target is not captured, as a dangling one is).
        if (spec.links === 'record') return 'absent';
        // Resolve the link inside --root: an absolute target means a host path, not one on this machine.
        target = entry.linkTarget.startsWith('/') ? onDisk(entry.linkTarget, spec, ctx.root) : join(dirname(real), entry.linkTarget);
      } else {
        known = st;
      }
    }
    const raw = spec.where === 'kernel' ? readKernelFile(target, ctx.maxBytes) : readHostFile(target, ctx.maxBytes, known);
    if (typeof raw === 'string') return raw;
    if (raw.mode !== undefined) entry.mode = raw.mode & 0o7777;
    entry.truncated = raw.truncated;
    let content = raw.data;
    const r = redactCaptured(content, spec.redaction);
    if (r.redacted.length > 0) {
      content = r.data;
      entry.redacted = r.redacted;
    }
    entry.bytes = content.length;
    return content;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'absent'; // gone between two calls
    entry.error = code === 'EACCES' || code === 'EPERM' ? (ctx.isRoot ? 'permission denied' : 'permission denied (needs root)') : `cannot read: ${code ?? (error as Error).message}`;
    return 'error';
  }
}

interface Read {
  data: Buffer;
  truncated: boolean;
  /** Host files only: the permission bits of /proc and /sys files say nothing (and cost an fstat each). */
  mode: number | undefined;
}

/** A regular file's bytes; 'absent' when there is no such path, 'not a file' for anything else (never opened). */
type Found = Read | 'absent' | 'not a file';

// Read at most maxBytes + 1 bytes: a huge file costs no more memory than the limit. Reads go into
// one scratch buffer and a copy of what came is kept: most of these files are a few bytes, and a
// fresh 64 KiB buffer per file would be an allocation outside Node's small-buffer pool.
const SCRATCH = Buffer.allocUnsafe(64 * 1024);
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

/** When a read that gave less than asked is the end of the file. */
const enum ReadEnd {
  /** A regular file: at its end. */
  Short,
  /** /proc (seq_file) may come short before its end: read until a read returns nothing. */
  Zero,
  /**
   * sysfs hands an attribute's whole value (at most a page) to the first read, and a binary
   * attribute a page per read: less than the smallest page size (4 KiB) is the end.
   */
  Sysfs,
}

const SMALLEST_PAGE = 4096;

function readFd(fd: number, maxBytes: number, end: ReadEnd, mode: number | undefined): Read {
  let data: Buffer | undefined;
  let more: Buffer[] | undefined;
  let total = 0;
  for (;;) {
    const want = Math.min(SCRATCH.length, maxBytes + 1 - total);
    if (want <= 0) break;
    const bytesRead = readSync(fd, SCRATCH, 0, want, null);
    if (bytesRead === 0) break;
    const chunk = Buffer.allocUnsafe(bytesRead);
    SCRATCH.copy(chunk, 0, 0, bytesRead);
    if (data === undefined) data = chunk;
    else (more ??= [data]).push(chunk);
    total += bytesRead;
    if (bytesRead < want && (end === ReadEnd.Short || (end === ReadEnd.Sysfs && bytesRead < SMALLEST_PAGE))) break;
  }
  if (more) data = Buffer.concat(more);
  data ??= Buffer.alloc(0);
  return data.length > maxBytes ? {data: data.subarray(0, maxBytes), truncated: true, mode} : {data, truncated: false, mode};
}

/** Host files (below --root): stat before open, since opening a device node can have effects (a tape rewinds). */
function readHostFile(path: string, maxBytes: number, known: Stats | undefined): Found {
  const st = known ?? statSync(path, {throwIfNoEntry: false});
  if (!st) return 'absent';
  if (!st.isFile()) return 'not a file';
  const fd = openSync(path, OPEN_FLAGS);
  try {
    return readFd(fd, maxBytes, ReadEnd.Short, st.mode);
  } finally {
    closeSync(fd);
  }
}

/**
 * /proc and /sys (which report size 0 or 4096 whatever they hold, and hold no device nodes): open
 * and read; a directory is refused by the read (EISDIR).
 */
function readKernelFile(path: string, maxBytes: number): Found {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'absent';
    throw error;
  }
  try {
    return readFd(fd, maxBytes, path.startsWith('/sys/') ? ReadEnd.Sysfs : ReadEnd.Zero, undefined);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EISDIR') return 'not a file';
    throw error;
  } finally {
    closeSync(fd);
  }
}

/**
 * Expand `*` in each path segment; returns absolute host paths in sorted order. `listings` keeps
 * the directories already listed for the patterns of one source (/sys/class/net/* for owner,
 * group and tun_flags is one listing of a 300-entry directory, not three).
 */
export async function expandGlob(pattern: string, spec: Pick<FilesSource, 'where'>, root: string, listings = new Map<string, string[]>()): Promise<string[]> {
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
      let names = listings.get(prefix);
      if (!names) {
        try {
          names = readdirSync(onDisk(prefix, spec, root)).sort();
        } catch {
          names = [];
        }
        listings.set(prefix, names);
      }
      for (const n of names) if (re.test(n)) next.push(childPath(prefix, n));
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
