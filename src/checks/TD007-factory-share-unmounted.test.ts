import {describe, expect, it} from 'vitest';
import {makeSnapshot, type SnapshotSpec} from '../../test/helpers/snapshot.js';
import {DEFAULT_CONFIG} from '../config.js';
import {analyzeSnapshot} from '../engine.js';
import factoryShareUnmounted from './TD007-factory-share-unmounted.js';

const ROOT = '35 1 253:0 / / rw,relatime shared:1 - xfs /dev/mapper/root rw,attr2,inode64,noquota';
const NFS = '530 35 0:58 / /var/lib/openqa/share ro,relatime shared:310 - nfs4 openqa.example.com:/var/lib/openqa/share ro,vers=4.2,hard,proto=tcp,addr=192.0.2.5';
const AUTOFS = '512 35 0:55 / /var/lib/openqa/share rw,relatime shared:301 - autofs systemd-1 rw,fd=52,pgrp=1,timeout=0,minproto=5,maxproto=5,direct,pipe_ino=19520';
const FSTAB = 'openqa.example.com:/var/lib/openqa/share  /var/lib/openqa/share  nfs4  ro,nofail,x-systemd.automount  0 0\n';

interface Host {
  mountinfo: string[];
  cache?: boolean;
  stat?: string;
  fstab?: string;
  units?: string;
  workersIni?: string;
}

function run(h: Host) {
  const ini = h.workersIni ?? `[global]\nHOST = https://openqa.example.com\n${h.cache ? 'CACHEDIRECTORY = /var/lib/openqa/cache\n' : ''}\n[1]\nWORKER_CLASS = qemu_x86_64,tap\n`;
  const spec: SnapshotSpec = {
    commands: {...(h.stat !== undefined ? {'share.stat': h.stat} : {}), ...(h.units !== undefined ? {'systemd.units': h.units} : {})},
    files: {
      mountinfo: {'/proc/self/mountinfo': `${h.mountinfo.join('\n')}\n`},
      'openqa.workers-ini': {'/etc/openqa/workers.ini': ini},
      fstab: h.fstab !== undefined ? {'/etc/fstab': h.fstab} : {},
    },
  };
  return analyzeSnapshot(makeSnapshot(spec), [factoryShareUnmounted], DEFAULT_CONFIG, {mode: 'snapshot'}).results[0]!;
}

