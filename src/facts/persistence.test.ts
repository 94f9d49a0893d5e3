import {join} from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {DEFAULT_CONFIG} from '../config.js';
import {parseShellVars} from '../parsers/shellvars.js';
import {readSnapshot} from '../sources/archive.js';
import {SnapshotView, type Snapshot} from '../sources/snapshot.js';
import {FIXTURES} from '../../test/helpers/fixture.js';
import {overlay} from '../../test/gate/overlay.js';
import {makeSnapshot} from '../../test/helpers/snapshot.js';
import {Facts} from './facts.js';
import type {IfcfgFile} from './host/interface-files.js';
import {activeLinesWith, bridgeHomes, ifcfgBoot, interfaceBoot, nmConf, nmControllerOf, nmSpecMatches, ovsBridgePortDevices, persistedNatFor, unitLoadedFiles, wickedScriptPaths, type NmConnection} from './persistence.js';
import {networkSetup} from './network-stack.js';

function ifcfg(path: string, text: string): IfcfgFile {
  const parsed = parseShellVars(text, path);
  return {name: path.replace(/^.*ifcfg-/, ''), path, vars: parsed.values, entries: parsed.entries};
}

const facts = (s: Snapshot) => new Facts(new SnapshotView(s), DEFAULT_CONFIG);
let suse: Snapshot;
let fedora: Snapshot;
beforeAll(async () => {
  suse = await readSnapshot(join(FIXTURES, 'healthy-suse'));
  fedora = await readSnapshot(join(FIXTURES, 'healthy-fedora'));
});

describe('ifcfgBoot', () => {
  it('reads wicked files: STARTMODE (default manual), addresses in every form, DHCP', () => {
    const br = ifcfgBoot(ifcfg('/etc/sysconfig/network/ifcfg-br1', "BOOTPROTO='static'\nIPADDR='10.0.2.2/15'\nIPADDR_1='fec0::2/63'\nSTARTMODE='auto'\n"));
    expect(br).toMatchObject({flavour: 'wicked', startsAtBoot: true, startReason: "STARTMODE='auto'", ipv4: ['10.0.2.2/15'], dhcp4: false});
    expect(br.lines.sort()).toEqual([1, 2, 4]);
    expect(ifcfgBoot(ifcfg('/etc/sysconfig/network/ifcfg-br1', "IPADDR='10.0.2.2'\nNETMASK='255.254.0.0'\n")).ipv4).toEqual(['10.0.2.2/15']);
    expect(ifcfgBoot(ifcfg('/etc/sysconfig/network/ifcfg-br1', "IPADDR='10.0.2.2'\nPREFIXLEN='15'\n")).ipv4).toEqual(['10.0.2.2/15']);
    const unset = ifcfgBoot(ifcfg('/etc/sysconfig/network/ifcfg-eth1', "BOOTPROTO='dhcp'\n"));
    expect(unset).toMatchObject({startsAtBoot: false, startReason: "STARTMODE unset (wicked's default is manual)", dhcp4: true});
    expect(ifcfgBoot(ifcfg('/etc/sysconfig/network/ifcfg-eth1', "STARTMODE='hotplug'\nBOOTPROTO='dhcp6'\n"))).toMatchObject({startsAtBoot: true, dhcp4: false});
    expect(ifcfgBoot(ifcfg('/etc/sysconfig/network/ifcfg-eth1', "STARTMODE='off'\nBOOTPROTO='dhcp4'\n"))).toMatchObject({startsAtBoot: false, dhcp4: true});
  });

  it('reads ifcfg-rh files: ONBOOT defaults to yes, IPADDR0/PREFIX0, BOOTPROTO=dhcp', () => {
    const rh = (text: string) => ifcfgBoot(ifcfg('/etc/sysconfig/network-scripts/ifcfg-eth1', text));
    expect(rh('DEVICE=eth1\nBOOTPROTO=dhcp\n')).toMatchObject({flavour: 'ifcfg-rh', startsAtBoot: true, startReason: 'ONBOOT unset (default yes)', dhcp4: true});
    expect(rh('DEVICE=eth1\nONBOOT=no\nBOOTPROTO=dhcp\n')).toMatchObject({startsAtBoot: false, startReason: 'ONBOOT=no'});
    expect(rh('ONBOOT=yes\nIPADDR0=172.16.2.2\nPREFIX0=15\n').ipv4).toEqual(['172.16.2.2/15']);
    // the placeholder template of the OVS RHEL readme is no address
    expect(rh('ONBOOT=yes\nIPADDR=A.B.C.D\nNETMASK=X.Y.Z.0\n').ipv4).toEqual([]);
  });
});

