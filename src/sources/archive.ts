// Reads a snapshot - our .tar.gz, a plain .tar, or an unpacked directory - into memory, and a
// sosreport, packed (.tar.xz, .tar.gz, .tar) or unpacked, through the sosreport adapter. Nothing is
// ever extracted to disk, and input is treated as hostile: it may come from another host, a
// ticket or a chat. Whatever is wrong with it ends as one UserError line naming the input and the
// reason, never a stack trace, a hang or a full disk.
//
// Decisions:
//  - Compression is detected by magic bytes, not by file name: gzip (node:zlib) and xz (the
//    xz-decompress WebAssembly decoder, loaded only for xz input; no native build).
//  - Inflation is streamed and stops as soon as a limit is hit (member size from the tar header,
//    total uncompressed bytes, inflate ratio), so a decompression bomb costs a few MiB at most. Our
//    own snapshots are blocked gzip (gzip-blocks.ts): their blocks are inflated two at a time, under
//    the same limits.
//  - Our own tar reader, not tar-stream: it judges every header before a byte of the body is
//    inflated and refuses with the reasons the hostile corpus (test/hostile) pins; tar-stream
//    would still need all of that around it.
//  - Device and FIFO members are refused outright. Link members are refused in a tapdoctor
//    snapshot (tapdoctor never writes them: a copied symlink is recorded as `linkTarget` in the
//    manifest); in a sosreport they are kept and resolved inside the sosreport only
//    (sosreport/mem-tree.ts).
//  - A manifest entry whose member is missing does not fail the whole read: the entry is marked
//    with `error: "content missing from the snapshot"`, so checks needing it say "cannot
//    determine" while every other check still runs. Members the manifest does not name are ignored.
//  - A tar whose members all sit below one top directory (`tar czf x.tgz snapdir`) is read as if
//    that directory were the root.

import {constants, type Stats} from 'node:fs';
import {lstat, open, realpath} from 'node:fs/promises';
import path from 'node:path';
import {createGunzip, gunzip as zlibGunzip} from 'node:zlib';

import {UserError} from '../errors.js';
import {MemTree, sosreportPrefix, type ArchiveLink} from './sosreport/mem-tree.js';
import {looksLikeSosreport, readSosreport} from './sosreport/read.js';
import {SosDirTree, type SosTree} from './sosreport/tree.js';
import {refuseTemplates} from './templates.js';
import {SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_VERSION, type EntryRecord, type Manifest, type Snapshot, type SourceRecord} from './snapshot.js';
import {readToEnd} from './read-open.js';
import {GZIP_BLOCK, gzipBlockSpans} from './gzip-blocks.js';

