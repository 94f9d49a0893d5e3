// Hostile input through readSnapshot: every case must end as one UserError line naming the input
// and the reason, and nothing may be written to disk (we never extract).

import {execFileSync} from 'node:child_process';
import {mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, createWriteStream} from 'node:fs';
import path from 'node:path';
import {Readable} from 'node:stream';
import {pipeline} from 'node:stream/promises';
import {fileURLToPath} from 'node:url';
import {constants as zc, createGzip, gzipSync, inflateRawSync} from 'node:zlib';

import {afterAll, beforeAll, describe, expect, it} from 'vitest';

import {UserError} from '../../src/errors.js';
import {readSnapshot, type ArchiveLimits} from '../../src/sources/archive.js';
import {blockMember, GZIP_BLOCK, gzipBlocks, gzipBlockSpans} from '../../src/sources/gzip-blocks.js';
import {useTempDir} from '../helpers/temp-dir.js';
import {CORPUS, IP_ADDR, manifest, rawHeader, rawTar} from './corpus.js';

const corpusDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'corpus');
const corpus = (name: string) => path.join(corpusDir, name);

let cwdBefore: string;
let emptyCwd: string;
let corpusListing: string[];

const work = useTempDir('tapdoctor-hostile-', 'all');
beforeAll(() => {
  // Run from an empty directory: a reader that extracted anything would leave it here.
  emptyCwd = path.join(work(), 'cwd');
  mkdirSync(emptyCwd);
  cwdBefore = process.cwd();
  process.chdir(emptyCwd);
  corpusListing = readdirSync(corpusDir).sort();
});

afterAll(() => {
  process.chdir(cwdBefore);
});

/** The UserError readSnapshot rejects with; fails the test if it resolves or throws anything else. */
async function refusal(input: string, limits?: Partial<ArchiveLimits>): Promise<string> {
  const err = await readSnapshot(input, limits).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserError);
  const message = (err as UserError).message;
  expect(message).not.toMatch(/[\r\n]/);
  expect((err as UserError).exitCode).toBe(2);
  return message;
}

describe('committed hostile corpus', () => {
  const cases: Array<[file: string, expected: string | RegExp, limits?: Partial<ArchiveLimits>]> = [
    ['traversal.tar.gz', "refusing member '../x': path leaves the archive root"],
    ['absolute.tar.gz', "refusing member '/etc/cron.d/tapdoctor-evil': absolute path"],
    ['pax-traversal.tar', "refusing member 'files/../../../etc/cron.d/evil': path leaves the archive root"],
    ['gnu-longname-traversal.tar.gz', /^refusing member '(\.\.\/){40}…': path leaves the archive root$/],
    ['symlink-out.tar.gz', "refusing symbolic link member 'files/etc/fstab' -> '/etc/shadow': snapshots never contain links"],
    ['hardlink-out.tar.gz', "refusing hard link member 'files/etc/passwd' -> '../../../etc/shadow': snapshots never contain links"],
    ['chardev.tar.gz', "refusing character device member 'files/dev/zero'"],
    ['blockdev.tar.gz', "refusing block device member 'files/dev/sda'"],
    ['fifo.tar.gz', "refusing FIFO member 'commands/nft.ruleset'"],
    ['oversized.tar.gz', "member 'commands/iptables.save' is 4.0 KiB, over the 1.0 KiB limit for one member (see --max-size)", {maxMemberBytes: 1024}],
    ['oversized.tar.gz', 'archive content is over the 3.0 KiB limit (see --max-size)', {maxTotalBytes: 3072}],
    ['truncated.tar.gz', 'truncated gzip data (unexpected end of file)'],
    ['bad-crc.tar.gz', 'corrupt gzip data (incorrect data check)'],
    ['truncated.tar', 'truncated tar archive (a member ends past the end of the data)'],
    ['corrupt-header.tar', 'corrupt tar header at byte 1024'],
    ['random.bin', 'not a tapdoctor snapshot: not a tar or tar.gz archive'],
    ['empty.tar.gz', 'empty file, not a tapdoctor snapshot'],
    ['wrong-version.tar.gz', 'snapshot format version 99 is not supported (this tapdoctor reads version 1)'],
    ['wrong-format.tar.gz', 'not a tapdoctor snapshot: manifest.json format is "sosreport", expected "tapdoctor-snapshot"'],
    ['no-manifest.tar.gz', 'not a tapdoctor snapshot: no manifest.json'],
    ['manifest-not-json.tar.gz', /^manifest\.json is not valid JSON \(.+\)$/],
    ['manifest-missing-field.tar.gz', 'manifest.json is invalid: hostname must be a string'],
    ['unsafe-entry-path.tar.gz', "manifest.json entry path 'files/../../etc/shadow' is unsafe (must stay below commands/ or files/)"],
    ['duplicate-member.tar.gz', "duplicate member 'commands/ip.addr'"],
  ];

  it.each(cases)('%s is refused with the exact reason', async (file, expected, limits) => {
    const message = await refusal(corpus(file), limits);
    const prefix = `${corpus(file)}: `;
    expect(message.startsWith(prefix)).toBe(true);
    const reason = message.slice(prefix.length);
    if (typeof expected === 'string') expect(reason).toBe(expected);
    else expect(reason).toMatch(expected);
  });

  it('covers every committed file', () => {
    expect(new Set(cases.map(([file]) => file))).toEqual(new Set(Object.keys(CORPUS)));
    expect(corpusListing).toEqual(Object.keys(CORPUS).sort());
  });

  it('matches its builders (rebuild with `npx vite-node test/hostile/build-corpus.ts`)', () => {
    // gzip bytes may differ between zlib builds: compare what they inflate to, tolerating a cut.
    const inflate = (b: Buffer) => (b.length === 0 ? b : inflateRawSync(b.subarray(10), {finishFlush: zc.Z_SYNC_FLUSH}));
    for (const [file, build] of Object.entries(CORPUS)) {
      const committed = readFileSync(corpus(file));
      const built = build();
      if (!file.endsWith('.gz')) {
        expect(committed.equals(built), file).toBe(true);
        continue;
      }
      const [a, b] = [inflate(committed), inflate(built)];
      if (file.startsWith('truncated')) {
        const n = Math.min(a.length, b.length);
        expect(n, file).toBeGreaterThan(0);
        expect(a.subarray(0, n).equals(b.subarray(0, n)), file).toBe(true);
      } else {
        expect(a.equals(b), file).toBe(true);
      }
    }
  });
});

