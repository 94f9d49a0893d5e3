// Read-only access to an unpacked sosreport directory that never reads outside it. sos trees hold
// symlinks (sos_commands entries pointing into sos_strings/, etc/os-release -> ../usr/lib/...,
// absolute links such as etc/localtime -> /usr/share/zoneinfo/...): a link is followed only
// when its fully resolved target is still inside the tree; any other link is refused.
import {constants, type Dirent} from 'node:fs';
import {lstat, open, readdir, readlink, realpath} from 'node:fs/promises';
import path from 'node:path';
import {readToEnd} from '../read-open.js';

/** Same defaults as a tapdoctor snapshot (archive.ts DEFAULT_LIMITS); the caller passes its own. */
const MiB = 1024 * 1024;

export type ReadResult = {ok: true; data: Buffer} | {ok: false; error: string} | undefined;

export type MemberKind = 'file' | 'dir' | 'link' | 'other';

/**
 * What the sosreport reader needs from a tree: an unpacked directory (SosDirTree below) or a
 * packed sosreport held in memory (mem-tree.ts). Paths are relative to the sosreport root.
 */
export interface SosTree {
  /** The tree's name: its real path, or the archive and its top directory. */
  readonly root: string;
  kind(rel: string): Promise<MemberKind | undefined>;
  mtime(rel: string): Promise<Date>;
  linkTarget(rel: string): Promise<string | undefined>;
  read(rel: string): Promise<ReadResult>;
  text(rel: string): Promise<string | undefined>;
  /** Names in a real directory, sorted (a symlinked directory is not listed: it could lead outside). */
  list(rel: string): Promise<Array<{name: string; kind: MemberKind}>>;
  /** Files and symlinks below `rel`, at most `depth` levels down, as paths relative to the root. */
  walk(rel: string, depth: number): Promise<string[]>;
}

/** Files and links below `rel` in any tree, through its `list`. */
export async function walkTree(tree: SosTree, rel: string, depth: number): Promise<string[]> {
  const out: string[] = [];
  for (const d of await tree.list(rel)) {
    const child = `${rel}/${d.name}`;
    if (d.kind === 'dir') {
      if (depth > 1) out.push(...(await walkTree(tree, child, depth - 1)));
    } else if (d.kind === 'file' || d.kind === 'link') out.push(child);
  }
  return out;
}

export class SosDirTree implements SosTree {
  private total = 0;

  private constructor(
    /** The tree's real path (symlinks in the path to it resolved). */
    readonly root: string,
    private readonly maxFileBytes: number,
    private readonly maxTotalBytes: number,
  ) {}

  static async open(dir: string, maxFileBytes = 64 * MiB, maxTotalBytes = 256 * MiB): Promise<SosDirTree> {
    return new SosDirTree(await realpath(dir), maxFileBytes, maxTotalBytes);
  }

  private abs(rel: string): string | undefined {
    const p = path.resolve(this.root, rel);
    return this.inside(p) ? p : undefined;
  }

  private inside(p: string): boolean {
    return p === this.root || p.startsWith(this.root + path.sep);
  }

  /** Kind of a member without following a final symlink; undefined when it does not exist. */
  async kind(rel: string): Promise<MemberKind | undefined> {
    const p = this.abs(rel);
    if (!p) return undefined;
    try {
      const st = await lstat(p);
      return st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
    } catch {
      return undefined;
    }
  }

  /** Modification time of a member (the epoch when it is missing). */
  async mtime(rel: string): Promise<Date> {
    const p = this.abs(rel);
    return p ? lstat(p).then((st) => st.mtime, () => new Date(0)) : new Date(0);
  }

  async linkTarget(rel: string): Promise<string | undefined> {
    const p = this.abs(rel);
    return p ? readlink(p).catch(() => undefined) : undefined;
  }

  /**
   * A member's bytes: undefined when it does not exist (or is a dangling link), an error when it
   * is not a regular file, its link leaves the tree, or it is over the size limits.
   */
  async read(rel: string): Promise<ReadResult> {
    const p = this.abs(rel);
    if (!p) return {ok: false, error: `refusing ${rel}: path leaves the sosreport`};
    let real: string;
    try {
      real = await realpath(p);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      return {ok: false, error: `cannot read ${rel}: ${code ?? (err as Error).message}`};
    }
    if (!this.inside(real)) return {ok: false, error: `refusing ${rel}: symbolic link to ${await this.linkTarget(rel) ?? 'a path'} outside the sosreport`};
    let fh;
    try {
      // O_NOFOLLOW on the resolved path: a link swapped in after realpath is refused, not followed.
      fh = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (err) {
      return {ok: false, error: `cannot read ${rel}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`};
    }
    try {
      const st = await fh.stat();
      if (!st.isFile()) return {ok: false, error: `refusing ${rel}: not a regular file`};
      if (st.size > this.maxFileBytes) return {ok: false, error: `${rel} is ${st.size} bytes, over the ${this.maxFileBytes}-byte limit for one file`};
      if (this.total + st.size > this.maxTotalBytes) return {ok: false, error: `reading ${rel} would exceed the ${this.maxTotalBytes}-byte limit for the sosreport`};
      const data = await readToEnd(fh, st.size);
      this.total += data.length;
      return {ok: true, data};
    } finally {
      await fh.close();
    }
  }

  /** Text of a member, or undefined when it is missing or unreadable. */
  async text(rel: string): Promise<string | undefined> {
    const r = await this.read(rel);
    return r?.ok ? r.data.toString('utf8') : undefined;
  }

  async list(rel: string): Promise<Array<{name: string; kind: MemberKind}>> {
    const p = this.abs(rel);
    if (!p) return [];
    let entries: Dirent[];
    try {
      const st = await lstat(p);
      if (!st.isDirectory()) return [];
      entries = await readdir(p, {withFileTypes: true});
    } catch {
      return [];
    }
    return entries
      .map((d) => ({name: d.name, kind: (d.isSymbolicLink() ? 'link' : d.isDirectory() ? 'dir' : d.isFile() ? 'file' : 'other') as MemberKind}))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  walk(rel: string, depth: number): Promise<string[]> {
    return walkTree(this, rel, depth);
  }
}
