import {readFileSync} from 'node:fs';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {ParseError} from './errors.js';
import {effectiveMounts, mountContaining, parseMountInfo, pathWithin, splitOptions, unescapeOctal} from './mountinfo.js';
import {applyEdits, edits, survives} from '../../test/helpers/mutation.js';

/** Strings of this format the mutations insert, besides COMMON_SPECIALS. */
const SPECIALS = [' - ', '\\', '\\040', '\\777', '"', ','];

const sample = (name: string) => readFileSync(new URL(`../../test/samples/mountinfo/${name}`, import.meta.url), 'utf8');

describe('parseMountInfo on kernel 6.18 output (captured in a private mount namespace)', () => {
  const entries = parseMountInfo(sample('generated-kernel-6.18-unshare-escapes.txt'), 'mountinfo');

  it('reads every line and decodes \\040 \\011 \\134 \\012', () => {
    expect(entries).toHaveLength(26);
    expect(entries.slice(-6).map((e) => [e.id, e.parentId, e.mountPoint, e.fsType, e.source, e.options])).toEqual([
      [65, 44, '/mnt', 'tmpfs', 'none', ['rw', 'relatime']],
      [66, 65, '/mnt/a dir', 'tmpfs', 'none', ['rw', 'relatime']],
      [67, 65, '/mnt/tab\tdir', 'tmpfs', 'none', ['rw', 'relatime']],
      [68, 65, '/mnt/back\\slash', 'tmpfs', 'none', ['rw', 'relatime']],
      [69, 65, '/mnt/new\nline', 'tmpfs', 'none', ['rw', 'relatime']],
      [70, 66, '/mnt/a dir', 'tmpfs', 'none', ['ro', 'nosuid', 'relatime']],
    ]);
  });

  it('a full entry', () => {
    expect(entries[0]).toEqual({
      id: 44,
      parentId: 43,
      majorMinor: '254:0',
      root: '/',
      mountPoint: '/',
      options: ['rw', 'relatime'],
      optionalFields: [],
      fsType: 'ext4',
      source: '/dev/vda',
      superOptions: ['rw', 'discard', 'resv_strict', 'resuid=65534', 'resgid=65534'],
      line: 1,
    });
    expect(entries.find((e) => e.mountPoint === '/run/netns')!.root).toBe('/run/netns');
  });

  it('the last entry for a mount point wins', () => {
    const eff = effectiveMounts(entries);
    expect(eff).toHaveLength(23);
    expect(eff.find((m) => m.mountPoint === '/mnt/a dir')!.id).toBe(70);
    expect(eff.find((m) => m.mountPoint === '/dev/shm')!.id).toBe(61);
    expect(mountContaining(eff, '/mnt/a dir/x')!.options).toEqual(['ro', 'nosuid', 'relatime']);
    expect(mountContaining(eff, '/mnt/a')!.id).toBe(65);
    expect(mountContaining(eff, '/etc/passwd')!.mountPoint).toBe('/');
  });
});

describe('parseMountInfo on published samples', () => {
  it('jc: several optional fields, unbindable, no super options, nsfs root, stacked binfmt_misc', () => {
    const e = parseMountInfo(sample('jc-ubuntu-master-shared-unbindable.txt'), 's');
    expect(e[0]).toMatchObject({mountPoint: '/sys', optionalFields: ['master:1', 'shared:7'], superOptions: ['rw']});
    expect(e.find((x) => x.mountPoint === '/')).toMatchObject({source: '/dev/mapper/ubuntu--vg-ubuntu--lv', superOptions: []});
    expect(e.find((x) => x.id === 31)!.optionalFields).toEqual(['unbindable']);
    expect(e.find((x) => x.id === 481)!.root).toBe('mnt:[4026532641]');
    const binfmt = effectiveMounts(e).find((x) => x.mountPoint === '/proc/sys/fs/binfmt_misc')!;
    expect([binfmt.id, binfmt.fsType]).toEqual([143, 'binfmt_misc']);
  });

  it('moby: cifs source with \\040 and super options with literal spaces', () => {
    const cifs = parseMountInfo(sample('moby-fedora-shared.txt'), 's').at(-1)!;
    expect(cifs).toMatchObject({mountPoint: '/DATA/foo_bla_bla', fsType: 'cifs', source: '//foo/BLA BLA BLA/'});
    expect(cifs.superOptions.slice(0, 4)).toEqual(['rw', 'sec=ntlm', 'cache=loose', 'unc=\\\\foo\\BLA BLA BLA']);
    expect(cifs.superOptions.at(-1)).toBe('actimeo=1');
  });

  it('util-linux: raw CR in a mount point, autofs placeholders under real mounts', () => {
    const e = parseMountInfo(sample('util-linux-cr-in-path.txt'), 's');
    expect(e.at(-1)!.mountPoint).toBe('/mnt/test/foo\rbar');
    const eff = effectiveMounts(e);
    expect(eff.find((x) => x.mountPoint === '/dev/hugepages')!.fsType).toBe('hugetlbfs');
    expect(eff.find((x) => x.mountPoint === '/sys/kernel/debug')!.fsType).toBe('autofs');
  });
});

describe('helpers and errors', () => {
  it('unescapeOctal leaves other backslashes alone', () => {
    expect(unescapeOctal('a\\040b\\134c\\x\\04')).toBe('a b\\c\\x\\04');
  });

  it('splitOptions keeps quoted commas together', () => {
    expect(splitOptions('rw,context="system_u:object_r:container_file_t:s0:c184,c371",size=64000k')).toEqual([
      'rw',
      'context="system_u:object_r:container_file_t:s0:c184,c371"',
      'size=64000k',
    ]);
  });

  it('pathWithin', () => {
    expect(pathWithin('/var/lib/openqa/share/factory', '/var/lib/openqa/share')).toBe(true);
    expect(pathWithin('/var/lib/openqa/share2', '/var/lib/openqa/share')).toBe(false);
    expect(pathWithin('/x', '/')).toBe(true);
    expect(pathWithin('/a/b', '/a/')).toBe(true);
  });

  it('rejects lines that are not mountinfo', () => {
    expect(() => parseMountInfo('cat: /proc/self/mountinfo: No such file or directory\n', 's')).toThrow(ParseError);
    expect(() => parseMountInfo('1 2 0:1 / / rw - ext4\n', 's')).toThrow(/missing filesystem type or source/);
    expect(() => parseMountInfo('x 2 0:1 / / rw - ext4 /dev/a rw\n', 's')).toThrow(/integers/);
    expect(parseMountInfo('', 's')).toEqual([]);
  });
});

describe('robustness', () => {
  it('random mutations of real files give a model or a ParseError', () => {
    const inputs = ['generated-kernel-6.18-unshare-escapes.txt', 'util-linux-cr-in-path.txt', 'jc-ubuntu-master-shared-unbindable.txt'].map(sample);
    fc.assert(fc.property(fc.constantFrom(...inputs), edits({specials: SPECIALS}), (text, ops) => survives(() => effectiveMounts(parseMountInfo(applyEdits(text, ops), 's')))));
  });
});
