import {describe, expect, it} from 'vitest';
import {ifcfgFiles, nmProfiles} from './read.js';
import {factsFor as facts, sample} from '../../../test/helpers/facts.js';

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
