import {execFileSync} from 'node:child_process';
import {readdirSync, readFileSync, statSync, writeFileSync, mkdirSync, symlinkSync} from 'node:fs';
import {link, rename} from 'node:fs/promises';
import path from 'node:path';
import {gunzipSync} from 'node:zlib';

import * as tar from 'tar';
import {afterEach, describe, expect, it, vi} from 'vitest';

import {UserError} from '../errors.js';
import {commandPath, filePath, type Snapshot} from './snapshot.js';
import {packSnapshot, snapshotMembers, tarBytes, writeSnapshot} from './write.js';
import {testManifest} from '../../test/helpers/snapshot.js';
import {useTempDir} from '../../test/helpers/temp-dir.js';

// Let single tests make the final link/rename fail, to prove the temp file never stays behind.
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return {...actual, link: vi.fn(actual.link), rename: vi.fn(actual.rename)};
});

const LONG_HOST_PATH = `/etc/NetworkManager/system-connections/${'very-long-profile-name-'.repeat(6)}é.nmconnection`;

function sample(): Snapshot {
  return {
    manifest: testManifest({
      'ovs.show': {name: 'ovs.show', status: 'failed', reason: 'ovs-vsctl not found', entries: [{path: commandPath('ovs.show'), binding: 'ovs-vsctl --timeout=5 show', exitCode: 127, durationMs: 3, bytes: 0, truncated: false, error: 'ovs-vsctl not found'}]},
      'ip.addr': {name: 'ip.addr', status: 'ok', entries: [{path: commandPath('ip.addr'), binding: 'ip -j -d addr show', exitCode: 0, durationMs: 12, bytes: 3, truncated: false}]},
      'network.nm': {
        name: 'network.nm',
        status: 'ok',
        entries: [
          {path: filePath(LONG_HOST_PATH), binding: LONG_HOST_PATH, durationMs: 1, bytes: 4, truncated: false, mode: 0o600},
          {path: filePath('/etc/NetworkManager/NetworkManager.conf'), binding: '/etc/NetworkManager/NetworkManager.conf', durationMs: 0, bytes: 0, truncated: false, absent: true},
        ],
      },
    }),
    contents: new Map([
      [commandPath('ip.addr'), Buffer.from('[]\n')],
      [filePath(LONG_HOST_PATH), Buffer.from([0, 1, 2, 255])],
    ]),
  };
}

const dir = useTempDir('tapdoctor-write-');
afterEach(() => {
  vi.mocked(link).mockClear();
  vi.mocked(rename).mockClear();
});

/** Members of a tar.gz as node-tar (an independent reader) sees them. */
async function listWithNodeTar(file: string): Promise<Array<{path: string; type: string; data: Buffer}>> {
  const out: Array<{path: string; type: string; data: Buffer}> = [];
  await tar.t({
    file,
    onReadEntry: (entry) => {
      const chunks: Buffer[] = [];
      entry.on('data', (c: Buffer) => chunks.push(c));
      entry.on('end', () => out.push({path: entry.path, type: entry.type, data: Buffer.concat(chunks)}));
    },
  });
  return out;
}

describe('snapshotMembers / packSnapshot', () => {
  it('puts manifest.json first, then contents of entries that have any, sorted by path', () => {
    const members = snapshotMembers(sample());
    expect(members.map((m) => m.name)).toEqual(['manifest.json', 'commands/ip.addr', filePath(LONG_HOST_PATH)]);
    expect(JSON.parse(members[0]!.data.toString('utf8'))).toEqual(sample().manifest);
  });

  it('writes an entry without stored content as an empty member', () => {
    const s = sample();
    s.contents.delete('commands/ip.addr');
    expect(snapshotMembers(s).find((m) => m.name === 'commands/ip.addr')?.data).toEqual(Buffer.alloc(0));
  });

  it('is deterministic: the same snapshot gives the same bytes', () => {
    expect(packSnapshot(sample()).equals(packSnapshot(sample()))).toBe(true);
  });

  it('produces 512-byte aligned tar with a two-block end marker', () => {
    const raw = tarBytes([{name: 'a', data: Buffer.from('x')}]);
    expect(raw.length).toBe(512 * 4);
    expect(raw.subarray(1024).every((b) => b === 0)).toBe(true);
  });
});

