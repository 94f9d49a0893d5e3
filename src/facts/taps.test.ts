import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {makeSnapshot, type SnapshotSpec} from '../../test/helpers/snapshot.js';
import {DEFAULT_CONFIG, type TapdoctorConfig} from '../config.js';
import {SnapshotView} from '../sources/snapshot.js';
import {Facts} from './facts.js';
import {accounts, workerAccount} from './host/accounts.js';
import {capNeed, kernelTapView, neededTaps, ovsInterface, ovsPort, qemuNetAdmin, tapAccess, tapDevice, tapOwnerNames, tapScripts} from './taps.js';
import type {OvsDb} from './types.js';

const sample = (dir: string, name: string) => readFileSync(new URL(`../../test/samples/${dir}/${name}`, import.meta.url), 'utf8');
const facts = (spec: SnapshotSpec, config: Partial<TapdoctorConfig> = {}) => new Facts(new SnapshotView(makeSnapshot(spec)), {...DEFAULT_CONFIG, ...config});

// Real /etc/passwd and /etc/group: _openqa-worker uid 999, primary group nogroup (65534), member of kvm (999).
const ACCOUNTS = {
  '/etc/passwd': sample('accounts', 'generated-debian12-base-passwd-useradd-openqa-worker-passwd.txt'),
  '/etc/group': sample('accounts', 'generated-debian12-base-passwd-useradd-openqa-worker-group.txt'),
};

/** Real sysfs of kernel 6.18: tap0 user+group 65534, tap1 user 65534 only, tap2 neither, tun0 a multiqueue tun. */
function realSysfs(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const dev of ['tap0', 'tap1', 'tap2', 'tun0']) {
    for (const attr of ['owner', 'group', 'tun_flags']) out[`/sys/class/net/${dev}/${attr}`] = sample('tap-sysfs', `generated-kernel-6.18-${dev}-${attr}.txt`);
  }
  return out;
}

describe('tapAccess: the kernel rule of tun_not_capable()', () => {
  const f = facts({files: {accounts: ACCOUNTS}});
  const db = f.get(accounts);
  const worker = f.get(workerAccount)!;
  const nobody = db.byName.get('nobody')!;
  const verdict = (owner: number, group: number, who = worker) => tapAccess({name: 't', owner, group}, who, who.name, db);

  it('matches the kernel rule of drivers/net/tun.c tun_not_capable() (uid/egid 65534, no capabilities)', () => {
    expect(verdict(65534, -1, nobody).verdict).toBe('allowed'); // user nobody
    expect(verdict(65534, 65534, nobody).verdict).toBe('allowed'); // user nobody group nogroup
    expect(verdict(65534, 0, nobody)).toEqual({verdict: 'refused', refusals: ["group root (0) is not one of nobody's groups (nogroup)"], refusedBy: 'group'}); // group root
    expect(verdict(0, -1, nobody)).toEqual({verdict: 'refused', refusals: ['owner root (0) is not nobody (65534)'], refusedBy: 'owner'}); // user root
  });

  it('owner AND group must both admit the user; unset (-1) admits everyone', () => {
    expect(verdict(-1, -1).verdict).toBe('allowed');
    expect(verdict(999, 65534).verdict).toBe('allowed');
    expect(verdict(999, 999).verdict).toBe('allowed'); // kvm, a supplementary group (salt)
    expect(verdict(999, 0).refusals).toEqual(["group root (0) is not one of _openqa-worker's groups (nogroup, kvm)"]);
    expect(verdict(480, 65534).refusals).toEqual(['owner uid 480 is not _openqa-worker (999)']);
  });

  it('unknown when sysfs lacks the values or the worker user does not exist', () => {
    expect(tapAccess(undefined, worker, worker.name, db).verdict).toBe('unknown');
    expect(tapAccess({name: 't', owner: 5, group: 5}, undefined, '_openqa-worker', db)).toEqual({
      verdict: 'unknown',
      refusals: [],
      unknownBecause: 'the worker user _openqa-worker is not in /etc/passwd',
    });
    // Nothing set: no user needed to decide.
    expect(tapAccess({name: 't', owner: -1, group: -1}, undefined, '_openqa-worker', db).verdict).toBe('allowed');
  });
});

