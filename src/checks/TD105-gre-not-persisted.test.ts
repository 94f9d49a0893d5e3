import {execFileSync} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {loadCase} from '../../test/helpers/fixture.js';
import {overlay} from '../../test/gate/overlay.js';
import {fixture, run} from '../../test/gate/run-check.js';
import {mentionsAddress} from '../facts/persistence.js';
import check from './TD105-gre-not-persisted.js';

const SCRIPT = '/etc/wicked/scripts/gre_tunnel_preup.sh';
const BR1 = '/etc/sysconfig/network/ifcfg-br1';
const NM_SCRIPT = '/etc/NetworkManager/dispatcher.d/gre_tunnel_preup.sh';

/** The case's host with NetworkManager managing the network instead of wicked, and `script` as its only dispatcher script. */
async function nmHost(script: {content: string; mode: number}) {
  const {snapshot} = await loadCase('TD105-peer-in-preup');
  const units = snapshot.contents.get('commands/systemd.units')!.toString('utf8').replace(/^wicked\.service .*$/m, 'NetworkManager.service loaded active running Network Manager');
  const wants = '/etc/systemd/system/multi-user.target.wants/';
  return overlay(snapshot, {
    files: {
      'network.preup': {[SCRIPT]: null, [NM_SCRIPT]: script},
      'network.ifcfg': {[BR1]: null},
      'systemd.wants': {[`${wants}wicked.service`]: null, [`${wants}NetworkManager.service`]: {linkTarget: '/usr/lib/systemd/system/NetworkManager.service'}},
    },
    commands: {'systemd.units': units},
  });
}

