import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {gzipSync} from 'node:zlib';

import fc from 'fast-check';
import * as tar from 'tar';
import {describe, expect, it} from 'vitest';

import {UserError} from '../errors.js';
import {DEFAULT_LIMITS, readSnapshot} from './archive.js';
import {SnapshotView, type Manifest} from './snapshot.js';
import {tarBytes} from './write.js';
import {testManifest} from '../../test/helpers/snapshot.js';
import {useTempDir} from '../../test/helpers/temp-dir.js';

function manifest(): Manifest {
  return testManifest(
    {
      'ip.addr': {name: 'ip.addr', status: 'ok', entries: [{path: 'commands/ip.addr', binding: 'ip -j -d addr show', exitCode: 0, durationMs: 1, bytes: 3, truncated: false}]},
      'ovs.flows': {
        name: 'ovs.flows',
        status: 'ok',
        entries: [
          {path: 'commands/ovs.flows/br1', binding: 'ovs-ofctl dump-flows br1', key: 'br1', exitCode: 0, durationMs: 1, bytes: 10, truncated: false},
          {path: 'commands/ovs.flows/br2', binding: 'ovs-ofctl dump-flows br2', key: 'br2', exitCode: 1, durationMs: 1, bytes: 0, truncated: false, error: 'needs root'},
        ],
      },
      fstab: {name: 'fstab', status: 'ok', entries: [{path: 'files/etc/fstab', binding: '/etc/fstab', durationMs: 0, bytes: 0, truncated: false, absent: true}]},
    },
    {collectedAsRoot: false},
  );
}

const MEMBERS = [
  {name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest()))},
  {name: 'commands/ip.addr', data: Buffer.from('[]\n')},
  {name: 'commands/ovs.flows/br1', data: Buffer.from(' cookie=0x0, priority=0 actions=NORMAL\n')},
  // Not named by the manifest: ignored.
  {name: 'commands/stray', data: Buffer.from('ignored')},
];

const EXPECTED_CONTENTS = new Map([
  ['commands/ip.addr', Buffer.from('[]\n')],
  ['commands/ovs.flows/br1', Buffer.from(' cookie=0x0, priority=0 actions=NORMAL\n')],
]);

const dir = useTempDir('tapdoctor-archive-', 'all');

function file(name: string, bytes: Buffer): string {
  const p = path.join(dir(), name);
  writeFileSync(p, bytes);
  return p;
}

function unpacked(name: string): string {
  const root = path.join(dir(), name);
  for (const m of MEMBERS) {
    mkdirSync(path.dirname(path.join(root, m.name)), {recursive: true});
    writeFileSync(path.join(root, m.name), m.data);
  }
  return root;
}

describe('readSnapshot on valid input', () => {
  it('reads a tar.gz: the manifest, and contents of exactly the entries that have any', async () => {
    const snap = await readSnapshot(file('a.tar.gz', gzipSync(tarBytes(MEMBERS))));
    expect(snap.manifest).toEqual(manifest());
    expect(snap.contents).toEqual(EXPECTED_CONTENTS);
  });

  it('detects gzip by magic bytes, not by name, and reads a plain tar too', async () => {
    expect((await readSnapshot(file('gz-named.tar', gzipSync(tarBytes(MEMBERS))))).contents).toEqual(EXPECTED_CONTENTS);
    expect((await readSnapshot(file('plain.tar.gz', tarBytes(MEMBERS)))).contents).toEqual(EXPECTED_CONTENTS);
  });

  it('reads an unpacked directory, through a symlink given as the input itself', async () => {
    const root = unpacked('unpacked');
    expect(await readSnapshot(root)).toEqual({manifest: manifest(), contents: EXPECTED_CONTENTS});
    const link = path.join(dir(), 'link-to-unpacked');
    (await import('node:fs')).symlinkSync(root, link);
    expect((await readSnapshot(link)).contents).toEqual(EXPECTED_CONTENTS);
  });

  it('reads archives made by node-tar from a directory: ./ prefixes, directory entries, a top directory', async () => {
    const root = unpacked('to-pack');
    const dotted = path.join(dir(), 'dotted.tar.gz');
    await tar.c({gzip: true, file: dotted, cwd: root}, ['.']);
    expect((await readSnapshot(dotted)).contents).toEqual(EXPECTED_CONTENTS);
    const wrapped = path.join(dir(), 'wrapped.tar.gz');
    await tar.c({gzip: true, file: wrapped, cwd: dir()}, ['to-pack']);
    expect((await readSnapshot(wrapped)).contents).toEqual(EXPECTED_CONTENTS);
  });

  it('marks an entry whose member is missing as errored and still reads the rest', async () => {
    const snap = await readSnapshot(file('missing-member.tar.gz', gzipSync(tarBytes(MEMBERS.filter((m) => m.name !== 'commands/ip.addr')))));
    const entry = snap.manifest.sources['ip.addr']!.entries[0]!;
    expect(entry.error).toBe('content missing from the snapshot');
    expect(snap.contents.has('commands/ip.addr')).toBe(false);
    const view = new SnapshotView(snap);
    expect(view.command('ip.addr')).toEqual({ok: false, reason: 'could not collect ip.addr: content missing from the snapshot'});
    expect(view.command('ovs.flows', 'br1').ok).toBe(true);
  });

  it('reads an empty member as empty content', async () => {
    const members = MEMBERS.map((m) => (m.name === 'commands/ip.addr' ? {...m, data: Buffer.alloc(0)} : m));
    const snap = await readSnapshot(file('empty-member.tar', tarBytes(members)));
    expect(snap.contents.get('commands/ip.addr')).toEqual(Buffer.alloc(0));
  });

  it('accepts a manifest with a UTF-8 byte order mark', async () => {
    const members = MEMBERS.map((m) => (m.name === 'manifest.json' ? {...m, data: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), m.data])} : m));
    expect((await readSnapshot(file('bom.tar', tarBytes(members)))).manifest).toEqual(manifest());
  });
});