describe('ovsPort and ovsInterface', () => {
  it('give the first port or interface of a name, also after the lists grew', () => {
    const first = {name: 'tap1', interfaces: [], tag: 5};
    const db: OvsDb = {bridges: [], ports: [{name: 'tap0', interfaces: []}, first, {name: 'tap1', interfaces: [], tag: 6}], interfaces: [{name: 'tap0', type: '', options: {}}], from: 'json'};
    expect(ovsPort(db, 'tap1')).toBe(first);
    expect(ovsPort(db, 'tap2')).toBeUndefined();
    expect(ovsInterface(db, 'tap0')).toBe(db.interfaces[0]);
    db.ports.push({name: 'tap2', interfaces: []});
    db.interfaces.push({name: 'tap2', type: 'internal', options: {}});
    expect(ovsPort(db, 'tap2')).toBe(db.ports[3]);
    expect(ovsInterface(db, 'tap2')?.type).toBe('internal');
    expect(ovsPort(db, 'tap1')).toBe(first);
  });
});

describe('tapDevice', () => {
  it('reads tap/tun and persistence from real tun_flags', () => {
    const view = facts({files: {'tap.sysfs': realSysfs()}}).get(kernelTapView);
    expect(tapDevice(view, 'tap0')).toMatchObject({exists: true, isTap: true, persistent: true});
    expect(tapDevice(view, 'tun0')).toMatchObject({exists: true, isTap: false, persistent: true});
    expect(tapDevice(view, 'tap9')).toEqual({name: 'tap9', exists: false});
    expect(view.gaps).toEqual(['source ip.addr is not in this snapshot']);
  });

  it('falls back to ip link kinds without sysfs; unavailable only without both', () => {
    const ip = JSON.stringify([
      {ifindex: 5, ifname: 'tap0', flags: ['UP'], mtu: 1500, linkinfo: {info_kind: 'tun', info_data: {type: 'tap'}}},
      {ifindex: 6, ifname: 'tap1', flags: ['UP'], mtu: 1500, linkinfo: {info_kind: 'veth'}},
    ]);
    const view = facts({commands: {'ip.addr': ip}}).get(kernelTapView);
    expect(tapDevice(view, 'tap0').isTap).toBe(true);
    expect(tapDevice(view, 'tap1').isTap).toBe(false);
    expect(facts({}).try(kernelTapView).ok).toBe(false);
  });
});

describe('tapScripts', () => {
  it("ignores os-autoinst's `no` placeholders", () => {
    expect(tapScripts('no,no')).toEqual([]);
    expect(tapScripts('/usr/local/bin/ifup-ovs, no')).toEqual(['/usr/local/bin/ifup-ovs']);
    expect(tapScripts(undefined)).toEqual([]);
  });
});

const WORKER = {
  'openqa.workers-ini': {'/etc/openqa/workers.ini': '[global]\nWORKER_CLASS = qemu_x86_64\n[1,2]\nWORKER_CLASS += tap\n[3]\nWORKER_CLASS = qemu_x86_64\n'},
  'systemd.wants': {
    '/etc/systemd/system/multi-user.target.wants/openqa-worker@1.service': '',
    '/etc/systemd/system/multi-user.target.wants/openqa-worker@2.service': '',
    '/etc/systemd/system/multi-user.target.wants/openqa-worker@3.service': '',
  },
};

