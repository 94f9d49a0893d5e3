import {expect} from 'vitest';
import {CheckTester} from '../../test/helpers/check-tester.js';
import {makeSnapshot} from '../../test/helpers/snapshot.js';
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

const tester = new CheckTester(factoryShareUnmounted, (h: Host) => {
  const ini = h.workersIni ?? `[global]\nHOST = https://openqa.example.com\n${h.cache ? 'CACHEDIRECTORY = /var/lib/openqa/cache\n' : ''}\n[1]\nWORKER_CLASS = qemu_x86_64,tap\n`;
  return makeSnapshot({
    commands: {...(h.stat !== undefined ? {'share.stat': h.stat} : {}), ...(h.units !== undefined ? {'systemd.units': h.units} : {})},
    files: {
      mountinfo: {'/proc/self/mountinfo': `${h.mountinfo.join('\n')}\n`},
      'openqa.workers-ini': {'/etc/openqa/workers.ini': ini},
      fstab: h.fstab !== undefined ? {'/etc/fstab': h.fstab} : {},
    },
  });
});
const SHARE = '/var/lib/openqa/share';
const STALE = "stat: cannot statx '/var/lib/openqa/share/factory': Stale file handle\n";

tester.run({
  valid: [
    {name: 'passes an NFS share whose factory/ answers', host: {mountinfo: [ROOT, NFS], stat: 'directory\n', fstab: FSTAB}},
    {
      name: 'passes an idle automount with a note, whatever the cache',
      host: {mountinfo: [ROOT, AUTOFS], fstab: FSTAB},
      reason: '/var/lib/openqa/share is an idle systemd automount (autofs systemd-1): configured, mounts on first access; tapdoctor does not trigger it',
    },
    {name: 'passes the triggered automount (NFS stacked on autofs)', host: {mountinfo: [ROOT, AUTOFS, NFS.replace('530 35', '530 512')], stat: 'directory\n'}},
    {
      name: 'accepts the local share of a host that runs the web UI',
      host: {mountinfo: [ROOT], units: 'openqa-webui.service loaded active running The openQA web UI\nopenqa-worker@1.service loaded active running openQA Worker #1\n'},
      reason: /^the openQA web UI runs on this host \(openqa-webui.service\)/,
    },
    {name: 'is n/a on a host without worker instances', host: {mountinfo: [ROOT], workersIni: '[global]\nHOST = https://openqa.example.com\n'}, status: 'n/a', reason: /^no openQA worker instance on this host/},
  ],
  invalid: [
    {
      name: "errors when a worker without a cache has no share mounted, with the fstab line to add",
      host: {mountinfo: [ROOT]},
      findings: [
        {
          kind: 'not-mounted',
          subject: SHARE,
          severity: 'error',
          message: '/var/lib/openqa/share is not mounted: factory/ lies on / (xfs), expected an nfs/nfs4 mount of the web UI\'s share: jobs fail with "Cannot find HDD_1 asset"',
          fix: [
            // salt-states-openqa openqa/nfs_share.sls: nfs, retry=30, x-systemd.mount-timeout=30m, automount, nolock.
            '# as salt-states-openqa openqa/nfs_share.sls mounts it',
            "grep -qxF -e 'openqa.example.com:/var/lib/openqa/share /var/lib/openqa/share nfs ro,nofail,retry=30,x-systemd.mount-timeout=30m,x-systemd.automount,nolock 0 0' /etc/fstab 2>/dev/null || echo 'openqa.example.com:/var/lib/openqa/share /var/lib/openqa/share nfs ro,nofail,retry=30,x-systemd.mount-timeout=30m,x-systemd.automount,nolock 0 0' >> /etc/fstab",
            'systemctl daemon-reload',
            'systemctl start var-lib-openqa-share.automount',
            '# MANUAL (an alternative setup):',
            "# Fedora's way: var-lib-openqa-share.service, plus a worker drop-in ExecStartPre=/usr/bin/test -d /var/lib/openqa/share/factory so workers take no job without the share",
          ],
          evidence: [
            {source: 'mountinfo', lines: [ROOT]},
            {source: 'openqa.workers-ini', lines: ['no CACHEDIRECTORY for instance 1: assets come from /var/lib/openqa/share']},
          ],
        },
      ],
    },
    {
      name: 'mounts a configured but unmounted share via its automount unit',
      host: {mountinfo: [ROOT], fstab: FSTAB},
      findings: [
        {
          kind: 'not-mounted',
          subject: SHARE,
          fix: [
            'systemctl start var-lib-openqa-share.automount',
            'ls /var/lib/openqa/share/factory >/dev/null   # the first access mounts it',
            // The automount is what is not active: its journal, not the .mount's.
            '# look: journalctl -b -u var-lib-openqa-share.automount   # why the automount from /etc/fstab line 1 is not active',
          ],
        },
      ],
      assert: (r) => expect(r.findings[0]!.evidence[1]).toEqual({source: 'fstab', lines: [`/etc/fstab:1: ${FSTAB.trim()}`]}),
    },
    {
      name: 'reports a missing share as info only when every instance has a cache',
      host: {mountinfo: [ROOT], cache: true},
      findings: [{kind: 'not-mounted', subject: SHARE, severity: 'info', message: /\(optional here: every instance has CACHEDIRECTORY\)$/}],
      assert: (r) => expect(r.findings[0]!.evidence.at(-1)).toEqual({source: 'openqa.workers-ini', lines: ['/etc/openqa/workers.ini:3: CACHEDIRECTORY = /var/lib/openqa/cache']}),
    },
    {
      name: 'fails a tmpfs over the share',
      host: {mountinfo: [ROOT, '512 35 0:55 / /var/lib/openqa/share rw,relatime shared:301 - tmpfs tmpfs rw,size=4194304k,inode64'], fstab: FSTAB},
      findings: [
        {
          kind: 'not-nfs',
          subject: SHARE,
          message: /^\/var\/lib\/openqa\/share is a tmpfs mount, not NFS, expected/,
          fix: ['umount /var/lib/openqa/share   # the tmpfs mount hides the share', 'systemctl start var-lib-openqa-share.automount', 'ls /var/lib/openqa/share/factory >/dev/null   # the first access mounts it'],
        },
      ],
    },
    {
      name: 'reports a stale handle as error',
      host: {mountinfo: [ROOT, NFS], stat: STALE},
      findings: [{kind: 'stale-handle', subject: SHARE, severity: 'error'}],
      assert: (r) => expect(r.findings[0]!.fix.split('\n')[0]).toBe('umount -f -l /var/lib/openqa/share && mount /var/lib/openqa/share'),
    },
    {name: 'reports a stale handle as warning with a cache', host: {mountinfo: [ROOT, NFS], stat: STALE, cache: true}, findings: [{kind: 'stale-handle', subject: SHARE, severity: 'warning'}]},
    {
      name: 'reports an NFS mount without factory/ (wrong export)',
      host: {mountinfo: [ROOT, NFS], stat: "stat: cannot statx '/var/lib/openqa/share/factory': No such file or directory\n"},
      findings: [{kind: 'factory-missing', subject: SHARE, message: /^\/var\/lib\/openqa\/share is mounted from openqa.example.com:\/var\/lib\/openqa\/share but \/var\/lib\/openqa\/share\/factory is missing/}],
    },
  ],
});