describe('ovsBridgePortDevices', () => {
  it('lists every OVS_BRIDGE_PORT_DEVICE_<suffix>, the last assignment of a name winning', () => {
    const file = ifcfg('/etc/sysconfig/network/ifcfg-br1', "OVS_BRIDGE='yes'\nOVS_BRIDGE_PORT_DEVICE_0='tap0'\nOVS_BRIDGE_PORT_DEVICE_1='tap9'\nOVS_BRIDGE_PORT_DEVICE_1='tap1'\nOVS_BRIDGE_PORT_DEVICE_x=''\n");
    expect(ovsBridgePortDevices(file)).toEqual([
      {device: 'tap0', name: 'OVS_BRIDGE_PORT_DEVICE_0', line: 2},
      {device: 'tap1', name: 'OVS_BRIDGE_PORT_DEVICE_1', line: 4},
    ]);
  });
});

describe('NetworkManager helpers', () => {
  it('matches device specs like NetworkManager.conf(5)', () => {
    expect(nmSpecMatches('*', 'eth1')).toBe(true);
    expect(nmSpecMatches('interface-name:eth1', 'eth1')).toBe(true);
    expect(nmSpecMatches('interface-name:eth*', 'eth12')).toBe(true);
    expect(nmSpecMatches('interface-name:eth1', 'eth10')).toBe(false);
    expect(nmSpecMatches('mac:52:54:00:AA:BB:CC', 'eth1', '52:54:00:aa:bb:cc')).toBe(true);
    expect(nmSpecMatches('52:54:00:aa:bb:cc', 'eth1')).toBe(false);
    expect(nmSpecMatches('except:interface-name:eth0', 'eth1')).toBe(true);
  });

  it('resolves a master reference by UUID, id or interface name, of the expected type only', () => {
    const c = (id: string, type: string, ifname: string, uuid = `${id}-uuid`): NmConnection => ({
      path: `/etc/NetworkManager/system-connections/${id}.nmconnection`,
      profile: {id, uuid, type, interfaceName: ifname, autoconnect: true, ipv4: {addresses: []}, ipv6: {addresses: []}, sections: {}},
    });
    const all = [c('ovs-br0', 'ovs-bridge', 'br0'), c('ovs-br0-port', 'ovs-port', 'br0'), c('tap0-port', 'ovs-port', 'tap0')];
    expect(nmControllerOf(all, 'ovs-br0-port', 'ovs-port')?.profile.id).toBe('ovs-br0-port');
    expect(nmControllerOf(all, 'ovs-br0-uuid', 'ovs-bridge')?.profile.id).toBe('ovs-br0');
    // the setup script's `con.master br1`: an interface name shared by three profiles
    expect(nmControllerOf(all, 'br0', 'ovs-bridge')?.profile.id).toBe('ovs-br0');
    expect(nmControllerOf(all, 'br0', 'ovs-port')?.profile.id).toBe('ovs-br0-port');
    expect(nmControllerOf(all, 'tap0', 'ovs-bridge')).toBeUndefined();
    expect(nmControllerOf(all, undefined, 'ovs-bridge')).toBeUndefined();
  });

  it('reads no-auto-default and unmanaged devices from NetworkManager.conf and conf.d in order', () => {
    const s = overlay(fedora, {
      files: {
        'network.nm': {
          '/etc/NetworkManager/NetworkManager.conf': '[main]\nno-auto-default=interface-name:eth9\n',
          '/etc/NetworkManager/conf.d/10-spare.conf': '[main]\nno-auto-default=interface-name:eth1;mac:52:54:00:00:00:01\n[keyfile]\nunmanaged-devices=interface-name:eth2\n',
        },
      },
    });
    const conf = facts(s).get(nmConf);
    expect(conf.noAutoDefault.map((x) => x.spec)).toEqual(['interface-name:eth1', 'mac:52:54:00:00:00:01']);
    expect(conf.noAutoDefault[0]).toMatchObject({file: '/etc/NetworkManager/conf.d/10-spare.conf', line: 2});
    expect(conf.unmanaged.map((x) => x.spec)).toEqual(['interface-name:eth2']);
  });
});

