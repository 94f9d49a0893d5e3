// /proc/mounts and `mount` output read as mountinfo: real captures, the same mounts, the loss said.
import {readFileSync} from 'node:fs';
import fc from 'fast-check';
import {describe, expect, it} from 'vitest';

import {mutationsOf, survives} from '../../test/helpers/mutation.js';
import {parseMountInfo} from './mountinfo.js';
import {detectMountsFormat, mountinfoFromMountOutput, mountinfoFromProcMounts} from './mounts-text.js';

const sample = (p: string) => readFileSync(new URL(`../../test/samples/${p}`, import.meta.url), 'utf8');
const PROC_MOUNTS = sample('proc-mounts/insights-selinux-context-quotes.txt');
const MOUNTINFO = sample('mountinfo/generated-kernel-6.18-unshare-escapes.txt');

/** The same mounts as /proc/mounts and `mount` would print them, from a real mountinfo. */
function asProcMounts(mountinfo: string): string {
  // The kernel octal-escapes blanks and backslashes in both files.
  const esc = (p: string) => p.replace(/\\/g, '\\134').replace(/ /g, '\\040').replace(/\t/g, '\\011').replace(/\n/g, '\\012');
  return parseMountInfo(mountinfo, 'm').map((e) => `${esc(e.source)} ${esc(e.mountPoint)} ${e.fsType} ${[...e.options, ...e.superOptions].join(',')} 0 0`).join('\n') + '\n';
}

describe('mounts as mountinfo', () => {
  it('detects the three forms', () => {
    expect(detectMountsFormat(MOUNTINFO)).toBe('mountinfo');
    expect(detectMountsFormat(PROC_MOUNTS)).toBe('proc-mounts');
    expect(detectMountsFormat('srv:/factory on /var/lib/openqa/share type nfs4 (ro,relatime,vers=4.2)\n')).toBe('mount');
    expect(detectMountsFormat('hello\n')).toBeUndefined();
  });

  it("reads insights' /proc/mounts (quoted commas in a SELinux context) into mountinfo entries", () => {
    const entries = parseMountInfo(mountinfoFromProcMounts(PROC_MOUNTS, 'p'), 'p');
    expect(entries.length).toBe(PROC_MOUNTS.trim().split('\n').length);
    expect(entries[0]).toMatchObject({mountPoint: '/', fsType: 'ext4', source: '/dev/mapper/rootvg-rootlv'});
    expect(entries[1]!.options).toContain('nosuid');
  });

  it('a real mountinfo through /proc/mounts form keeps mount points (escapes too), types, sources and options', () => {
    const real = parseMountInfo(MOUNTINFO, 'm');
    const back = parseMountInfo(mountinfoFromProcMounts(asProcMounts(MOUNTINFO), 'p'), 'p');
    expect(back.map((e) => [e.mountPoint, e.fsType, e.source])).toEqual(real.map((e) => [e.mountPoint, e.fsType, e.source]));
    for (const [i, e] of back.entries()) for (const o of real[i]!.options) expect(e.options).toContain(o);
  });

  it('reads `mount` output, escaping blanks in paths', () => {
    const text = 'srv:/factory on /var/lib/openqa/share type nfs4 (ro,relatime,vers=4.2,addr=192.0.2.5)\ntmpfs on /mnt/a dir type tmpfs (rw,nosuid)\n';
    const entries = parseMountInfo(mountinfoFromMountOutput(text, 'm'), 'm');
    expect(entries.map((e) => [e.mountPoint, e.fsType, e.source, e.options.includes('ro')])).toEqual([
      ['/var/lib/openqa/share', 'nfs4', 'srv:/factory', true],
      ['/mnt/a dir', 'tmpfs', 'tmpfs', false],
    ]);
  });

  it('property: mutated captures give mountinfo the parser reads, or a ParseError', () => {
    fc.assert(
      fc.property(mutationsOf([PROC_MOUNTS, asProcMounts(MOUNTINFO)], {specials: [' 0 0', ',', '"', '\\040']}), (text) => survives(() => parseMountInfo(mountinfoFromProcMounts(text, 'p'), 'p'))),
      {numRuns: 300},
    );
    fc.assert(
      fc.property(mutationsOf(['a on /b type t (rw)\nc on /d e type nfs (ro,x=1)\n'], {specials: [' on ', ' type ', '(', ')']}), (text) => survives(() => parseMountInfo(mountinfoFromMountOutput(text, 'm'), 'm'))),
      {numRuns: 300},
    );
  });
});