export interface ArchiveLimits {
  /** Largest single member (or file of an unpacked snapshot), in bytes. */
  maxMemberBytes: number;
  /** Largest uncompressed tar stream (headers included), or sum of the files read from a directory. */
  maxTotalBytes: number;
  /** Largest inflated:compressed ratio tolerated once more than `ratioFloorBytes` were inflated. */
  maxRatio: number;
  /** Below this much output the ratio is not judged (small archives of zeros compress very well). */
  ratioFloorBytes: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_LIMITS: Readonly<ArchiveLimits> = Object.freeze({
  maxMemberBytes: 64 * MiB,
  maxTotalBytes: 256 * MiB,
  maxRatio: 200,
  ratioFloorBytes: 8 * MiB,
});

/** Pax and GNU long-name headers hold a path or two; anything bigger is not ours. */
const MAX_META_BYTES = 1 * MiB;

type Fail = (reason: string) => never;

/** Read a snapshot from a .tar.gz/.tgz, a .tar or a directory with the same layout. */
export async function readSnapshot(inputPath: string, limits: Partial<ArchiveLimits> = {}): Promise<Snapshot> {
  const lim = checkLimits({...DEFAULT_LIMITS, ...limits});
  const fail: Fail = (reason) => {
    throw new UserError(oneLine(`${inputPath}: ${reason}`));
  };
  const input = await openInput(inputPath, lim, fail);
  const tar = input.kind === 'file' ? await readTar(input.bytes, lim, fail) : undefined;
  const members: MemberStore = tar ? rootedStore(tar.members) : new DirectoryMembers((input as {root: string}).root, lim, fail);
  const manifestBytes = await members.get('manifest.json');
  // A sosreport has no manifest.json of ours: read it through the sosreport adapter.
  if (!manifestBytes && input.kind === 'directory' && (await looksLikeSosreport(input.root))) {
    return readSos(await SosDirTree.open(input.root, lim.maxMemberBytes, lim.maxTotalBytes), lim, fail);
  }
  if (!manifestBytes && tar) {
    const prefix = sosreportPrefix(tar.content);
    if (prefix !== undefined) return readSos(new MemTree(tar.content, prefix, `${path.basename(inputPath)}:${prefix || '/'}`), lim, fail);
  }
  if (tar) refuseLinks(tar.content.links, fail);
  if (!manifestBytes) fail('not a tapdoctor snapshot: no manifest.json');
  return snapshotFrom(manifestBytes, members, fail);
}

/** Where our sos plugin (contrib/sos/tapdoctor.py) stores a `tapdoctor snapshot` in the sosreport. */
export const SOS_EMBEDDED_SNAPSHOT = 'sos_commands/tapdoctor/tapdoctor-snapshot.tar.gz';

/**
 * A sosreport: the tapdoctor snapshot our sos plugin stored in it when there is one (exactly what
 * `tapdoctor check` reads), else what sos itself collected, through the sosreport adapter.
 */
async function readSos(tree: SosTree, lim: ArchiveLimits, outerFail: Fail): Promise<Snapshot> {
  const embedded = await tree.read(SOS_EMBEDDED_SNAPSHOT);
  if (embedded?.ok) {
    const fail: Fail = (reason) => outerFail(`${SOS_EMBEDDED_SNAPSHOT}: ${reason}`);
    const tar = await readTar(embedded.data, lim, fail);
    refuseLinks(tar.content.links, fail);
    const members = rootedStore(tar.members);
    const manifestBytes = await members.get('manifest.json');
    if (!manifestBytes) fail('not a tapdoctor snapshot: no manifest.json');
    return snapshotFrom(manifestBytes, members, fail);
  }
  return withoutTemplates(await readSosreport(tree, lim));
}

async function snapshotFrom(manifestBytes: Buffer, members: MemberStore, fail: Fail): Promise<Snapshot> {
  const manifest = parseManifest(manifestBytes, fail);
  const contents = new Map<string, Buffer>();
  for (const source of Object.values(manifest.sources)) {
    for (const entry of source.entries) {
      if (entry.absent || entry.error) continue;
      if (contents.has(entry.path)) continue;
      const data = await members.get(entry.path);
      if (data) contents.set(entry.path, data);
      else entry.error = 'content missing from the snapshot';
    }
  }
  return withoutTemplates({manifest, contents});
}

function withoutTemplates(snapshot: Snapshot): Snapshot {
  refuseTemplates(snapshot);
  return snapshot;
}

function checkLimits(lim: ArchiveLimits): ArchiveLimits {
  for (const [name, value] of Object.entries(lim)) {
    if (typeof value !== 'number' || !(value > 0)) throw new UserError(`invalid size limit ${name}: ${String(value)}`);
  }
  return lim;
}

// --- the input -------------------------------------------------------------------------------

type Input = {kind: 'directory'; root: string} | {kind: 'file'; bytes: Buffer};

async function openInput(inputPath: string, lim: ArchiveLimits, fail: Fail): Promise<Input> {
  // O_NONBLOCK: opening a FIFO someone passed us must not hang; fstat then refuses it.
  const fh = await open(inputPath, constants.O_RDONLY | constants.O_NONBLOCK).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') throw new UserError(oneLine(`no such file or directory: ${inputPath}`));
    if (err.code === 'EACCES' || err.code === 'EPERM') throw new UserError(oneLine(`permission denied: ${inputPath}`));
    if (err.code === 'ELOOP') fail('too many levels of symbolic links');
    throw err;
  });
  try {
    const st = await fh.stat();
    if (st.isDirectory()) return {kind: 'directory', root: await realpath(inputPath)};
    if (!st.isFile()) fail(`${kindOf(st)}, not a snapshot file or directory`);
    if (st.size === 0) fail('empty file, not a tapdoctor snapshot');
    if (st.size > lim.maxTotalBytes) fail(`file is ${size(st.size)}, over the ${size(lim.maxTotalBytes)} limit (see --max-size)`);
    return {kind: 'file', bytes: await readToEnd(fh, st.size)};
  } finally {
    await fh.close();
  }
}

