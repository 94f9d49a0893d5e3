import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {makeSnapshot, type SnapshotSpec} from '../../test/helpers/snapshot.js';
import {DEFAULT_CONFIG, type TapdoctorConfig} from '../config.js';
import {SnapshotView, type Snapshot} from '../sources/snapshot.js';
import {Facts} from './facts.js';
import {poolJobs, switchConfig, tapInstances, tapsForInstance, workerConfig, workerFileOrder} from './openqa.js';

const sample = (dir: string, name: string) => readFileSync(new URL(`../../test/samples/${dir}/${name}`, import.meta.url), 'utf8');
const facts = (spec: SnapshotSpec | Snapshot, config: Partial<TapdoctorConfig> = {}) =>
  new Facts(new SnapshotView('manifest' in spec ? spec : makeSnapshot(spec)), {...DEFAULT_CONFIG, ...config});

describe('workerConfig', () => {
  it("openQA's t/24 workers.ini without unit data: instances from sections, settings resolved", () => {
    const f = facts({files: {'openqa.workers-ini': {'/etc/openqa/workers.ini': sample('workers-ini', 'openqa-t-24-worker-settings.txt')}}});
    const config = f.get(workerConfig);
    expect(config.files).toEqual(['/etc/openqa/workers.ini']);
    expect(config.global.HOST).toBe('http://localhost:9527    https://remotehost');
    expect(config.instances.map((i) => [i.instance, i.workerClasses, i.tap])).toEqual([
      [1, ['qemu_i386', 'qemu_x86_64'], false],
      [2, ['special-hardware', 'qemu_aarch64', 'worker-class-via-range'], false],
      [3, ['yet-another-class', 'worker-class-via-range'], false],
      [4, ['worker-class-via-range'], false],
      [5, [], false],
      [6, [], false],
    ]);
    expect(config.instances[1]!.settings.BAR).toBe('aarch64-specific-setting');
    expect(config.instances[1]!.declaredBy).toEqual(['workers.ini section']);
    expect(config.hosts!['https://remotehost']).toEqual({HOST_SPECIFIC: 'specific setting (remotehost)'});
    expect(config.unitsKnown).toBe(false);
  });

  it('an empty .wants listing is no unit data (a --root without /etc/systemd): sections decide', () => {
    const f = facts({
      files: {'openqa.workers-ini': {'/etc/openqa/workers.ini': '[1]\nWORKER_CLASS = qemu_x86_64,tap\n[2]\nWORKER_CLASS = qemu_x86_64,tap\n'}, 'systemd.wants': {}},
      failed: {'systemd.units': 'systemctl exited 1: System has not been booted with systemd'},
    });
    const config = f.get(workerConfig);
    expect(config.unitsKnown).toBe(false);
    expect(config.instances.map((i) => [i.instance, i.tap])).toEqual([
      [1, true],
      [2, true],
    ]);
  });

  it('instances are the enabled or running worker units; tap from [global] and a drop-in', () => {
    const f = facts({
      files: {
        'openqa.workers-ini': {
          '/etc/openqa/workers.ini.d/20-tap.ini': '[global]\nWORKER_CLASS += tap\n',
          '/etc/openqa/workers.ini': '[global]\nWORKER_CLASS = qemu_x86_64\n[3]\nFOO = bar\n[5]\nWORKER_CLASS = special\n',
          '/usr/etc/openqa/workers.ini': '[global]\nHOST = http://openqa.example\nWORKER_CLASS = packaged\n',
        },
        'systemd.wants': {
          '/etc/systemd/system/multi-user.target.wants/openqa-worker-auto-restart@3.service': {content: '', linkTarget: '/usr/lib/systemd/system/openqa-worker-auto-restart@.service'},
          '/etc/systemd/system/multi-user.target.wants/openvswitch.service': {content: '', linkTarget: '/usr/lib/systemd/system/openvswitch.service'},
        },
      },
      commands: {
        'systemd.units': 'openqa-worker@1.service loaded active running openQA Worker #1\nopenqa-worker@2.service loaded inactive dead openQA Worker #2\n',
      },
    });
    const config = f.get(workerConfig);
    expect(config.files).toEqual(['/usr/etc/openqa/workers.ini', '/etc/openqa/workers.ini', '/etc/openqa/workers.ini.d/20-tap.ini']);
    expect(config.global).toEqual({HOST: 'http://openqa.example', WORKER_CLASS: 'qemu_x86_64,tap'});
    expect(config.instances.map((i) => [i.instance, i.settings.WORKER_CLASS, i.tap, i.declaredBy])).toEqual([
      [1, 'qemu_x86_64,tap', true, ['active openqa-worker@1.service']],
      [3, 'qemu_x86_64,tap', true, ['workers.ini section', 'enabled openqa-worker-auto-restart@3.service']],
    ]);
    expect(config.unitsKnown).toBe(true);
    // [5] has a section but no unit: it does not exist as an instance (and needs no tap).
    expect(config.sectionOnlyInstances).toEqual([5]);
    expect(f.get(tapInstances)).toEqual([
      {instance: 1, taps: ['tap0']},
      {instance: 3, taps: ['tap2']},
    ]);
  });

  it('tap-class instances get the 64/128 sets with multiNic; Fedora tap2 counts as tap', () => {
    const f = facts({files: {'openqa.workers-ini': {'/etc/openqa/workers.ini': '[global]\nWORKER_CLASS = tap2,tpm,qemu_x86_64\n[1-2]\n'}}}, {multiNic: true});
    expect(f.get(tapInstances)).toEqual([
      {instance: 1, taps: ['tap0', 'tap64', 'tap128']},
      {instance: 2, taps: ['tap1', 'tap65', 'tap129']},
    ]);
    expect(tapsForInstance(20, false)).toEqual(['tap19']);
  });

  it('a host without workers.ini is not a worker: empty config', () => {
    const f = facts({files: {'openqa.workers-ini': {}}});
    expect(f.get(workerConfig)).toEqual({global: {}, instances: [], files: [], hosts: {}, unitsKnown: false});
  });

  it('an unrendered template makes the fact unavailable with the parse error; a failed source says why', () => {
    const broken = facts({files: {'openqa.workers-ini': {'/etc/openqa/workers.ini': sample('workers-ini', 'salt-openqa-workers.ini-template.txt')}}});
    expect(broken.try(workerConfig)).toEqual({ok: false, reason: expect.stringMatching(/^cannot parse \/etc\/openqa\/workers\.ini:1: parameter found outside a section/)});
    const failed = facts({failed: {'openqa.workers-ini': 'permission denied'}});
    expect(failed.try(workerConfig)).toEqual({ok: false, reason: 'could not collect openqa.workers-ini: permission denied'});
  });

  it('orders files: /usr/etc before /etc, main file before sorted drop-ins', () => {
    expect(
      workerFileOrder([
        '/etc/openqa/workers.ini.d/b.ini',
        '/usr/etc/openqa/workers.ini.d/z.ini',
        '/etc/openqa/workers.ini.d/a.ini',
        '/etc/openqa/workers.ini',
        '/usr/etc/openqa/workers.ini',
      ]),
    ).toEqual(['/usr/etc/openqa/workers.ini', '/usr/etc/openqa/workers.ini.d/z.ini', '/etc/openqa/workers.ini', '/etc/openqa/workers.ini.d/a.ini', '/etc/openqa/workers.ini.d/b.ini']);
  });
});