describe('writeSnapshot', () => {
  it('writes a tar.gz that node-tar and GNU tar read, long and non-ASCII names included', async () => {
    const out = await writeSnapshot(sample(), path.join(dir(), 'snap.tar.gz'), {});
    expect(out).toBe(path.join(dir(), 'snap.tar.gz'));
    const members = await listWithNodeTar(out);
    expect(members.map((m) => [m.path, m.type])).toEqual([
      ['manifest.json', 'File'],
      ['commands/ip.addr', 'File'],
      [filePath(LONG_HOST_PATH), 'File'],
    ]);
    expect(members[2]!.data).toEqual(Buffer.from([0, 1, 2, 255]));
    const gnu = execFileSync('tar', ['-tzf', out], {encoding: 'utf8'});
    expect(gnu.split('\n').filter(Boolean)).toEqual(['manifest.json', 'commands/ip.addr', filePath(LONG_HOST_PATH)]);
  });

  it('creates the file with mode 0600 and nothing else in the directory', async () => {
    const out = await writeSnapshot(sample(), path.join(dir(), 'snap.tar.gz'));
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir())).toEqual(['snap.tar.gz']);
  });

  it('resolves a relative path against the working directory', async () => {
    const cwd = process.cwd();
    process.chdir(dir());
    try {
      expect(await writeSnapshot(sample(), 'rel.tar.gz')).toBe(path.join(dir(), 'rel.tar.gz'));
    } finally {
      process.chdir(cwd);
    }
  });

  it('refuses to overwrite an existing file without force, and replaces it with force', async () => {
    const target = path.join(dir(), 'snap.tar.gz');
    writeFileSync(target, 'precious');
    await expect(writeSnapshot(sample(), target)).rejects.toThrow(new UserError(`${target} already exists; use --force to overwrite it`));
    expect(readFileSync(target, 'utf8')).toBe('precious');
    expect(readdirSync(dir())).toEqual(['snap.tar.gz']);
    await writeSnapshot(sample(), target, {force: true});
    expect(gunzipSync(readFileSync(target)).subarray(0, 13).toString('latin1')).toBe('manifest.json');
    expect(statSync(target).mode & 0o777).toBe(0o600);
  });

  it('treats a dangling symlink at the target as existing, and force replaces the link, not its target', async () => {
    const target = path.join(dir(), 'snap.tar.gz');
    const elsewhere = path.join(dir(), 'elsewhere');
    symlinkSync(elsewhere, target);
    await expect(writeSnapshot(sample(), target)).rejects.toThrow(/already exists; use --force/);
    await writeSnapshot(sample(), target, {force: true});
    expect(statSync(target).isFile()).toBe(true);
    expect(readdirSync(dir()).sort()).toEqual(['snap.tar.gz']);
  });

  it('refuses a target directory that does not exist, writing nothing', async () => {
    const missing = path.join(dir(), 'no', 'such');
    await expect(writeSnapshot(sample(), path.join(missing, 'snap.tar.gz'))).rejects.toThrow(new UserError(`directory does not exist: ${missing}`));
    expect(readdirSync(dir())).toEqual([]);
  });

  it('refuses a target that is a directory', async () => {
    mkdirSync(path.join(dir(), 'sub'));
    await expect(writeSnapshot(sample(), path.join(dir(), 'sub'), {force: true})).rejects.toThrow(
      new UserError(`${path.join(dir(), 'sub')} is a directory; give a file name`),
    );
  });

  it('removes the temp file when the final link fails, leaving no target', async () => {
    vi.mocked(link).mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error, link'), {code: 'EIO'}));
    await expect(writeSnapshot(sample(), path.join(dir(), 'snap.tar.gz'))).rejects.toThrow('EIO: i/o error, link');
    expect(vi.mocked(link)).toHaveBeenCalledTimes(1);
    expect(readdirSync(dir())).toEqual([]);
  });

  it('removes the temp file when the final rename fails, leaving the old file untouched', async () => {
    const target = path.join(dir(), 'snap.tar.gz');
    writeFileSync(target, 'old');
    vi.mocked(rename).mockRejectedValueOnce(Object.assign(new Error('ENOSPC: no space left on device, rename'), {code: 'ENOSPC'}));
    await expect(writeSnapshot(sample(), target, {force: true})).rejects.toThrow(new UserError(`cannot write ${target}: no space left on device`));
    expect(readdirSync(dir())).toEqual(['snap.tar.gz']);
    expect(readFileSync(target, 'utf8')).toBe('old');
  });

  it('says when a file appeared at the target between the check and the link', async () => {
    const target = path.join(dir(), 'snap.tar.gz');
    vi.mocked(link).mockImplementationOnce(async () => {
      writeFileSync(target, 'raced');
      throw Object.assign(new Error('EEXIST'), {code: 'EEXIST'});
    });
    await expect(writeSnapshot(sample(), target)).rejects.toThrow(new UserError(`${target} already exists; use --force to overwrite it`));
    expect(readdirSync(dir())).toEqual(['snap.tar.gz']);
    expect(readFileSync(target, 'utf8')).toBe('raced');
  });

  it.skipIf(process.getuid?.() === 0)('turns permission denied into a one-line UserError', async () => {
    const locked = path.join(dir(), 'locked');
    mkdirSync(locked, {mode: 0o500});
    await expect(writeSnapshot(sample(), path.join(locked, 'snap.tar.gz'))).rejects.toThrow(new UserError(`cannot write ${path.join(locked, 'snap.tar.gz')}: permission denied`));
  });
});
