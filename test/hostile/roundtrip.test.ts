// Write a snapshot, read it back: the same snapshot, whatever the paths and bytes in it. Also
// through an unpacked directory (extracted by node-tar, an independent implementation).

import {mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {rename} from 'node:fs/promises';
import path from 'node:path';

import * as tar from 'tar';
import {describe, expect, it, vi} from 'vitest';

import {UserError} from '../../src/errors.js';
import {readSnapshot} from '../../src/sources/archive.js';
import {commandPath, filePath, type EntryRecord, type Snapshot} from '../../src/sources/snapshot.js';
import {writeSnapshot} from '../../src/sources/write.js';
import {testManifest} from '../helpers/snapshot.js';
import {useTempDir} from '../helpers/temp-dir.js';
import {pseudoRandom} from './corpus.js';

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {...actual, rename: vi.fn(actual.rename)};
});

const ALL_BYTES = Buffer.from(Array.from({length: 256}, (_, i) => i));
// files/ + path: exactly 100 bytes (fits ustar), 101 bytes (needs pax), and far beyond 255.
const PATH_100 = `/etc/${'a'.repeat(100 - 'files/etc/'.length)}`;
const PATH_101 = `/etc/${'b'.repeat(101 - 'files/etc/'.length)}`;
const PATH_LONG = `/etc/NetworkManager/system-connections/${'deep/'.repeat(40)}Wired connection ü 1.nmconnection`;

function entry(p: string, binding: string, extra: Partial<EntryRecord> = {}): EntryRecord {
  return {path: p, binding, durationMs: 7, bytes: 0, truncated: false, ...extra};
}

function buildSnapshot(): Snapshot {
  const contents = new Map<string, Buffer>([
    [commandPath('ip.addr'), Buffer.from('[{"ifname":"br1"}]\n')],
    [commandPath('ovs.flows', 'br1'), Buffer.from(' cookie=0x0, duration=1.2s, table=0, priority=0 actions=NORMAL\n')],
    [commandPath('qemu.getcap', '/usr/bin/qemu-system-x86_64'), Buffer.from('/usr/bin/qemu-system-x86_64 cap_net_admin=ep\n')],
    [commandPath('iptables.save'), pseudoRandom(1024 * 1024 + 7)], // many gzip and tar chunks
    [filePath(PATH_100), ALL_BYTES],
    [filePath(PATH_101), Buffer.from('101\n')],
    [filePath(PATH_LONG), Buffer.from('[connection]\nid=Wired connection ü 1\n')],
    [filePath('/etc/sysconfig/network/ifcfg-empty'), Buffer.alloc(0)],
  ]);
  return {
    manifest: testManifest({
      'ip.addr': {name: 'ip.addr', status: 'ok', entries: [entry(commandPath('ip.addr'), 'ip -j -d addr show', {exitCode: 0, bytes: 19})]},
      'ovs.flows': {
        name: 'ovs.flows',
        status: 'ok',
        entries: [
          entry(commandPath('ovs.flows', 'br1'), 'ovs-ofctl dump-flows br1', {key: 'br1', exitCode: 0}),
          entry(commandPath('ovs.flows', 'br0'), 'ovs-ofctl dump-flows br0', {key: 'br0', exitCode: null, error: 'timed out after 10 s', stderr: 'killed'}),
        ],
      },
      'qemu.getcap': {
        name: 'qemu.getcap',
        status: 'ok',
        entries: [entry(commandPath('qemu.getcap', '/usr/bin/qemu-system-x86_64'), 'getcap /usr/bin/qemu-system-x86_64', {key: '/usr/bin/qemu-system-x86_64', exitCode: 0})],
      },
      'iptables.save': {name: 'iptables.save', status: 'ok', entries: [entry(commandPath('iptables.save'), 'iptables-save -c', {exitCode: 0, truncated: true})]},
      'nft.ruleset': {name: 'nft.ruleset', status: 'failed', reason: 'nft not found', entries: [entry(commandPath('nft.ruleset'), 'nft -j list ruleset', {exitCode: 127, error: 'nft not found'})]},
      'network.nm': {
        name: 'network.nm',
        status: 'ok',
        entries: [
          entry(filePath(PATH_100), PATH_100, {mode: 0o644}),
          entry(filePath(PATH_101), PATH_101, {mode: 0o600}),
          entry(filePath(PATH_LONG), PATH_LONG, {mode: 0o600, redacted: ['psk@line 9']}),
          entry(filePath('/etc/NetworkManager/NetworkManager.conf'), '/etc/NetworkManager/NetworkManager.conf', {absent: true}),
        ],
      },
      'network.ifcfg': {
        name: 'network.ifcfg',
        status: 'ok',
        entries: [entry(filePath('/etc/sysconfig/network/ifcfg-empty'), '/etc/sysconfig/network/ifcfg-empty', {mode: 0o644, linkTarget: 'ifcfg-tap0'})],
      },
    }),
    contents,
  };
}

