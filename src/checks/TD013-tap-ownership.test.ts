import {expect} from 'vitest';
import {CheckTester} from '../../test/helpers/check-tester.js';
import {makeSnapshot} from '../../test/helpers/snapshot.js';
import check from './TD013-tap-ownership.js';

const QEMU = '/usr/bin/qemu-system-x86_64';

interface Host {
  /** tap -> owner, group, tun_flags. */
  taps?: Record<string, [number, number, string?]>;
  cap?: boolean;
  passwd?: string;
  ifcfg?: Record<string, string>;
  nm?: Record<string, string>;
  failed?: Record<string, string>;
  /** A live job on instance 1 using tap0. */
  job?: boolean;
}

const tester = new CheckTester(check, (host: Host) => {
  const sysfs: Record<string, string> = {};
  for (const [tap, [owner, group, flags]] of Object.entries(host.taps ?? {tap0: [990, 65534], tap1: [990, 65534]})) {
    Object.assign(sysfs, {[`/sys/class/net/${tap}/owner`]: `${owner}\n`, [`/sys/class/net/${tap}/group`]: `${group}\n`, [`/sys/class/net/${tap}/tun_flags`]: `${flags ?? '0x1802'}\n`});
  }
  return makeSnapshot({
    commands: {
      'qemu.getcap': {[QEMU]: host.cap === false ? '' : `${QEMU} cap_net_admin=ep\n`},
      'openqa.qemu-alive': host.job ? {'/var/lib/openqa/pool/1': `${QEMU}\0`} : {},
    },
    files: {
      'openqa.workers-ini': {'/etc/openqa/workers.ini': '[1,2]\nWORKER_CLASS = qemu_x86_64,tap\n'},
      'systemd.wants': {
        '/etc/systemd/system/multi-user.target.wants/openqa-worker@1.service': '',
        '/etc/systemd/system/multi-user.target.wants/openqa-worker@2.service': '',
      },
      'openqa.switch-config': {'/etc/sysconfig/os-autoinst-openvswitch': 'OS_AUTOINST_USE_BRIDGE=br1\n'},
      accounts: {
        '/etc/passwd': host.passwd ?? 'root:x:0:0:root:/root:/bin/bash\n_openqa-worker:x:990:65534:openQA worker:/var/lib/openqa:/bin/bash\ngeekotest:x:480:65534::/var/lib/openqa:/bin/bash\n',
        '/etc/group': 'root:x:0:\nkvm:x:36:_openqa-worker\nnogroup:x:65534:\n',
      },
      'tap.sysfs': sysfs,
      'network.ifcfg': host.ifcfg ?? {},
      'network.nm': host.nm ?? {},
      'openqa.pool': host.job ? {'/var/lib/openqa/pool/1/vars.json': '{"NICTYPE":"tap","NICVLAN":"4","TAPDEV":"tap0"}', '/var/lib/openqa/pool/1/qemu.pid': '50\n'} : {},
    },
    failed: host.failed ?? {},
  });
});

