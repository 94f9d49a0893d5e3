import {join} from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {DEFAULT_CONFIG} from '../config.js';
import {readSnapshot} from '../sources/archive.js';
import {SnapshotView, type Snapshot} from '../sources/snapshot.js';
import {FIXTURES} from '../../test/helpers/fixture.js';
import {overlay} from '../../test/gate/overlay.js';
import {makeSnapshot} from '../../test/helpers/snapshot.js';
import {Facts} from './facts.js';
import {activeLinesWith, persistedNatFor, unitLoadedFiles} from './persistence.js';

const facts = (s: Snapshot) => new Facts(new SnapshotView(s), DEFAULT_CONFIG);
let suse: Snapshot;
let fedora: Snapshot;
beforeAll(async () => {
  suse = await readSnapshot(join(FIXTURES, 'healthy-suse'));
  fedora = await readSnapshot(join(FIXTURES, 'healthy-fedora'));
});

describe('persistedNatFor', () => {
  it('finds the masquerade of the enabled unit\'s file on both healthy fixtures', () => {
    const s = persistedNatFor(facts(suse), 'eth0');
    expect(s.units).toEqual(['nftables.service']);
    expect(s.rules).toEqual([{unit: 'nftables.service', origin: '/etc/firewall.nft', line: 4, text: 'oifname "eth0" masquerade'}]);
    expect(s.loadFailures).toEqual([]);
    const fd = persistedNatFor(facts(fedora), 'eth0');
    expect(fd.rules).toEqual([{unit: 'iptables.service', origin: '/etc/sysconfig/iptables', line: 19, text: '-A POSTROUTING -o eth0 -j MASQUERADE'}]);
    expect(persistedNatFor(facts(fedora), 'eth1').rules).toEqual([]);
  });

  it('follows nft include and ignores files no enabled unit loads', () => {
    const s = overlay(suse, {
      files: {
        'firewall.files': {
          '/etc/firewall.nft': 'include "/etc/nftables/*.nft"\n',
          '/etc/nftables/openqa.nft': 'table ip nat {\n\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t\toifname "eth0" masquerade\n\t}\n}\n',
          '/etc/sysconfig/iptables': '*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -o eth0 -j MASQUERADE\nCOMMIT\n',
        },
      },
    });
    const nat = persistedNatFor(facts(s), 'eth0');
    expect(nat.files).toEqual([
      {unit: 'nftables.service', path: '/etc/firewall.nft'},
      {unit: 'nftables.service', path: '/etc/nftables/openqa.nft'},
    ]);
    expect(nat.rules.map((r) => r.origin)).toEqual(['/etc/nftables/openqa.nft']);
  });

  it('counts a rule in a file that would not load as lost', () => {
    const s = overlay(suse, {
      files: {'firewall.files': {'/etc/firewall.nft': 'table ip nat {\n\tchain postrouting {\n\t\ttype nat hook postrouting priority 100; policy accept;\n\t\toifname "eth0" masquerade\n\t}\n}\nadd rule ip filter POSTROUTING oifname "eth0" counter masquerade\n'}},
    });
    const nat = persistedNatFor(facts(s), 'eth0');
    expect(nat.rules).toEqual([]);
    expect(nat.lostRules.map((r) => r.line)).toEqual([4]);
    expect(nat.loadFailures).toHaveLength(1);
    expect(nat.loadFailures[0]!.errors[0]!.line).toBe(7);
  });

  it('reports no unit when no firewall unit is enabled', () => {
    const s = overlay(suse, {files: {'systemd.wants': {'/etc/systemd/system/multi-user.target.wants/nftables.service': null}}});
    expect(persistedNatFor(facts(s), 'eth0')).toMatchObject({units: [], rules: [], files: []});
  });
});

describe('pre-up script helpers', () => {
  it('finds only uncommented mentions', () => {
    const script = '#!/bin/sh\n#ovs-vsctl add-port $bridge gre1 -- set interface gre1 type=gre options:remote_ip=192.0.2.2\novs-vsctl add-port $bridge gre2 -- set interface gre2 type=gre options:remote_ip=192.0.2.3 # peer b\n';
    expect(activeLinesWith(script, '192.0.2.2')).toEqual([]);
    expect(activeLinesWith(script, '192.0.2.3')).toHaveLength(1);
    expect(activeLinesWith(script, 'peer b')).toEqual([]);
  });
});

describe('unitLoadedFiles', () => {
  const factsWith = (files: Record<string, string>) =>
    new Facts(new SnapshotView(makeSnapshot({files: {'systemd.firewall-units': files}})), DEFAULT_CONFIG);
  it('reads nft -f from the /etc unit over the packaged one', () => {
    const f = factsWith({
      '/usr/lib/systemd/system/nftables.service': '[Service]\nExecStart=/usr/sbin/nft -f /etc/sysconfig/nftables.conf\n',
      '/etc/systemd/system/nftables.service': '[Service]\nType=oneshot\nExecStart=/usr/sbin/nft -f /etc/firewall.nft\n',
    });
    expect(unitLoadedFiles(f, 'nftables.service')).toEqual({
      files: ['/etc/firewall.nft'],
      origin: '/etc/systemd/system/nftables.service:3: ExecStart=/usr/sbin/nft -f /etc/firewall.nft',
    });
  });
  it('lets a drop-in reset ExecStart and name another file', () => {
    const f = factsWith({
      '/usr/lib/systemd/system/nftables.service': '[Service]\nExecStart=/usr/sbin/nft -f /etc/sysconfig/nftables.conf\n',
      '/etc/systemd/system/nftables.service.d/override.conf': '[Service]\nExecStart=\nExecStart=-/usr/sbin/nft --file /etc/firewall.nft\n',
    });
    expect(unitLoadedFiles(f, 'nftables.service')?.files).toEqual(['/etc/firewall.nft']);
  });
  it('gives up on wrapper scripts and on missing unit files (the stock files are then assumed)', () => {
    const f = factsWith({'/usr/lib/systemd/system/iptables.service': '[Service]\nExecStart=/usr/libexec/iptables/iptables.init start\n'});
    expect(unitLoadedFiles(f, 'iptables.service')).toBeUndefined();
    expect(unitLoadedFiles(f, 'nftables.service')).toBeUndefined();
  });
});
