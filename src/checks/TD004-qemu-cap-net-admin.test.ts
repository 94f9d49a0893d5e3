import {expect} from 'vitest';
import {CheckTester} from '../../test/helpers/check-tester.js';
import {makeSnapshot} from '../../test/helpers/snapshot.js';
import check from './TD004-qemu-cap-net-admin.js';

const QEMU = '/usr/bin/qemu-system-x86_64';
const OS_SUSE = 'NAME="openSUSE Leap"\nID="opensuse-leap"\nID_LIKE="suse opensuse"\n';
const OS_FEDORA = 'NAME="Fedora Linux"\nID=fedora\n';

interface Host {
  getcap?: Record<string, string>;
  /** tap name -> [owner, group]; absent taps do not exist. */
  taps?: Record<string, [number, number]>;
  workerClass?: string;
  jobVars?: Record<string, unknown>;
  osRelease?: string;
  mountinfo?: string;
}

const tester = new CheckTester(check, (host: Host) => {
  const taps = host.taps ?? {tap0: [990, 65534], tap1: [990, 65534]};
  const sysfs: Record<string, string> = {};
  for (const [tap, [owner, group]] of Object.entries(taps)) {
    Object.assign(sysfs, {[`/sys/class/net/${tap}/owner`]: `${owner}\n`, [`/sys/class/net/${tap}/group`]: `${group}\n`, [`/sys/class/net/${tap}/tun_flags`]: '0x1802\n'});
  }
  const pool: Record<string, string> = host.jobVars ? {'/var/lib/openqa/pool/1/vars.json': JSON.stringify({NICTYPE: 'tap', NICVLAN: '3', TAPDEV: 'tap0', ...host.jobVars}), '/var/lib/openqa/pool/1/qemu.pid': '77\n'} : {};
  return makeSnapshot({
    commands: {
      'qemu.getcap': host.getcap ?? {[QEMU]: `${QEMU} cap_net_admin=ep\n`},
      'openqa.qemu-alive': host.jobVars ? {'/var/lib/openqa/pool/1': `${QEMU}\0`} : {},
    },
    files: {
      'openqa.workers-ini': {'/etc/openqa/workers.ini': `[1,2]\nWORKER_CLASS = ${host.workerClass ?? 'qemu_x86_64,tap'}\n`},
      'systemd.wants': {
        '/etc/systemd/system/multi-user.target.wants/openqa-worker-auto-restart@1.service': '',
        '/etc/systemd/system/multi-user.target.wants/openqa-worker-auto-restart@2.service': '',
      },
      accounts: {'/etc/passwd': '_openqa-worker:x:990:65534:openQA worker:/var/lib/openqa:/bin/bash\n', '/etc/group': 'root:x:0:\nkvm:x:36:_openqa-worker\nnogroup:x:65534:\n'},
      'tap.sysfs': sysfs,
      'openqa.pool': pool,
      'os-release': {'/etc/os-release': host.osRelease ?? OS_SUSE},
      mountinfo: {'/proc/self/mountinfo': host.mountinfo ?? '35 1 0:32 / / rw,relatime shared:1 - btrfs /dev/sda2 rw\n'},
    },
  });
});
const AARCH = '/usr/bin/qemu-system-aarch64';

