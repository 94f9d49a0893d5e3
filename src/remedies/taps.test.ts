import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {makeSnapshot, type SnapshotSpec} from '../../test/helpers/snapshot.js';
import {DEFAULT_CONFIG} from '../config.js';
import {Facts} from '../facts/facts.js';
import {tapOwnerNames} from '../facts/taps.js';
import {networkStack} from '../facts/network-stack.js';
import {SnapshotView} from '../sources/snapshot.js';
import {persistTap, persistTapOwner} from './taps.js';
import {bridgePortLine, wickedTapFileLines} from '../../test/helpers/remedies.js';

const sample = (dir: string, name: string) => readFileSync(new URL(`../../test/samples/${dir}/${name}`, import.meta.url), 'utf8');
const facts = (spec: SnapshotSpec) => new Facts(new SnapshotView(makeSnapshot(spec)), DEFAULT_CONFIG);
const ACCOUNTS = {
  '/etc/passwd': sample('accounts', 'generated-debian12-base-passwd-useradd-openqa-worker-passwd.txt'),
  '/etc/group': sample('accounts', 'generated-debian12-base-passwd-useradd-openqa-worker-group.txt'),
};
const lines = (steps: Array<{lines: string[]}>) => steps.flatMap((s) => s.lines);

describe('tap persistence remedies', () => {
  const ifcfg = {
    '/etc/sysconfig/network/ifcfg-br1': "OVS_BRIDGE='yes'\nOVS_BRIDGE_PORT_DEVICE_0='tap0'\nOVS_BRIDGE_PORT_DEVICE_1='tap1'\n",
    '/etc/sysconfig/network/ifcfg-tap0': "TUNNEL='tap'\nTUNNEL_SET_OWNER='geekotest'\nTUNNEL_SET_GROUP='kvm'\n",
  };

  it('wicked: changes the owner line (through a link, to its target), keeps a group the worker user is in', () => {
    const f = facts({files: {accounts: ACCOUNTS, 'network.ifcfg': ifcfg}});
    expect(f.get(networkStack).stack).toBe('wicked');
    const owner = persistTapOwner(f, 'tap0', 'wicked');
    expect(owner.map((s) => s.key)).toEqual(['var:/etc/sysconfig/network/ifcfg-tap0:TUNNEL_SET_OWNER']);
    expect(lines(owner)).toContain(
      `if grep -q '^TUNNEL_SET_OWNER=' /etc/sysconfig/network/ifcfg-tap0; then sed -i --follow-symlinks "s/^TUNNEL_SET_OWNER=.*/TUNNEL_SET_OWNER='_openqa-worker'/" /etc/sysconfig/network/ifcfg-tap0; else echo "TUNNEL_SET_OWNER='_openqa-worker'" >> /etc/sysconfig/network/ifcfg-tap0; fi`,
    );
  });

  it('wicked: a new tap gets a file of its own and one bridge-port line under a free suffix', () => {
    const f = facts({files: {accounts: ACCOUNTS, 'network.ifcfg': ifcfg}});
    const steps = persistTap(f, 'tap5', 'br1', 'wicked');
    expect(steps.map((s) => s.key)).toEqual(['file:/etc/sysconfig/network/ifcfg-tap5', 'bridge-port:/etc/sysconfig/network/ifcfg-br1:tap5']);
    expect(lines(steps)).toEqual([
      ...wickedTapFileLines('tap5'),
      bridgePortLine('tap5', 5),
    ]);
    // No `wicked ifup br1`: re-doing the bridge on a live worker drops the switch service's flows.
    expect(lines(steps).join('\n')).not.toMatch(/wicked ifup/);
  });

  it('NetworkManager: numeric owner and group, existing profiles named', () => {
    const f = facts({files: {accounts: ACCOUNTS, 'network.nm': {'/etc/NetworkManager/system-connections/tap0.nmconnection': sample('nm-keyfile', 'generated-nmcli-1.42.4-offline-tun-tap0.txt')}}});
    expect(f.get(networkStack).stack).toBe('NetworkManager');
    expect(tapOwnerNames(f)).toEqual({user: '_openqa-worker', group: 'nogroup', uid: 999, gid: 65534});
    expect(lines(persistTapOwner(f, 'tap0', 'NetworkManager'))).toEqual(['nmcli connection modify ovs-slave-tap0 tun.owner 999 tun.group 65534']);
    expect(lines(persistTap(f, 'tap0', 'br0', 'NetworkManager'))).toEqual(['nmcli connection show tap0-port >/dev/null 2>&1 || nmcli connection add type ovs-port conn.interface tap0 master br0 con-name tap0-port']);
  });
});
