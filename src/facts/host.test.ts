import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {makeSnapshot, type SnapshotSpec} from '../../test/helpers/snapshot.js';
import {DEFAULT_CONFIG, type TapdoctorConfig} from '../config.js';
import {SnapshotView, type Snapshot} from '../sources/snapshot.js';
import {Facts} from './facts.js';
import {
  accounts,
  activeUnits,
  enabledUnits,
  factoryShare,
  forwarding,
  ifcfgFiles,
  mounts,
  nmProfiles,
  persistedSysctl,
  qemuCaps,
  runtimeSysctl,
  sysctlFiles,
  tapSysfs,
  TUN_FLAGS,
  uptimeSeconds,
  workerAccount,
} from './host.js';

const sample = (dir: string, name: string) => readFileSync(new URL(`../../test/samples/${dir}/${name}`, import.meta.url), 'utf8');
const facts = (spec: SnapshotSpec | Snapshot, config: Partial<TapdoctorConfig> = {}) =>
  new Facts(new SnapshotView('manifest' in spec ? spec : makeSnapshot(spec)), {...DEFAULT_CONFIG, ...config});

// A real mountinfo (kernel 6.18, private namespace) plus the share as DOMAIN.md §4.8 shows it.
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

describe('qemuCaps', () => {
  it('both getcap formats, no capabilities, the --root prefix, a missing binary', () => {
    const caps = facts({
      commands: {
        'qemu.getcap': {
          '/usr/bin/qemu-system-x86_64': sample('getcap', 'generated-libcap-2.66-root-prefix.txt'),
          '/usr/bin/qemu-system-aarch64': sample('getcap', 'generated-libcap-2.66-comma-caps.txt'),
          '/usr/bin/qemu-system-ppc64': '/usr/bin/qemu-system-ppc64 = cap_net_admin+ep\n',
          '/usr/bin/qemu-system-s390x': sample('getcap', 'generated-libcap-2.66-no-caps.txt'),
          '/usr/bin/qemu-kvm': "Failed to get capabilities of file `/usr/bin/qemu-kvm' (No such file or directory)\n",
        },
      },
    }).get(qemuCaps);
    expect(caps.map((c) => ({...c, caps: {...c.caps}}))).toEqual([
      {path: '/usr/bin/qemu-system-x86_64', caps: {cap_net_admin: 'ep'}},
      {path: '/usr/bin/qemu-system-aarch64', caps: {cap_net_admin: 'ep', cap_sys_nice: 'ep'}},
      {path: '/usr/bin/qemu-system-ppc64', caps: {cap_net_admin: 'ep'}},
      {path: '/usr/bin/qemu-system-s390x', caps: {}},
      {path: '/usr/bin/qemu-kvm', caps: {}, error: 'No such file or directory'},
    ]);
  });

  it('error text instead of getcap output makes the fact unavailable (parse error)', () => {
    const f = facts({commands: {'qemu.getcap': {'/usr/bin/qemu-system-x86_64': 'sh: getcap: not found\n'}}});
    expect(f.try(qemuCaps)).toEqual({ok: false, reason: expect.stringContaining('cannot parse getcap /usr/bin/qemu-system-x86_64:1')});
  });
});

describe('tapSysfs', () => {
  it('owner, group and flags captured from taps in a throwaway netns', () => {
    const files: Record<string, string> = {};
    for (const dev of ['tap0', 'tap1', 'tap2', 'tun0']) {
      for (const attr of ['owner', 'group', 'tun_flags']) files[`/sys/class/net/${dev}/${attr}`] = sample('tap-sysfs', `generated-kernel-6.18-${dev}-${attr}.txt`);
    }
    const taps = facts({files: {'tap.sysfs': files}}).get(tapSysfs);
    expect(taps).toEqual([
      {name: 'tap0', owner: 65534, group: 65534, tunFlags: 0x1802},
      {name: 'tap1', owner: 65534, group: -1, tunFlags: 0x1802},
      {name: 'tap2', owner: -1, group: -1, tunFlags: 0x1802},
      {name: 'tun0', owner: -1, group: -1, tunFlags: 0x1901},
    ]);
    expect(taps[0]!.tunFlags! & TUN_FLAGS.PERSIST).toBeTruthy();
    expect(taps[3]!.tunFlags! & TUN_FLAGS.MULTI_QUEUE).toBeTruthy();
  });
});

describe('accounts', () => {
  const spec: SnapshotSpec = {
    files: {
      accounts: {
        '/etc/passwd': sample('accounts', 'generated-debian12-base-passwd-useradd-openqa-worker-passwd.txt'),
        '/etc/group': sample('accounts', 'generated-debian12-base-passwd-useradd-openqa-worker-group.txt'),
      },
    },
  };

  it('the worker user with its groups; another configured user', () => {
    expect(facts(spec).get(workerAccount)).toEqual({name: '_openqa-worker', uid: 999, gid: 65534, groups: [65534, 999]});
    expect(facts(spec, {workerUser: 'geekotest'}).get(workerAccount)).toBeUndefined();
    expect(facts(spec).get(accounts).groupByName.get('kvm')!.gid).toBe(999);
  });

  it('without /etc/group only the primary group is known; without /etc/passwd nothing', () => {
    const noGroup = facts({files: {accounts: {'/etc/passwd': spec.files!.accounts!['/etc/passwd']!}}});
    expect(noGroup.get(workerAccount)!.groups).toEqual([65534]);
    expect(facts({files: {accounts: {}}}).try(workerAccount)).toEqual({ok: false, reason: '/etc/passwd was not captured'});
  });
});