const UNIT = '/usr/lib/systemd/system/os-autoinst-openvswitch.service';
const SYSCONFIG = '/etc/sysconfig/os-autoinst-openvswitch';
const DROPINS = '/etc/systemd/system/os-autoinst-openvswitch.service.d';

describe('switchConfig', () => {
  it('nothing captured: the built-in defaults', () => {
    const c = facts({files: {'openqa.switch-config': {}}}).get(switchConfig);
    expect(c).toEqual({
      bridge: 'br0',
      localIp: '10.0.2.2',
      netmask: 15,
      rewriteTarget: '10.1.0.0',
      origin: {bridge: 'default', localIp: 'default', netmask: 'default', rewriteTarget: 'default'},
      environment: {OS_AUTOINST_USE_BRIDGE: 'br0'},
    });
  });

  it("the packaged unit's Environment= is the bridge default", () => {
    const c = facts({files: {'openqa.switch-config': {[UNIT]: sample('os-autoinst-openvswitch', 'os-autoinst-3e0b4eb9-os-autoinst-openvswitch.service.in.txt')}}}).get(switchConfig);
    expect([c.bridge, c.origin.bridge]).toEqual(['br0', `${UNIT}:13`]);
  });

  it("Fedora: unit, salt's timeout drop-in, Fedora's sysconfig file", () => {
    const c = facts({
      files: {
        'openqa.switch-config': {
          [UNIT]: sample('os-autoinst-openvswitch', 'os-autoinst-3e0b4eb9-os-autoinst-openvswitch.service.in.txt'),
          [`${DROPINS}/init-timeout.conf`]: sample('os-autoinst-openvswitch', 'salt-c99025d9-os-autoinst-openvswitch-init-timeout.conf.txt'),
          [SYSCONFIG]: sample('os-autoinst-openvswitch', 'fedora-ansible-6606be70-os-autoinst-openvswitch.sysconfig.txt'),
        },
      },
    }).get(switchConfig);
    expect(c).toEqual({
      bridge: 'openqabr0',
      localIp: '172.16.2.2',
      netmask: 15,
      rewriteTarget: '172.17.0.0',
      origin: {bridge: `${SYSCONFIG}:3`, localIp: `${SYSCONFIG}:1`, netmask: 'default', rewriteTarget: `${SYSCONFIG}:2`},
      environment: {
        OS_AUTOINST_USE_BRIDGE: 'openqabr0',
        OS_AUTOINST_OPENVSWITCH_INIT_TIMEOUT: '300',
        OS_AUTOINST_BRIDGE_LOCAL_IP: '172.16.2.2',
        OS_AUTOINST_BRIDGE_REWRITE_TARGET: '172.17.0.0',
      },
    });
  });

  it('the docs placeholder is reported as the bridge it names', () => {
    const c = facts({files: {'openqa.switch-config': {[SYSCONFIG]: sample('os-autoinst-openvswitch', 'openqa-docs-2016-placeholder.txt')}}}).get(switchConfig);
    expect([c.bridge, c.origin.bridge]).toEqual(['bridge_name', `${SYSCONFIG}:1`]);
  });

  it('drop-ins apply in name order and the EnvironmentFile overrides them', () => {
    const c = facts({
      files: {
        'openqa.switch-config': {
          [`${DROPINS}/20-b.conf`]: '[Service]\nEnvironment=OS_AUTOINST_USE_BRIDGE=br2 OS_AUTOINST_BRIDGE_NETMASK=16\n',
          [`${DROPINS}/10-a.conf`]: '[Service]\nEnvironment=OS_AUTOINST_USE_BRIDGE=br1 OS_AUTOINST_BRIDGE_LOCAL_IP=10.0.2.1\n',
          [SYSCONFIG]: "OS_AUTOINST_BRIDGE_LOCAL_IP='10.0.2.2'\n",
        },
      },
    }).get(switchConfig);
    expect([c.bridge, c.origin.bridge, c.netmask, c.localIp, c.origin.localIp]).toEqual(['br2', `${DROPINS}/20-b.conf:2`, 16, '10.0.2.2', `${SYSCONFIG}:1`]);
  });

  it('an /etc unit without EnvironmentFile= ignores the sysconfig file, and says so', () => {
    const c = facts({
      files: {
        'openqa.switch-config': {
          '/etc/systemd/system/os-autoinst-openvswitch.service': '[Service]\nEnvironment=OS_AUTOINST_USE_BRIDGE=br1\n',
          [UNIT]: sample('os-autoinst-openvswitch', 'os-autoinst-3e0b4eb9-os-autoinst-openvswitch.service.in.txt'),
          [SYSCONFIG]: 'OS_AUTOINST_USE_BRIDGE=br9\n',
        },
      },
    }).get(switchConfig);
    expect(c.bridge).toBe('br1');
    expect(c.problems).toEqual([`${SYSCONFIG} exists but the unit does not read it (no EnvironmentFile=)`]);
  });

  it('a netmask that is not a prefix length is NaN with a problem', () => {
    const c = facts({files: {'openqa.switch-config': {[SYSCONFIG]: 'OS_AUTOINST_BRIDGE_NETMASK=255.254.0.0\n'}}}).get(switchConfig);
    expect(c.netmask).toBeNaN();
    expect(c.problems).toEqual(["OS_AUTOINST_BRIDGE_NETMASK='255.254.0.0' is not a prefix length"]);
  });

  it('a sysconfig file that is not shell is a parse error', () => {
    const f = facts({files: {'openqa.switch-config': {[SYSCONFIG]: 'OS_AUTOINST_USE_BRIDGE=br 1\n'}}});
    expect(f.try(switchConfig)).toEqual({ok: false, reason: expect.stringContaining(`cannot parse ${SYSCONFIG}:1`)});
  });
});