interface MemberStore {
  /** The content of a member by its path inside the snapshot, or undefined when there is none. */
  get(name: string): Promise<Buffer | undefined>;
}

// --- tar and tar.gz ----------------------------------------------------------------------------

const XZ_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const OTHER_COMPRESSIONS: Array<[string, number[]]> = [
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['bzip2', [0x42, 0x5a, 0x68]],
];

interface TarContent {
  members: Map<string, Buffer>;
  content: ArchiveContentOf;
}
type ArchiveContentOf = ConstructorParameters<typeof MemTree>[0];

async function readTar(bytes: Buffer, lim: ArchiveLimits, fail: Fail): Promise<TarContent> {
  const parser = new TarParser(lim, fail);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    const blocks = gzipBlockSpans(bytes);
    if (blocks) await inflateBlocksInto(bytes, blocks, parser, lim, fail);
    else await inflateInto(bytes, parser, lim, fail);
  } else if (XZ_MAGIC.every((b, i) => bytes[i] === b)) {
    await unxzInto(bytes, parser, lim, fail);
  } else {
    for (const [name, magic] of OTHER_COMPRESSIONS) {
      if (magic.every((b, i) => bytes[i] === b)) fail(`compressed with ${name}; tapdoctor reads .tar.gz, .tar.xz, .tar or a directory (decompress it first)`);
    }
    const SLICE = 64 * 1024;
    for (let off = 0; off < bytes.length && !parser.finished; off += SLICE) parser.push(bytes.subarray(off, off + SLICE));
  }
  parser.end();
  return {members: parser.members, content: {files: parser.members, links: parser.links, dirs: parser.dirs, mtimes: parser.mtimes}};
}

/** A tapdoctor snapshot never holds links: the first one (in archive order) refuses the input. */
function refuseLinks(links: ReadonlyMap<string, ArchiveLink>, fail: Fail): void {
  for (const [name, link] of links) {
    const what = link.type === 'hard' ? 'hard link' : 'symbolic link';
    fail(`refusing ${what} member ${quote(name)} -> ${quote(link.target)}: snapshots never contain links`);
  }
}

/** xz: the same streaming and limits as gzip, through the WebAssembly decoder (loaded only here). */
async function unxzInto(compressed: Buffer, parser: TarParser, lim: ArchiveLimits, fail: Fail): Promise<void> {
  const {default: xz} = await import('xz-decompress');
  const SLICE = 64 * 1024;
  let consumed = 0;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (consumed >= compressed.length) return controller.close();
      const n = Math.min(SLICE, compressed.length - consumed);
      controller.enqueue(compressed.subarray(consumed, consumed + n));
      consumed += n;
    },
  });
  const stream = new xz.XzReadableStream(source);
  const reader = stream.getReader();
  let inflated = 0;
  try {
    for (;;) {
      const {done, value} = await reader.read();
      if (done) break;
      inflated += value.length;
      judgeRatio(inflated, consumed, lim, fail);
      parser.push(Buffer.from(value.buffer, value.byteOffset, value.length));
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    // xz-embedded's codes: 7 XZ_DATA_ERROR (corrupt), 8 XZ_BUF_ERROR (truncated), 5/6 format/options.
    const code = /error code (\d+)/.exec((err as Error).message)?.[1];
    if (code === '8') fail('truncated xz data (unexpected end of file)');
    fail(`corrupt xz data (${code === '7' ? 'data check failed or bad data' : (err as Error).message})`);
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** Stream-inflate, feeding the tar parser as output arrives; stop at the first limit hit. */
async function inflateInto(compressed: Buffer, parser: TarParser, lim: ArchiveLimits, fail: Fail): Promise<void> {
  // 1 MiB out per step instead of zlib's 16 KiB: each step is a round trip between zlib's thread and
  // this one, and a 14 MB rule dump takes 14 of them, not 850 (256 KiB steps still cost ~7 ms more
  // in all). The limits below are checked every MiB, so a bomb stops a MiB past them at most.
  const gunzip = createGunzip({chunkSize: 1024 * 1024});
  gunzip.end(compressed);
  let inflated = 0;
  try {
    // Zlib pauses when we do not read, so `inflated` never runs far ahead of what we checked.
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      inflated += chunk.length;
      // bytesWritten: compressed bytes the engine has consumed so far.
      judgeRatio(inflated, gunzip.bytesWritten, lim, fail);
      // Past the end-of-archive marker we keep draining (bounded by the same limits) so that
      // gzip's CRC check still catches a corrupted body.
      parser.push(chunk);
    }
  } catch (err) {
    if (err instanceof UserError) throw err;
    zlibFailure(err, fail);
  } finally {
    gunzip.destroy();
  }
}

/** Refuse once the output outgrows what it came from by more than the ratio (past the floor). */
function judgeRatio(inflated: number, consumed: number, lim: ArchiveLimits, fail: Fail): void {
  if (inflated > lim.ratioFloorBytes && inflated > lim.maxRatio * consumed) {
    fail(`refusing a likely decompression bomb: ${size(inflated)} inflated from ${size(consumed)} (ratio above ${lim.maxRatio}:1)`);
  }
}

/** A zlib failure as the reason the hostile corpus pins (truncated, corrupt); anything else is thrown on. */
function zlibFailure(err: unknown, fail: Fail): never {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'Z_BUF_ERROR') fail('truncated gzip data (unexpected end of file)');
  if (typeof e.code === 'string' && e.code.startsWith('Z_')) fail(`corrupt gzip data (${e.message})`);
  throw err;
}

