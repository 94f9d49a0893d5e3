import {expect} from 'vitest';
import {CheckTester} from '../../test/helpers/check-tester.js';
import {makeSnapshot} from '../../test/helpers/snapshot.js';
import check from './TD014-worker-class-tap.js';

const SHOW_BR1 = 'Bridge br1\n    Port tap1\n        Interface tap1\n    Port tap0\n        tag: 3\n        Interface tap0\n    Port br1\n        Interface br1\n            type: internal\n';
const UNITS = (switchState = 'active running') =>
  `openvswitch.service loaded active exited Open vSwitch\nos-autoinst-openvswitch.service loaded ${switchState} os-autoinst openvswitch helper\nopenqa-worker-auto-restart@1.service loaded active running openQA Worker #1\nopenqa-worker-auto-restart@2.service loaded active running openQA Worker #2\n`;

interface Host {
  workerClass?: string;
  show?: string | null;
  units?: string | null;
  bridge?: string;
}

const tester = new CheckTester(check, (host: Host) =>
  makeSnapshot({
    commands: {
      ...(host.show === null ? {} : {'ovs.show': host.show ?? SHOW_BR1}),
      ...(host.units === null ? {} : {'systemd.units': host.units ?? UNITS()}),
    },
    files: {
      'openqa.workers-ini': {'/etc/openqa/workers.ini': `[global]\nHOST = http://openqa.example\n\n[1]\nWORKER_CLASS = ${host.workerClass ?? 'qemu_x86_64,tap'}\n\n[2]\nWORKER_CLASS = ${host.workerClass ?? 'qemu_x86_64,tap'}\n`},
      'systemd.wants': {
        '/etc/systemd/system/multi-user.target.wants/openqa-worker-auto-restart@1.service': '',
        '/etc/systemd/system/multi-user.target.wants/openqa-worker-auto-restart@2.service': '',
      },
      'openqa.switch-config': {'/etc/sysconfig/os-autoinst-openvswitch': `OS_AUTOINST_USE_BRIDGE=${host.bridge ?? 'br1'}\n`},
    },
  }),
);

const down = (n: number) =>
  `worker instance ${n} advertises WORKER_CLASS qemu_x86_64,tap but os-autoinst-openvswitch.service is failed (failed): openQA marks the instance broken (D-Bus service 'org.opensuse.os_autoinst.switch' is not running) and it takes no job at all, tap or not`;

tester.run({
  valid: [
    {name: 'passes when tap instances have the bridge and a running switch service', host: {}},
    {name: "Fedora's tap2 counts as tap", host: {workerClass: 'qemu_x86_64,tap2'}},
    {
      name: 'neither tap instances nor taps: not a multi-machine worker',
      host: {workerClass: 'qemu_x86_64', show: 'Bridge br1\n    Port br1\n        Interface br1\n            type: internal\n'},
      status: 'n/a',
      reason: 'no worker instance advertises tap and br1 has no tap ports: not a multi-machine worker',
    },
    {
      name: 'half the data: passes with a note saying what it could not see',
      host: {show: null},
      reason: 'os-autoinst-openvswitch.service is active; whether bridge br1 exists is unknown (source ovs.bridges is not in this snapshot; source ovs.show is not in this snapshot)',
    },
    {name: 'no data: skip', host: {show: null, units: null}, status: 'skip'},
  ],
  invalid: [
    {
      name: 'tap instances with the switch service down: a warning per instance with the way out',
      host: {units: UNITS('failed failed')},
      findings: [
        {
          kind: 'switch-service-down',
          subject: '1',
          severity: 'warning',
          message: down(1),
          fix: [
            'systemctl enable --now os-autoinst-openvswitch.service',
            "# look: journalctl -b -u os-autoinst-openvswitch.service   # it waits for bridge 'br1' and its address before serving",
            "# MANUAL (an alternative to the repair above, the admin's call):",
            '# or, while it cannot be fixed: WORKER_CLASS = qemu_x86_64 in /etc/openqa/workers.ini line 5, then systemctl restart openqa-worker-auto-restart@1.service, so the scheduler sends multi-machine jobs elsewhere',
          ],
        },
        {
          kind: 'switch-service-down',
          subject: '2',
          severity: 'warning',
          message: down(2),
          evidence: [
            {source: 'systemd.units', lines: ['os-autoinst-openvswitch.service loaded failed failed os-autoinst openvswitch helper']},
            {source: 'openqa.workers-ini', lines: ['/etc/openqa/workers.ini:8: WORKER_CLASS = qemu_x86_64,tap']},
          ],
        },
      ],
    },
    {
      name: 'the switch service not loaded at all',
      host: {units: UNITS().replace(/^os-autoinst-openvswitch.*\n/m, '')},
      findings: [{kind: 'switch-service-down', subject: '1', message: expect.stringContaining('os-autoinst-openvswitch.service is not loaded')}, {kind: 'switch-service-down', subject: '2'}],
    },
    {
      name: 'a numbered class (tap2) with the switch service down: openQA does not check it, so tap jobs come and fail at set_vlan',
      host: {units: UNITS('failed failed'), workerClass: 'qemu_x86_64,tap2'},
      findings: [
        {
          kind: 'switch-service-down',
          subject: '1',
          severity: 'warning',
          message: 'worker instance 1 advertises WORKER_CLASS qemu_x86_64,tap2 but os-autoinst-openvswitch.service is failed (failed): the scheduler still sends it tap jobs, and they fail at set_vlan',
        },
        {kind: 'switch-service-down', subject: '2'},
      ],
    },
    {
      name: 'tap instances and the switch bridge missing (the unit default br0 on a br1 host)',
      host: {bridge: 'br0'},
      findings: [
        {
          kind: 'switch-bridge-missing',
          subject: '1',
          severity: 'warning',
          message:
            'worker instance 1 advertises WORKER_CLASS qemu_x86_64,tap but the switch bridge br0 (OS_AUTOINST_USE_BRIDGE, from /etc/sysconfig/os-autoinst-openvswitch:1) does not exist (OVS bridges: br1): the scheduler still sends it tap jobs, and they fail at set_vlan',
        },
        {kind: 'switch-bridge-missing', subject: '2'},
      ],
      assert: (r) =>
        expect(r.findings[0]!.fix.split('\n').slice(0, 2)).toEqual([
          '# MANUAL (only the admin knows whether br1 is the multi-machine bridge):',
          '# if br1 is the multi-machine bridge: set OS_AUTOINST_USE_BRIDGE=br1 in /etc/sysconfig/os-autoinst-openvswitch and systemctl restart os-autoinst-openvswitch.service',
        ]),
    },
    {
      name: 'both broken: one finding per instance naming both',
      host: {bridge: 'br0', units: UNITS('activating start')},
      findings: [{kind: 'switch-service-down', subject: '1', message: expect.stringContaining('os-autoinst-openvswitch.service is activating (start) and the switch bridge br0')}, {kind: 'switch-service-down', subject: '2'}],
    },
    {
      name: 'taps on the bridge but no instance advertises tap: warning on workers.ini',
      host: {workerClass: 'qemu_x86_64'},
      findings: [
        {
          kind: 'taps-without-class',
          subject: '/etc/openqa/workers.ini',
          severity: 'warning',
          message: 'br1 has 2 tap ports (tap0, tap1) but no worker instance advertises tap in WORKER_CLASS (instances 1, 2: qemu_x86_64): multi-machine jobs never run here',
          fix: expect.stringContaining('in /etc/openqa/workers.ini [1] WORKER_CLASS = qemu_x86_64,tap'),
          explanation: expect.stringContaining('deliberately off'),
        },
      ],
    },
  ],
});