describe('generated at test time', () => {
  it('refuses a gzip bomb after inflating a few MiB, not the whole member', async () => {
    // A 60 MiB member of zeros: under the per-member and total limits, so only the ratio catches it.
    const bomb = path.join(work(), 'bomb.tar.gz');
    const memberSize = 60 * 1024 * 1024;
    async function* tarStream() {
      yield rawTar([{name: 'manifest.json', data: manifest()}], {end: false});
      yield rawHeader({name: 'commands/ip.addr'}, memberSize);
      const zeros = Buffer.alloc(1024 * 1024);
      for (let i = 0; i < memberSize / zeros.length; i++) yield zeros;
      yield Buffer.alloc(1024);
    }
    await pipeline(Readable.from(tarStream()), createGzip(), createWriteStream(bomb));
    const message = await refusal(bomb);
    const m = /^.*: refusing a likely decompression bomb: ([\d.]+) MiB inflated from ([\d.]+) KiB \(ratio above 200:1\)$/.exec(message);
    expect(m, message).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(8);
    expect(Number(m![1])).toBeLessThan(16);
    rmSync(bomb);
  });

  // tapdoctor's own snapshots are blocked gzip (src/sources/gzip-blocks.ts), inflated block by block.
  const blockedTar = (memberSize: number) => {
    const body = Buffer.alloc(memberSize);
    return Buffer.concat([rawTar([{name: 'manifest.json', data: manifest()}], {end: false}), rawHeader({name: 'commands/ip.addr'}, memberSize), body, Buffer.alloc(Math.ceil(memberSize / 512) * 512 - memberSize), Buffer.alloc(1024)]);
  };

  it('refuses a blocked-gzip bomb by the same ratio, after a few blocks', async () => {
    const bomb = path.join(work(), 'blocked-bomb.tar.gz');
    writeFileSync(bomb, gzipBlocks(blockedTar(60 * 1024 * 1024)));
    const message = await refusal(bomb);
    const m = /^.*: refusing a likely decompression bomb: ([\d.]+) MiB inflated from ([\d.]+) KiB \(ratio above 200:1\)$/.exec(message);
    expect(m, message).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(8);
    expect(Number(m![1])).toBeLessThan(16);
  });

  it('refuses a block that inflates past the block size tapdoctor writes', async () => {
    const file = path.join(work(), 'fat-block.tar.gz');
    writeFileSync(file, blockMember(gzipSync(blockedTar(GZIP_BLOCK + 4096))));
    expect(await refusal(file)).toMatch(/: refusing a likely decompression bomb: gzip block 1 inflates past 4\.0 MiB \(tapdoctor writes blocks of 4\.0 MiB\)$/);
  });

  it('refuses a blocked gzip whose second block is corrupt (zlib judges each block)', async () => {
    const file = path.join(work(), 'corrupt-block.tar.gz');
    const tar = rawTar([{name: 'manifest.json', data: manifest()}, {name: 'commands/ip.addr', data: IP_ADDR.repeat(60_000)}]);
    const gz = gzipBlocks(tar);
    const spans = gzipBlockSpans(gz)!;
    expect(spans.length).toBeGreaterThan(1);
    // A byte of the second block's trailer (its CRC): the deflate data stays valid, only the check fails.
    gz[spans[1]![1] - 6] ^= 0xff;
    writeFileSync(file, gz);
    expect(await refusal(file)).toMatch(/: corrupt gzip data \(incorrect data check\)$/);
  });

  it('refuses a member whose declared size is over the total before inflating it', async () => {
    const file = path.join(work(), 'big-declared.tar');
    // Only 5 KiB of the declared 50 KB follow: a reader that did not judge the header would say "truncated".
    writeFileSync(file, Buffer.concat([rawTar([{name: 'manifest.json', data: manifest()}], {end: false}), rawHeader({name: 'commands/ip.addr'}, 50_000), Buffer.alloc(5120)]));
    expect(await refusal(file, {maxTotalBytes: 20_000, maxMemberBytes: 100_000})).toBe(`${file}: archive content is over the 19.5 KiB limit (see --max-size)`);
    rmSync(file);
  });

  it('says a missing path does not exist', async () => {
    const missing = path.join(work(), 'nope.tar.gz');
    expect(await refusal(missing)).toBe(`no such file or directory: ${missing}`);
  });

  it('refuses a FIFO given as the input without blocking on it', async () => {
    const fifo = path.join(work(), 'input.fifo');
    execFileSync('mkfifo', [fifo]);
    expect(await refusal(fifo)).toBe(`${fifo}: a FIFO, not a snapshot file or directory`);
    rmSync(fifo);
  });

  it('refuses a character device given as the input (endless /dev/zero)', async () => {
    expect(await refusal('/dev/zero')).toBe('/dev/zero: a character device, not a snapshot file or directory');
  });

  it('reads xz, and refuses truncated or corrupt xz data and other compressions', async () => {
    const tar = rawTar([{name: 'manifest.json', data: manifest()}]);
    const xz = execFileSync('xz', ['-c', '--check=crc64'], {input: tar});
    const good = path.join(work(), 'snap.tar.xz');
    writeFileSync(good, xz);
    expect((await readSnapshot(good)).manifest.hostname).toBe(JSON.parse(manifest()).hostname);
    const truncated = path.join(work(), 'truncated.tar.xz');
    writeFileSync(truncated, xz.subarray(0, xz.length - 40));
    expect(await refusal(truncated)).toBe(`${truncated}: truncated xz data (unexpected end of file)`);
    const corrupt = Buffer.from(xz);
    corrupt[corrupt.length - 30]! ^= 0xff; // inside the stream index/check
    const bad = path.join(work(), 'corrupt.tar.xz');
    writeFileSync(bad, corrupt);
    expect(await refusal(bad)).toMatch(/: corrupt xz data \(/);
    const zstd = path.join(work(), 'snap.tar.zst');
    writeFileSync(zstd, Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3]));
    expect(await refusal(zstd)).toBe(`${zstd}: compressed with zstd; tapdoctor reads .tar.gz, .tar.xz, .tar or a directory (decompress it first)`);
    for (const f of [good, truncated, bad, zstd]) rmSync(f);
  });

  it('refuses an xz bomb after inflating a few MiB', async () => {
    const bomb = path.join(work(), 'bomb.tar.xz');
    const memberSize = 60 * 1024 * 1024;
    const tar = Buffer.concat([rawTar([{name: 'manifest.json', data: manifest()}], {end: false}), rawHeader({name: 'commands/ip.addr'}, memberSize), Buffer.alloc(memberSize), Buffer.alloc(1024)]);
    writeFileSync(bomb, execFileSync('xz', ['-c', '-1'], {input: tar, maxBuffer: 64 * 1024 * 1024}));
    const message = await refusal(bomb);
    const m = /^.*: refusing a likely decompression bomb: ([\d.]+) MiB inflated from ([\d.]+) KiB \(ratio above 200:1\)$/.exec(message);
    expect(m, message).not.toBeNull();
    expect(Number(m![1])).toBeLessThan(16);
    rmSync(bomb);
  });

  it('escapes control characters so the message stays one line', async () => {
    const file = path.join(work(), 'newline.tar');
    writeFileSync(file, rawTar([{name: 'manifest.json', data: manifest()}, {name: 'evil\nname', type: '2', linkname: '/etc/shadow'}]));
    expect(await refusal(file)).toBe(`${file}: refusing symbolic link member 'evil\\x0aname' -> '/etc/shadow': snapshots never contain links`);
    rmSync(file);
  });
});