tester.run({
  valid: [
    {name: 'passes with cap_net_admin=ep', host: {}},
    {name: 'passes with the older "= cap_net_admin+ep" format', host: {getcap: {[QEMU]: `${QEMU} = cap_net_admin+ep\n`}}},
    {name: 'passes with more capabilities beside it', host: {getcap: {[QEMU]: `${QEMU} cap_net_admin,cap_sys_nice=eip\n`}}},
    {name: 'n/a without tap-class instances', host: {workerClass: 'qemu_x86_64'}, status: 'n/a', reason: 'no worker instance has tap in WORKER_CLASS: qemu opens no tap here'},
    {name: 'skipped without any qemu binary', host: {getcap: {}}, status: 'skip'},
  ],
  invalid: [
    {
      name: 'info (no fault: upstream runs without it) when every tap is usable without it, with the SUSE way to keep it',
      host: {getcap: {[QEMU]: ''}},
      findings: [
        {
          kind: 'not-required',
          subject: QEMU,
          severity: 'info',
          message: `${QEMU} lacks cap_net_admin, expected cap_net_admin=ep; every existing tap is usable without it today, but TAPSCRIPT needs it and qemu updates drop it`,
          evidence: [{source: `qemu.getcap ${QEMU}`, lines: [`getcap ${QEMU} printed nothing: the file has no capabilities`]}],
        },
      ],
      assert: (r) => {
        expect(r.findings[0]!.fix.split('\n').slice(0, 4)).toEqual([
          `setcap cap_net_admin=ep ${QEMU}`,
          '# keep it across qemu updates (PERMISSION_SECURITY in /etc/sysconfig/security must include "local"; salt re-applies setcap on every highstate instead)',
          `grep -q '^${QEMU} ' /etc/permissions.local 2>/dev/null || printf '%s\\n' '${QEMU} root:root 0755' ' +capabilities cap_net_admin=ep' >> /etc/permissions.local`,
          // permissions 1.x renamed chkstat to permctl (chkstat stays a compatibility name).
          'permctl --system --set   # chkstat before permissions 1.x',
        ]);
        expect(r.findings[0]!.fix).not.toMatch(/^chkstat/m);
      },
    },
    {
      name: "a missing tap is TD012's cause, not an error here",
      host: {getcap: {[QEMU]: ''}, taps: {tap0: [990, 65534]}},
      findings: [{kind: 'not-required', subject: QEMU, severity: 'info', message: expect.stringContaining("(missing tap1: TD012's finding; a tap qemu creates is no port of the bridge, so the capability would not make it work)")}],
    },
    {
      name: 'a tap that refuses the worker user is',
      host: {getcap: {[QEMU]: ''}, taps: {tap0: [990, 0], tap1: [990, 36]}},
      findings: [{kind: 'required', subject: QEMU, message: expect.stringContaining("qemu needs it here: tap0 (instance 1): group root (0) is not one of _openqa-worker's groups (nogroup, kvm)")}],
      assert: (r) =>
        expect(r.findings[0]!.evidence[1]).toEqual({
          source: 'tap.sysfs',
          lines: ['/sys/class/net/tap0/owner: 990', '/sys/class/net/tap0/group: 0', '/sys/class/net/tap0/tun_flags: 0x1802'],
        }),
    },
    {name: 'error when a running job uses TAPSCRIPT', host: {getcap: {[QEMU]: ''}, jobVars: {TAPSCRIPT: '/etc/openqa/ifup-br1'}}, findings: [{kind: 'required', subject: QEMU, severity: 'error'}]},
    {name: '"no" (os-autoinst\'s default) is no script', host: {getcap: {[QEMU]: ''}, jobVars: {TAPSCRIPT: 'no'}}, findings: [{kind: 'not-required', subject: QEMU, severity: 'info'}]},
    {
      name: 'needs both e and p',
      host: {getcap: {[QEMU]: `${QEMU} cap_net_admin=p\n`}},
      findings: [{kind: 'not-required', subject: QEMU, message: expect.stringContaining('has cap_net_admin=p, needs both e and p (cap_net_admin=ep)')}],
    },
    {
      name: 'a nosuid mount voids the capability; the fix is the mount, not setcap',
      host: {mountinfo: '35 1 0:32 / / rw,relatime shared:1 - btrfs /dev/sda2 rw\n40 35 0:33 / /usr rw,nosuid,relatime shared:2 - ext4 /dev/sda3 rw\n'},
      findings: [
        {
          kind: 'not-required',
          subject: QEMU,
          severity: 'info',
          message: `${QEMU} has cap_net_admin=ep, but /usr is mounted nosuid, so the kernel ignores its file capabilities; every existing tap is usable without it today, but TAPSCRIPT needs it and qemu updates drop it`,
          fix: "mount -o remount,suid /usr\n# MANUAL (the mount options are the admin's):\n# drop nosuid from the options of /usr in /etc/fstab (or its .mount unit)",
        },
      ],
      assert: (r) => expect(r.findings[0]!.evidence[1]).toEqual({source: 'mountinfo', lines: ['/usr rw,nosuid,relatime - ext4 /dev/sda3']}),
    },
    {
      // tap0's group refuses the worker user: qemu needs the capability for it.
      name: 'one finding per binary; a binary no tap job runs is info',
      host: {getcap: {[QEMU]: '', [AARCH]: ''}, taps: {tap0: [990, 0], tap1: [990, 36]}},
      findings: [
        {kind: 'unused-binary', subject: AARCH, severity: 'info', message: `${AARCH} lacks cap_net_admin, expected cap_net_admin=ep; no tap job here runs it (they run qemu-system-x86_64)`},
        {kind: 'required', subject: QEMU, severity: 'error'},
      ],
    },
    {
      // Without a qemu_<arch> class os-autoinst takes the first binary it finds: every binary counts.
      name: 'without a qemu_<arch> class every binary counts',
      host: {getcap: {[QEMU]: '', [AARCH]: ''}, workerClass: 'tap'},
      findings: [
        {kind: 'not-required', subject: AARCH, severity: 'info'},
        {kind: 'not-required', subject: QEMU, severity: 'info'},
      ],
    },
    {
      name: 'Fedora: keep it with config management',
      host: {getcap: {[QEMU]: ''}, osRelease: OS_FEDORA},
      findings: [
        {
          kind: 'not-required',
          subject: QEMU,
          fix: `setcap cap_net_admin=ep ${QEMU}\n# MANUAL (keeping it across qemu updates belongs to config management):\n# Fedora: keep it across qemu updates in config management, as fedora-infra tap-setup.yml does:\n#   community.general.capabilities: path=${QEMU} capability=cap_net_admin+ep state=present`,
        },
      ],
    },
  ],
});