/**
 * Blocked gzip (tapdoctor's own snapshots, gzip-blocks.ts): the members are inflated a few at once
 * on zlib's threads and fed to the tar parser in order. A 14 MB rule dump waits about a third less than for
 * one stream, whose inflation is one thread's work while this one has nothing to do. The limits are
 * those of inflateInto: a block inflates to GZIP_BLOCK at most, the ratio is judged after each, and
 * at most INFLATE_AHEAD blocks are inflated ahead of that judgement. Each member's CRC and length
 * are checked by zlib, as for one stream.
 */
async function inflateBlocksInto(compressed: Buffer, blocks: ReadonlyArray<[number, number]>, parser: TarParser, lim: ArchiveLimits, fail: Fail): Promise<void> {
  const gunzip = (block: Buffer) =>
    new Promise<Buffer>((resolve, reject) => {
      // One output buffer of the size the trailer states (ISIZE; a lie costs more steps, never more
      // than maxOutputLength): a small snapshot's block gets no 4 MiB buffer.
      const chunkSize = Math.min(GZIP_BLOCK, Math.max(block.readUInt32LE(block.length - 4), 16 * 1024)) + 1024;
      zlibGunzip(block, {chunkSize, maxOutputLength: GZIP_BLOCK}, (error, out) => (error ? reject(error) : resolve(out)));
    });
  const pending: Array<Promise<Buffer>> = [];
  let next = 0;
  const startNext = () => {
    if (next >= blocks.length) return;
    const [start, end] = blocks[next++]!;
    const p = gunzip(compressed.subarray(start, end));
    p.catch(() => undefined); // judged in order below; one left behind by an earlier refusal is no crash
    pending.push(p);
  };
  for (let i = 0; i < INFLATE_AHEAD; i++) startNext();
  let inflated = 0;
  for (let i = 0; i < blocks.length; i++) {
    let out: Buffer;
    try {
      out = await pending.shift()!;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') fail(`refusing a likely decompression bomb: gzip block ${i + 1} inflates past ${size(GZIP_BLOCK)} (tapdoctor writes blocks of ${size(GZIP_BLOCK)})`);
      zlibFailure(err, fail);
    }
    startNext();
    inflated += out.length;
    judgeRatio(inflated, blocks[i]![1], lim, fail);
    parser.push(out);
  }
}

/** Blocks inflated at once: two cores' worth, as the fleet pool uses them; more only fill memory. */
const INFLATE_AHEAD = 2;

/** Members below a single top directory (`snapdir/manifest.json`, ...) are read from there. */
function rootedStore(members: Map<string, Buffer>): MemberStore {
  let prefix = '';
  if (!members.has('manifest.json')) {
    const tops = new Set<string>();
    for (const name of members.keys()) tops.add(name.split('/')[0]!);
    const [top] = tops;
    if (tops.size === 1 && members.has(`${top}/manifest.json`)) prefix = `${top}/`;
  }
  return {get: async (name) => members.get(prefix + name)};
}

const BLOCK = 512;

interface PendingMeta {
  path?: string;
  linkpath?: string;
  size?: number;
}

interface BodyTarget {
  buf: Buffer;
  filled: number;
  done: (buf: Buffer) => void;
}

/**
 * A push parser for ustar, pax and GNU tar streams. Sizes come from the headers, so an oversized
 * member is refused before a byte of it is inflated.
 */