describe('networkSetup and bridgeHomes', () => {
  it('knows wicked on the SUSE fixture and NetworkManager on the Fedora one', () => {
    expect(facts(suse).get(networkSetup)).toEqual({enabled: ['wicked'], networkScriptsAssumed: false});
    expect(facts(fedora).get(networkSetup)).toEqual({enabled: ['NetworkManager'], networkScriptsAssumed: false});
    expect(bridgeHomes(facts(suse), 'br1')).toEqual([{setup: 'wicked', paths: ['/etc/sysconfig/network/ifcfg-br1']}]);
    expect(bridgeHomes(facts(fedora), 'br0')).toEqual([
      {
        setup: 'NetworkManager',
        paths: [
          '/etc/NetworkManager/system-connections/ovs-br0-if.nmconnection',
          '/etc/NetworkManager/system-connections/ovs-br0-port.nmconnection',
          '/etc/NetworkManager/system-connections/ovs-br0.nmconnection',
        ],
      },
    ]);
  });
});

describe('interfaceBoot', () => {
  it('gives a plain NIC without any profile NetworkManager\'s automatic DHCP profile', () => {
    const boots = interfaceBoot(facts(fedora), 'eth1', {plainEthernet: true});
    expect(boots).toHaveLength(1);
    expect(boots[0]).toMatchObject({setup: 'NetworkManager', path: '', startsAtBoot: true, dhcp4: true});
    // not for a veth (NetworkManager creates no default wired connection for it)
    expect(interfaceBoot(facts(fedora), 'eth1', {plainEthernet: false})).toEqual([]);
  });

  it('honours no-auto-default, an ifcfg-rh ONBOOT=no and a keyfile with autoconnect=false', () => {
    const noAuto = overlay(fedora, {files: {'network.nm': {'/etc/NetworkManager/conf.d/spare.conf': '[main]\nno-auto-default=*\n'}}});
    expect(interfaceBoot(facts(noAuto), 'eth1', {plainEthernet: true})).toEqual([]);
    const rh = overlay(fedora, {files: {'network.ifcfg': {'/etc/sysconfig/network-scripts/ifcfg-eth1': 'DEVICE=eth1\nONBOOT=no\nBOOTPROTO=dhcp\n'}}});
    expect(interfaceBoot(facts(rh), 'eth1', {plainEthernet: true})).toMatchObject([
      {setup: 'NetworkManager', path: '/etc/sysconfig/network-scripts/ifcfg-eth1', startsAtBoot: false, startReason: 'ONBOOT=no', dhcp4: true, evidence: {source: '/etc/sysconfig/network-scripts/ifcfg-eth1', lines: ['ONBOOT=no', 'BOOTPROTO=dhcp']}},
    ]);
    const key = overlay(fedora, {
      files: {'network.nm': {'/etc/NetworkManager/system-connections/eth1.nmconnection': '[connection]\nid=eth1\ntype=ethernet\ninterface-name=eth1\nautoconnect=false\n'}},
    });
    expect(interfaceBoot(facts(key), 'eth1', {plainEthernet: true})).toMatchObject([{startsAtBoot: false, startReason: 'autoconnect=false', dhcp4: true}]);
  });

  it('reads wicked files only when wicked runs at boot', () => {
    const s = overlay(suse, {files: {'network.ifcfg': {'/etc/sysconfig/network/ifcfg-eth1': "STARTMODE='auto'\nBOOTPROTO='dhcp'\n"}}});
    expect(interfaceBoot(facts(s), 'eth1', {plainEthernet: true})).toMatchObject([{setup: 'wicked', startsAtBoot: true, dhcp4: true, evidence: {lines: ["STARTMODE='auto'", "BOOTPROTO='dhcp'"]}}]);
    const off = overlay(s, {files: {'systemd.wants': {'/etc/systemd/system/multi-user.target.wants/wicked.service': null}}});
    expect(interfaceBoot(facts(off), 'eth1', {plainEthernet: true})).toEqual([]);
  });
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
  it('maps PRE_UP_SCRIPT entries to paths', () => {
    expect(wickedScriptPaths('wicked:gre_tunnel_preup.sh /usr/local/bin/x compat:suse:y')).toEqual([
      {entry: 'wicked:gre_tunnel_preup.sh', path: '/etc/wicked/scripts/gre_tunnel_preup.sh'},
      {entry: '/usr/local/bin/x', path: '/usr/local/bin/x'},
      {entry: 'compat:suse:y'},
    ]);
  });
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