tester.run({
  valid: [
    {name: 'passes for the worker user', host: {}},
    {name: 'passes for its supplementary group kvm and an unset owner/group', host: {taps: {tap0: [990, 36], tap1: [-1, -1]}}},
    {name: 'passes for an unset owner or group', host: {taps: {tap0: [-1, 65534], tap1: [990, -1]}}},
    {name: "missing taps are TD012's", host: {taps: {tap0: [990, 65534]}}},
    {
      name: 'cannot judge without the worker user: skip, not pass',
      host: {passwd: 'root:x:0:0:root:/root:/bin/bash\n', taps: {tap0: [990, 65534], tap1: [990, 65534]}},
      status: 'skip',
      reason: 'cannot judge tap ownership: tap0: the worker user _openqa-worker is not in /etc/passwd; tap1: the worker user _openqa-worker is not in /etc/passwd',
    },
    {name: 'cannot judge without sysfs: skip, not pass', host: {failed: {'tap.sysfs': 'permission denied'}}, status: 'skip', reason: 'could not collect tap.sysfs: permission denied'},
  ],
  invalid: [
    {
      name: 'a foreign owner is an error without CAP_NET_ADMIN, with the wicked line to change',
      host: {cap: false, taps: {tap0: [480, 65534], tap1: [990, 65534]}, ifcfg: {'/etc/sysconfig/network/ifcfg-tap0': "TUNNEL='tap'\nTUNNEL_SET_OWNER='geekotest'\nTUNNEL_SET_GROUP='nogroup'\n"}},
      findings: [
        {
          kind: 'owner-refuses-worker',
          subject: 'tap0',
          severity: 'error',
          message: `tap0 (instance 1) refuses the worker user: owner geekotest (480) is not _openqa-worker (990); qemu lacks CAP_NET_ADMIN (${QEMU}), so jobs fail with "could not configure /dev/net/tun (tap0): Operation not permitted"`,
          fix: [
            'ip link delete tap0 2>/dev/null || true',
            'ip tuntap add dev tap0 mode tap user 990 group 65534',
            'ip link set tap0 up',
            'ovs-vsctl --may-exist add-port br1 tap0',
            "# /etc/sysconfig/network/ifcfg-tap0 line 2: TUNNEL_SET_OWNER='geekotest'",
            `if grep -q '^TUNNEL_SET_OWNER=' /etc/sysconfig/network/ifcfg-tap0; then sed -i --follow-symlinks "s/^TUNNEL_SET_OWNER=.*/TUNNEL_SET_OWNER='_openqa-worker'/" /etc/sysconfig/network/ifcfg-tap0; else echo "TUNNEL_SET_OWNER='_openqa-worker'" >> /etc/sysconfig/network/ifcfg-tap0; fi`,
          ],
          evidence: [
            {source: 'tap.sysfs', lines: ['/sys/class/net/tap0/owner: 480', '/sys/class/net/tap0/group: 65534', '/sys/class/net/tap0/tun_flags: 0x1802']},
            {source: 'accounts /etc/passwd', lines: ['_openqa-worker:x:990:65534:openQA worker:/var/lib/openqa:/bin/bash']},
            {source: 'network.ifcfg', lines: ["/etc/sysconfig/network/ifcfg-tap0:2: TUNNEL_SET_OWNER='geekotest'", "/etc/sysconfig/network/ifcfg-tap0:3: TUNNEL_SET_GROUP='nogroup'"]},
            {source: `qemu.getcap ${QEMU}`, lines: [`getcap ${QEMU} printed nothing: the file has no capabilities`]},
          ],
        },
      ],
    },
    {
      name: 'info when qemu has CAP_NET_ADMIN to get around it',
      host: {taps: {tap0: [990, 0], tap1: [990, 65534]}},
      findings: [
        {
          kind: 'group-refuses-worker',
          subject: 'tap0',
          severity: 'info',
          message: `tap0 (instance 1) refuses the worker user: group root (0) is not one of _openqa-worker's groups (nogroup, kvm); qemu has CAP_NET_ADMIN (${QEMU}), which gets around it`,
        },
      ],
    },
    {
      name: 'NetworkManager: nmcli con modify with the numeric ids',
      host: {
        taps: {tap0: [990, 65534], tap1: [0, 65534]},
        nm: {'/etc/NetworkManager/system-connections/tap1.nmconnection': '[connection]\nid=tap1\ntype=tun\ninterface-name=tap1\nmaster=tap1-port\nslave-type=ovs-port\n\n[tun]\nmode=2\nowner=0\ngroup=65534\n'},
      },
      findings: [{kind: 'owner-refuses-worker', subject: 'tap1'}],
      assert: (r) => {
        expect(r.findings[0]!.fix.split('\n').slice(-2)).toEqual(['ovs-vsctl --may-exist add-port br1 tap1', 'nmcli connection modify tap1 tun.owner 990 tun.group 65534']);
        expect(r.findings[0]!.evidence.at(-1)).toEqual({source: 'network.nm', lines: ['/etc/NetworkManager/system-connections/tap1.nmconnection: [tun] owner=0 group=65534']});
      },
    },
    {
      name: 'a running job holds the tap: re-creating it waits for the job, after the persistent fix',
      host: {taps: {tap0: [480, 65534], tap1: [990, 65534]}, job: true},
      findings: [{kind: 'owner-refuses-worker', subject: 'tap0', message: expect.stringContaining('tap0 (instance 1, job /var/lib/openqa/pool/1)')}],
      assert: (r) => {
        const lines = r.findings[0]!.fix.split('\n');
        const wait = lines.indexOf("# only once the job in /var/lib/openqa/pool/1 has ended (tapdoctor's script stops here while it runs):");
        expect(wait).toBeGreaterThan(0);
        expect(lines[wait + 1]).toBe('ip link delete tap0 2>/dev/null || true');
      },
    },
    {
      name: 'a non-persistent idle tap is a warning',
      host: {taps: {tap0: [990, 65534], tap1: [990, 65534, '0x1002']}},
      findings: [
        {
          kind: 'not-persistent',
          subject: 'tap1',
          severity: 'warning',
          message: 'tap1 (instance 2) is not persistent (tun_flags without TUN_PERSIST): it vanishes with the process holding it, and no running job holds it',
        },
      ],
    },
  ],
});
