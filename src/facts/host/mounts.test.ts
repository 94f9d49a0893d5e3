import {describe, expect, it} from 'vitest';
import {makeSnapshot, type SnapshotSpec} from '../../../test/helpers/snapshot.js';
import {type Snapshot} from '../../sources/snapshot.js';
import {factoryShare, mounts} from './mounts.js';
import {factsFor as facts, sample} from '../../../test/helpers/facts.js';

// A real mountinfo (kernel 6.18, private namespace) plus the share as an idle automount with the NFS mount on top.
const BASE_MOUNTINFO = sample('mountinfo', 'generated-kernel-6.18-unshare-escapes.txt');
const AUTOFS = '80 44 0:50 / /var/lib/openqa/share rw,relatime shared:40 - autofs systemd-1 rw,fd=50,pgrp=1,timeout=0,minproto=5,maxproto=5,direct,pipe_ino=12345\n';
const NFS4 =
  '81 80 0:51 / /var/lib/openqa/share ro,relatime shared:41 - nfs4 openqa.example.com:/var/lib/openqa/share ro,vers=4.2,rsize=1048576,wsize=1048576,namlen=255,hard,proto=tcp,timeo=600,retrans=2,sec=sys,clientaddr=10.0.0.5,local_lock=none,addr=10.0.0.1\n';
const SALT_FSTAB = 'openqa.example.com:/var/lib/openqa/share /var/lib/openqa/share nfs ro,nofail,retry=30,x-systemd.mount-timeout=30m,x-systemd.automount,nolock 0 0\n';

function withStat(spec: SnapshotSpec, probe: {text?: string; error?: string; stderr?: string; exitCode?: number}): Snapshot {
  const snapshot = makeSnapshot({...spec, commands: {...spec.commands, 'share.stat': {text: probe.text ?? '', exitCode: probe.exitCode ?? 0}}});
  const entry = snapshot.manifest.sources['share.stat']!.entries[0]!;
  if (probe.error) entry.error = probe.error;
  if (probe.stderr) entry.stderr = probe.stderr;
  return snapshot;
}

describe('mounts', () => {
  it('one per mount point, the last entry wins, paths unescaped', () => {
    const all = facts({files: {mountinfo: {'/proc/self/mountinfo': BASE_MOUNTINFO}}}).get(mounts);
    expect(all).toHaveLength(23);
    expect(all.at(-1)).toEqual({mountPoint: '/mnt/a dir', fsType: 'tmpfs', source: 'none', options: ['ro', 'nosuid', 'relatime'], superOptions: ['ro']});
  });

  it('unavailable without mountinfo', () => {
    expect(facts({files: {mountinfo: {}}}).try(mounts)).toEqual({ok: false, reason: '/proc/self/mountinfo was not captured'});
  });
});

