import {readFileSync} from 'node:fs';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';
import {normalizeMountPoint, parseFstab} from './fstab.js';
import {applyEdits, edits} from '../../test/helpers/mutation.js';

/** Strings of this format the mutations insert, besides COMMON_SPECIALS. */
const SPECIALS = ['#', '\\040', '"', ','];

const sample = (dir: string, name: string) => readFileSync(new URL(`../../test/samples/${dir}/${name}`, import.meta.url), 'utf8');
const brief = (text: string) => parseFstab(text, 'fstab').entries.map((e) => [e.line, e.spec, e.file, e.vfsType, e.options.join(','), e.freq, e.passno]);

describe('parseFstab on published samples', () => {
  it('CentOS 7 anaconda fstab with a trailing inline comment', () => {
    const fstab = parseFstab(sample('fstab', 'jc-centos7-inline-comment.txt'), 'fstab');
    expect(fstab.problems).toEqual([]);
    expect(brief(sample('fstab', 'jc-centos7-inline-comment.txt'))).toEqual([
      [9, '/dev/mapper/centos-root', '/', 'xfs', 'defaults', 0, 0],
      [10, 'UUID=05d927bb-5875-49e3-ada1-7f46cb31c932', '/boot', 'xfs', 'defaults', 0, 0],
      [11, '/dev/mapper/centos-swap', 'swap', 'swap', 'defaults', 0, 0],
    ]);
  });

  it('util-linux fstab.broken: broken lines become problems, the rest still parses', () => {
    const fstab = parseFstab(sample('fstab', 'util-linux-broken.txt'), 'fstab');
    expect(fstab.problems).toEqual([
      {line: 1, text: 'bug', reason: 'expected 4 to 6 fields, found 1'},
      {line: 8, text: 'this is broken line with unexpected number of fields', reason: 'expected 4 to 6 fields, found 9'},
    ]);
    expect(brief(sample('fstab', 'util-linux-broken.txt'))).toEqual([
      [2, 'UUID=d3a8f783-df75-4dc8-9163-975a891052c0', '/', 'ext3', 'noatime,defaults', 1, 1],
      [3, 'UUID=fef7ccb3-821c-4de8-88dc-71472be5946f', '/boot', 'ext3', 'noatime,defaults', 1, 2],
      [4, 'UUID=1f2aa318-9c34-462e-8d29-260819ffd657', 'swap', 'swap', 'defaults', 0, 0],
      [5, 'tmpfs', '/dev/shm', 'tmpfs', 'defaults', 0, 0],
      [6, 'devpts', '/dev/pts', 'devpts', 'gid=5,mode=620', 0, 0],
      [7, 'sysfs', '/sys', 'sysfs', 'defaults', 0, 0],
      [9, 'proc', '/proc', 'proc', 'defaults', 0, 0],
      [11, '/dev/mapper/foo', '/home/foo', 'ext4', 'noatime,defaults', 1, 0],
      [13, 'foo.com:/mnt/share', '/mnt/remote', 'nfs', 'noauto', 0, 0],
      [14, '//bar.com/gogogo', '/mnt/gogogo', 'cifs', 'user=SRGROUP/baby,noauto', 0, 0],
    ]);
  });

  it('util-linux fstab: tabs, a 4-field NFS line, a trailing-slash mount point', () => {
    const fstab = parseFstab(sample('fstab', 'util-linux-tabs-nfs-cifs.txt'), 'fstab');
    expect(fstab.problems).toEqual([]);
    expect(fstab.entries).toHaveLength(11);
    expect(fstab.entries.find((e) => e.vfsType === 'nfs')).toEqual({spec: 'foo.com:/mnt/share', file: '/mnt/remote', vfsType: 'nfs', options: ['noauto'], freq: 0, passno: 0, line: 11});
    expect(normalizeMountPoint(fstab.entries.at(-1)!.file)).toBe('/any/foo');
  });

  it('/proc/mounts with SELinux contexts holding commas (same format)', () => {
    const e = parseFstab(sample('proc-mounts', 'insights-selinux-context-quotes.txt'), 'mounts').entries;
    expect(e).toHaveLength(5);
    expect(e[1]!.options).toEqual(['rw', 'nosuid', 'nodev', 'noexec', 'relatime', 'context="system_u:object_r:container_file_t:s0:c184,c371"', 'size=64000k']);
  });
});

describe('fstab details', () => {
  it('escapes, a salt-style NFS share line, non-numeric pass field', () => {
    const fstab = parseFstab(
      'srv:/var/lib/openqa/share /var/lib/openqa/share nfs ro,nofail,retry=30,x-systemd.mount-timeout=30m,x-systemd.automount,nolock 0 0\n/dev/sdb1 /mnt/my\\040disk ext4 defaults 0 x\n',
      'fstab',
    );
    expect(fstab.entries[0]!.options).toContain('x-systemd.automount');
    expect(fstab.problems).toEqual([{line: 2, text: '/dev/sdb1 /mnt/my\\040disk ext4 defaults 0 x', reason: 'dump and pass fields must be integers'}]);
    expect(parseFstab('/dev/a /mnt/my\\040disk ext4 defaults\n', 's').entries[0]!.file).toBe('/mnt/my disk');
  });

  it('normalizeMountPoint', () => {
    expect(normalizeMountPoint('/')).toBe('/');
    expect(normalizeMountPoint('///')).toBe('/');
    expect(normalizeMountPoint('/a//')).toBe('/a');
  });
});

describe('robustness', () => {
  it('random mutations never throw (broken lines are problems)', () => {
    const inputs = [sample('fstab', 'util-linux-broken.txt'), sample('fstab', 'jc-centos7-inline-comment.txt')];
    fc.assert(
      fc.property(fc.constantFrom(...inputs), edits({specials: SPECIALS}), (text, ops) => {
        const fstab = parseFstab(applyEdits(text, ops), 's');
        expect(fstab.entries.every((e) => e.options.length >= 0 && Number.isInteger(e.freq))).toBe(true);
      }),
    );
  });
});
