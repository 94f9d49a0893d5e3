import {beforeAll, describe, expect, it} from 'vitest';
import type {Snapshot} from '../sources/snapshot.js';
import {loadCase} from '../../test/helpers/fixture.js';
import {overlay, withLink} from '../../test/gate/overlay.js';
import {fixture, run, WANTS} from '../../test/gate/run-check.js';
import check from './TD108-spare-nic-autostart.js';

let suse: Snapshot;
beforeAll(async () => {
  suse = await fixture('healthy-suse');
});
const ETH1 = '/etc/sysconfig/network/ifcfg-eth1';

describe('TD108 spare-nic-autostart', () => {
  it('passes on both healthy fixtures', async () => {
    expect(run(check, suse)).toMatchObject({status: 'pass', findings: []});
    expect(run(check, await fixture('healthy-fedora'))).toMatchObject({status: 'pass', findings: []});
  });

  it('NetworkManager: a NIC without any profile gets DHCP at boot', async () => {
    const [f] = run(check, (await loadCase('TD108-nm-auto-default')).snapshot).findings;
    expect(f).toMatchObject({
      subject: 'eth1',
      message:
        'eth1 is not an uplink now (down, no global IPv4), but at boot NetworkManager gives it an automatic "Wired connection" with DHCP (no profile for eth1, no matching no-auto-default or unmanaged-devices): a second uplink steals the default route or the NAT interface',
      fix: 'nmcli connection show eth1-unused >/dev/null 2>&1 || nmcli connection add type ethernet con-name eth1-unused ifname eth1 connection.autoconnect no ipv4.method disabled ipv6.method disabled',
    });
    expect(f!.evidence[0]).toEqual({source: 'ip.addr', lines: ['eth1: BROADCAST,MULTICAST operstate DOWN link/ether 52:54:00:6b:1f:02']});
  });

  it('wicked: an ifcfg-eth1 with STARTMODE auto and DHCP brings the spare up', () => {
    const s = overlay(withLink(suse, {ifname: 'eth1', address: '52:54:00:6b:1f:02'}), {files: {'network.ifcfg': {[ETH1]: "BOOTPROTO='dhcp'\nSTARTMODE='auto'\n"}}});
    const [f] = run(check, s).findings;
    expect(f!.message).toBe(`eth1 is not an uplink now (down, no global IPv4), but at boot wicked brings it up with DHCP (${ETH1}: STARTMODE='auto'): a second uplink steals the default route or the NAT interface`);
    expect(f!.fix).toBe(`if grep -q '^STARTMODE=' ${ETH1}; then sed -i --follow-symlinks "s/^STARTMODE=.*/STARTMODE='off'/" ${ETH1}; else echo "STARTMODE='off'" >> ${ETH1}; fi`);
    expect(f!.evidence.at(-1)).toEqual({source: ETH1, lines: ["BOOTPROTO='dhcp'", "STARTMODE='auto'"]});
  });

  it('wicked: no ifcfg file, STARTMODE unset (manual) or BOOTPROTO none leave it down', () => {
    const nic = withLink(suse, {ifname: 'eth1'});
    expect(run(check, nic).findings).toEqual([]);
    expect(run(check, overlay(nic, {files: {'network.ifcfg': {[ETH1]: "BOOTPROTO='dhcp'\n"}}})).findings).toEqual([]);
    expect(run(check, overlay(nic, {files: {'network.ifcfg': {[ETH1]: "BOOTPROTO='none'\nSTARTMODE='auto'\n"}}})).findings).toEqual([]);
  });

  it('skips NICs that are up without carrier, enslaved, or in ignoreInterfaces', () => {
    const cfg = {files: {'network.ifcfg': {[ETH1]: "BOOTPROTO='dhcp'\nSTARTMODE='auto'\n"}}};
    expect(run(check, overlay(withLink(suse, {ifname: 'eth1', flags: ['NO-CARRIER', 'BROADCAST', 'MULTICAST', 'UP']}), cfg)).findings).toEqual([]);
    expect(run(check, overlay(withLink(suse, {ifname: 'eth1', master: 'bond0'}), cfg)).findings).toEqual([]);
    expect(run(check, overlay(withLink(suse, {ifname: 'eth1'}), cfg), {ignoreInterfaces: ['eth*']}).findings).toEqual([]);
  });

  it('NetworkManager: a keyfile with autoconnect is switched off by its id', async () => {
    const {snapshot} = await loadCase('TD108-nm-auto-default');
    const s = overlay(snapshot, {
      files: {'network.nm': {'/etc/NetworkManager/system-connections/spare.nmconnection': '[connection]\nid=spare\ntype=ethernet\ninterface-name=eth1\n\n[ipv4]\nmethod=auto\n'}},
    });
    expect(run(check, s).findings.map((f) => f.fix)).toEqual(['nmcli connection modify spare connection.autoconnect no   # /etc/NetworkManager/system-connections/spare.nmconnection']);
  });

  it('passes with a note when no network service is enabled', () => {
    const s = overlay(withLink(suse, {ifname: 'eth1'}), {files: {'systemd.wants': {[`${WANTS}wicked.service`]: null}}});
    expect(run(check, s)).toMatchObject({status: 'pass', reason: 'neither wicked nor NetworkManager is enabled and no ifcfg-rh file exists: nothing brings spare NICs up at boot'});
  });
  it('reads the packaged /usr/lib/NetworkManager/conf.d, masked by a same-named /etc file', async () => {
    const {snapshot} = await loadCase('TD108-server-config-no-auto-default');
    expect(run(check, snapshot).findings).toEqual([]);
    const masked = overlay(snapshot, {files: {'network.nm': {'/etc/NetworkManager/conf.d/00-server.conf': '[main]\nignore-carrier=*\n'}}});
    expect(run(check, masked).findings.map((f) => f.subject)).toEqual(['eth1']);
  });
  it('NetworkManager: a profile bound only by MAC is the NIC\'s own, to keep it down or to bring it up', async () => {
    const {snapshot} = await loadCase('TD108-profile-bound-by-mac');
    expect(run(check, snapshot).findings).toEqual([]);
    const up = overlay(snapshot, {
      files: {'network.nm': {'/etc/NetworkManager/system-connections/spare-nic.nmconnection': '[connection]\nid=spare-nic\ntype=ethernet\n\n[ethernet]\nmac-address=52:54:00:6B:1F:02\n\n[ipv4]\nmethod=auto\n'}},
    });
    const [f] = run(check, up).findings;
    expect(f!.message).toBe(
      'eth1 is not an uplink now (down, no global IPv4), but at boot NetworkManager brings it up with DHCP (/etc/NetworkManager/system-connections/spare-nic.nmconnection: autoconnect=true (default)): a second uplink steals the default route or the NAT interface',
    );
    expect(f!.fix).toBe('nmcli connection modify spare-nic connection.autoconnect no   # /etc/NetworkManager/system-connections/spare-nic.nmconnection');
  });
});