/** Deep equality, with Buffers compared by Buffer.equals (element-wise toEqual on 1 MiB is slow). */
function expectSameSnapshot(actual: Snapshot, expected: Snapshot): void {
  expect(actual.manifest).toEqual(expected.manifest);
  expect([...actual.contents.keys()].sort()).toEqual([...expected.contents.keys()].sort());
  for (const [key, data] of expected.contents) expect(actual.contents.get(key)!.equals(data), key).toBe(true);
}

const dir = useTempDir('tapdoctor-roundtrip-');

describe('snapshot round trip', () => {
  it('reads back exactly what was written: long paths, binary, empty and 1 MiB contents', async () => {
    const out = await writeSnapshot(buildSnapshot(), path.join(dir(), 'snap.tar.gz'));
    const back = await readSnapshot(out);
    expectSameSnapshot(back, buildSnapshot());
    expect(back.contents.get(filePath(PATH_100))).toEqual(ALL_BYTES);
    expect(back.contents.get(filePath('/etc/sysconfig/network/ifcfg-empty'))).toEqual(Buffer.alloc(0));
  });

  it('reads the same snapshot from the directory node-tar extracts', async () => {
    const out = await writeSnapshot(buildSnapshot(), path.join(dir(), 'snap.tar.gz'));
    const unpacked = path.join(dir(), 'unpacked');
    mkdirSync(unpacked);
    await tar.x({file: out, cwd: unpacked});
    expect(readFileSync(path.join(unpacked, filePath(PATH_LONG)), 'utf8')).toBe('[connection]\nid=Wired connection ü 1\n');
    expectSameSnapshot(await readSnapshot(unpacked), buildSnapshot());
  });

  it('writes mode 0600 and refuses to overwrite without force', async () => {
    const target = path.join(dir(), 'snap.tar.gz');
    await writeSnapshot(buildSnapshot(), target);
    expect(statSync(target).mode & 0o777).toBe(0o600);
    const before = readFileSync(target);
    const other = buildSnapshot();
    other.manifest.hostname = 'other';
    await expect(writeSnapshot(other, target)).rejects.toThrow(new UserError(`${target} already exists; use --force to overwrite it`));
    expect(readFileSync(target).equals(before)).toBe(true);
    await writeSnapshot(other, target, {force: true});
    expect((await readSnapshot(target)).manifest.hostname).toBe('other');
  });

  it('is atomic: a failure at the final rename leaves the old file and no temp file', async () => {
    const target = path.join(dir(), 'snap.tar.gz');
    writeFileSync(target, 'old snapshot');
    vi.mocked(rename).mockRejectedValueOnce(Object.assign(new Error('EIO: simulated'), {code: 'EIO'}));
    await expect(writeSnapshot(buildSnapshot(), target, {force: true})).rejects.toThrow('EIO: simulated');
    expect(readdirSync(dir())).toEqual(['snap.tar.gz']);
    expect(readFileSync(target, 'utf8')).toBe('old snapshot');
  });
});
