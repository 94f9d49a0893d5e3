// Builders for the hostile-input corpus. Each crafts raw tar headers itself (independently of
// src/sources/write.ts, so a bug there cannot hide one here) and returns the file's bytes.
// The small results are committed under test/hostile/corpus/ (regenerate with
// `npx vite-node test/hostile/build-corpus.ts`); big ones (the gzip bomb) are made at test time.

import {gzipSync} from 'node:zlib';

export interface RawMember {
  name: string;
  /** Tar type flag: '0' file, '1' hard link, '2' symlink, '3' char dev, '4' block dev, '5' dir, '6' FIFO, 'x' pax, 'L' GNU long name. */
  type?: string;
  data?: Buffer | string;
  linkname?: string;
  /** Size to declare in the header instead of the data's length. */
  declaredSize?: number;
  devmajor?: number;
  devminor?: number;
}

const BLOCK = 512;

export function rawHeader(m: RawMember, dataLength: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  const field = (offset: number, length: number, value: number) => h.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length, 'latin1');
  h.write(m.name.slice(0, 100), 0, 100, 'utf8');
  field(100, 8, 0o644);
  field(108, 8, 1000);
  field(116, 8, 1000);
  field(124, 12, m.declaredSize ?? dataLength);
  field(136, 12, 1735689600); // 2025-01-01
  h.write(m.type ?? '0', 156, 'latin1');
  if (m.linkname) h.write(m.linkname.slice(0, 100), 157, 100, 'utf8');
  h.write('ustar\u000000', 257, 'latin1');
  h.write('root', 265, 'latin1');
  h.write('root', 297, 'latin1');
  field(329, 8, m.devmajor ?? 0);
  field(337, 8, m.devminor ?? 0);
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

/** A tar stream of the members, ended by two zero blocks unless `end: false`. */
export function rawTar(members: RawMember[], opts: {end?: boolean} = {}): Buffer {
  const parts: Buffer[] = [];
  for (const m of members) {
    const data = typeof m.data === 'string' ? Buffer.from(m.data, 'utf8') : (m.data ?? Buffer.alloc(0));
    parts.push(rawHeader(m, data.length), data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK));
  }
  if (opts.end !== false) parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

export function paxData(records: Record<string, string>): Buffer {
  let out = '';
  for (const [key, value] of Object.entries(records)) {
    const body = ` ${key}=${value}\n`;
    let length = Buffer.byteLength(body) + 1;
    while (String(length).length + Buffer.byteLength(body) !== length) length = String(length).length + Buffer.byteLength(body);
    out += `${length}${body}`;
  }
  return Buffer.from(out, 'utf8');
}

export function gz(buf: Buffer): Buffer {
  return gzipSync(buf, {level: 9});
}

export const IP_ADDR = '[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP"],"addr_info":[]}]\n';

/** A valid manifest with one source, `ip.addr`, captured at `commands/ip.addr`. */
export function manifest(overrides: Record<string, unknown> = {}, entryPath = 'commands/ip.addr'): string {
  return JSON.stringify({
    format: 'tapdoctor-snapshot',
    formatVersion: 1,
    tool: {name: 'tapdoctor', version: '0.1.0'},
    hostname: 'worker1',
    capturedAt: '2025-01-01T00:00:00.000Z',
    root: '/',
    collectedAsRoot: true,
    sources: {
      'ip.addr': {
        name: 'ip.addr',
        status: 'ok',
        entries: [{path: entryPath, binding: 'ip -j -d addr show', exitCode: 0, durationMs: 5, bytes: IP_ADDR.length, truncated: false}],
      },
    },
    ...overrides,
  });
}

const MANIFEST: RawMember = {name: 'manifest.json', data: manifest()};
const IP_ADDR_MEMBER: RawMember = {name: 'commands/ip.addr', data: IP_ADDR};

/** A valid snapshot tar with the given extra members after the manifest and ip.addr. */
export function snapshotTar(...extra: RawMember[]): Buffer {
  return rawTar([MANIFEST, IP_ADDR_MEMBER, ...extra]);
}

/** Deterministic pseudo-random bytes (xorshift32), so the committed file can be rebuilt. */
export function pseudoRandom(length: number, seed = 0x7a9d0c3b): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