describe('neededTaps and capNeed', () => {
  const pool = {
    '/var/lib/openqa/pool/1/vars.json': '{"NICTYPE": "tap", "NICVLAN": "4,5", "TAPDEV": "tap0,tap64", "TAPSCRIPT": "no,no", "WORKER_INSTANCE": 1}',
    '/var/lib/openqa/pool/1/qemu.pid': '100\n',
    '/var/lib/openqa/pool/2/vars.json': '{"NICTYPE": "tap", "NICVLAN": "6", "TAPDEV": "tap1", "TAPSCRIPT": "/usr/local/bin/up", "WORKER_INSTANCE": 2}',
    '/var/lib/openqa/pool/2/qemu.pid': '200\n',
  };
  const spec = (alive: Record<string, string>): SnapshotSpec => ({
    files: {...WORKER, 'openqa.pool': pool, accounts: ACCOUNTS, 'tap.sysfs': realSysfs()},
    commands: {'openqa.qemu-alive': alive},
  });

  it('tap-class instances need tap(N-1); live jobs add the taps they name', () => {
    const f = facts(spec({'/var/lib/openqa/pool/1': '/usr/bin/qemu-system-x86_64\0'}));
    expect(f.get(neededTaps).map((t) => [t.name, t.instances, t.jobs.map((j) => j.dir)])).toEqual([
      ['tap0', [1], ['/var/lib/openqa/pool/1']],
      ['tap1', [2], []],
      ['tap64', [], ['/var/lib/openqa/pool/1']],
    ]);
    expect(facts(spec({}), {multiNic: true}).get(neededTaps).map((t) => t.name)).toEqual(['tap0', 'tap1', 'tap64', 'tap65', 'tap128', 'tap129']);
  });

  it('capNeed: missing taps, refusing owners and a running TAPSCRIPT', () => {
    const need = facts(spec({'/var/lib/openqa/pool/2': '/usr/bin/qemu-system-x86_64\0'})).get(capNeed);
    expect(need.tapInstances).toEqual([1, 2]);
    // tap0 (65534/65534) and tap1 (65534/-1) refuse _openqa-worker (uid 999); the job on instance 2 runs a script.
    expect(need.reasons.map((r) => r.why)).toEqual([
      'tap0 (instance 1): owner nobody (65534) is not _openqa-worker (999)',
      'tap1 (instance 2, job /var/lib/openqa/pool/2): owner nobody (65534) is not _openqa-worker (999)',
      'job /var/lib/openqa/pool/2 runs TAPSCRIPT=/usr/local/bin/up',
    ]);
    expect(need.reasons[0]!.evidence).toEqual([
      {source: 'tap.sysfs', lines: ['/sys/class/net/tap0/owner: 65534', '/sys/class/net/tap0/group: 65534', '/sys/class/net/tap0/tun_flags: 0x1802']},
    ]);
  });

  // A tap qemu creates is no port of the bridge, so set_vlan fails anyway: a missing tap is TD012's
  // cause, not a reason for the capability (the old answer raised TD004 to error and blocked the gate).
  it('capNeed: a missing tap is no reason for the capability, only listed as missing', () => {
    const need = facts({files: {...WORKER, accounts: ACCOUNTS, 'tap.sysfs': {}, 'openqa.pool': {}}, commands: {'ip.addr': '[]'}}).get(capNeed);
    expect(need.reasons).toEqual([]);
    expect(need.missingTaps).toEqual(['tap0', 'tap1']);
  });
});

describe('qemuNetAdmin', () => {
  const getcap = (text: string, mountinfo?: string) =>
    facts({commands: {'qemu.getcap': {'/usr/bin/qemu-system-x86_64': text}}, files: mountinfo ? {mountinfo: {'/proc/self/mountinfo': mountinfo}} : {}}).get(qemuNetAdmin)[0]!;
  const ROOT = '35 1 0:32 / / rw,relatime shared:1 - btrfs /dev/sda2 rw\n';

  it('needs e and p, in either getcap format', () => {
    expect(getcap(sample('getcap', 'generated-libcap-2.66-one-cap.txt'))).toMatchObject({flags: 'ep', hasCap: true, effective: true});
    expect(getcap('/usr/bin/qemu-system-x86_64 = cap_net_admin+ep\n')).toMatchObject({flags: 'ep', effective: true, getcapLine: '/usr/bin/qemu-system-x86_64 = cap_net_admin+ep'});
    expect(getcap('/usr/bin/qemu-system-x86_64 cap_net_admin=p\n')).toMatchObject({flags: 'p', hasCap: false, effective: false});
    expect(getcap('')).toEqual({path: '/usr/bin/qemu-system-x86_64', flags: '', hasCap: false, effective: false});
  });

  it('a nosuid mount voids the file capability', () => {
    const usr = '40 35 0:33 / /usr ro,nosuid,relatime shared:2 - ext4 /dev/sda3 ro\n';
    const cap = getcap('/usr/bin/qemu-system-x86_64 cap_net_admin=ep\n', ROOT + usr);
    expect(cap.hasCap).toBe(true);
    expect(cap.effective).toBe(false);
    expect(cap.nosuidMount?.mountPoint).toBe('/usr');
    expect(getcap('/usr/bin/qemu-system-x86_64 cap_net_admin=ep\n', ROOT).effective).toBe(true);
  });
});
