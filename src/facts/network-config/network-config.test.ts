import {join} from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {DEFAULT_CONFIG} from '../../config.js';
import {parseShellVars} from '../../parsers/shellvars.js';
import {readSnapshot} from '../../sources/archive.js';
import {SnapshotView, type Snapshot} from '../../sources/snapshot.js';
import {FIXTURES} from '../../../test/helpers/fixture.js';
import {overlay} from '../../../test/gate/overlay.js';
import {makeSnapshot, type SnapshotSpec} from '../../../test/helpers/snapshot.js';
import {Facts} from '../facts.js';
import {ifcfgStack, networkSetup} from '../network-stack.js';
import {bridgeHomes, ifcfgBoot, ifcfgEntry, ifcfgFiles, ifcfgLine, listsBridgePort, tapOwnerSettings, interfaceBoot, nmConf, nmControllerOf, nmSpecMatches, ovsBridgePortDevices, persistedInterface, wickedScriptPaths, type IfcfgFile, type NmConnection} from './index.js';

function ifcfg(path: string, text: string): IfcfgFile {
  const parsed = parseShellVars(text, path);
  return {name: path.replace(/^.*ifcfg-/, ''), path, vars: parsed.values, entries: parsed.entries};
}

const facts = (s: Snapshot) => new Facts(new SnapshotView(s), DEFAULT_CONFIG);
const factsFor = (spec: SnapshotSpec) => new Facts(new SnapshotView(makeSnapshot(spec)), DEFAULT_CONFIG);
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

describe('listsBridgePort, ifcfgEntry and tapOwnerSettings', () => {
  it('a port counts only when its assignment is the one in effect', () => {
    const file = ifcfg('/etc/sysconfig/network/ifcfg-br1', "OVS_BRIDGE='yes'\nOVS_BRIDGE_PORT_DEVICE_1='tap9'\nOVS_BRIDGE_PORT_DEVICE_1='tap1'\n");
    expect(listsBridgePort(file, 'tap1')).toBe(true);
    expect(listsBridgePort(file, 'tap9')).toBe(false);
  });

  it('reads the owner and group wicked gives a tap, the last assignment winning', () => {
    const file = ifcfg('/etc/sysconfig/network/ifcfg-tap0', "TUNNEL='tap'\nTUNNEL_SET_GROUP='kvm'\nTUNNEL_SET_OWNER='root'\nTUNNEL_SET_OWNER='_openqa-worker'\n");
    expect(tapOwnerSettings(file)).toEqual({owner: {name: 'TUNNEL_SET_OWNER', value: '_openqa-worker', line: 4, exported: false}, group: {name: 'TUNNEL_SET_GROUP', value: 'kvm', line: 2, exported: false}});
    expect(ifcfgEntry(file, 'TUNNEL')?.value).toBe('tap');
    expect(tapOwnerSettings(ifcfg('/etc/sysconfig/network/ifcfg-tap1', "TUNNEL='tap'\n"))).toEqual({});
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

describe('persistedInterface and ifcfgLine', () => {
  const f = factsFor({
    files: {
      'network.ifcfg': {'/etc/sysconfig/network/ifcfg-eth1': "BOOTPROTO='dhcp'\nSTARTMODE='auto'\n", '/etc/sysconfig/network-scripts/ifcfg-em3': 'DEVICE=em3\nONBOOT=yes\n'},
      'network.nm': {'/etc/NetworkManager/system-connections/eth1.nmconnection': '[connection]\nid=eth1\ntype=ethernet\ninterface-name=eth1\n'},
    },
  });

  it('finds the ifcfg file and the NM profiles of an interface', () => {
    const p = persistedInterface(f, 'eth1');
    expect(p.ifcfg?.path).toBe('/etc/sysconfig/network/ifcfg-eth1');
    expect(p.nm.map((x) => x.path)).toEqual(['/etc/NetworkManager/system-connections/eth1.nmconnection']);
    expect(p.unknown).toEqual([]);
    expect(persistedInterface(f, 'eth9')).toEqual({name: 'eth9', nm: [], unknown: []});
  });

  it('renders a variable line in the stack\'s own quoting', () => {
    const files = f.get(ifcfgFiles);
    expect(ifcfgLine(files.eth1!, 'STARTMODE')).toEqual({line: 2, text: "STARTMODE='auto'"});
    expect(ifcfgLine(files.em3!, 'ONBOOT')).toEqual({line: 2, text: 'ONBOOT=yes'});
    expect(ifcfgLine(files.em3!, 'ZONE')).toBeUndefined();
    expect(ifcfgStack('/etc/sysconfig/network-scripts/ifcfg-em3')).toBe('network-scripts');
    expect(ifcfgStack('/etc/sysconfig/network/ifcfg-eth1')).toBe('wicked');
  });

  it('names sources it could not read', () => {
    const g = factsFor({failed: {'network.nm': 'needs root'}, files: {'network.ifcfg': {}}});
    expect(persistedInterface(g, 'eth0').unknown).toEqual(['network.nm: could not collect network.nm: needs root']);
  });
});

describe('wickedScriptPaths', () => {
  it('maps PRE_UP_SCRIPT entries to paths', () => {
    expect(wickedScriptPaths('wicked:gre_tunnel_preup.sh /usr/local/bin/x compat:suse:y')).toEqual([
      {entry: 'wicked:gre_tunnel_preup.sh', path: '/etc/wicked/scripts/gre_tunnel_preup.sh'},
      {entry: '/usr/local/bin/x', path: '/usr/local/bin/x'},
      {entry: 'compat:suse:y'},
    ]);
  });
});
