import {beforeAll, describe, expect, it} from 'vitest';
import type {Snapshot} from '../sources/snapshot.js';
import {loadCase} from '../../test/helpers/fixture.js';
import {overlay} from '../../test/gate/overlay.js';
import {fixture, run} from '../../test/gate/run-check.js';
import check from './TD103-taps-not-persisted.js';
import {bridgePortLine, wickedTapFileLines} from '../../test/helpers/remedies.js';

const NM = '/etc/NetworkManager/system-connections/';
const NET = '/etc/sysconfig/network/';
let suse: Snapshot;
let fedora: Snapshot;
beforeAll(async () => {
  [suse, fedora] = await Promise.all([fixture('healthy-suse'), fixture('healthy-fedora')]);
});

describe('TD103 taps-not-persisted', () => {
  it('passes on both healthy fixtures', () => {
    expect(run(check, suse)).toMatchObject({status: 'pass', findings: []});
    expect(run(check, fedora)).toMatchObject({status: 'pass', findings: []});
  });

  it('wicked: a hand-made tap gets the setup script\'s symlink and bridge port line', () => {
    const s = overlay(suse, {
      files: {
        'network.ifcfg': {
          [`${NET}ifcfg-tap1`]: null,
          [`${NET}ifcfg-br1`]: "BOOTPROTO='static'\nSTARTMODE='auto'\nOVS_BRIDGE='yes'\nIPADDR='10.0.2.2/15'\nOVS_BRIDGE_PORT_DEVICE_0='tap0'\nOVS_BRIDGE_PORT_DEVICE_1='tap2'\n",
        },
      },
    });
    const r = run(check, s);
    expect(r.findings.map((f) => f.subject)).toEqual(['tap1']);
    expect(r.findings[0]).toMatchObject({
      message: `tap1 (tap of worker instance 2) exists now as a port of br1, but the persisted config would not put it on br1 at boot: wicked: no ${NET}ifcfg-tap1; not in the OVS_BRIDGE_PORT_DEVICE_* list of ${NET}ifcfg-br1`,
      // A file of its own, never a link to tap0's: a link would copy tap0's owner, right or wrong (TD013).
      fix: [...wickedTapFileLines('tap1'), bridgePortLine('tap1', 2)].join('\n'),
      evidence: [
        {source: 'runtime', lines: ['tap1: tun device in /sys/class/net; OVS port of br1']},
        {source: `${NET}ifcfg-br1`, lines: ["OVS_BRIDGE_PORT_DEVICE_0='tap0'", "OVS_BRIDGE_PORT_DEVICE_1='tap2'"]},
      ],
    });
  });

  it('wicked: an ifcfg-tapN without TUNNEL=tap does not create a tap', () => {
    const s = overlay(suse, {files: {'network.ifcfg': {[`${NET}ifcfg-tap0`]: "BOOTPROTO='none'\nSTARTMODE='auto'\n"}}});
    const [f] = run(check, s).findings;
    expect(f!.subject).toBe('tap0');
    expect(f!.message).toContain(`wicked: ${NET}ifcfg-tap0: TUNNEL=(unset), expected 'tap'`);
    expect(f!.fix).toBe(`if grep -q '^TUNNEL=' ${NET}ifcfg-tap0; then sed -i --follow-symlinks "s/^TUNNEL=.*/TUNNEL='tap'/" ${NET}ifcfg-tap0; else echo "TUNNEL='tap'" >> ${NET}ifcfg-tap0; fi`);
  });

  it('NetworkManager: a tun profile in tun mode, or on a port of another bridge, is not a tap of br0', () => {
    const tunMode = overlay(fedora, {
      files: {'network.nm': {[`${NM}tap1.nmconnection`]: '[connection]\nid=tap1\ntype=tun\ninterface-name=tap1\nmaster=tap1-port\nslave-type=ovs-port\n\n[tun]\nmode=1\n'}},
    });
    const [f] = run(check, tunMode).findings;
    expect(f!.message).toBe('tap1 (tap of worker instance 2) exists now as a port of br0, but the persisted config would not put it on br0 at boot: NetworkManager profile tap1: tap1: tun mode tun, expected tap (2)');
    expect(f!.fix).toBe('nmcli connection modify tap1 tun.mode tap');

    const otherBridge = overlay(fedora, {
      files: {
        'network.nm': {
          [`${NM}tap1-port.nmconnection`]: '[connection]\nid=tap1-port\ntype=ovs-port\ninterface-name=tap1\nmaster=ovs-br9\nslave-type=ovs-bridge\n',
          [`${NM}ovs-br9.nmconnection`]: '[connection]\nid=ovs-br9\ntype=ovs-bridge\ninterface-name=br9\n',
        },
      },
    });
    const [g] = run(check, otherBridge).findings;
    expect(g!.message).toContain('tap1: its port tap1-port belongs to bridge br9, not br0');
    expect(g!.fix).toBe('nmcli connection modify tap1-port connection.master br0');
  });

  it('NetworkManager: a missing tap gets both profiles, owner and group from a sibling', async () => {
    const {snapshot} = await loadCase('TD103-hand-made-tap');
    const [f] = run(check, snapshot).findings;
    expect(f!.message).toBe('tap1 (tap of worker instance 2) exists now as a port of br0, but no persisted config creates it: a hand-made tap, gone after a reboot');
    expect(f!.fix).toBe(
      'nmcli connection show tap1-port >/dev/null 2>&1 || nmcli connection add type ovs-port conn.interface tap1 master br0 con-name tap1-port\nnmcli connection show tap1 >/dev/null 2>&1 || nmcli connection add type tun mode tap owner 990 group 65534 conn.interface tap1 master tap1-port slave-type ovs-port con-name tap1',
    );
  });

  it('requires the 64/128 taps only with multiNic', () => {
    expect(run(check, suse, {multiNic: true}).findings.map((f) => f.subject)).toEqual(['tap64', 'tap65', 'tap128', 'tap129']);
  });
});

describe('TD103 without NetworkManager profiles (a run without root)', () => {
  it('still passes on complete wicked configs, and skips when a tap needs them', () => {
    expect(run(check, overlay(suse, {failed: {'network.nm': 'permission denied (needs root)'}}))).toMatchObject({status: 'pass', findings: []});
    expect(run(check, overlay(fedora, {failed: {'network.nm': 'permission denied (needs root)'}}))).toMatchObject({status: 'skip', reason: 'could not collect network.nm: permission denied (needs root)'});
  });
  it('network-scripts: TYPE=OVSIntPort makes an internal port, not a tap', async () => {
    const [f] = run(check, (await loadCase('TD103-ovs-internal-port-not-tap')).snapshot).findings;
    const file = '/etc/sysconfig/network-scripts/ifcfg-tap1';
    expect(f).toMatchObject({
      subject: 'tap1',
      message: `tap1 (tap of worker instance 2) exists now as a port of br0, but the persisted config would not put it on br0 at boot: ${file}: TYPE=OVSIntPort makes tap1 an OVS internal port, not a tap device qemu can open`,
      fix: `if grep -q '^TYPE=' ${file}; then sed -i --follow-symlinks 's/^TYPE=.*/TYPE=OVSPort/' ${file}; else echo TYPE=OVSPort >> ${file}; fi`,
    });
  });
});
