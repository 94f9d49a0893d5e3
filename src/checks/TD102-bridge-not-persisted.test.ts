import {beforeAll, describe, expect, it} from 'vitest';
import type {Snapshot} from '../sources/snapshot.js';
import {overlay} from '../../test/gate/overlay.js';
import {fixture, run} from '../../test/gate/run-check.js';
import check from './TD102-bridge-not-persisted.js';

const NM = '/etc/NetworkManager/system-connections/';
const BR1 = '/etc/sysconfig/network/ifcfg-br1';
let suse: Snapshot;
let fedora: Snapshot;
beforeAll(async () => {
  [suse, fedora] = await Promise.all([fixture('healthy-suse'), fixture('healthy-fedora')]);
});

describe('TD102 bridge-not-persisted', () => {
  it('passes on both healthy fixtures (wicked ifcfg-br1, NetworkManager ovs profiles)', () => {
    expect(run(check, suse)).toMatchObject({status: 'pass', findings: []});
    expect(run(check, fedora)).toMatchObject({status: 'pass', findings: []});
  });

  it('wicked: names a wrong address and a manual STARTMODE, with the sed lines for the real file', () => {
    const s = overlay(suse, {files: {'network.ifcfg': {[BR1]: "BOOTPROTO='static'\nSTARTMODE='manual'\nOVS_BRIDGE='yes'\nIPADDR='10.0.2.3/15'\nOVS_BRIDGE_PORT_DEVICE_0='tap0'\n"}}});
    const [f] = run(check, s).findings;
    expect(f).toMatchObject({
      subject: 'br1',
      message: `br1 has 10.0.2.2/15 now, but the persisted config would not give it 10.0.2.2/15: ${BR1}: STARTMODE='manual': not brought up at boot; IPv4 10.0.2.3/15, expected 10.0.2.2/15`,
      fix: [
        `if grep -q '^STARTMODE=' ${BR1}; then sed -i --follow-symlinks "s/^STARTMODE=.*/STARTMODE='auto'/" ${BR1}; else echo "STARTMODE='auto'" >> ${BR1}; fi`,
        `if grep -q '^IPADDR=' ${BR1}; then sed -i --follow-symlinks "s/^IPADDR=.*/IPADDR='10.0.2.2\\\\/15'/" ${BR1}; else echo "IPADDR='10.0.2.2/15'" >> ${BR1}; fi`,
      ].join('\n'),
    });
    expect(f!.evidence).toEqual([
      {source: 'ip.addr', lines: ['br1: inet 10.0.2.2/15']},
      {source: 'openqa.switch-config', lines: ['OS_AUTOINST_BRIDGE_LOCAL_IP=10.0.2.2 (default), OS_AUTOINST_BRIDGE_NETMASK=15 (default)']},
      {source: BR1, lines: ["BOOTPROTO='static'", "STARTMODE='manual'", "OVS_BRIDGE='yes'", "IPADDR='10.0.2.3/15'"]},
    ]);
  });

  it('wicked: without any config prints the whole ifcfg-br1 with the taps the instances need', () => {
    const [f] = run(check, overlay(suse, {files: {'network.ifcfg': {[BR1]: null}}})).findings;
    expect(f!.message).toBe('br1 has 10.0.2.2/15 now, but no persisted network config gives br1 10.0.2.2/15: after a reboot the bridge has no address and os-autoinst-openvswitch fails');
    expect(f!.fix).toBe(
      ['mkdir -p /etc/sysconfig/network', `rm -f ${BR1}`, `printf '%s\\n' "BOOTPROTO='static'" "IPADDR='10.0.2.2/15'" "STARTMODE='auto'" "OVS_BRIDGE='yes'" "OVS_BRIDGE_PORT_DEVICE_0='tap0'" "OVS_BRIDGE_PORT_DEVICE_1='tap1'" > ${BR1}`].join('\n'),
    );
  });

  it('NetworkManager: the ovs-interface profile must autoconnect and carry the address', () => {
    const iface = '[connection]\nid=ovs-br0-if\ntype=ovs-interface\ninterface-name=br0\nmaster=ovs-br0-port\nslave-type=ovs-port\nautoconnect=false\n\n[ovs-interface]\ntype=internal\n\n[ipv4]\nmethod=auto\n';
    const [f] = run(check, overlay(fedora, {files: {'network.nm': {[`${NM}ovs-br0-if.nmconnection`]: iface}}})).findings;
    expect(f!.message).toBe(
      `br0 has 172.16.2.2/15 now, but the persisted config would not give it 172.16.2.2/15: NetworkManager profile ovs-br0-if (${NM}ovs-br0-if.nmconnection): ipv4.method auto, addresses (none), expected manual 172.16.2.2/15; autoconnect=false: not activated at boot`,
    );
    expect(f!.fix).toBe('nmcli connection modify ovs-br0-if ipv4.method manual ipv4.addresses 172.16.2.2/15\nnmcli connection modify ovs-br0-if connection.autoconnect yes');
  });

  it('NetworkManager: a broken master chain (no ovs-bridge profile) is a finding', () => {
    const [f] = run(check, overlay(fedora, {files: {'network.nm': {[`${NM}ovs-br0.nmconnection`]: null}}})).findings;
    expect(f!.message).toContain('its port ovs-br0-port has master ovs-br0, which names no ovs-bridge profile');
    expect(f!.fix).toBe('nmcli connection show ovs-br0 >/dev/null 2>&1 || nmcli connection add con-name ovs-br0 type ovs-bridge conn.interface br0');
  });

  it('passes with a note on a host without tap-class instances', () => {
    const s = overlay(suse, {files: {'openqa.workers-ini': {'/etc/openqa/workers.ini': '[global]\nHOST = http://localhost\n\n[1]\nWORKER_CLASS = qemu_x86_64\n'}}});
    expect(run(check, s)).toMatchObject({status: 'pass', reason: 'no tap-class worker instance: nothing needs the bridge after a reboot'});
  });
});