describe('TD007', () => {
  it('passes an NFS share whose factory/ answers', () => {
    const r = run({mountinfo: [ROOT, NFS], stat: 'directory\n', fstab: FSTAB});
    expect(r.status).toBe('pass');
    expect(r.findings).toEqual([]);
  });

  it('errors when a worker without a cache has no share mounted, with the fstab line to add', () => {
    const r = run({mountinfo: [ROOT]});
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect([f.subject, f.severity]).toEqual(['/var/lib/openqa/share', 'error']);
    expect(f.message).toBe('/var/lib/openqa/share is not mounted: factory/ lies on / (xfs), expected an nfs/nfs4 mount of the web UI\'s share: jobs fail with "Cannot find HDD_1 asset"');
    expect(f.fix.split('\n')).toEqual([
      // salt-states-openqa openqa/nfs_share.sls: nfs, retry=30, x-systemd.mount-timeout=30m, automount, nolock.
      '# as salt-states-openqa openqa/nfs_share.sls mounts it',
      "grep -qxF -e 'openqa.example.com:/var/lib/openqa/share /var/lib/openqa/share nfs ro,nofail,retry=30,x-systemd.mount-timeout=30m,x-systemd.automount,nolock 0 0' /etc/fstab 2>/dev/null || echo 'openqa.example.com:/var/lib/openqa/share /var/lib/openqa/share nfs ro,nofail,retry=30,x-systemd.mount-timeout=30m,x-systemd.automount,nolock 0 0' >> /etc/fstab",
      'systemctl daemon-reload',
      'systemctl start var-lib-openqa-share.automount',
      '# MANUAL (an alternative setup):',
      '# Fedora\'s way: var-lib-openqa-share.service, plus a worker drop-in ExecStartPre=/usr/bin/test -d /var/lib/openqa/share/factory so workers take no job without the share',
    ]);
    expect(f.evidence).toEqual([
      {source: 'mountinfo', lines: [ROOT]},
      {source: 'openqa.workers-ini', lines: ['no CACHEDIRECTORY for instance 1: assets come from /var/lib/openqa/share']},
    ]);
  });

  it('mounts a configured but unmounted share via its automount unit', () => {
    const r = run({mountinfo: [ROOT], fstab: FSTAB});
    expect(r.findings[0]!.fix.split('\n')).toEqual([
      'systemctl start var-lib-openqa-share.automount',
      'ls /var/lib/openqa/share/factory >/dev/null   # the first access mounts it',
      // The automount is what is not active: its journal, not the .mount's.
      '# look: journalctl -b -u var-lib-openqa-share.automount   # why the automount from /etc/fstab line 1 is not active',
    ]);
    expect(r.findings[0]!.evidence[1]).toEqual({source: 'fstab', lines: [`/etc/fstab:1: ${FSTAB.trim()}`]});
  });

  it('reports a missing share as info only when every instance has a cache', () => {
    const r = run({mountinfo: [ROOT], cache: true});
    expect(r.findings.map((f) => [f.subject, f.severity])).toEqual([['/var/lib/openqa/share', 'info']]);
    expect(r.findings[0]!.message).toMatch(/\(optional here: every instance has CACHEDIRECTORY\)$/);
    expect(r.findings[0]!.evidence.at(-1)).toEqual({source: 'openqa.workers-ini', lines: ['/etc/openqa/workers.ini:3: CACHEDIRECTORY = /var/lib/openqa/cache']});
  });

  it('fails a tmpfs over the share', () => {
    const tmpfs = '512 35 0:55 / /var/lib/openqa/share rw,relatime shared:301 - tmpfs tmpfs rw,size=4194304k,inode64';
    const r = run({mountinfo: [ROOT, tmpfs], fstab: FSTAB});
    const f = r.findings[0]!;
    expect(f.message).toMatch(/^\/var\/lib\/openqa\/share is a tmpfs mount, not NFS, expected/);
    expect(f.fix.split('\n')).toEqual(['umount /var/lib/openqa/share   # the tmpfs mount hides the share', 'systemctl start var-lib-openqa-share.automount', 'ls /var/lib/openqa/share/factory >/dev/null   # the first access mounts it']);
  });

  it('reports a stale handle as error, and as warning with a cache', () => {
    const stat = "stat: cannot statx '/var/lib/openqa/share/factory': Stale file handle\n";
    const r = run({mountinfo: [ROOT, NFS], stat});
    expect(r.findings.map((f) => f.severity)).toEqual(['error']);
    expect(r.findings[0]!.fix.split('\n')[0]).toBe('umount -f -l /var/lib/openqa/share && mount /var/lib/openqa/share');
    expect(run({mountinfo: [ROOT, NFS], stat, cache: true}).findings.map((f) => f.severity)).toEqual(['warning']);
  });

  it('reports an NFS mount without factory/ (wrong export)', () => {
    const r = run({mountinfo: [ROOT, NFS], stat: "stat: cannot statx '/var/lib/openqa/share/factory': No such file or directory\n"});
    expect(r.findings[0]!.message).toMatch(/^\/var\/lib\/openqa\/share is mounted from openqa.example.com:\/var\/lib\/openqa\/share but \/var\/lib\/openqa\/share\/factory is missing/);
  });

  it('passes an idle automount with a note, whatever the cache', () => {
    const r = run({mountinfo: [ROOT, AUTOFS], fstab: FSTAB});
    expect(r.status).toBe('pass');
    expect(r.reason).toBe('/var/lib/openqa/share is an idle systemd automount (autofs systemd-1): configured, mounts on first access; tapdoctor does not trigger it');
  });

  it('passes the triggered automount (NFS stacked on autofs)', () => {
    expect(run({mountinfo: [ROOT, AUTOFS, NFS.replace('530 35', '530 512')], stat: 'directory\n'}).findings).toEqual([]);
  });

  it('accepts the local share of a host that runs the web UI', () => {
    const r = run({mountinfo: [ROOT], units: 'openqa-webui.service loaded active running The openQA web UI\nopenqa-worker@1.service loaded active running openQA Worker #1\n'});
    expect(r.status).toBe('pass');
    expect(r.reason).toMatch(/^the openQA web UI runs on this host \(openqa-webui.service\)/);
  });

  it('is n/a on a host without worker instances', () => {
    const r = run({mountinfo: [ROOT], workersIni: '[global]\nHOST = https://openqa.example.com\n'});
    expect(r.status).toBe('n/a');
    expect(r.reason).toMatch(/^no openQA worker instance on this host/);
  });
});