describe('sysctl', () => {
  it('runtime forwarding per interface, IPv6 and accept_ra', () => {
    const f = facts({
      files: {
        'sysctl.runtime': {
          '/proc/sys/net/ipv4/ip_forward': '1\n',
          '/proc/sys/net/ipv4/conf/all/forwarding': '1\n',
          '/proc/sys/net/ipv4/conf/br1/forwarding': '1\n',
          '/proc/sys/net/ipv4/conf/eth0.200/forwarding': '0\n',
          '/proc/sys/net/ipv6/conf/all/forwarding': '1\n',
          '/proc/sys/net/ipv6/conf/eth0/forwarding': '1\n',
          '/proc/sys/net/ipv6/conf/eth0/accept_ra': '2\n',
          '/proc/sys/net/ipv6/conf/br1/accept_ra': '1\n',
        },
      },
    });
    expect(f.get(forwarding)).toEqual({
      ipv4: 1,
      perInterface: {all: 1, br1: 1, 'eth0.200': 0},
      ipv6All: 1,
      ipv6PerInterface: {all: 1, eth0: 1},
      acceptRa: {eth0: 2, br1: 1},
    });
    expect(f.get(runtimeSysctl)['net.ipv4.conf.eth0/200.forwarding']).toBe('0');
  });

  it('no ip_forward file: ipv4 undefined; garbage: parse error', () => {
    expect(facts({files: {'sysctl.runtime': {}}}).get(forwarding).ipv4).toBeUndefined();
    expect(facts({files: {'sysctl.runtime': {'/proc/sys/net/ipv4/ip_forward': 'yes\n'}}}).try(forwarding)).toEqual({ok: false, reason: expect.stringContaining('cannot parse')});
  });

  it('persisted: per-name masking across directories, file-name order, /etc/sysctl.conf last', () => {
    const f = facts({
      files: {
        'sysctl.files': {
          '/etc/sysctl.conf': sample('sysctl', 'debian12-procps-etc-sysctl.conf.txt') + 'net.ipv4.conf.br1.forwarding = 1\n',
          '/usr/lib/sysctl.d/50-default.conf': 'net.ipv4.ip_forward = 0\nnet.ipv4.conf.all.rp_filter = 2\n',
          '/etc/sysctl.d/50-default.conf': '',
          '/usr/lib/sysctl.d/99-late.conf': 'net.ipv4.ip_forward = 0\n',
          '/etc/sysctl.d/ip_forward.conf': 'net.ipv4.ip_forward = 1\n',
          '/etc/sysctl.d/50-kubernetes-charm.conf': sample('sysctl', 'hotsos-k8s-sysctl.d-conf-all-forwarding.txt'),
          '/run/sysctl.d/99-late.conf': '-net/ipv4/conf/eth0.200/forwarding = 1\n',
        },
      },
    });
    expect(f.get(sysctlFiles).map((x) => x.path)).toEqual([
      '/etc/sysctl.d/50-default.conf',
      '/etc/sysctl.d/50-kubernetes-charm.conf',
      '/run/sysctl.d/99-late.conf',
      '/etc/sysctl.d/ip_forward.conf',
      '/etc/sysctl.conf',
    ]);
    const p = f.get(persistedSysctl);
    expect(p['net.ipv4.ip_forward']).toEqual({value: '1', file: '/etc/sysctl.d/ip_forward.conf', line: 1});
    expect(p['net.ipv4.conf.all.rp_filter']).toBeUndefined();
    expect(p['net.ipv4.conf.all.forwarding']).toEqual({value: '1', file: '/etc/sysctl.d/50-kubernetes-charm.conf', line: 1});
    expect(p['net.ipv4.conf.eth0/200.forwarding']).toEqual({value: '1', file: '/run/sysctl.d/99-late.conf', line: 1});
    expect(p['net.ipv4.conf.br1.forwarding']).toEqual({value: '1', file: '/etc/sysctl.conf', line: 69});
  });
});