describe('factoryShare', () => {
  it('NFS4 mounted through the automount, stat answers, persisted in fstab (salt)', () => {
    const share = facts(
      withStat({files: {mountinfo: {'/proc/self/mountinfo': BASE_MOUNTINFO + AUTOFS + NFS4}, fstab: {'/etc/fstab': `# salt\n${SALT_FSTAB}`}}}, {text: 'directory\n'}),
    ).get(factoryShare);
    expect(share).toMatchObject({
      path: '/var/lib/openqa/share/factory',
      mount: {mountPoint: '/var/lib/openqa/share', fsType: 'nfs4', source: 'openqa.example.com:/var/lib/openqa/share', options: ['ro', 'relatime']},
      automountOnly: false,
      stat: 'ok',
      statDetail: 'directory',
      fstab: {file: '/var/lib/openqa/share', vfsType: 'nfs', line: 2},
    });
    expect(share.mount!.superOptions).toContain('vers=4.2');
    expect(share.mountUnit).toBeUndefined();
  });

  it('an idle automount only: configured, not missing; the probe not run', () => {
    const share = facts({
      files: {
        mountinfo: {'/proc/self/mountinfo': BASE_MOUNTINFO + AUTOFS},
        'systemd.mount-units': {
          '/etc/systemd/system/var-lib-openqa-share.mount': '[Mount]\nWhat=openqa.example.com:/var/lib/openqa/share\nWhere=/var/lib/openqa/share\nType=nfs\n',
          '/etc/systemd/system/var-lib-openqa-share.automount': '[Automount]\nWhere=/var/lib/openqa/share\n',
          '/etc/systemd/system/var-lib-libvirt.mount': '[Mount]\nWhere=/var/lib/libvirt\n',
        },
      },
    }).get(factoryShare);
    expect(share).toEqual({
      path: '/var/lib/openqa/share/factory',
      mount: {mountPoint: '/var/lib/openqa/share', fsType: 'autofs', source: 'systemd-1', options: ['rw', 'relatime'], superOptions: ['rw', 'fd=50', 'pgrp=1', 'timeout=0', 'minproto=5', 'maxproto=5', 'direct', 'pipe_ino=12345']},
      coveringMount: expect.objectContaining({fsType: 'autofs'}),
      automountOnly: true,
      stat: 'not-probed',
      statDetail: 'source share.stat is not in this snapshot',
      // Not in this test snapshot: said, not taken for "no fstab line".
      fstabUnknown: 'source fstab is not in this snapshot',
      mountUnit: 'var-lib-openqa-share.automount',
    });
  });

  it('a tmpfs where the share should be', () => {
    const tmpfs = '82 44 0:52 / /var/lib/openqa/share rw,relatime - tmpfs tmpfs rw,size=1024k\n';
    const share = facts(withStat({files: {mountinfo: {'/proc/self/mountinfo': BASE_MOUNTINFO + tmpfs}}}, {text: 'directory\n'})).get(factoryShare);
    expect([share.mount?.fsType, share.automountOnly, share.stat]).toEqual(['tmpfs', false, 'ok']);
  });

  it('nothing mounted: factory lies on /, stat finds nothing; the Fedora mount service is persisted', () => {
    const share = facts(
      withStat(
        {
          files: {
            mountinfo: {'/proc/self/mountinfo': BASE_MOUNTINFO},
            fstab: {},
            'systemd.mount-units': {'/etc/systemd/system/var-lib-openqa-share.service': sample('systemd-units', 'fedora-ansible-666196bb-var-lib-openqa-share.service.j2.txt')},
          },
        },
        {exitCode: 1, stderr: "stat: cannot statx '/var/lib/openqa/share/factory': No such file or directory"},
      ),
    ).get(factoryShare);
    expect(share.mount).toBeUndefined();
    expect(share.coveringMount).toMatchObject({mountPoint: '/', fsType: 'ext4'});
    expect(share.fstab).toBeUndefined();
    expect([share.stat, share.statDetail]).toEqual(['missing', "stat: cannot statx '/var/lib/openqa/share/factory': No such file or directory"]);
    expect(share.mountUnit).toBe('var-lib-openqa-share.service');
  });

  it('a hung NFS mount is stale', () => {
    const share = facts(withStat({files: {mountinfo: {'/proc/self/mountinfo': BASE_MOUNTINFO + AUTOFS + NFS4}}}, {error: 'timed out after 5 s'})).get(factoryShare);
    expect([share.mount?.fsType, share.stat, share.statDetail]).toEqual(['nfs4', 'stale', 'timed out after 5 s']);
    const estale = facts(
      withStat({files: {mountinfo: {'/proc/self/mountinfo': BASE_MOUNTINFO + AUTOFS + NFS4}}}, {exitCode: 1, stderr: "stat: cannot statx '/var/lib/openqa/share/factory': Stale file handle"}),
    ).get(factoryShare);
    expect(estale.stat).toBe('stale');
  });

  it('a local /var/lib/openqa filesystem counts as the mount (checks see it is not NFS)', () => {
    const local = '83 44 8:3 / /var/lib/openqa rw,relatime - xfs /dev/sdb1 rw,attr2\n';
    const share = facts(withStat({files: {mountinfo: {'/proc/self/mountinfo': BASE_MOUNTINFO + local}}}, {text: 'directory\n'})).get(factoryShare);
    expect(share.mount).toMatchObject({mountPoint: '/var/lib/openqa', fsType: 'xfs'});
  });
});