describe('TD105 gre-not-persisted', () => {
  it('passes without GRE ports, with a note', async () => {
    expect(run(check, await fixture('healthy-suse'))).toMatchObject({status: 'pass', reason: 'no GRE port on br1: nothing to re-create at boot', findings: []});
  });

  it('passes when the executable pre-up script adds the peer', async () => {
    expect(run(check, (await loadCase('TD105-peer-in-preup')).snapshot)).toMatchObject({status: 'pass', findings: []});
  });

  it('reports a peer that is commented out in the script', async () => {
    const [f] = run(check, (await loadCase('TD105-commented-peer')).snapshot).findings;
    expect(f).toMatchObject({
      subject: 'gre1',
      message: `gre1 (GRE to 192.0.2.2) exists now, but the persisted pre-up would not re-create it: ${SCRIPT}: remote_ip=192.0.2.2 is commented out`,
      fix: [
        '# salt comments out offline peers: if 192.0.2.2 is gone for good, drop gre1 instead',
        `grep -qxF -e 'ovs-vsctl --may-exist add-port br1 gre1 -- set interface gre1 type=gre options:remote_ip=192.0.2.2' ${SCRIPT} 2>/dev/null || echo 'ovs-vsctl --may-exist add-port br1 gre1 -- set interface gre1 type=gre options:remote_ip=192.0.2.2' >> ${SCRIPT}`,
      ].join('\n'),
    });
    expect(f!.evidence).toEqual([
      {source: 'ovs.interfaces', lines: ['gre1: type=gre options:remote_ip=192.0.2.2 (port of br1)']},
      {
        source: SCRIPT,
        lines: [
          'mode 0755',
          '#ovs-vsctl --may-exist add-port $bridge gre1 -- set interface gre1 type=gre options:remote_ip=192.0.2.2 # worker-b',
        ],
      },
    ]);
  });

  it('reports a script that is not executable', async () => {
    const {snapshot} = await loadCase('TD105-peer-in-preup');
    const text = snapshot.contents.get(`files${SCRIPT}`)!.toString('utf8');
    const [f] = run(check, overlay(snapshot, {files: {'network.preup': {[SCRIPT]: {content: text, mode: 0o644}}}})).findings;
    expect(f!.message).toBe(`gre1 (GRE to 192.0.2.2) exists now, but the persisted pre-up would not re-create it: ${SCRIPT}: not executable (mode 0644)`);
    expect(f!.fix).toBe(`chmod 0755 ${SCRIPT}`);
  });

  it('reports a bridge config that never runs the script', async () => {
    const {snapshot} = await loadCase('TD105-peer-in-preup');
    const br1 = snapshot.contents.get(`files${BR1}`)!.toString('utf8').replace(/^PRE_UP_SCRIPT=.*\n/m, '');
    const [f] = run(check, overlay(snapshot, {files: {'network.ifcfg': {[BR1]: br1}}})).findings;
    expect(f!.message).toBe(`gre1 (GRE to 192.0.2.2) exists now, but the persisted pre-up would not re-create it: ${BR1}: PRE_UP_SCRIPT is not set, so ${SCRIPT} is never run`);
    expect(f!.fix).toBe(
      `if grep -q '^PRE_UP_SCRIPT=' ${BR1}; then sed -i --follow-symlinks "s/^PRE_UP_SCRIPT=.*/PRE_UP_SCRIPT='wicked:gre_tunnel_preup.sh'/" ${BR1}; else echo "PRE_UP_SCRIPT='wicked:gre_tunnel_preup.sh'" >> ${BR1}; fi`,
    );
  });

  it('no pre-up at all: writes the stock script, appends the port and names the script in the bridge\'s ifcfg', async () => {
    const {snapshot} = await loadCase('TD105-peer-in-preup');
    const [f] = run(check, overlay(snapshot, {files: {'network.ifcfg': {[BR1]: null}, 'network.preup': {[SCRIPT]: null}}})).findings;
    expect(f).toMatchObject({kind: 'TD105/no-preup', subject: 'gre1', message: `gre1 (GRE to 192.0.2.2) exists now, but no pre-up script re-creates it: ${BR1} names no PRE_UP_SCRIPT; after a reboot the MM jobs spanning hosts lose their tunnel`});
    expect(f!.fix).toContain(`echo 'ovs-vsctl --may-exist add-port br1 gre1 -- set interface gre1 type=gre options:remote_ip=192.0.2.2' >> ${SCRIPT}`);
    expect(f!.fix).toContain(`echo "PRE_UP_SCRIPT='wicked:gre_tunnel_preup.sh'" >> ${BR1}`);
    expect(f!.fix.indexOf(`chmod`)).toBeLessThan(f!.fix.indexOf('add-port br1 gre1'));
  });

  it('NetworkManager: a group-writable dispatcher script is refused', async () => {
    const {snapshot} = await loadCase('TD105-peer-in-preup');
    const text = snapshot.contents.get(`files${SCRIPT}`)!.toString('utf8');
    const s = overlay(snapshot, {
      files: {
        'network.preup': {[SCRIPT]: null, '/etc/NetworkManager/dispatcher.d/gre_tunnel_preup.sh': {content: text, mode: 0o775}},
        'network.ifcfg': {[BR1]: null},
      },
    });
    const [f] = run(check, s).findings;
    expect(f!.message).toBe(
      'gre1 (GRE to 192.0.2.2) exists now, but the persisted pre-up would not re-create it: /etc/NetworkManager/dispatcher.d/gre_tunnel_preup.sh: writable by group or others: NetworkManager refuses to run it',
    );
    expect(f!.fix).toBe('chmod go-w /etc/NetworkManager/dispatcher.d/gre_tunnel_preup.sh');
  });
  it('NetworkManager: a dispatcher script that tunnels to other peers gets the line appended, never rewritten (its peers stay)', async () => {
    const text = ['#!/bin/sh', '[ "$1" = br1 ] || exit 0', 'ovs-vsctl --may-exist add-port br1 gre9 -- set interface gre9 type=gre options:remote_ip=192.0.2.9', ''].join('\n');
    const s = await nmHost({content: text, mode: 0o755});
    const [f] = run(check, s).findings;
    expect(f).toMatchObject({kind: 'TD105/no-preup', message: `gre1 (GRE to 192.0.2.2) exists now, but no pre-up script re-creates it: ${NM_SCRIPT} has no line for 192.0.2.2; after a reboot the MM jobs spanning hosts lose their tunnel`});
    // Applied to a copy of the script, the fix keeps gre9's line and adds gre1's: the check passes.
    const dir = mkdtempSync(join(tmpdir(), 'td-td105-'));
    try {
      const copy = join(dir, 'gre_tunnel_preup.sh');
      writeFileSync(copy, text, {mode: 0o755});
      execFileSync('sh', ['-c', `set -eu\n${f!.fix.replaceAll(NM_SCRIPT, copy)}`]);
      const healed = readFileSync(copy, 'utf8');
      expect(healed.startsWith(text)).toBe(true);
      expect(healed).toContain('options:remote_ip=192.0.2.2');
      expect(run(check, overlay(s, {files: {'network.preup': {[NM_SCRIPT]: {content: healed, mode: statSync(copy).mode & 0o7777}}}}))).toMatchObject({status: 'pass'});
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });

  it('NetworkManager: an existing dispatcher script that cannot run is made runnable as the line is appended', async () => {
    const text = ['#!/bin/sh', 'ovs-vsctl --may-exist add-port br1 gre9 -- set interface gre9 type=gre options:remote_ip=192.0.2.9', ''].join('\n');
    const s = await nmHost({content: text, mode: 0o664});
    const [f] = run(check, s).findings;
    expect(f!.kind).toBe('TD105/no-preup');
    expect(f!.fix).not.toContain(`rm -f ${NM_SCRIPT}`);
    expect(f!.fix).toContain(`chmod 0755 ${NM_SCRIPT}`);
    expect(f!.fix).toContain(`chmod go-w ${NM_SCRIPT}`);
    expect(f!.fix).toContain(`>> ${NM_SCRIPT}`);
  });

  it('a remote_ip only in a trailing comment is no tunnel to the peer (the same judgement as the fleet checks: tunnel-boot.ts)', async () => {
    const {snapshot} = await loadCase('TD105-peer-in-preup');
    const text = ['#!/bin/sh', 'ovs-vsctl --may-exist add-port br1 gre1 -- set interface gre1 type=gre options:peer=192.0.2.2 # remote_ip', ''].join('\n');
    const [f] = run(check, overlay(snapshot, {files: {'network.preup': {[SCRIPT]: {content: text, mode: 0o755}}}})).findings;
    expect(f!.message).toBe(`gre1 (GRE to 192.0.2.2) exists now, but the persisted pre-up would not re-create it: ${SCRIPT}: no line adds a GRE port to 192.0.2.2`);
  });

  it('does not take a peer whose address merely starts with the runtime one (192.0.2.20 for 192.0.2.2)', async () => {
    const [f] = run(check, (await loadCase('TD105-peer-prefix-of-another')).snapshot).findings;
    expect(f!.message).toBe(
      'gre1 (GRE to 192.0.2.2) exists now, but the persisted pre-up would not re-create it: /etc/wicked/scripts/gre_tunnel_preup.sh: remote_ip=192.0.2.2 is commented out',
    );
    expect(mentionsAddress('options:remote_ip=192.0.2.20 # worker-c', '192.0.2.2')).toBe(false);
    expect(mentionsAddress('options:remote_ip=192.0.2.2 # worker-b', '192.0.2.2')).toBe(true);
    expect(mentionsAddress('options:remote_ip=10.192.0.2.2', '192.0.2.2')).toBe(false);
  });
});

describe('TD105 network-scripts OVSTunnel files (openvswitch rhel/README.RHEL.rst, rhel/etc_sysconfig_network-scripts_ifup-ovs)', () => {
  const RH = '/etc/sysconfig/network-scripts/ifcfg-gre1';
  // Fedora's ansible template of 2016 (roles/openqa/worker/templates/ifcfg-gre.j2), rendered for this host's peer.
  const TEMPLATE = readFileSync(new URL('../../test/samples/ifcfg/fedora-ifcfg-gre.j2-2016.txt', import.meta.url), 'utf8')
    .replace("OVS_BRIDGE='br0'", "OVS_BRIDGE='br1'")
    .replace("DEVICE='gre{{ item.0 }}'", "DEVICE='gre1'")
    .replace("{{ hostvars[item.1]['eth0_ip'] }}", '192.0.2.2');
  /** The TD105-peer-in-preup host with the wicked PRE_UP_SCRIPT gone: only the network-scripts file can re-create gre1. */
  async function host(tunnel: string) {
    const {snapshot} = await loadCase('TD105-peer-in-preup');
    const br1 = snapshot.contents.get(`files${BR1}`)!.toString('utf8').replace(/^PRE_UP_SCRIPT=.*\n/m, '');
    return run(check, overlay(snapshot, {files: {'network.ifcfg': {[BR1]: br1, [RH]: tunnel}}}));
  }

  it('passes with the file as the README documents it (DEVICETYPE=ovs, TYPE=OVSTunnel, OVS_TUNNEL_TYPE=gre)', async () => {
    expect(await host(TEMPLATE)).toMatchObject({status: 'pass', findings: []});
  });

  it('without DEVICETYPE=ovs ifup never runs ifup-ovs: network-scripts derives "gre" from DEVICE and falls back to ifup-eth', async () => {
    const [f] = (await host(TEMPLATE.replace("DEVICETYPE='ovs'\n", ''))).findings;
    expect(f!.message).toMatch(new RegExp(`${RH}: DEVICETYPE is not set, so ifup derives DEVICETYPE=gre from DEVICE=gre1 and runs ifup-eth, which ignores OVS_TUNNEL_\\*: not ifup-ovs`));
    expect(f!.fix).toContain(`DEVICETYPE=ovs`);
    expect(f!.evidence.find((e) => e.source === RH)?.lines).toEqual(['line 1: TYPE=OVSTunnel', 'line 2: OVS_BRIDGE=br1', 'line 3: DEVICE=gre1', 'line 4: OVS_TUNNEL_TYPE=gre', 'line 5: OVS_TUNNEL_OPTIONS=options:remote_ip=192.0.2.2', 'line 6: ONBOOT=yes']);
  });

  it('a DEVICE named ovsN needs no DEVICETYPE: network-scripts derives ovs from it', async () => {
    const text = TEMPLATE.replace("DEVICETYPE='ovs'\n", '').replace("DEVICE='gre1'", "DEVICE='ovs1'");
    expect((await host(text)).findings).toEqual([]);
  });

  it('a tunnel of another type, or none, is no GRE port (ifup-ovs sets type=$OVS_TUNNEL_TYPE)', async () => {
    const [vx] = (await host(TEMPLATE.replace("OVS_TUNNEL_TYPE='gre'", "OVS_TUNNEL_TYPE='vxlan'"))).findings;
    expect(vx!.message).toContain(`${RH}: OVS_TUNNEL_TYPE=vxlan, expected gre`);
    const [none] = (await host(TEMPLATE.replace("OVS_TUNNEL_TYPE='gre'\n", ''))).findings;
    expect(none!.message).toContain(`${RH}: OVS_TUNNEL_TYPE is not set, expected gre`);
  });
});
