// Writes a snapshot as a gzip'd tar: `manifest.json` first, then the content of every captured
// entry at its snapshot path, sorted. The tar is built in memory with our own ustar/pax headers
// (the snapshot is in memory already; node-tar's `create` wants files on disk), then written
// atomically: a temp file in the target directory, fsync, then a no-clobber link or a rename.
// Mode 0600: a snapshot describes a host's network and its owner decides who reads it.

import {randomBytes} from 'node:crypto';
import {constants, writeSync} from 'node:fs';
import {link, lstat, open, rename, stat, unlink} from 'node:fs/promises';
import path from 'node:path';

import {UserError} from '../errors.js';
import {gzipBlocks} from './gzip-blocks.js';
import type {Snapshot} from './snapshot.js';

export interface WriteOptions {
  /** Replace an existing file at the target path. */
  force?: boolean;
}

/** Write `snapshot` to `outPath` (a .tar.gz); returns the absolute path written. */
export async function writeSnapshot(snapshot: Snapshot, outPath: string, opts: WriteOptions = {}): Promise<string> {
  return writeFileAtomic(outPath, packSnapshot(snapshot), opts.force ?? false);
}

export interface TarMember {
  name: string;
  data: Buffer;
}

/** The members of a snapshot's tar, in archive order: manifest.json, then entry contents by path. */
export function snapshotMembers(snapshot: Snapshot): TarMember[] {
  const paths = new Set<string>();
  for (const source of Object.values(snapshot.manifest.sources)) {
    for (const entry of source.entries) {
      // Absent files and failed commands have no content; the manifest says why.
      if (!entry.absent && !entry.error) paths.add(entry.path);
    }
  }
  const members: TarMember[] = [{name: 'manifest.json', data: Buffer.from(`${JSON.stringify(snapshot.manifest, null, 2)}\n`, 'utf8')}];
  for (const p of [...paths].sort()) members.push({name: p, data: snapshot.contents.get(p) ?? Buffer.alloc(0)});
  return members;
}

/** The gzip'd tar bytes of a snapshot (blocked gzip: readers inflate its blocks in parallel). Same snapshot, same bytes. */
export function packSnapshot(snapshot: Snapshot): Buffer {
  const seconds = Math.floor(Date.parse(snapshot.manifest.capturedAt) / 1000);
  return gzipBlocks(tarBytes(snapshotMembers(snapshot), Number.isFinite(seconds) && seconds > 0 ? seconds : 0), 9);
}

// --- tar encoding ----------------------------------------------------------------------------

const BLOCK = 512;

/** An uncompressed ustar archive of regular files, with a pax header for names ustar cannot hold. */
export function tarBytes(members: TarMember[], mtime = 0): Buffer {
  const parts: Buffer[] = [];
  for (const m of members) {
    if (needsPaxPath(m.name)) {
      const pax = paxRecord('path', m.name);
      parts.push(header(`PaxHeader/${asciiFallback(m.name, 90)}`, pax.length, 'x', mtime), pax, padding(pax.length));
    }
    parts.push(header(asciiFallback(m.name, 100), m.data.length, '0', mtime), m.data, padding(m.data.length));
  }
  // End of archive: two zero blocks.
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

function needsPaxPath(name: string): boolean {
  return Buffer.byteLength(name, 'utf8') > 100 || !/^[\x20-\x7e]*$/.test(name);
}

/** The ustar name field when the real name is in a pax header: printable ASCII, cut to fit. */
function asciiFallback(name: string, max: number): string {
  return name.replace(/[^\x20-\x7e]/g, '_').slice(0, max);
}

function header(name: string, size: number, type: '0' | 'x', mtime: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'latin1');
  writeOctal(h, 100, 8, 0o644);
  writeOctal(h, 108, 8, 0); // uid
  writeOctal(h, 116, 8, 0); // gid
  writeOctal(h, 124, 12, size);
  writeOctal(h, 136, 12, mtime);
  h.fill(0x20, 148, 156); // the checksum counts its own field as spaces
  h.write(type, 156, 'latin1');
  h.write('ustar\u000000', 257, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 'latin1');
  return h;
}

function writeOctal(h: Buffer, offset: number, length: number, value: number): void {
  const digits = value.toString(8).padStart(length - 1, '0');
  if (digits.length > length - 1) throw new RangeError(`value ${value} does not fit a ${length}-byte tar field`);
  h.write(`${digits}\u0000`, offset, length, 'latin1');
}

/** One pax record `LEN key=value\n`, where LEN counts the whole record including itself. */
function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  const bodyLength = Buffer.byteLength(body, 'utf8');
  let length = bodyLength + 1;
  while (String(length).length + bodyLength !== length) length = String(length).length + bodyLength;
  return Buffer.from(`${length}${body}`, 'utf8');
}

function padding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

// --- atomic write ----------------------------------------------------------------------------

/** Content written piece by piece (a streamed report), so it is never whole in memory. */
export type WritePieces = (write: (text: string) => void) => void;

/**
 * Write `data` to `target` atomically with `mode` (0600 for snapshots): a temp file beside the target (same file
 * system, so the final step is atomic), fsync, then link (no clobber) or rename (`force`). On any
 * failure the temp file is removed and the target is untouched.
 */
export async function writeFileAtomic(target: string, data: Buffer | WritePieces, force: boolean, mode = 0o600): Promise<string> {
  const finalPath = path.resolve(target);
  const dir = path.dirname(finalPath);
  await requireDirectory(dir);
  const existing = await lstat(finalPath).catch(() => undefined);
  if (existing?.isDirectory()) throw new UserError(`${finalPath} is a directory; give a file name`);
  if (existing && !force) throw new UserError(`${finalPath} already exists; use --force to overwrite it`);

  const tmp = path.join(dir, `.${path.basename(finalPath)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
    try {
      await fh.chmod(mode); // whatever the umask
      if (Buffer.isBuffer(data)) await fh.writeFile(data);
      else data((text) => writeSync(fh.fd, text));
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (force) await rename(tmp, finalPath);
    else await linkNoClobber(tmp, finalPath);
    await syncDirectory(dir);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw asUserError(err, finalPath);
  }
  await unlink(tmp).catch(() => undefined); // after a link, the temp name is a second name
  return finalPath;
}

/** link() fails if the target appeared meanwhile, where rename() would silently replace it. */
async function linkNoClobber(tmp: string, finalPath: string): Promise<void> {
  try {
    await link(tmp, finalPath);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new UserError(`${finalPath} already exists; use --force to overwrite it`);
    // File systems without hard links: fall back to rename (we checked the target is free).
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') await rename(tmp, finalPath);
    else throw err;
  }
}

async function requireDirectory(dir: string): Promise<void> {
  const st = await stat(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') throw new UserError(`directory does not exist: ${dir}`);
    throw asUserError(err, dir);
  });
  if (!st.isDirectory()) throw new UserError(`not a directory: ${dir}`);
}

/** Make the new name durable too; best effort (some file systems refuse fsync on a directory). */
async function syncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, constants.O_RDONLY).catch(() => undefined);
  if (!fh) return;
  await fh.sync().catch(() => undefined);
  await fh.close();
}

const USER_FACING: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'file name too long',
  ENOTDIR: 'a path component is not a directory',
  EISDIR: 'is a directory',
};

function asUserError(err: unknown, target: string): unknown {
  if (err instanceof UserError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const reason = code ? USER_FACING[code] : undefined;
  return reason ? new UserError(`cannot write ${target}: ${reason}`) : err;
}
