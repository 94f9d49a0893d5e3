// A packed sosreport (.tar.xz, .tar.gz, .tar) held in memory as a SosTree. sos archives carry
// symlinks (sos_commands entries pointing into sos_strings/, etc/os-release -> ../usr/lib/...,
// absolute ones such as etc/localtime -> /usr/share/zoneinfo/...). They are resolved here the
// way the kernel would, but inside the sosreport only:
//  - an absolute target, or `..` above the sosreport's top directory, is "outside the sosreport";
//  - at most MAX_HOPS links are followed for one path (loops and long chains end there);
//  - a link to a directory is followed on the way to a file but never listed (as for a directory
//    tree, a linked directory is not walked);
//  - a hard link names another member of the archive and reads as that member.
// Sizes were already judged while the archive was read (archive.ts limits), so nothing here
// allocates more than the archive holds.
import {walkTree, type MemberKind, type ReadResult, type SosTree} from './tree.js';

/** Links followed for one path before giving up, as Linux does (ELOOP after 40). */
export const MAX_HOPS = 40;

export interface ArchiveLink {
  type: 'symlink' | 'hard';
  target: string;
}

/** What the tar reader hands over: member paths are canonical (no `./`, no trailing `/`). */
export interface ArchiveContent {
  files: ReadonlyMap<string, Buffer>;
  links: ReadonlyMap<string, ArchiveLink>;
  dirs: ReadonlySet<string>;
  /** Modification times in seconds since the epoch, by member path. */
  mtimes: ReadonlyMap<string, number>;
}

type Resolved = {path: string} | {error: string} | undefined;

export class MemTree implements SosTree {
  private readonly children = new Map<string, Set<string>>();

  /**
   * @param content the archive's members
   * @param prefix the sosreport's top directory inside the archive ('' or 'sosreport-x/')
   * @param root a name for messages and the host-name fallback
   */
  constructor(
    private readonly content: ArchiveContent,
    private readonly prefix: string,
    readonly root: string,
  ) {
    const names = [...content.files.keys(), ...content.links.keys(), ...content.dirs];
    for (const full of names) {
      if (!full.startsWith(prefix) || full === prefix) continue;
      const segs = full.slice(prefix.length).split('/');
      for (let i = 0; i < segs.length; i++) {
        const parent = segs.slice(0, i).join('/');
        let set = this.children.get(parent);
        if (!set) this.children.set(parent, (set = new Set()));
        set.add(segs[i]!);
      }
    }
  }

  private full(rel: string): string {
    return this.prefix + rel;
  }

  private isDir(rel: string): boolean {
    return rel === '' || this.children.has(rel) || this.content.dirs.has(this.full(rel));
  }

  /**
   * The path a relative path leads to inside the sosreport, following symlinks on the way (and
   * the last one when `followLast`); undefined when it does not exist.
   */
  private resolve(rel: string, followLast: boolean): Resolved {
    let todo = rel.split('/').filter((s) => s !== '' && s !== '.');
    const done: string[] = [];
    let hops = 0;
    while (todo.length > 0) {
      const seg = todo.shift()!;
      if (seg === '..') {
        if (done.length === 0) return {error: 'path leaves the sosreport'};
        done.pop();
        continue;
      }
      const cur = [...done, seg].join('/');
      const link = this.content.links.get(this.full(cur));
      if (link && (todo.length > 0 || followLast)) {
        if (++hops > MAX_HOPS) return {error: `more than ${MAX_HOPS} symbolic links on the way (a loop or a chain too long)`};
        if (link.type === 'hard') {
          // A hard link names an archive member from the archive's root.
          if (!link.target.startsWith(this.prefix)) return {error: `hard link to ${link.target} outside the sosreport`};
          done.length = 0;
          todo = [...link.target.slice(this.prefix.length).split('/'), ...todo];
          continue;
        }
        if (link.target === '') return undefined;
        if (link.target.startsWith('/')) return {error: `symbolic link to ${link.target} outside the sosreport`};
        todo = [...link.target.split('/').filter((s) => s !== '' && s !== '.'), ...todo];
        const escapes = this.leaves(done.length, todo);
        if (escapes) return {error: `symbolic link to ${link.target} outside the sosreport`};
        continue;
      }
      done.push(seg);
      if (todo.length > 0 && !this.isDir(cur) && !this.content.links.has(this.full(cur))) return undefined;
    }
    const p = done.join('/');
    const exists = p === '' || this.content.files.has(this.full(p)) || this.content.links.has(this.full(p)) || this.isDir(p);
    return exists ? {path: p} : undefined;
  }

  /** Whether a relative target climbs above the sosreport root from `depth` levels down. */
  private leaves(depth: number, segs: string[]): boolean {
    let d = depth;
    for (const s of segs) {
      if (s === '..') d--;
      else d++;
      if (d < 0) return true;
    }
    return false;
  }

  async kind(rel: string): Promise<MemberKind | undefined> {
    const r = this.resolve(rel, false);
    if (!r || 'error' in r) return undefined;
    const full = this.full(r.path);
    if (this.content.links.has(full)) return 'link';
    if (this.content.files.has(full)) return 'file';
    return this.isDir(r.path) ? 'dir' : undefined;
  }

  async mtime(rel: string): Promise<Date> {
    const r = this.resolve(rel, false);
    const seconds = r && 'path' in r ? this.content.mtimes.get(this.full(r.path)) : undefined;
    return new Date((seconds ?? 0) * 1000);
  }

  async linkTarget(rel: string): Promise<string | undefined> {
    const r = this.resolve(rel, false);
    return r && 'path' in r ? this.content.links.get(this.full(r.path))?.target : undefined;
  }

  async read(rel: string): Promise<ReadResult> {
    const r = this.resolve(rel, true);
    if (!r) return undefined;
    if ('error' in r) return {ok: false, error: `refusing ${rel}: ${r.error}`};
    const data = this.content.files.get(this.full(r.path));
    if (data) return {ok: true, data};
    return {ok: false, error: `refusing ${rel}: not a regular file`};
  }

  async text(rel: string): Promise<string | undefined> {
    const r = await this.read(rel);
    return r?.ok ? r.data.toString('utf8') : undefined;
  }

  async list(rel: string): Promise<Array<{name: string; kind: MemberKind}>> {
    const r = this.resolve(rel, false);
    if (!r || 'error' in r || this.content.links.has(this.full(r.path))) return [];
    const names = [...(this.children.get(r.path) ?? [])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const out: Array<{name: string; kind: MemberKind}> = [];
    for (const name of names) {
      const child = r.path === '' ? name : `${r.path}/${name}`;
      const kind = await this.kind(child);
      if (kind) out.push({name, kind});
    }
    return out;
  }

  walk(rel: string, depth: number): Promise<string[]> {
    return walkTree(this, rel, depth);
  }
}

/**
 * The top directory of a sosreport inside an archive ('' when the archive root is the report),
 * or undefined when the archive is not a sosreport (sos_commands/ plus version.txt or sos_reports/).
 */
export function sosreportPrefix(content: ArchiveContent): string | undefined {
  const dirs = new Set(content.dirs);
  for (const name of [...content.files.keys(), ...content.links.keys()]) {
    for (let i = name.indexOf('/'); i > 0; i = name.indexOf('/', i + 1)) dirs.add(name.slice(0, i));
  }
  const tops = [...dirs].filter((d) => !d.includes('/'));
  return ['', ...tops.map((t) => `${t}/`)].find((pre) => dirs.has(`${pre}sos_commands`) && (content.files.has(`${pre}version.txt`) || dirs.has(`${pre}sos_reports`)));
}