const POOL = '/var/lib/openqa/pool';
const TAP_VARS = (instance: number, taps: string, vlans: string) =>
  JSON.stringify({NICTYPE: 'tap', TAPDEV: taps, NICVLAN: vlans, MM_MTU: '1458', WORKER_INSTANCE: instance, WORKER_CLASS: 'qemu_x86_64,tap'});

describe('poolJobs', () => {
  const spec = (): SnapshotSpec => ({
    files: {
      'openqa.pool': {
        [`${POOL}/1/vars.json`]: TAP_VARS(1, 'tap0,tap64', '12,13'),
        [`${POOL}/1/qemu.pid`]: '4242\n',
        [`${POOL}/2/vars.json`]: TAP_VARS(2, 'tap1', '14'),
        [`${POOL}/2/qemu.pid`]: '4343\n',
        [`${POOL}/3/vars.json`]: JSON.stringify({NICTYPE: 'tap', NICVLAN: '7,8', WORKER_INSTANCE: 3}),
        [`${POOL}/4/vars.json`]: TAP_VARS(4, 'tap3', '9'),
        [`${POOL}/4/qemu.pid`]: '4444\n',
        [`${POOL}/5/vars.json`]: '{"NICTYPE": "tap", "TAPDEV": "tap4",',
        [`${POOL}/cache/vars.json`]: '{}',
      },
    },
    commands: {
      'openqa.qemu-alive': {
        [`${POOL}/1`]: '/usr/bin/qemu-system-x86_64\0-only-migratable\0-netdev\0tap,id=qanet0,ifname=tap0,script=no\0',
        [`${POOL}/2`]: '',
        [`${POOL}/4`]: '/bin/bash\0-c\0sleep 1000\0',
      },
    },
  });

  it('alive, gone (stale vars.json after --no-cleanup), never started, pid reused, broken vars.json', () => {
    const snapshot = makeSnapshot(spec());
    // The probe records a process that is gone as an entry error.
    const gone = snapshot.manifest.sources['openqa.qemu-alive']!.entries.find((e) => e.key === `${POOL}/2`)!;
    gone.error = 'no such process';
    const jobs = facts(snapshot).get(poolJobs);
    expect(jobs.map((j) => [j.instance, j.pid, j.alive, j.tapDevices, j.vlans, j.mtu])).toEqual([
      [1, 4242, true, ['tap0', 'tap64'], [12, 13], 1458],
      [2, 4343, false, ['tap1'], [14], 1458],
      [3, undefined, false, ['tap2', 'tap66'], [7, 8], undefined],
      [4, 4444, false, ['tap3'], [9], 1458],
      [5, undefined, false, [], [], undefined],
    ]);
    expect(jobs[0]).toMatchObject({dir: `${POOL}/1`, nicType: 'tap', aliveProbed: true});
    expect(jobs[2]!.tapDevicesDerived).toBe(true);
    expect(jobs[4]!.problem).toMatch(/^\/var\/lib\/openqa\/pool\/5\/vars\.json:1: not valid JSON/);
  });

  it('without the probe nothing is alive and aliveProbed says why', () => {
    const s = spec();
    delete s.commands;
    const jobs = facts(s).get(poolJobs);
    expect(jobs.map((j) => [j.instance, j.alive, j.aliveProbed])).toEqual([
      [1, false, false],
      [2, false, false],
      [3, false, false],
      [4, false, false],
      [5, false, false],
    ]);
  });

  it('an idle host has no jobs; a failed pool source makes the fact unavailable', () => {
    expect(facts({files: {'openqa.pool': {}}}).get(poolJobs)).toEqual([]);
    expect(facts({}).try(poolJobs)).toEqual({ok: false, reason: 'source openqa.pool is not in this snapshot'});
  });
});
