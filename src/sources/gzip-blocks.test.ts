import {execFileSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {gunzipSync, gzipSync} from 'node:zlib';
import {afterAll, describe, expect, it} from 'vitest';
import {readSnapshot} from './archive.js';
import {GZIP_BLOCK, gzipBlocks, gzipBlockSpans} from './gzip-blocks.js';
import {packSnapshot} from './write.js';
import {SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_VERSION, type Snapshot} from './snapshot.js';

const dir = mkdtempSync(join(tmpdir(), 'td-gzblocks-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

/** Bytes that do not compress to nothing: a rule dump's worth of varied lines. */
const lines = (bytes: number) => {
  const out: string[] = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const l = `[${i % 97}:${(i * 31) % 1009}] -A FORWARD -s 10.${i % 256}.${(i >> 8) % 256}.0/24 -i br1 -o eth${i % 3} -j ACCEPT\n`;
    out.push(l);
    n += l.length;
  }
  return Buffer.from(out.join('').slice(0, bytes));
};

describe('gzipBlocks', () => {
  it.each([0, 1, GZIP_BLOCK - 1, GZIP_BLOCK, GZIP_BLOCK + 1, 2 * GZIP_BLOCK + 12345])('%i bytes: any gzip reader gets them back; the spans cover it, one per block', (n) => {
    const data = lines(n);
    const gz = gzipBlocks(data);
    expect(gunzipSync(gz).equals(data)).toBe(true);
    const spans = gzipBlockSpans(gz)!;
    expect(spans).toHaveLength(Math.max(1, Math.ceil(n / GZIP_BLOCK)));
    expect(spans[0]![0]).toBe(0);
    expect(spans.at(-1)![1]).toBe(gz.length);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBe(spans[i - 1]![1]);
    // Each span is a gzip member of its own.
    expect(Buffer.concat(spans.map(([a, b]) => gunzipSync(gz.subarray(a, b)))).equals(data)).toBe(true);
    expect(gzipBlocks(data).equals(gz)).toBe(true);
  });

  it('is read by gzip(1) as one stream', () => {
    const data = lines(GZIP_BLOCK + 1000);
    const file = join(dir, 'x.gz');
    writeFileSync(file, gzipBlocks(data));
    expect(execFileSync('gzip', ['-dc', file], {maxBuffer: 64 << 20}).equals(data)).toBe(true);
  });

  it('finds no blocks in any other gzip, a truncated one, one with bytes appended or a member length altered', () => {
    const gz = gzipBlocks(lines(GZIP_BLOCK + 5000));
    expect(gzipBlockSpans(gzipSync(lines(1000)))).toBeUndefined();
    expect(gzipBlockSpans(gz.subarray(0, gz.length - 1))).toBeUndefined();
    expect(gzipBlockSpans(Buffer.concat([gz, Buffer.from([0])]))).toBeUndefined();
    const altered = Buffer.from(gz);
    altered.writeUInt32LE(altered.readUInt32LE(16) + 1, 16);
    expect(gzipBlockSpans(altered)).toBeUndefined();
    const tiny = Buffer.from(gz);
    tiny.writeUInt32LE(4, 16);
    expect(gzipBlockSpans(tiny)).toBeUndefined();
  });
});

describe('snapshots in blocked gzip', () => {
  const snapshot = (): Snapshot => {
    const rules = lines(2 * GZIP_BLOCK + 777);
    return {
      manifest: {
        format: SNAPSHOT_FORMAT,
        formatVersion: SNAPSHOT_FORMAT_VERSION,
        tool: {name: 'tapdoctor', version: 'test'},
        hostname: 'big',
        capturedAt: '2026-12-06T00:00:00.000Z',
        root: '/',
        collectedAsRoot: true,
        sources: {'iptables.save': {name: 'iptables.save', status: 'ok', entries: [{path: 'commands/iptables.save', binding: 'iptables-save -c', exitCode: 0, durationMs: 1, bytes: rules.length, truncated: false}]}},
      },
      contents: new Map([['commands/iptables.save', rules]]),
    };
  };

  it('are written so, and read back whole: the same snapshot as from one gzip stream of the same tar', async () => {
    const s = snapshot();
    const packed = packSnapshot(s);
    expect(gzipBlockSpans(packed)!.length).toBeGreaterThan(2);
    const blocked = join(dir, 'blocked.tar.gz');
    const stream = join(dir, 'stream.tar.gz');
    writeFileSync(blocked, packed);
    writeFileSync(stream, gzipSync(gunzipSync(packed)));
    const [a, b] = await Promise.all([readSnapshot(blocked), readSnapshot(stream)]);
    expect(a.contents.get('commands/iptables.save')!.equals(s.contents.get('commands/iptables.save')!)).toBe(true);
    expect(a.manifest).toEqual(b.manifest);
    expect([...a.contents.keys()]).toEqual([...b.contents.keys()]);
  });
});