class TarParser {
  readonly members = new Map<string, Buffer>();
  /** Link members (refused in snapshots, resolved in sosreports) and directories, by path. */
  readonly links = new Map<string, ArchiveLink>();
  readonly dirs = new Set<string>();
  readonly mtimes = new Map<string, number>();
  /** The end-of-archive block was seen; the rest of the stream is only counted. */
  finished = false;
  private streamBytes = 0;
  private declaredBytes = 0;
  private readonly headerBuf = Buffer.alloc(BLOCK);
  private headerFill = 0;
  private headerOffset = 0;
  private body: BodyTarget | undefined;
  private skip = 0;
  private meta: PendingMeta = {};

  constructor(
    private readonly lim: ArchiveLimits,
    private readonly fail: Fail,
  ) {}

  push(chunk: Buffer): void {
    this.streamBytes += chunk.length;
    if (this.streamBytes > this.lim.maxTotalBytes) {
      this.fail(`archive content is over the ${size(this.lim.maxTotalBytes)} limit (see --max-size)`);
    }
    let i = 0;
    while (i < chunk.length && !this.finished) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
      } else if (this.body) {
        const b = this.body;
        const n = Math.min(b.buf.length - b.filled, chunk.length - i);
        chunk.copy(b.buf, b.filled, i, i + n);
        b.filled += n;
        i += n;
        if (b.filled === b.buf.length) this.finishBody();
      } else {
        const n = Math.min(BLOCK - this.headerFill, chunk.length - i);
        chunk.copy(this.headerBuf, this.headerFill, i, i + n);
        this.headerFill += n;
        i += n;
        if (this.headerFill === BLOCK) {
          this.headerFill = 0;
          this.onHeader(this.headerBuf);
          this.headerOffset += BLOCK;
        }
      }
    }
  }

  end(): void {
    if (this.finished) return;
    if (this.body || this.skip > 0 || this.headerFill > 0) this.fail('truncated tar archive (a member ends past the end of the data)');
    if (this.headerOffset === 0) this.fail('not a tapdoctor snapshot: empty archive');
    this.fail('truncated tar archive (no end-of-archive marker)');
  }

  private onHeader(h: Buffer): void {
    if (h.every((b) => b === 0)) {
      this.finished = true;
      return;
    }
    if (!checksumOk(h)) {
      this.fail(this.headerOffset === 0 ? 'not a tapdoctor snapshot: not a tar or tar.gz archive' : `corrupt tar header at byte ${this.headerOffset}`);
    }
    const type = h[156] === 0 ? '0' : String.fromCharCode(h[156]!);
    const headerSize = parseSize(h);
    if (headerSize === undefined) this.fail(`corrupt tar header at byte ${this.headerOffset} (bad size field)`);

    // Metadata for the next header.
    const meta = (done: (buf: Buffer) => void) => this.startBody(headerSize, MAX_META_BYTES, done);
    if (type === 'x') return meta((buf) => Object.assign(this.meta, parsePax(buf, this.fail)));
    if (type === 'L') return meta((buf) => (this.meta.path = cString(buf, 0, buf.length)));
    if (type === 'K') return meta((buf) => (this.meta.linkpath = cString(buf, 0, buf.length)));
    if (type === 'g') return meta(() => undefined); // global pax defaults: nothing we use

    const memberSize = this.meta.size ?? headerSize;

    const rawName = this.meta.path ?? ustarName(h);
    const linkName = this.meta.linkpath ?? cString(h, 157, 100);
    this.meta = {};
    const name = safeMemberName(rawName, this.fail);
    const mtime = parseOctal(h, 136, 12);
    if (mtime !== undefined) this.mtimes.set(name, mtime);
    const taken = () => this.members.has(name) || this.links.has(name);
    switch (type) {
      case '0':
      case '7': {
        if (memberSize > this.lim.maxMemberBytes) {
          this.fail(`member ${quote(name)} is ${size(memberSize)}, over the ${size(this.lim.maxMemberBytes)} limit for one member (see --max-size)`);
        }
        this.declaredBytes += memberSize;
        if (this.declaredBytes > this.lim.maxTotalBytes) this.fail(`archive content is over the ${size(this.lim.maxTotalBytes)} limit (see --max-size)`);
        if (taken()) this.fail(`duplicate member ${quote(name)}`);
        return this.startBody(memberSize, Infinity, (buf) => this.members.set(name, buf));
      }
      case '5':
        this.dirs.add(name);
        this.skipBody(memberSize);
        return;
      case '1':
      case '2': {
        // Kept for a sosreport; a snapshot refuses them once the archive is known (refuseLinks).
        if (taken()) this.fail(`duplicate member ${quote(name)}`);
        // A hard link names another member from the archive root (`./` dropped as for names).
        const target = type === '1' ? linkName.replace(/^(\.\/)+/, '') : linkName;
        this.links.set(name, {type: type === '1' ? 'hard' : 'symlink', target});
        this.skipBody(type === '1' ? 0 : memberSize);
        return;
      }
      case '3':
        return this.fail(`refusing character device member ${quote(name)}`);
      case '4':
        return this.fail(`refusing block device member ${quote(name)}`);
      case '6':
        return this.fail(`refusing FIFO member ${quote(name)}`);
      default:
        return this.fail(`refusing member ${quote(name)} of unsupported tar type ${quote(type)}`);
    }
  }

  private startBody(memberSize: number, limit: number, done: (buf: Buffer) => void): void {
    if (memberSize > limit) this.fail(`tar metadata header at byte ${this.headerOffset} is ${size(memberSize)}, too large`);
    this.body = {buf: Buffer.alloc(memberSize), filled: 0, done};
    if (memberSize === 0) this.finishBody();
  }

  private finishBody(): void {
    const b = this.body!;
    this.body = undefined;
    this.headerOffset += b.buf.length + padTo(b.buf.length);
    this.skip = padTo(b.buf.length);
    b.done(b.buf);
  }

  private skipBody(memberSize: number): void {
    this.headerOffset += memberSize + padTo(memberSize);
    this.skip = memberSize + padTo(memberSize);
  }
}