function flipGzipCrc(buf: Buffer): Buffer {
  const out = Buffer.from(buf);
  // The trailer is CRC32 then ISIZE: damaging the CRC gives a well-formed stream that fails the check.
  out[out.length - 8] ^= 0xff;
  return out;
}

/**
 * The committed corpus: file name -> builder. `.tar.gz` files are gzip'd (the reader detects gzip
 * by magic bytes), `.tar` files are plain. `*.tgz` is git-ignored in this repository, hence `.tar.gz`.
 */
export const CORPUS: Record<string, () => Buffer> = {
  'traversal.tar.gz': () => gz(snapshotTar({name: '../x', data: 'pwned\n'})),
  'absolute.tar.gz': () => gz(snapshotTar({name: '/etc/cron.d/tapdoctor-evil', data: '* * * * * root id\n'})),
  'pax-traversal.tar': () =>
    snapshotTar({name: 'PaxHeader/x', type: 'x', data: paxData({path: 'files/../../../etc/cron.d/evil'})}, {name: 'files/innocent', data: 'x\n'}),
  'gnu-longname-traversal.tar.gz': () =>
    gz(snapshotTar({name: '././@LongLink', type: 'L', data: `${'../'.repeat(40)}etc/evil\0`}, {name: 'files/innocent', data: 'x\n'})),
  'symlink-out.tar.gz': () => gz(snapshotTar({name: 'files/etc/fstab', type: '2', linkname: '/etc/shadow'})),
  'hardlink-out.tar.gz': () => gz(snapshotTar({name: 'files/etc/passwd', type: '1', linkname: '../../../etc/shadow'})),
  'chardev.tar.gz': () => gz(snapshotTar({name: 'files/dev/zero', type: '3', devmajor: 1, devminor: 5})),
  'blockdev.tar.gz': () => gz(snapshotTar({name: 'files/dev/sda', type: '4', devmajor: 8, devminor: 0})),
  'fifo.tar.gz': () => gz(snapshotTar({name: 'commands/nft.ruleset', type: '6'})),
  'oversized.tar.gz': () => gz(snapshotTar({name: 'commands/iptables.save', data: Buffer.alloc(4096, 0x41)})),
  'truncated.tar.gz': () => {
    const whole = gz(snapshotTar({name: 'files/etc/os-release', data: pseudoRandom(8192).toString('hex')}));
    return whole.subarray(0, Math.floor(whole.length / 2));
  },
  'bad-crc.tar.gz': () => flipGzipCrc(gz(snapshotTar())),
  'truncated.tar': () => {
    const whole = snapshotTar({name: 'files/etc/os-release', data: 'NAME="openSUSE Leap"\n'.repeat(100)});
    return whole.subarray(0, 2 * BLOCK + 1200);
  },
  'corrupt-header.tar': () => Buffer.concat([rawTar([MANIFEST], {end: false}), pseudoRandom(BLOCK, 42), Buffer.alloc(2 * BLOCK)]),
  'random.bin': () => pseudoRandom(4096),
  'empty.tar.gz': () => Buffer.alloc(0),
  'wrong-version.tar.gz': () => gz(rawTar([{name: 'manifest.json', data: manifest({formatVersion: 99})}, IP_ADDR_MEMBER])),
  'wrong-format.tar.gz': () => gz(rawTar([{name: 'manifest.json', data: manifest({format: 'sosreport'})}, IP_ADDR_MEMBER])),
  'no-manifest.tar.gz': () => gz(rawTar([IP_ADDR_MEMBER])),
  'manifest-not-json.tar.gz': () => gz(rawTar([{name: 'manifest.json', data: '{"format": "tapdoctor-snapshot", oops'}, IP_ADDR_MEMBER])),
  'manifest-missing-field.tar.gz': () => {
    const m = JSON.parse(manifest()) as Record<string, unknown>;
    delete m.hostname;
    return gz(rawTar([{name: 'manifest.json', data: JSON.stringify(m)}, IP_ADDR_MEMBER]));
  },
  'unsafe-entry-path.tar.gz': () => gz(rawTar([{name: 'manifest.json', data: manifest({}, 'files/../../etc/shadow')}, IP_ADDR_MEMBER])),
  'duplicate-member.tar.gz': () => gz(snapshotTar({name: 'commands/ip.addr', data: '[]\n'})),
};