describe('systemd and uptime', () => {
  it('enabled units from .wants links, unit states from list-units', () => {
    const f = facts({
      files: {
        'systemd.wants': {
          '/etc/systemd/system/multi-user.target.wants/os-autoinst-openvswitch.service': {content: '', linkTarget: '/usr/lib/systemd/system/os-autoinst-openvswitch.service'},
          '/etc/systemd/system/multi-user.target.wants/openqa-worker-auto-restart@1.service': {content: '', linkTarget: '/usr/lib/systemd/system/openqa-worker-auto-restart@.service'},
          '/etc/systemd/system/remote-fs.target.wants/var-lib-openqa-share.automount': {content: '', linkTarget: '/etc/systemd/system/var-lib-openqa-share.automount'},
        },
      },
      commands: {'systemd.units': 'os-autoinst-openvswitch.service loaded failed failed os-autoinst openvswitch helper\nopenvswitch.service loaded active exited Open vSwitch\n'},
    });
    expect([...f.get(enabledUnits)].sort()).toEqual(['openqa-worker-auto-restart@1.service', 'os-autoinst-openvswitch.service', 'var-lib-openqa-share.automount']);
    expect(f.get(activeUnits)).toEqual({
      'os-autoinst-openvswitch.service': {load: 'loaded', active: 'failed', sub: 'failed', description: 'os-autoinst openvswitch helper'},
      'openvswitch.service': {load: 'loaded', active: 'active', sub: 'exited', description: 'Open vSwitch'},
    });
  });

  it('uptime', () => {
    expect(facts({files: {'proc.uptime': {'/proc/uptime': '536.44 996.33\n'}}}).get(uptimeSeconds)).toBe(536.44);
    expect(facts({files: {'proc.uptime': {'/proc/uptime': 'abc\n'}}}).try(uptimeSeconds).ok).toBe(false);
  });
});

describe('persisted interface files', () => {
  it('ifcfg by interface name: SUSE files, a symlinked tap, a RH DEVICE=, leftovers skipped, errors kept', () => {
    const dir = '/etc/sysconfig/network';
    const files = facts({
      files: {
        'network.ifcfg': {
          [`${dir}/ifcfg-br1`]: sample('ifcfg', 'openqa-docs-2020-suse-ifcfg-br1.txt'),
          [`${dir}/ifcfg-tap0`]: sample('ifcfg', 'openqa-docs-2020-suse-ifcfg-tap0.txt'),
          [`${dir}/ifcfg-tap1`]: {content: '', linkTarget: 'ifcfg-tap0'},
          [`${dir}/ifcfg-tap2`]: {content: '', linkTarget: '/etc/sysconfig/network/ifcfg-missing'},
          [`${dir}/ifcfg-br1.bak`]: 'OVS_BRIDGE=no\n',
          [`${dir}/ifcfg-eth0`]: "BOOTPROTO='dhcp\n",
          '/etc/sysconfig/network-scripts/ifcfg-ovs0': sample('ifcfg', 'ovs-rhel-readme-ifcfg-ovsbridge0.txt'),
        },
      },
    }).get(ifcfgFiles);
    expect(Object.keys(files).sort()).toEqual(['br1', 'eth0', 'ovsbridge0', 'tap0', 'tap1', 'tap2']);
    expect(files.br1!.vars.OVS_BRIDGE_PORT_DEVICE_1).toBe('tap0');
    expect(files.tap1).toMatchObject({name: 'tap1', path: `${dir}/ifcfg-tap1`, linkTarget: 'ifcfg-tap0', vars: {TUNNEL: 'tap', TUNNEL_SET_OWNER: '_openqa-worker'}});
    expect(files.tap2!.error).toBe('link target /etc/sysconfig/network/ifcfg-missing was not captured');
    expect(files.eth0!.error).toMatch(/^\/etc\/sysconfig\/network\/ifcfg-eth0:1: unterminated single quote/);
    expect(files.ovsbridge0!.path).toBe('/etc/sysconfig/network-scripts/ifcfg-ovs0');
  });

  it('NetworkManager profiles by interface name (nmcli 1.42.4 keyfiles)', () => {
    const nm = (n: string) => sample('nm-keyfile', `generated-nmcli-1.42.4-offline-${n}.txt`);
    const dir = '/etc/NetworkManager/system-connections';
    const profiles = facts({
      files: {
        'network.nm': {
          [`${dir}/ovs-br.nmconnection`]: nm('ovs-bridge-br0'),
          [`${dir}/ovs-br-port.nmconnection`]: nm('ovs-port-br0'),
          [`${dir}/ovs-br-if.nmconnection`]: nm('ovs-interface-br0-fedora'),
          [`${dir}/ovs-tap0-port.nmconnection`]: nm('ovs-port-tap0'),
          [`${dir}/tun-tap0.nmconnection`]: nm('tun-tap0'),
          [`${dir}/broken.nmconnection`]: 'id=x\n',
          '/etc/NetworkManager/NetworkManager.conf': '[main]\nplugins=keyfile\n',
        },
      },
    }).get(nmProfiles);
    expect(Object.keys(profiles).sort()).toEqual(['br0', 'broken', 'tap0']);
    expect(profiles.br0!.map((p) => p.profile!.type)).toEqual(['ovs-interface', 'ovs-port', 'ovs-bridge']); // file-name order
    expect(profiles.tap0!.map((p) => [p.profile!.type, p.profile!.tun])).toEqual([
      ['ovs-port', undefined],
      ['tun', {mode: 'tap', owner: '487', group: '65534'}],
    ]);
    expect(profiles.broken).toEqual([{path: `${dir}/broken.nmconnection`, error: `${dir}/broken.nmconnection:1: key file does not start with a group: id=x`}]);
  });
});