describe('readSnapshot manifest validation', () => {
  async function withManifest(name: string, edit: (m: Record<string, unknown>) => void): Promise<string> {
    const m = manifest() as unknown as Record<string, unknown>;
    edit(m);
    const p = file(name, tarBytes([{name: 'manifest.json', data: Buffer.from(JSON.stringify(m))}]));
    const err = await readSnapshot(p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    return (err as Error).message.slice(p.length + 2);
  }

  it('names the field that is wrong', async () => {
    expect(await withManifest('m1.tar', (m) => (m.collectedAsRoot = 'yes'))).toBe('manifest.json is invalid: collectedAsRoot must be a boolean');
    expect(await withManifest('m2.tar', (m) => (m.tool = 'tapdoctor'))).toBe('manifest.json is invalid: tool must be {name, version} strings');
    expect(
      await withManifest('m3.tar', (m) => ((m.sources as Record<string, {entries: Array<Record<string, unknown>>}>)['ip.addr']!.entries[0]!.bytes = '3')),
    ).toBe('manifest.json is invalid: sources["ip.addr"].entries[0].bytes must be a number');
    expect(await withManifest('m4.tar', (m) => ((m.sources as Record<string, Record<string, unknown>>).fstab!.status = 'maybe'))).toBe(
      'manifest.json is invalid: sources["fstab"].status must be "ok" or "failed"',
    );
  });

  it('checks format and version before anything else', async () => {
    expect(await withManifest('m5.tar', (m) => ((m.formatVersion = 2), delete m.hostname))).toBe('snapshot format version 2 is not supported (this tapdoctor reads version 1)');
    expect(await withManifest('m6.tar', (m) => delete m.format)).toBe('not a tapdoctor snapshot: manifest.json format is missing, expected "tapdoctor-snapshot"');
    expect(await withManifest('m7.tar', (m) => (m.formatVersion = '1'))).toBe('snapshot format version "1" is not supported (this tapdoctor reads version 1)');
  });

  it('refuses a manifest that is JSON but not an object', async () => {
    const p = file('array.tar', tarBytes([{name: 'manifest.json', data: Buffer.from('[1, 2]')}]));
    await expect(readSnapshot(p)).rejects.toThrow(new UserError(`${p}: manifest.json is not a JSON object`));
  });
});

describe('readSnapshot on damaged input', () => {
  it('gives a snapshot or a UserError for any byte flips and cuts, never another error', async () => {
    const plain = tarBytes(MEMBERS);
    const zipped = gzipSync(plain);
    const damage = fc.record({
      gzip: fc.boolean(),
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({min: 1, max: 255})), {maxLength: 4}),
      cut: fc.option(fc.nat()),
    });
    await fc.assert(
      fc.asyncProperty(damage, async ({gzip, flips, cut}) => {
        const bytes = Buffer.from(gzip ? zipped : plain);
        for (const [at, mask] of flips) bytes[at % bytes.length] ^= mask;
        const p = file('damaged', cut === null ? bytes : bytes.subarray(0, cut % bytes.length));
        const result = await readSnapshot(p).catch((e: unknown) => e);
        if (result instanceof Error) {
          expect(result).toBeInstanceOf(UserError);
          expect(result.message).not.toMatch(/[\r\n]/);
        } else {
          expect(result).toHaveProperty('manifest');
        }
      }),
      {numRuns: 300},
    );
  });
});

describe('readSnapshot limits', () => {
  it('has defaults sized for real snapshots', () => {
    expect(DEFAULT_LIMITS).toEqual({maxMemberBytes: 64 * 1024 * 1024, maxTotalBytes: 256 * 1024 * 1024, maxRatio: 200, ratioFloorBytes: 8 * 1024 * 1024});
  });

  it('refuses nonsense limits', async () => {
    await expect(readSnapshot(dir(), {maxTotalBytes: 0})).rejects.toThrow(new UserError('invalid size limit maxTotalBytes: 0'));
    await expect(readSnapshot(dir(), {maxRatio: Number.NaN})).rejects.toThrow(new UserError('invalid size limit maxRatio: NaN'));
  });

  it('refuses a file bigger than the total limit before reading it', async () => {
    const p = file('big.tar', tarBytes(MEMBERS));
    await expect(readSnapshot(p, {maxTotalBytes: 1000})).rejects.toThrow(new UserError(`${p}: file is 5.5 KiB, over the 1000 B limit (see --max-size)`));
  });

  it('counts tar headers into the total, so a stream of empty members cannot run forever', async () => {
    const many = Array.from({length: 200}, (_, i) => ({name: `commands/x${i}`, data: Buffer.alloc(0)}));
    const p = file('many.tar.gz', gzipSync(tarBytes([MEMBERS[0]!, ...many])));
    await expect(readSnapshot(p, {maxTotalBytes: 50_000})).rejects.toThrow(new UserError(`${p}: archive content is over the 48.8 KiB limit (see --max-size)`));
  });
});