describe('hostile unpacked directories', () => {
  let n = 0;
  /** A fresh snapshot directory with a valid manifest; `setup` then makes it hostile. */
  function snapshotDir(setup: (dir: string) => void, manifestText = manifest()): string {
    const dir = path.join(work(), `dir${n++}`);
    mkdirSync(path.join(dir, 'commands'), {recursive: true});
    writeFileSync(path.join(dir, 'manifest.json'), manifestText);
    setup(dir);
    return dir;
  }

  it('refuses a symlink member pointing out of the directory', async () => {
    const dir = snapshotDir((d) => symlinkSync('/etc/passwd', path.join(d, 'commands/ip.addr')));
    expect(await refusal(dir)).toBe(`${dir}: refusing symbolic link 'commands/ip.addr' in the snapshot directory`);
  });

  it('refuses a symlinked directory on the way to a member', async () => {
    const dir = snapshotDir((d) => symlinkSync('/', path.join(d, 'files')), manifest({}, 'files/etc/passwd'));
    expect(await refusal(dir)).toBe(`${dir}: refusing symbolic link 'files' in the snapshot directory`);
  });

  it('refuses a symlinked manifest.json', async () => {
    const dir = path.join(work(), 'linked-manifest');
    mkdirSync(dir);
    const real = path.join(work(), 'elsewhere.json');
    writeFileSync(real, manifest());
    symlinkSync(real, path.join(dir, 'manifest.json'));
    expect(await refusal(dir)).toBe(`${dir}: refusing symbolic link 'manifest.json' in the snapshot directory`);
  });

  it('refuses a FIFO member without blocking on it', async () => {
    const dir = snapshotDir((d) => execFileSync('mkfifo', [path.join(d, 'commands/ip.addr')]));
    expect(await refusal(dir)).toBe(`${dir}: refusing 'commands/ip.addr': a FIFO, not a regular file`);
  });

  it('refuses a member over the per-member limit', async () => {
    const dir = snapshotDir((d) => writeFileSync(path.join(d, 'commands/ip.addr'), Buffer.alloc(2048, 0x20)));
    expect(await refusal(dir, {maxMemberBytes: 1024})).toBe(`${dir}: member 'commands/ip.addr' is 2.0 KiB, over the 1.0 KiB limit for one member (see --max-size)`);
  });

  it('refuses content over the total limit', async () => {
    const dir = snapshotDir((d) => writeFileSync(path.join(d, 'commands/ip.addr'), IP_ADDR));
    expect(await refusal(dir, {maxTotalBytes: 400})).toBe(`${dir}: snapshot content is over the 400 B limit (see --max-size)`);
  });

  it('refuses an entry path that climbs out before opening anything', async () => {
    const dir = snapshotDir(() => undefined, manifest({}, 'commands/../../../etc/passwd'));
    expect(await refusal(dir)).toBe(`${dir}: manifest.json entry path 'commands/../../../etc/passwd' is unsafe (must stay below commands/ or files/)`);
  });

  it('says a directory without manifest.json is not a snapshot', async () => {
    const dir = path.join(work(), 'not-a-snapshot');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'README'), 'hello\n');
    expect(await refusal(dir)).toBe(`${dir}: not a tapdoctor snapshot: no manifest.json`);
  });
});

describe('no trace on disk', () => {
  it('left the working directory empty and the corpus unchanged', () => {
    expect(readdirSync(emptyCwd)).toEqual([]);
    expect(readdirSync(corpusDir).sort()).toEqual(corpusListing);
  });
});