function padTo(n: number): number {
  return (BLOCK - (n % BLOCK)) % BLOCK;
}

/** The header checksum: the byte sum with the checksum field read as spaces (unsigned or signed). */
function checksumOk(h: Buffer): boolean {
  const stored = parseOctal(h, 148, 8);
  if (stored === undefined) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : h[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

/** An octal field: digits with optional leading spaces, ended by NUL or space; undefined if not. */
function parseOctal(h: Buffer, offset: number, length: number): number | undefined {
  let i = offset;
  const end = offset + length;
  while (i < end && h[i] === 0x20) i++;
  let value = 0;
  let digits = 0;
  for (; i < end; i++) {
    const c = h[i]!;
    if (c === 0 || c === 0x20) break;
    if (c < 0x30 || c > 0x37) return undefined;
    value = value * 8 + (c - 0x30);
    digits++;
  }
  for (; i < end; i++) if (h[i] !== 0 && h[i] !== 0x20) return undefined;
  return digits === 0 ? 0 : value;
}

/** The size field: octal, or GNU base-256 for big values (high bit set). */
function parseSize(h: Buffer): number | undefined {
  if ((h[124]! & 0x80) === 0) return parseOctal(h, 124, 12);
  if (h[124] !== 0x80) return undefined; // negative
  let value = 0;
  for (let i = 125; i < 136; i++) value = value * 256 + h[i]!;
  return value; // may be imprecise above 2^53, but such a size is refused by the limits anyway
}

function cString(buf: Buffer, offset: number, length: number): string {
  const end = buf.indexOf(0, offset);
  return buf.toString('utf8', offset, end < 0 || end > offset + length ? offset + length : end);
}

function ustarName(h: Buffer): string {
  const name = cString(h, 0, 100);
  // POSIX ustar ("ustar\0") splits long names into prefix + name; GNU ("ustar ") uses that space otherwise.
  if (h.toString('latin1', 257, 263) !== 'ustar\u0000') return name;
  const prefix = cString(h, 345, 155);
  return prefix ? `${prefix}/${name}` : name;
}

/** Pax extended header records `LEN key=value\n`; we use path, linkpath and size. */
function parsePax(buf: Buffer, fail: Fail): PendingMeta {
  const meta: PendingMeta = {};
  let pos = 0;
  while (pos < buf.length) {
    if (buf[pos] === 0) break; // NUL padding after the last record
    const space = buf.indexOf(0x20, pos);
    const lenText = space < 0 ? '' : buf.toString('latin1', pos, space);
    const len = /^[1-9][0-9]{0,9}$/.test(lenText) ? Number(lenText) : NaN;
    if (!(len > space - pos + 1) || pos + len > buf.length || buf[pos + len - 1] !== 0x0a) fail('corrupt pax header in the archive');
    const record = buf.toString('utf8', space + 1, pos + len - 1);
    const eq = record.indexOf('=');
    if (eq <= 0) fail('corrupt pax header in the archive');
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (key === 'path') meta.path = value;
    else if (key === 'linkpath') meta.linkpath = value;
    else if (key === 'size') {
      if (!/^[0-9]{1,15}$/.test(value)) fail('corrupt pax header in the archive (bad size)');
      meta.size = Number(value);
    }
    pos += len;
  }
  return meta;
}

/** A member name made canonical (`./x` -> `x`, `dir/` -> `dir`) and refused if it could escape. */
function safeMemberName(raw: string, fail: Fail): string {
  let name = raw;
  while (name.startsWith('./')) name = name.slice(2);
  while (name.endsWith('/') && name.length > 1) name = name.slice(0, -1);
  if (name.includes('\u0000')) fail(`refusing member ${quote(name)}: NUL byte in the name`);
  if (name.startsWith('/')) fail(`refusing member ${quote(raw)}: absolute path`);
  if (name.split('/').includes('..')) fail(`refusing member ${quote(raw)}: path leaves the archive root`);
  return name;
}

// --- unpacked directory ------------------------------------------------------------------------

/**
 * Members of an unpacked snapshot read on demand: only manifest.json and what it names. No
 * symlink is followed (not even one pointing inside), nothing but regular files is opened.
 */
class DirectoryMembers implements MemberStore {
  private total = 0;

  constructor(
    private readonly root: string,
    private readonly lim: ArchiveLimits,
    private readonly fail: Fail,
  ) {}

  async get(name: string): Promise<Buffer | undefined> {
    const segments = name.split('/').filter((s) => s !== '' && s !== '.');
    let current = this.root;
    for (let k = 0; k < segments.length; k++) {
      current = path.join(current, segments[k]!);
      const shown = segments.slice(0, k + 1).join('/');
      let st: Stats;
      try {
        st = await lstat(current);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
        if (code === 'EACCES') this.fail(`permission denied reading ${quote(shown)}`);
        throw err;
      }
      if (st.isSymbolicLink()) this.fail(`refusing symbolic link ${quote(shown)} in the snapshot directory`);
      if (k < segments.length - 1 && !st.isDirectory()) return undefined;
      if (k === segments.length - 1 && !st.isFile()) this.fail(`refusing ${quote(shown)}: ${kindOf(st)}, not a regular file`);
    }
    return this.readRegular(current, name);
  }

  private async readRegular(file: string, name: string): Promise<Buffer> {
    // O_NOFOLLOW and the fstat re-check close the gap between lstat above and open here.
    const fh = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ELOOP') this.fail(`refusing symbolic link ${quote(name)} in the snapshot directory`);
      if (err.code === 'EACCES') this.fail(`permission denied reading ${quote(name)}`);
      throw err;
    });
    try {
      const st = await fh.stat();
      if (!st.isFile()) this.fail(`refusing ${quote(name)}: ${kindOf(st)}, not a regular file`);
      if (st.size > this.lim.maxMemberBytes) {
        this.fail(`member ${quote(name)} is ${size(st.size)}, over the ${size(this.lim.maxMemberBytes)} limit for one member (see --max-size)`);
      }
      // Read one byte more than announced, to notice a file that grows while we read it.
      const buf = Buffer.alloc(st.size + 1);
      let filled = 0;
      while (filled < buf.length) {
        const {bytesRead} = await fh.read(buf, filled, buf.length - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      if (filled > st.size) this.fail(`member ${quote(name)} changed while it was read`);
      this.total += filled;
      if (this.total > this.lim.maxTotalBytes) this.fail(`snapshot content is over the ${size(this.lim.maxTotalBytes)} limit (see --max-size)`);
      return buf.subarray(0, filled);
    } finally {
      await fh.close();
    }
  }
}

// --- manifest ----------------------------------------------------------------------------------

function parseManifest(bytes: Buffer, fail: Fail): Manifest {
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    fail(`manifest.json is not valid JSON (${(err as Error).message})`);
  }
  if (!isObject(value)) fail('manifest.json is not a JSON object');
  // Format first: a future version may change every other field.
  if (value.format !== SNAPSHOT_FORMAT) {
    fail(`not a tapdoctor snapshot: manifest.json format is ${JSON.stringify(value.format) ?? 'missing'}, expected "${SNAPSHOT_FORMAT}"`);
  }
  if (value.formatVersion !== SNAPSHOT_FORMAT_VERSION) {
    fail(`snapshot format version ${JSON.stringify(value.formatVersion) ?? 'missing'} is not supported (this tapdoctor reads version ${SNAPSHOT_FORMAT_VERSION})`);
  }
  const invalid = (what: string): never => fail(`manifest.json is invalid: ${what}`);
  const tool = value.tool;
  if (!isObject(tool) || typeof tool.name !== 'string' || typeof tool.version !== 'string') invalid('tool must be {name, version} strings');
  for (const field of ['hostname', 'capturedAt', 'root'] as const) if (typeof value[field] !== 'string') invalid(`${field} must be a string`);
  if (typeof value.collectedAsRoot !== 'boolean') invalid('collectedAsRoot must be a boolean');
  if (!isObject(value.sources)) invalid('sources must be an object');
  for (const [name, source] of Object.entries(value.sources as Record<string, unknown>)) checkSource(name, source, invalid, fail);
  return value as unknown as Manifest;
}

function checkSource(name: string, source: unknown, invalid: (what: string) => never, fail: Fail): asserts source is SourceRecord {
  const at = `sources[${JSON.stringify(name)}]`;
  if (!isObject(source)) invalid(`${at} must be an object`);
  if (typeof source.name !== 'string') invalid(`${at}.name must be a string`);
  if (source.status !== 'ok' && source.status !== 'failed') invalid(`${at}.status must be "ok" or "failed"`);
  if (source.reason !== undefined && typeof source.reason !== 'string') invalid(`${at}.reason must be a string`);
  if (!Array.isArray(source.entries)) invalid(`${at}.entries must be an array`);
  (source.entries as unknown[]).forEach((entry, i) => checkEntry(`${at}.entries[${i}]`, entry, invalid, fail));
}

const OPTIONAL_ENTRY_FIELDS: Record<string, string> = {
  key: 'string',
  stderr: 'string',
  error: 'string',
  absent: 'boolean',
  mode: 'number',
  linkTarget: 'string',
};

function checkEntry(at: string, entry: unknown, invalid: (what: string) => never, fail: Fail): asserts entry is EntryRecord {
  if (!isObject(entry)) invalid(`${at} must be an object`);
  if (typeof entry.path !== 'string') invalid(`${at}.path must be a string`);
  if (typeof entry.binding !== 'string') invalid(`${at}.binding must be a string`);
  for (const field of ['durationMs', 'bytes'] as const) if (typeof entry[field] !== 'number') invalid(`${at}.${field} must be a number`);
  if (typeof entry.truncated !== 'boolean') invalid(`${at}.truncated must be a boolean`);
  if (entry.exitCode !== undefined && entry.exitCode !== null && typeof entry.exitCode !== 'number') invalid(`${at}.exitCode must be a number or null`);
  for (const [field, type] of Object.entries(OPTIONAL_ENTRY_FIELDS)) {
    if (entry[field] !== undefined && typeof entry[field] !== type) invalid(`${at}.${field} must be a ${type}`);
  }
  if (entry.redacted !== undefined && !(Array.isArray(entry.redacted) && entry.redacted.every((r) => typeof r === 'string'))) {
    invalid(`${at}.redacted must be an array of strings`);
  }
  // The path is used to look up (and, for a directory, open) the content: it must stay inside.
  const p = entry.path as string;
  const segments = p.split('/');
  if (!(p.startsWith('commands/') || p.startsWith('files/')) || segments.includes('..') || p.includes('\u0000')) {
    fail(`manifest.json entry path ${quote(p)} is unsafe (must stay below commands/ or files/)`);
  }
}

// --- helpers -----------------------------------------------------------------------------------

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/** A member name for a message: quoted and clipped (fail() escapes control characters). */
function quote(s: string): string {
  const shown = s.length > 120 ? `${s.slice(0, 120)}…` : s;
  return `'${shown}'`;
}

/** UserError messages are one line: escape every control character (names come from the input). */
function oneLine(message: string): string {
  return message.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < MiB) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 * MiB) return `${(bytes / MiB).toFixed(1)} MiB`;
  return `${(bytes / (1024 * MiB)).toFixed(1)} GiB`;
}