/** The Fedora fixture without NetworkManager (profiles gone, unit not enabled), its network in these ifcfg-rh files. */
const networkScriptsHost = (ifcfg: Record<string, string>) =>
  overlay(fedora, {
    files: {
      'network.nm': {[`${NM}ovs-br0.nmconnection`]: null, [`${NM}ovs-br0-port.nmconnection`]: null, [`${NM}ovs-br0-if.nmconnection`]: null},
      'systemd.wants': {'/etc/systemd/system/multi-user.target.wants/NetworkManager.service': null},
      'network.ifcfg': ifcfg,
    },
  });

describe('TD102 without NetworkManager profiles (a run without root)', () => {
  it('still passes on a complete wicked config, and skips when nothing else configures the bridge', () => {
    expect(run(check, overlay(suse, {failed: {'network.nm': 'permission denied (needs root)'}}))).toMatchObject({status: 'pass', findings: []});
    const r = run(check, overlay(fedora, {failed: {'network.nm': 'permission denied (needs root)'}}));
    expect(r).toMatchObject({status: 'skip', reason: 'could not collect network.nm: permission denied (needs root)'});
  });
  it('network-scripts: an OVSBridge file without DEVICETYPE is never brought up by ifup-ovs; only DEVICETYPE is set', () => {
    const s = networkScriptsHost({'/etc/sysconfig/network-scripts/ifcfg-br0': 'DEVICE=br0\nTYPE=OVSBridge\nBOOTPROTO=static\nIPADDR=172.16.2.2\nPREFIX=15\nONBOOT=yes\n'});
    const [f] = run(check, s).findings;
    expect(f!.message).toContain('DEVICETYPE is not set, so ifup derives DEVICETYPE=br from DEVICE=br0, expected ovs: ifup never runs ifup-ovs');
    expect(f!.message).not.toContain('TYPE=OVSBridge,');
    expect(f!.fix).toContain('DEVICETYPE=ovs');
    expect(f!.fix).not.toMatch(/TYPE=OVSBridge' |\^TYPE=/);
    // A DEVICE named ovsN derives ovs: nothing to set (network-scripts' source_config strips the digits).
    const ovs0 = overlay(s, {files: {'network.ifcfg': {'/etc/sysconfig/network-scripts/ifcfg-br0': 'DEVICE=ovs0\nTYPE=OVSBridge\nBOOTPROTO=static\nIPADDR=172.16.2.2\nPREFIX=15\nONBOOT=yes\n'}}});
    expect(run(check, ovs0).findings.map((x) => x.message).join(' ')).not.toContain('DEVICETYPE');
  });

  it('network-scripts: a host without any bridge config gets an ifcfg-rh OVSBridge file, not a wicked one', () => {
    const s = networkScriptsHost({'/etc/sysconfig/network-scripts/ifcfg-eth0': 'DEVICE=eth0\nONBOOT=yes\nBOOTPROTO=none\nIPADDR=192.0.2.10\nPREFIX=24\n'});
    const [f] = run(check, s).findings;
    expect(f!.fix).toBe(
      ['mkdir -p /etc/sysconfig/network-scripts', 'rm -f /etc/sysconfig/network-scripts/ifcfg-br0', `printf '%s\\n' DEVICE=br0 DEVICETYPE=ovs TYPE=OVSBridge BOOTPROTO=static IPADDR=172.16.2.2 PREFIX=15 ONBOOT=yes HOTPLUG=no > /etc/sysconfig/network-scripts/ifcfg-br0`].join('\n'),
    );
  });
});
